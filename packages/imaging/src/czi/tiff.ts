/**
 * Export a plane as TIFF through geotiff.js's writer (a maintained TIFF library; we do not write our own TIFF
 * encoder). Grey planes become one-sample TIFFs of the plane's type (16-bit grey for Gray16), colour planes
 * RGB. geotiff.js adds its default GeoTIFF keys, which image viewers ignore.
 */
import { HypedError, type NumericTypedArray } from "@hyped/core";
import { writeArrayBuffer } from "geotiff";

/** Encode `data` (`height` x `width` x `samples`, row-major) as an uncompressed TIFF. */
export function encodePlaneTiff(data: NumericTypedArray, width: number, height: number, samples = 1): Uint8Array {
  if (data.length !== width * height * samples) {
    throw new HypedError("SHAPE_MISMATCH", `${data.length} values do not make a ${width}x${height}x${samples} image`, {});
  }
  if (!(data instanceof Uint8Array || data instanceof Uint16Array || data instanceof Uint32Array || data instanceof Float32Array)) {
    throw new HypedError("UNSUPPORTED", `TIFF export supports uint8, uint16, uint32 and float32 planes, not ${data.constructor.name}`, {});
  }
  const bits = data.BYTES_PER_ELEMENT * 8;
  const md: Record<string, unknown> = {
    width,
    height,
    BitsPerSample: Array.from({ length: samples }, () => bits),
    SamplesPerPixel: [samples],
    PhotometricInterpretation: samples >= 3 ? 2 : 1,
    SampleFormat: Array.from({ length: samples }, () => (data instanceof Float32Array ? 3 : 1)),
  };
  if (samples === 4) md.ExtraSamples = 2;
  // geotiff.js wants a plain flat array or a TypedArray; its metadata type is loose.
  return new Uint8Array(writeArrayBuffer(data as unknown as number[], md as unknown as Parameters<typeof writeArrayBuffer>[1]));
}

/**
 * Compression 1 (JpgFile): baseline/progressive 8-bit JPEG, decoded with jpeg-js (pure JavaScript, widely
 * used; it handles 8-bit samples only). Supported pixel types: Gray8 and Bgr24. 16-bit or alpha subblocks
 * labelled JPEG throw UNSUPPORTED naming code 1 and the subblock.
 */
import { HypedError } from "@hyped/core";
import * as jpeg from "jpeg-js";
import { unsupportedCompression } from "./errors.js";
import type { CziDecodeInfo } from "./types.js";

/** Decoder for compression 1: returns Gray8 bytes, or Bgr24 bytes in the file's B,G,R order. */
export function decodeJpeg(payload: Uint8Array, info: CziDecodeInfo): Uint8Array {
  if (info.pixelType !== "Gray8" && info.pixelType !== "Bgr24") {
    throw unsupportedCompression(
      info,
      `JPEG subblocks are decoded for Gray8 and Bgr24 only (jpeg-js is 8-bit), this one is ${info.pixelType}`,
    );
  }
  const what = `ZISRAWSUBBLOCK ${info.subblock} at ${info.filePosition}`;
  let img: { width: number; height: number; data: Uint8Array };
  try {
    img = jpeg.decode(payload, {
      useTArray: true,
      formatAsRGBA: false,
      // Refuse images larger than the tile before jpeg-js allocates them.
      maxResolutionInMP: (info.width * info.height) / 1e6 + 0.01,
      maxMemoryUsageInMB: Math.ceil((info.width * info.height * 8) / 2 ** 20) + 16,
    });
  } catch (e) {
    throw new HypedError(
      "FORMAT",
      `${what}: JPEG payload does not decode: ${(e as Error).message}`,
      { subblock: info.subblock },
      { cause: e },
    );
  }
  if (img.width !== info.width || img.height !== info.height) {
    throw new HypedError("FORMAT", `${what}: JPEG is ${img.width}x${img.height}, the directory says ${info.width}x${info.height}`, {
      subblock: info.subblock,
    });
  }
  const n = info.width * info.height;
  const rgb = img.data;
  if (info.pixelType === "Gray8") {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = rgb[3 * i] as number;
    return out;
  }
  const out = new Uint8Array(3 * n);
  for (let i = 0; i < 3 * n; i += 3) {
    out[i] = rgb[i + 2] as number;
    out[i + 1] = rgb[i + 1] as number;
    out[i + 2] = rgb[i] as number;
  }
  return out;
}

/** Encode a Gray8 or Bgr24 tile (file order) as JPEG with jpeg-js (for writing test data). */
export function encodeJpeg(raw: Uint8Array, width: number, height: number, samples: 1 | 3, quality = 90): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    if (samples === 1) {
      const v = raw[i] as number;
      rgba[4 * i] = v;
      rgba[4 * i + 1] = v;
      rgba[4 * i + 2] = v;
    } else {
      rgba[4 * i] = raw[3 * i + 2] as number;
      rgba[4 * i + 1] = raw[3 * i + 1] as number;
      rgba[4 * i + 2] = raw[3 * i] as number;
    }
    rgba[4 * i + 3] = 255;
  }
  return new Uint8Array(jpeg.encode({ data: rgba, width, height }, quality).data);
}

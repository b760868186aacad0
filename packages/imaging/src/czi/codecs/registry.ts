/**
 * The subblock decoder registry, keyed by the compression code written in each directory entry
 * (as geotiff's `addDecoder(code, loader)`). Users add decoders for codes we do not implement, e.g. a
 * JPEG XR decoder: `registerCziDecoder(4, myJxrDecoder)`.
 */
import { HypedError } from "@hyped/core";
import type { CziPixelType } from "../constants.js";
import { decodeJpeg } from "./jpeg.js";
import { decodeJpegXr } from "./jpegxr.js";
import { decodeZstd0, decodeZstd1 } from "./zstd.js";

/** What a decoder is told about the subblock it decodes. */
export interface CziDecodeInfo {
  /** Directory index of the subblock. */
  subblock: number;
  /** File offset of the subblock segment. */
  filePosition: number;
  /** Compression code from the directory entry. */
  compression: number;
  /** Pixel type of the subblock. */
  pixelType: CziPixelType;
  /** Stored width and height in pixels. */
  width: number;
  height: number;
  /** Bytes per pixel of the pixel type. */
  bytesPerPixel: number;
  /** Bytes the decoded pixels must have: width * height * bytesPerPixel (rows packed, no padding). */
  expectedBytes: number;
  /** Cancels a long decode. */
  signal?: AbortSignal;
  /**
   * A buffer of exactly `expectedBytes` that the decoder may fill and return instead of allocating (readPlane
   * passes one per in-flight tile and reuses it). Decoders are free to ignore it and return their own array.
   */
  output?: Uint8Array;
}

/**
 * A decoder: compressed payload in, raw pixel bytes out, in the file's own sample order (B,G,R for colour
 * types), little-endian, rows packed. It must return exactly `info.expectedBytes` bytes or throw a HypedError.
 */
export type CziDecoder = (payload: Uint8Array, info: CziDecodeInfo) => Uint8Array | Promise<Uint8Array>;

/** Built-in decoders: 1 JPEG (8-bit), 4 JPEG XR (jxrlib wasm, with the raw-pixel fallback), 5 Zstd0, 6 Zstd1. Uncompressed (0) needs none. */
export const BUILTIN_CZI_DECODERS: ReadonlyMap<number, CziDecoder> = new Map<number, CziDecoder>([
  [1, decodeJpeg],
  [4, decodeJpegXr],
  [5, decodeZstd0],
  [6, decodeZstd1],
]);

const decoders = new Map<number, CziDecoder>(BUILTIN_CZI_DECODERS);

/** Register (or replace) the decoder for compression `code`. Returns the previous decoder, if any. */
export function registerCziDecoder(code: number, decoder: CziDecoder): CziDecoder | undefined {
  if (!Number.isInteger(code)) throw new HypedError("INVALID_ARGUMENT", `compression code must be an integer, got ${code}`, { code });
  const prev = decoders.get(code);
  decoders.set(code, decoder);
  return prev;
}

/** Remove the decoder for `code` (a built-in can be restored from {@link BUILTIN_CZI_DECODERS}). */
export function unregisterCziDecoder(code: number): boolean {
  return decoders.delete(code);
}

/** The decoder registered for `code`, if any. */
export function getCziDecoder(code: number): CziDecoder | undefined {
  return decoders.get(code);
}

/** Compression codes that currently have a decoder. */
export function cziDecoderCodes(): number[] {
  return [...decoders.keys()].sort((a, b) => a - b);
}

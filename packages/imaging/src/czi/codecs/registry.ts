/**
 * The subblock decoder registry, keyed by the compression code written in each directory entry
 * (as geotiff's `addDecoder(code, loader)`). Users add decoders for codes we do not implement, e.g. a
 * JPEG XR decoder: `registerCziDecoder(4, myJxrDecoder)`.
 */
import { HypedError } from "@hyped/core";
import { decodeJpeg } from "./jpeg.js";
import { decodeJpegXr } from "./jpegxr.js";
import type { CziDecoder } from "./types.js";
import { decodeZstd0, decodeZstd1 } from "./zstd.js";

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

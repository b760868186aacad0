/**
 * Compression 4 (JPEG XR). No JPEG XR decoder exists on npm, and we do not port jxrlib. What we do:
 * - ZEN 3.0 wrote some subblocks that are labelled JPEG XR but hold raw pixels. As czifile and Bio-Formats
 *   do, a payload whose size equals the raw tile size and that does not start with the JPEG XR magic
 *   (`II` 0xBC 0x01) is returned as raw pixels.
 * - A real JPEG XR payload throws UNSUPPORTED naming code 4 and the subblock. Register your own decoder with
 *   `registerCziDecoder(4, decoder)`; this built-in then no longer runs.
 */

import { unsupportedCompression } from "./errors.js";
import type { CziDecodeInfo } from "./registry.js";

/** True if `b` starts with the JPEG XR (HD Photo) file magic `49 49 BC 01`. */
export function isJpegXr(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x49 && b[1] === 0x49 && b[2] === 0xbc && b[3] === 0x01;
}

/** Decoder for compression 4: raw-pixel payloads mislabelled as JPEG XR; UNSUPPORTED otherwise. */
export function decodeJpegXrRawFallback(payload: Uint8Array, info: CziDecodeInfo): Uint8Array {
  if (payload.length === info.expectedBytes && !isJpegXr(payload)) return payload;
  throw unsupportedCompression(
    info,
    isJpegXr(payload) ? "a real JPEG XR payload (no JPEG XR decoder is built in)" : "not a JPEG XR stream and not a raw tile",
  );
}

/**
 * The decoder contract, apart from the registry so that codecs can import it without importing the registry
 * that imports them (no import cycle).
 */
import type { CziPixelType } from "../constants.js";

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

/**
 * Segment framing: every CZI structure lives in a segment with a 32-byte header (16-byte ASCII id,
 * int64 allocated size, int64 used size). All sizes are checked against the source before any allocation.
 */
import { type ByteSource, HypedError, throwIfAborted } from "@hyped/core";
import { SEGMENT_HEADER_SIZE, SEGMENT_IDS } from "./constants.js";

/** A parsed segment header. */
export interface SegmentHeader {
  /** Segment id ("ZISRAWSUBBLOCK", ...). */
  id: string;
  /** Byte offset of the segment header in the file. */
  offset: number;
  /** AllocatedSize field: bytes reserved for the segment's data (after the header). */
  allocatedSize: number;
  /** UsedSize field (0 in some writers; then {@link dataSize} falls back to the allocated size). */
  usedSize: number;
  /** Offset of the segment data (header + 32). */
  dataOffset: number;
  /** Bytes of segment data we may read: used size, or allocated size when used is 0, never past the end of the file. */
  dataSize: number;
}

const UTF8 = new TextDecoder("utf-8");

/** Little-endian reader over a byte range that turns every out-of-bounds access into a FORMAT error. */
export class Reader {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    /** What is being parsed, for error messages (e.g. "ZISRAWSUBBLOCK at 1024"). */
    readonly what: string,
    /** File offset of `bytes[0]`, for error context. */
    readonly base = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(pos: number, n: number): void {
    if (pos < 0 || pos + n > this.bytes.length) {
      throw new HypedError("FORMAT", `${this.what}: truncated (needed ${n} bytes at +${pos}, have ${this.bytes.length})`, {
        segment: this.what,
        offset: this.base + pos,
      });
    }
  }
  i32(pos: number): number {
    this.need(pos, 4);
    return this.view.getInt32(pos, true);
  }
  u32(pos: number): number {
    this.need(pos, 4);
    return this.view.getUint32(pos, true);
  }
  f32(pos: number): number {
    this.need(pos, 4);
    return this.view.getFloat32(pos, true);
  }
  f64(pos: number): number {
    this.need(pos, 8);
    return this.view.getFloat64(pos, true);
  }
  u8(pos: number): number {
    this.need(pos, 1);
    return this.bytes[pos] as number;
  }
  /** A signed int64 as a number; FORMAT if it is negative or beyond 2^53. */
  size64(pos: number, field: string): number {
    this.need(pos, 8);
    const v = this.view.getBigInt64(pos, true);
    if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new HypedError("FORMAT", `${this.what}: ${field} ${v} is not a valid size/offset`, {
        segment: this.what,
        field,
        value: v.toString(),
        offset: this.base + pos,
      });
    }
    return Number(v);
  }
  /** A NUL-terminated ASCII/UTF-8 string field of fixed width. */
  str(pos: number, width: number): string {
    this.need(pos, width);
    let end = pos;
    let ascii = true;
    while (end < pos + width && this.bytes[end] !== 0) {
      if ((this.bytes[end] as number) >= 0x80) ascii = false;
      end++;
    }
    if (ascii) return String.fromCharCode(...this.bytes.subarray(pos, end));
    return UTF8.decode(this.bytes.subarray(pos, end));
  }
  guid(pos: number): string {
    this.need(pos, 16);
    const b = this.bytes;
    const h = (i: number) => (b[pos + i] as number).toString(16).padStart(2, "0");
    // Microsoft GUID layout: first three groups little-endian.
    return `${h(3)}${h(2)}${h(1)}${h(0)}-${h(5)}${h(4)}-${h(7)}${h(6)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
  }
}

/** Throw a FORMAT error naming the segment. */
export function formatErr(segment: string, message: string, context: Record<string, unknown> = {}): HypedError {
  return new HypedError("FORMAT", `${segment}: ${message}`, { segment, ...context });
}

/** Read bytes from the source, turning OUT_OF_RANGE (past the end) into FORMAT naming the segment. */
export async function readChecked(
  src: ByteSource,
  offset: number,
  length: number,
  what: string,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  throwIfAborted(signal, `reading ${src.name}`);
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > src.size) {
    throw formatErr(what, `needs bytes ${offset}..${offset + length} but ${src.name} has ${src.size} bytes (truncated or corrupt)`, {
      offset,
      length,
      fileSize: src.size,
    });
  }
  return src.read(offset, length, signal);
}

/** Parse a segment header from 32 bytes. `offset` is its file position. */
export function parseSegmentHeader(bytes: Uint8Array, offset: number, fileSize: number, expected?: string): SegmentHeader {
  const r = new Reader(bytes, `segment at ${offset}`, offset);
  const id = r.str(0, 16);
  const what = `${id || "segment"} at ${offset}`;
  if (expected !== undefined && id !== expected) {
    throw formatErr(`${expected} at ${offset}`, `expected segment id ${expected}, found ${JSON.stringify(id)}`, { offset, found: id });
  }
  const rr = new Reader(bytes, what, offset);
  const allocatedSize = rr.size64(16, "AllocatedSize");
  const usedSize = rr.size64(24, "UsedSize");
  const dataOffset = offset + SEGMENT_HEADER_SIZE;
  let dataSize = usedSize > 0 ? usedSize : allocatedSize;
  if (usedSize > allocatedSize && allocatedSize > 0) {
    throw formatErr(what, `UsedSize ${usedSize} exceeds AllocatedSize ${allocatedSize}`, { offset });
  }
  if (dataOffset + dataSize > fileSize) {
    // A segment whose data runs past the end of the file: truncated file.
    if (usedSize === 0) dataSize = Math.max(0, fileSize - dataOffset);
    else throw formatErr(what, `segment data (${dataSize} bytes) runs past the end of the file (${fileSize} bytes)`, { offset, fileSize });
  }
  return { id, offset, allocatedSize, usedSize, dataOffset, dataSize };
}

/** Read and parse the segment header at `offset`, checking its id. DELETED segments are refused (FORMAT). */
export async function readSegmentHeader(src: ByteSource, offset: number, expected: string, signal?: AbortSignal): Promise<SegmentHeader> {
  const bytes = await readChecked(src, offset, SEGMENT_HEADER_SIZE, `${expected} at ${offset}`, signal);
  const h = parseSegmentHeader(bytes, offset, src.size);
  if (h.id === SEGMENT_IDS.deleted) throw formatErr(`${expected} at ${offset}`, "points at a DELETED segment", { offset });
  if (h.id !== expected)
    throw formatErr(`${expected} at ${offset}`, `expected segment id ${expected}, found ${JSON.stringify(h.id)}`, { offset, found: h.id });
  return h;
}

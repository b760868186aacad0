/**
 * Attachments: the attachment directory (ZISRAWATTDIR), attachment segments (ZISRAWATTACH) and the
 * TimeStamps attachment ("CZTIMS").
 */
import { HypedError } from "@hyped/core";
import { formatErr, Reader } from "./segment.js";

/** Size of one attachment entry ("A1"). */
export const ATTACHMENT_ENTRY_SIZE = 128;

/** One attachment as listed by the attachment directory. */
export interface CziAttachmentInfo {
  /** Position in the attachment directory. */
  index: number;
  /** Name ("TimeStamps", "Label", "SlidePreview", "Thumbnail", ...). */
  name: string;
  /** ContentFileType ("CZTIMS", "JPG", "CZI", "CZEVL", ...). */
  type: string;
  /** Content GUID. */
  guid: string;
  /** File offset of the attachment segment. */
  filePosition: number;
  /** Payload size in bytes (DataSize of the attachment segment). */
  size: number;
}

/** Parse one "A1" entry at `pos`. */
export function parseAttachmentEntry(r: Reader, pos: number, index: number): Omit<CziAttachmentInfo, "size"> {
  const schema = r.str(pos, 2);
  if (schema !== "A1")
    throw formatErr(r.what, `attachment entry ${index}: schema ${JSON.stringify(schema)}, expected "A1"`, { entry: index });
  return {
    index,
    filePosition: r.size64(pos + 12, `attachment ${index} FilePosition`),
    guid: r.guid(pos + 24),
    type: r.str(pos + 40, 8),
    name: r.str(pos + 48, 80),
  };
}

/** Parse the data of a ZISRAWATTDIR segment (EntryCount, 252 reserved bytes, 128-byte entries). */
export function parseAttachmentDirectory(data: Uint8Array, what: string, base: number): Omit<CziAttachmentInfo, "size">[] {
  const r = new Reader(data, what, base);
  const count = r.i32(0);
  if (count < 0 || 256 + count * ATTACHMENT_ENTRY_SIZE > data.length) {
    throw formatErr(what, `EntryCount ${count} does not fit in the ${data.length}-byte attachment directory`, { entryCount: count });
  }
  const out: Omit<CziAttachmentInfo, "size">[] = [];
  for (let i = 0; i < count; i++) out.push(parseAttachmentEntry(r, 256 + i * ATTACHMENT_ENTRY_SIZE, i));
  return out;
}

/**
 * Parse a TimeStamps ("CZTIMS") payload: int32 size, int32 count, then `count` float64 seconds.
 * FORMAT if the count does not fit the payload.
 */
export function parseTimeStamps(payload: Uint8Array, what = "TimeStamps attachment"): Float64Array {
  const r = new Reader(payload, what);
  const n = r.i32(4);
  if (n < 0 || 8 + n * 8 > payload.length) {
    throw new HypedError("FORMAT", `${what}: ${n} time stamps do not fit in ${payload.length} bytes`, { segment: what, count: n });
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = r.f64(8 + 8 * i);
  return out;
}

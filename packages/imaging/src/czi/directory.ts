/**
 * The subblock directory (ZISRAWDIRECTORY) and its "DV" entries, parsed into plain data.
 */
import { type CziPixelType, compressionName, PIXEL_TYPE_NAMES } from "./constants.js";
import { formatErr, Reader } from "./segment.js";

/** Size of the fixed part of a DV entry, before its dimension entries. */
export const DV_FIXED_SIZE = 32;
/** Size of one dimension entry of a DV entry. */
export const DIM_ENTRY_SIZE = 20;
/** Most dimension entries we accept in one DV entry (the format defines 12 letters). */
export const MAX_DIM_ENTRIES = 64;

/** One dimension of a directory entry. */
export interface CziDimEntry {
  /** First index (pixels for X/Y). */
  start: number;
  /** Extent (pixels for X/Y, usually 1 otherwise). */
  size: number;
  /** StartCoordinate field (float, usually 0). */
  startCoordinate: number;
  /** Stored extent (pixels actually stored, for X/Y; smaller than `size` in pyramid subblocks). */
  storedSize: number;
}

/** One subblock as described by the directory: plain, serialisable data. */
export interface CziSubblockEntry {
  /** Position in the directory (what `readSubblock` takes). */
  index: number;
  /** Pixel type name, or `"Unknown<code>"`. */
  pixelType: CziPixelType | `Unknown${number}`;
  /** Numeric pixel type code. */
  pixelTypeCode: number;
  /** Compression code (0 none, 1 JPEG, 4 JPEG XR, 5 Zstd0, 6 Zstd1, ...). */
  compression: number;
  /** Compression name ("Uncompressed", "Zstd1", ...). */
  compressionName: string;
  /** File offset of the subblock segment. */
  filePosition: number;
  /** FilePart field (multi-file CZI; only part 0 is supported for reading). */
  filePart: number;
  /** Pyramid type: 0 none, 1 single-subblock, 2 multi-subblock. */
  pyramidType: number;
  /** Logical rectangle in the raw pixel coordinate system (pixels). */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Stored size in pixels (equals width/height on layer 0). */
  storedWidth: number;
  storedHeight: number;
  /** True if stored size equals logical size (layer 0, not a pyramid level). */
  layer0: boolean;
  /** Start index of every dimension other than X and Y ("C", "Z", "T", "S", "M", ...). */
  coords: Record<string, number>;
  /** Every dimension entry as stored, X and Y included. */
  dims: Record<string, CziDimEntry>;
}

/**
 * Parse one DV entry at `pos` of `r`. Returns the entry and its byte length.
 * Throws FORMAT (naming `r.what`) for truncation, a bad schema, a bad dimension count or missing X/Y.
 */
export function parseDvEntry(r: Reader, pos: number, index: number): { entry: CziSubblockEntry; length: number } {
  const schema = r.str(pos, 2);
  if (schema !== "DV")
    throw formatErr(r.what, `directory entry ${index}: schema ${JSON.stringify(schema)}, expected "DV"`, { entry: index });
  const pixelTypeCode = r.i32(pos + 2);
  const filePosition = r.size64(pos + 6, `entry ${index} FilePosition`);
  const filePart = r.i32(pos + 14);
  const compression = r.i32(pos + 18);
  const pyramidType = r.u8(pos + 22);
  const n = r.i32(pos + 28);
  if (n < 2 || n > MAX_DIM_ENTRIES) {
    throw formatErr(r.what, `directory entry ${index}: DimensionCount ${n} outside 2..${MAX_DIM_ENTRIES}`, { entry: index });
  }
  const dims: Record<string, CziDimEntry> = {};
  const coords: Record<string, number> = {};
  for (let k = 0; k < n; k++) {
    const p = pos + DV_FIXED_SIZE + k * DIM_ENTRY_SIZE;
    const letter = r.str(p, 4).trim();
    const d: CziDimEntry = { start: r.i32(p + 4), size: r.i32(p + 8), startCoordinate: r.f32(p + 12), storedSize: r.i32(p + 16) };
    if (!/^[A-Za-z]$/.test(letter))
      throw formatErr(r.what, `directory entry ${index}: bad dimension name ${JSON.stringify(letter)}`, { entry: index });
    dims[letter] = d;
    if (letter !== "X" && letter !== "Y") coords[letter] = d.start;
  }
  const X = dims.X;
  const Y = dims.Y;
  if (!X || !Y) throw formatErr(r.what, `directory entry ${index}: no X or Y dimension`, { entry: index });
  for (const [l, d] of [
    ["X", X],
    ["Y", Y],
  ] as const) {
    if (d.size < 0 || d.storedSize < 0) throw formatErr(r.what, `directory entry ${index}: negative ${l} size`, { entry: index });
  }
  const pixelType = PIXEL_TYPE_NAMES[pixelTypeCode] ?? (`Unknown${pixelTypeCode}` as const);
  const entry: CziSubblockEntry = {
    index,
    pixelType,
    pixelTypeCode,
    compression,
    compressionName: compressionName(compression),
    filePosition,
    filePart,
    pyramidType,
    x: X.start,
    y: Y.start,
    width: X.size,
    height: Y.size,
    storedWidth: X.storedSize,
    storedHeight: Y.storedSize,
    layer0: X.size === X.storedSize && Y.size === Y.storedSize,
    coords,
    dims,
  };
  return { entry, length: DV_FIXED_SIZE + n * DIM_ENTRY_SIZE };
}

/** Parse the data of a ZISRAWDIRECTORY segment (EntryCount, 124 reserved bytes, then DV entries). */
export function parseDirectory(data: Uint8Array, what: string, base: number): CziSubblockEntry[] {
  const r = new Reader(data, what, base);
  const count = r.i32(0);
  if (count < 0 || 128 + count * DV_FIXED_SIZE > data.length) {
    throw formatErr(what, `EntryCount ${count} does not fit in the ${data.length}-byte directory`, { entryCount: count });
  }
  const out: CziSubblockEntry[] = new Array(count);
  let pos = 128;
  for (let i = 0; i < count; i++) {
    const { entry, length } = parseDvEntry(r, pos, i);
    out[i] = entry;
    pos += length;
  }
  return out;
}

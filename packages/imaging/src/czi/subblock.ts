/**
 * Reading one subblock segment (ZISRAWSUBBLOCK): locate its pixel payload, decode it through the codec
 * registry, and check the decoded size against the directory entry. The directory entry wins over the
 * entry copy inside the segment: we use the segment's copy only to find where the payload starts.
 */
import { type ByteSource, HypedError, throwIfAborted } from "@hyped/core";
import { type CziDecoder, getCziDecoder, unsupportedCompression } from "./codecs/index.js";
import { decodeZstd1, decodeZstd1Packed } from "./codecs/zstd.js";
import { type CziPixelType, PIXEL_LAYOUTS, SEGMENT_HEADER_SIZE, SEGMENT_IDS } from "./constants.js";
import type { CziSubblockEntry } from "./directory.js";
import { DIM_ENTRY_SIZE, DV_FIXED_SIZE, MAX_DIM_ENTRIES } from "./directory.js";
import { formatErr, parseSegmentHeader, Reader, readChecked } from "./segment.js";

/** Where a subblock's parts are in the file. */
export interface SubblockLayout {
  /** File offset and length of the subblock's own metadata XML. */
  metadataOffset: number;
  metadataSize: number;
  /** File offset and length of the pixel payload. */
  dataOffset: number;
  dataSize: number;
  /** File offset and length of the subblock attachment (e.g. a mask). */
  attachmentOffset: number;
  attachmentSize: number;
}

/** Limits applied before allocating. */
export interface CziLimits {
  /** Largest decoded tile in bytes. Default 2^30 (1 GiB). */
  maxTileBytes?: number;
  /** Largest plane canvas in bytes. Default 2^31 (2 GiB). */
  maxPlaneBytes?: number;
}

/** The name we use for a subblock in messages. */
export function subblockWhat(e: CziSubblockEntry): string {
  return `${SEGMENT_IDS.subblock} ${e.index} at ${e.filePosition}`;
}

/** Read the subblock segment header and its fixed part; return where metadata, data and attachment are. */
export async function locateSubblock(src: ByteSource, e: CziSubblockEntry, signal?: AbortSignal): Promise<SubblockLayout> {
  const what = subblockWhat(e);
  if (e.filePart !== 0) {
    throw new HypedError("UNSUPPORTED", `${what}: lives in file part ${e.filePart}; multi-file CZI is not supported`, {
      subblock: e.index,
    });
  }
  const first = Math.min(SEGMENT_HEADER_SIZE + 256, src.size - e.filePosition);
  if (first < SEGMENT_HEADER_SIZE + 16 + DV_FIXED_SIZE)
    throw formatErr(what, "segment is truncated (the file ends inside its header)", { fileSize: src.size });
  const head = await readChecked(src, e.filePosition, first, what, signal);
  const seg = parseSegmentHeader(head.subarray(0, SEGMENT_HEADER_SIZE), e.filePosition, src.size);
  if (seg.id !== SEGMENT_IDS.subblock) {
    throw formatErr(what, `directory entry points at a ${JSON.stringify(seg.id)} segment, expected ${SEGMENT_IDS.subblock}`, {
      found: seg.id,
    });
  }
  const r = new Reader(head.subarray(SEGMENT_HEADER_SIZE), what, seg.dataOffset);
  const metadataSize = r.i32(0);
  const attachmentSize = r.i32(4);
  const dataSize = r.size64(8, "DataSize");
  const nDims = r.i32(16 + 28);
  if (nDims < 2 || nDims > MAX_DIM_ENTRIES) throw formatErr(what, `DimensionCount ${nDims} outside 2..${MAX_DIM_ENTRIES}`);
  if (metadataSize < 0 || attachmentSize < 0)
    throw formatErr(what, `negative MetadataSize ${metadataSize} or AttachmentSize ${attachmentSize}`);
  const headerSize = Math.max(256, 16 + DV_FIXED_SIZE + nDims * DIM_ENTRY_SIZE);
  const metadataOffset = seg.dataOffset + headerSize;
  const dataOffset = metadataOffset + metadataSize;
  const attachmentOffset = dataOffset + dataSize;
  const end = attachmentOffset + attachmentSize;
  if (end > seg.dataOffset + seg.dataSize || end > src.size) {
    throw formatErr(
      what,
      `header (${headerSize}) + metadata (${metadataSize}) + data (${dataSize}) + attachment (${attachmentSize}) bytes exceed the segment (${seg.dataSize} bytes) or the file (${src.size} bytes)`,
      { metadataSize, dataSize, attachmentSize, segmentSize: seg.dataSize },
    );
  }
  return { metadataOffset, metadataSize, dataOffset, dataSize, attachmentOffset, attachmentSize };
}

/** Bytes per pixel and layout of an entry's pixel type; UNSUPPORTED for complex and unknown types. */
export function layoutOf(e: CziSubblockEntry) {
  const layout = PIXEL_LAYOUTS[e.pixelType as CziPixelType];
  if (!layout) {
    throw new HypedError("UNSUPPORTED", `${subblockWhat(e)}: pixel type ${e.pixelType} (code ${e.pixelTypeCode}) is not supported`, {
      subblock: e.index,
      pixelType: e.pixelType,
    });
  }
  return layout;
}

/** Stored tile size in bytes, checked against `maxTileBytes` before anything is allocated. */
export function tileBytes(e: CziSubblockEntry, maxTileBytes: number): number {
  const layout = layoutOf(e);
  const n = e.storedWidth * e.storedHeight * layout.bytesPerPixel;
  if (!Number.isSafeInteger(n) || n > maxTileBytes) {
    throw formatErr(
      subblockWhat(e),
      `stored size ${e.storedWidth}x${e.storedHeight} ${e.pixelType} (${n} bytes) exceeds the tile limit of ${maxTileBytes} bytes`,
      {
        storedWidth: e.storedWidth,
        storedHeight: e.storedHeight,
      },
    );
  }
  return n;
}

/** Reusable buffers for reading one tile (readPlane keeps one set per tile in flight). They only grow. */
export interface TileScratch {
  /** Compressed payload bytes. */
  payload: Uint8Array;
  /** Decoded tile bytes. */
  tile: Uint8Array;
}

/** A new, empty {@link TileScratch}. */
export function tileScratch(): TileScratch {
  return { payload: new Uint8Array(0), tile: new Uint8Array(0) };
}

function grown(buf: Uint8Array, n: number): Uint8Array {
  return buf.length >= n ? buf : new Uint8Array(Math.max(n, Math.ceil(buf.length * 1.25)));
}

/**
 * Read `total` bytes at `offset` into `targets` (filled in order) with the source's `readInto` where it has
 * one, else one `read` and a copy. FORMAT naming `what` if the range is outside the source.
 */
export async function readIntoChecked(
  src: ByteSource,
  offset: number,
  targets: readonly Uint8Array[],
  total: number,
  what: string,
  signal?: AbortSignal,
): Promise<void> {
  if (src.readInto) {
    throwIfAborted(signal, `reading ${src.name}`);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(total) || offset < 0 || total < 0 || offset + total > src.size) {
      throw formatErr(what, `needs bytes ${offset}..${offset + total} but ${src.name} has ${src.size} bytes (truncated or corrupt)`, {
        offset,
        length: total,
        fileSize: src.size,
      });
    }
    await src.readInto(offset, targets, signal);
    return;
  }
  const b = await readChecked(src, offset, total, what, signal);
  let pos = 0;
  for (const t of targets) {
    t.set(b.subarray(pos, pos + t.length));
    pos += t.length;
  }
}

/** Options of {@link readSubblockBytes}. */
export interface ReadSubblockBytesOptions {
  /** The subblock's layout if already known (see {@link locateSubblock}). */
  loc?: SubblockLayout;
  /** Reuse these buffers instead of allocating; the result then lives in them until their next use. */
  scratch?: TileScratch;
}

/**
 * Read and decode one subblock's pixels as raw bytes in the file's sample order (B,G,R for colour).
 * The result may be a view into the source's memory or into `options.scratch`: do not modify it.
 */
export async function readSubblockBytes(
  src: ByteSource,
  e: CziSubblockEntry,
  limits: Required<CziLimits>,
  decoders: ReadonlyMap<number, CziDecoder> | undefined,
  signal?: AbortSignal,
  options: ReadSubblockBytesOptions = {},
): Promise<Uint8Array> {
  const what = subblockWhat(e);
  const layout = layoutOf(e);
  const expected = tileBytes(e, limits.maxTileBytes);
  const loc = options.loc ?? (await locateSubblock(src, e, signal));
  const scratch = options.scratch;
  const info = {
    subblock: e.index,
    filePosition: e.filePosition,
    compression: e.compression,
    pixelType: e.pixelType as CziPixelType,
    width: e.storedWidth,
    height: e.storedHeight,
    bytesPerPixel: layout.bytesPerPixel,
    expectedBytes: expected,
    ...(signal ? { signal } : {}),
  };
  if (e.compression === 0) {
    if (loc.dataSize < expected) {
      throw formatErr(
        what,
        `uncompressed payload has ${loc.dataSize} bytes, a ${e.storedWidth}x${e.storedHeight} ${e.pixelType} tile needs ${expected}`,
        {
          dataSize: loc.dataSize,
          expected,
        },
      );
    }
    if (!scratch) return readChecked(src, loc.dataOffset, expected, what, signal);
    scratch.tile = grown(scratch.tile, expected);
    const t = scratch.tile.subarray(0, expected);
    await readIntoChecked(src, loc.dataOffset, [t], expected, what, signal);
    return t;
  }
  const decoder = decoders?.get(e.compression) ?? getCziDecoder(e.compression);
  if (!decoder) throw unsupportedCompression(info);
  let payload: Uint8Array;
  if (scratch) {
    scratch.payload = grown(scratch.payload, loc.dataSize);
    payload = scratch.payload.subarray(0, loc.dataSize);
    await readIntoChecked(src, loc.dataOffset, [payload], loc.dataSize, what, signal);
    scratch.tile = grown(scratch.tile, expected);
  } else payload = await readChecked(src, loc.dataOffset, loc.dataSize, what, signal);
  let out: Uint8Array;
  try {
    out = await decoder(payload, scratch ? { ...info, output: scratch.tile.subarray(0, expected) } : info);
  } catch (err) {
    if (err instanceof HypedError || (err as { name?: string })?.name === "HypedError") throw err;
    throw new HypedError(
      "FORMAT",
      `${what}: decoding compression ${e.compression} failed: ${(err as Error)?.message ?? String(err)}`,
      { subblock: e.index },
      { cause: err },
    );
  }
  if (!(out instanceof Uint8Array) || out.length !== expected) {
    throw formatErr(what, `decoder for compression ${e.compression} returned ${out?.length} bytes, the tile needs ${expected}`, {
      decoded: out?.length,
      expected,
    });
  }
  return out;
}

/**
 * Like {@link readSubblockBytes} into `scratch`, but a Gray16 Zstd1 tile decoded by the built-in decoder is
 * left hi-lo packed (`hiLo: true`), for painting with {@link paintHiLo16}. Other tiles come back as usual.
 */
export async function readSubblockPacked(
  src: ByteSource,
  e: CziSubblockEntry,
  limits: Required<CziLimits>,
  decoders: ReadonlyMap<number, CziDecoder> | undefined,
  signal: AbortSignal | undefined,
  loc: SubblockLayout,
  scratch: TileScratch,
): Promise<{ bytes: Uint8Array; hiLo: boolean }> {
  const builtin = (decoders?.get(6) ?? getCziDecoder(6)) === decodeZstd1;
  if (e.compression !== 6 || e.pixelType !== "Gray16" || !builtin) {
    return { bytes: await readSubblockBytes(src, e, limits, decoders, signal, { loc, scratch }), hiLo: false };
  }
  const what = subblockWhat(e);
  const expected = tileBytes(e, limits.maxTileBytes);
  scratch.payload = grown(scratch.payload, loc.dataSize);
  const payload = scratch.payload.subarray(0, loc.dataSize);
  await readIntoChecked(src, loc.dataOffset, [payload], loc.dataSize, what, signal);
  scratch.tile = grown(scratch.tile, expected);
  const bytes = scratch.tile.subarray(0, expected);
  const info = {
    subblock: e.index,
    filePosition: e.filePosition,
    compression: 6,
    pixelType: "Gray16" as const,
    width: e.storedWidth,
    height: e.storedHeight,
    bytesPerPixel: 2,
    expectedBytes: expected,
    ...(signal ? { signal } : {}),
  };
  return { bytes, hiLo: await decodeZstd1Packed(payload, info, bytes) };
}

/** Read a subblock's own metadata XML (AcquisitionTime, stage position, ...), "" if it has none. */
export async function readSubblockMetadataXml(src: ByteSource, e: CziSubblockEntry, signal?: AbortSignal): Promise<string> {
  const loc = await locateSubblock(src, e, signal);
  if (loc.metadataSize === 0) return "";
  const b = await readChecked(src, loc.metadataOffset, loc.metadataSize, subblockWhat(e), signal);
  return new TextDecoder("utf-8").decode(b).replace(/\0+$/, "");
}

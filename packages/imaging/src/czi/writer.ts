/**
 * `writeCzi` / `encodeCzi`: write valid CZI files for tests and examples (not a product promise).
 *
 * Layout written: ZISRAWFILE header (512-byte data), the subblocks in the order given, ZISRAWMETADATA,
 * one ZISRAWATTACH per attachment (always a TimeStamps "CZTIMS" one), ZISRAWATTDIR, then ZISRAWDIRECTORY;
 * the file header is patched last with the three positions. Every segment is padded to a multiple of 32 bytes.
 * Tiles are streamed: memory holds one tile plus the directory, whatever the number of tiles.
 */
import {
  type AnyNdArray,
  dtypeOf,
  HypedError,
  isNdArray,
  type LongTaskOptions,
  type NumericTypedArray,
  progressReporter,
  throwIfAborted,
} from "@hyped/core";
import { encodeJpeg } from "./codecs/jpeg.js";
import { encodeZstd1, zstdCompress } from "./codecs/zstd.js";
import { type CziPixelType, PIXEL_LAYOUTS, PIXEL_TYPE_CODES, SEGMENT_IDS } from "./constants.js";
import type { CziChannelInfo } from "./metadata.js";

/** Compression the writer can produce. */
export type CziWriteCompression = "none" | "zstd0" | "zstd1" | "jpeg";

/** One subblock to write. */
export interface CziWriteSubblock {
  /**
   * Pixels, row-major, `height` x `width` (x samples for colour, channels last in R,G,B(,A) order; stored as
   * B,G,R(,A) as CZI requires). A TypedArray or an ndarray (made C-contiguous).
   */
  data: NumericTypedArray | AnyNdArray;
  /** Stored width and height in pixels (the size of `data`). */
  width: number;
  height: number;
  /** Pixel type; default from the dtype and samples per pixel (uint8 -> Gray8, uint16 -> Gray16, float32 -> Gray32Float, ...). */
  pixelType?: CziPixelType;
  /** Logical position in the raw pixel coordinate system (may be negative). Default 0, 0. */
  x?: number;
  y?: number;
  /** Logical size; larger than width/height makes this a pyramid subblock. Default: width/height. */
  logicalWidth?: number;
  logicalHeight?: number;
  /** Dimension indices: S (scene), T, C, Z, M (mosaic tile index), and optionally H, R, I, V, B. Absent letters are not written. */
  coords?: Partial<Record<"S" | "T" | "C" | "Z" | "M" | "H" | "R" | "I" | "V" | "B", number>>;
  /** Compression of this tile; default the writer's `compression`. */
  compression?: CziWriteCompression;
  /** AcquisitionTime written into the subblock's own metadata XML. */
  acquisitionTime?: string;
  /**
   * A payload already compressed elsewhere (e.g. JPEG XR from JxrEncApp), written as is with compression code
   * `code` instead of encoding `data`; `data` still gives the pixel type and is checked against the size.
   */
  encoded?: { code: number; bytes: Uint8Array };
}

/** Document-level metadata to write. */
export interface CziWriteMetadata {
  /** Channels (Name, Fluor, Color as "#AARRGGBB"). */
  channels?: CziChannelInfo[];
  /** Pixel size per axis in metres. */
  scalingM?: { X?: number; Y?: number; Z?: number };
  /** Information/Image/AcquisitionDateAndTime (ISO 8601). */
  acquisitionTime?: string;
  /** Scene names by scene index. */
  sceneNames?: Record<number, string> | string[];
  /** Seconds between time points (T/Positions/Interval/Increment). */
  timeIncrementS?: number;
  /** Application name and version. Default "@hyped/imaging writeCzi" 0.1.0. */
  application?: { name?: string; version?: string };
  /** Significant bits per sample (e.g. 14 for a 14-bit camera in Gray16). Default: the full sample width. */
  componentBitCount?: number;
}

/** Options of {@link writeCzi} / {@link encodeCzi}. */
export interface WriteCziOptions extends LongTaskOptions {
  /** Default compression of every tile. Default "none". Zstd1 uses hi-lo packing for 16-bit pixels; "jpeg" is lossy (Gray8/Bgr24). */
  compression?: CziWriteCompression;
  /** Zstd level (1..22). Default 1. */
  zstdLevel?: number;
  /** JPEG quality (1..100) for `compression: "jpeg"` (Gray8/Bgr24 only, lossy). Default 90. */
  jpegQuality?: number;
  /** Metadata fields for the XML. */
  metadata?: CziWriteMetadata;
  /** TimeStamps attachment values in seconds. Default: t * timeIncrementS (or t) for each T index. */
  timestamps?: ArrayLike<number>;
  /** Extra attachments. */
  attachments?: { name: string; type: string; data: Uint8Array }[];
  /** File GUID (36-char form). Default: random. */
  fileGuid?: string;
}

/** What was written. */
export interface WriteCziResult {
  /** Total bytes. */
  bytes: number;
  /** Subblocks written. */
  subblocks: number;
}

interface Sink {
  pos: number;
  write(b: Uint8Array): Promise<void>;
  writeAt(pos: number, b: Uint8Array): Promise<void>;
}

const DIM_ORDER = ["C", "Z", "T", "R", "S", "I", "H", "V", "B", "M"] as const;

function defaultPixelType(data: NumericTypedArray, samples: number): CziPixelType {
  const dt = dtypeOf(data);
  const table: Record<string, Partial<Record<number, CziPixelType>>> = {
    uint8: { 1: "Gray8", 3: "Bgr24", 4: "Bgra32" },
    uint16: { 1: "Gray16", 3: "Bgr48" },
    int32: { 1: "Gray32" },
    float32: { 1: "Gray32Float", 3: "Bgr96Float" },
    float64: { 1: "Gray64Float" },
  };
  const pt = table[dt]?.[samples];
  if (!pt) throw new HypedError("UNSUPPORTED", `no CZI pixel type holds ${dt} with ${samples} samples per pixel`, { dtype: dt, samples });
  return pt;
}

function parseGuid(s: string): Uint8Array {
  const hex = s.replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new HypedError("INVALID_ARGUMENT", `bad GUID ${JSON.stringify(s)}`, {});
  const b = Uint8Array.from(hex.match(/../g) as string[], (h) => Number.parseInt(h, 16));
  // Microsoft layout: first three groups little-endian.
  return Uint8Array.from([b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.slice(8)] as number[]);
}

function randomGuid(): string {
  const c = globalThis.crypto;
  return c.randomUUID();
}

const pad32 = (n: number) => Math.ceil(n / 32) * 32;

async function writeSegment(sink: Sink, id: string, parts: Uint8Array[]): Promise<number> {
  const pos = sink.pos;
  const used = parts.reduce((a, p) => a + p.length, 0);
  const allocated = pad32(used);
  const h = new Uint8Array(32);
  h.set(new TextEncoder().encode(id), 0);
  const v = new DataView(h.buffer);
  v.setBigInt64(16, BigInt(allocated), true);
  v.setBigInt64(24, BigInt(used), true);
  await sink.write(h);
  for (const p of parts) if (p.length) await sink.write(p);
  if (allocated > used) await sink.write(new Uint8Array(allocated - used));
  return pos;
}

function encodeDv(e: {
  pixelType: number;
  filePosition: number;
  compression: number;
  pyramidType: number;
  dims: [string, number, number, number][];
}): Uint8Array {
  const b = new Uint8Array(32 + 20 * e.dims.length);
  const v = new DataView(b.buffer);
  b[0] = 0x44; // D
  b[1] = 0x56; // V
  v.setInt32(2, e.pixelType, true);
  v.setBigInt64(6, BigInt(e.filePosition), true);
  v.setInt32(14, 0, true);
  v.setInt32(18, e.compression, true);
  b[22] = e.pyramidType;
  v.setInt32(28, e.dims.length, true);
  e.dims.forEach(([l, start, size, stored], k) => {
    const p = 32 + 20 * k;
    b[p] = l.charCodeAt(0);
    v.setInt32(p + 4, start, true);
    v.setInt32(p + 8, size, true);
    v.setFloat32(p + 12, 0, true);
    v.setInt32(p + 16, stored, true);
  });
  return b;
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

interface Stats {
  bbox?: { x0: number; y0: number; x1: number; y1: number };
  ranges: Map<string, Set<number>>;
  pixelType?: CziPixelType;
}

function buildXml(stats: Stats, md: CziWriteMetadata): string {
  const sizes: string[] = [];
  if (stats.bbox) sizes.push(`<SizeX>${stats.bbox.x1 - stats.bbox.x0}</SizeX><SizeY>${stats.bbox.y1 - stats.bbox.y0}</SizeY>`);
  for (const l of DIM_ORDER) {
    const s = stats.ranges.get(l);
    if (s) sizes.push(`<Size${l}>${Math.max(...s) - Math.min(...s) + 1}</Size${l}>`);
  }
  const pt = stats.pixelType ?? "Gray8";
  const layout = PIXEL_LAYOUTS[pt];
  const bits = md.componentBitCount ?? (layout ? (layout.bytesPerPixel / layout.samples) * 8 : 8);
  const nC = stats.ranges.get("C") ? Math.max(...(stats.ranges.get("C") as Set<number>)) + 1 : 1;
  const chans: string[] = [];
  for (let c = 0; c < Math.max(nC, md.channels?.length ?? 0); c++) {
    const ch = md.channels?.[c] ?? {};
    chans.push(
      `<Channel Id="Channel:${c}" Name="${esc(ch.name ?? `C${c}`)}">${ch.fluor !== undefined ? `<Fluor>${esc(ch.fluor)}</Fluor>` : ""}${ch.color !== undefined ? `<Color>${esc(ch.color)}</Color>` : ""}<PixelType>${pt}</PixelType></Channel>`,
    );
  }
  const sceneIdx = [...(stats.ranges.get("S") ?? [])].sort((a, b) => a - b);
  const names = md.sceneNames ?? {};
  const scenes = sceneIdx.length
    ? `<S><Scenes>${sceneIdx.map((s) => `<Scene Index="${s}" Name="${esc((names as Record<number, string>)[s] ?? `Scene${s}`)}"/>`).join("")}</Scenes></S>`
    : "";
  const t =
    `<T>${md.acquisitionTime ? `<StartTime>${esc(md.acquisitionTime)}</StartTime>` : ""}<Positions>` +
    `${md.timeIncrementS !== undefined ? `<Interval><Increment>${md.timeIncrementS}</Increment></Interval>` : "<BinaryList><AttachmentName>TimeStamps</AttachmentName></BinaryList>"}</Positions></T>`;
  const app = md.application ?? {};
  const scaling = (["X", "Y", "Z"] as const)
    .filter((a) => md.scalingM?.[a] !== undefined)
    .map((a) => `<Distance Id="${a}"><Value>${md.scalingM?.[a]}</Value><DefaultUnitFormat>µm</DefaultUnitFormat></Distance>`)
    .join("");
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<ImageDocument><Metadata><Information>` +
    `<Application><Name>${esc(app.name ?? "@hyped/imaging writeCzi")}</Name><Version>${esc(app.version ?? "0.1.0")}</Version></Application>` +
    `<Image>${md.acquisitionTime ? `<AcquisitionDateAndTime>${esc(md.acquisitionTime)}</AcquisitionDateAndTime>` : ""}` +
    `${sizes.join("")}<ComponentBitCount>${bits}</ComponentBitCount><PixelType>${pt}</PixelType>` +
    `<Dimensions><Channels>${chans.join("")}</Channels>${t}${scenes}</Dimensions></Image></Information>` +
    `<Scaling><Items>${scaling}</Items></Scaling></Metadata></ImageDocument>`
  );
}

function tileBytesOf(t: CziWriteSubblock, index: number): { raw: Uint8Array; pixelType: CziPixelType; samples: number } {
  let data: NumericTypedArray;
  if (isNdArray(t.data)) {
    const a = t.data as AnyNdArray;
    const n = a.size;
    const out = new (a.data.constructor as { new (n: number): NumericTypedArray })(n);
    const shape = a.shape;
    if (shape.length === 2) {
      let k = 0;
      for (let i = 0; i < (shape[0] as number); i++) for (let j = 0; j < (shape[1] as number); j++) out[k++] = a.get(i, j) as number;
    } else if (shape.length === 3) {
      let k = 0;
      for (let i = 0; i < (shape[0] as number); i++)
        for (let j = 0; j < (shape[1] as number); j++) for (let c = 0; c < (shape[2] as number); c++) out[k++] = a.get(i, j, c) as number;
    } else throw new HypedError("SHAPE_MISMATCH", `subblock ${index}: ndarray must be 2-D or 3-D, got [${shape}]`, {});
    data = out;
  } else data = t.data as NumericTypedArray;
  if (!Number.isInteger(t.width) || !Number.isInteger(t.height) || t.width <= 0 || t.height <= 0) {
    throw new HypedError("INVALID_ARGUMENT", `subblock ${index}: width/height must be positive integers, got ${t.width}x${t.height}`, {});
  }
  const px = t.width * t.height;
  const samples = data.length / px;
  if (!Number.isInteger(samples) || samples < 1) {
    throw new HypedError("SHAPE_MISMATCH", `subblock ${index}: ${data.length} values do not make ${t.width}x${t.height} pixels`, {});
  }
  const pixelType = t.pixelType ?? defaultPixelType(data, samples);
  const layout = PIXEL_LAYOUTS[pixelType];
  if (!layout) throw new HypedError("UNSUPPORTED", `subblock ${index}: cannot write pixel type ${pixelType}`, {});
  if (layout.samples !== samples || dtypeOf(data) !== layout.dtype) {
    throw new HypedError(
      "SHAPE_MISMATCH",
      `subblock ${index}: ${pixelType} needs ${layout.samples} ${layout.dtype} samples per pixel, got ${samples} ${dtypeOf(data)}`,
      {},
    );
  }
  let src = data;
  if (layout.bgr) {
    src = data.slice() as NumericTypedArray;
    for (let i = 0; i + 2 < src.length; i += samples) {
      const a = src[i] as number;
      src[i] = src[i + 2] as number;
      src[i + 2] = a;
    }
  }
  return { raw: new Uint8Array(src.buffer, src.byteOffset, src.byteLength), pixelType, samples };
}

async function writeAll(
  sink: Sink,
  tiles: Iterable<CziWriteSubblock> | AsyncIterable<CziWriteSubblock>,
  options: WriteCziOptions,
): Promise<WriteCziResult> {
  // Longer than ~100 lines on purpose: it writes the file front to back in the order the format lays it out
  // (header placeholder, subblocks, metadata, attachments, directories, header patch), and each step needs the
  // file positions of the ones before; reading it top to bottom is reading the file layout in format.md.
  const { signal } = options;
  const progress = progressReporter(options.onProgress, "subblocks", undefined, "writeCzi");
  const fileGuid = parseGuid(options.fileGuid ?? randomGuid());
  // Header placeholder; patched at the end.
  const headerData = new Uint8Array(512);
  await writeSegment(sink, SEGMENT_IDS.file, [headerData]);
  const entries: Uint8Array[] = [];
  const stats: Stats = { ranges: new Map() };
  let index = 0;
  for await (const t of tiles as AsyncIterable<CziWriteSubblock>) {
    throwIfAborted(signal, "writeCzi");
    const { raw, pixelType } = tileBytesOf(t, index);
    const comp = t.compression ?? options.compression ?? "none";
    let payload: Uint8Array;
    let code: number;
    if (t.encoded) {
      payload = t.encoded.bytes;
      code = t.encoded.code;
    } else if (comp === "none") {
      payload = raw;
      code = 0;
    } else if (comp === "zstd0") {
      payload = await zstdCompress(raw, options.zstdLevel ?? 1);
      code = 5;
    } else if (comp === "zstd1") {
      payload = await encodeZstd1(raw, pixelType === "Gray16" || pixelType === "Bgr48", options.zstdLevel ?? 1);
      code = 6;
    } else if (comp === "jpeg") {
      if (pixelType !== "Gray8" && pixelType !== "Bgr24") {
        throw new HypedError("UNSUPPORTED", `subblock ${index}: JPEG is written for Gray8 and Bgr24 only, not ${pixelType}`, {});
      }
      payload = encodeJpeg(raw, t.width, t.height, pixelType === "Gray8" ? 1 : 3, options.jpegQuality ?? 90);
      code = 1;
    } else throw new HypedError("INVALID_ARGUMENT", `unknown compression ${JSON.stringify(comp)}`, {});
    const x = t.x ?? 0;
    const y = t.y ?? 0;
    const lw = t.logicalWidth ?? t.width;
    const lh = t.logicalHeight ?? t.height;
    for (const v of [x, y, lw, lh]) {
      if (!Number.isInteger(v) || Math.abs(v) > 2 ** 31 - 1)
        throw new HypedError("INVALID_ARGUMENT", `subblock ${index}: position/size ${v} is not an int32`, {});
    }
    const layer0 = lw === t.width && lh === t.height;
    const dims: [string, number, number, number][] = [
      ["X", x, lw, t.width],
      ["Y", y, lh, t.height],
    ];
    for (const l of DIM_ORDER) {
      const v = t.coords?.[l as keyof NonNullable<CziWriteSubblock["coords"]>];
      if (v === undefined) continue;
      if (!Number.isInteger(v)) throw new HypedError("INVALID_ARGUMENT", `subblock ${index}: ${l}=${v} is not an integer`, {});
      dims.push([l, v, 1, 1]);
      const set = stats.ranges.get(l) ?? new Set<number>();
      set.add(v);
      stats.ranges.set(l, set);
    }
    if (layer0) {
      const b = stats.bbox;
      stats.bbox = b
        ? { x0: Math.min(b.x0, x), y0: Math.min(b.y0, y), x1: Math.max(b.x1, x + lw), y1: Math.max(b.y1, y + lh) }
        : { x0: x, y0: y, x1: x + lw, y1: y + lh };
    }
    stats.pixelType ??= pixelType;
    const pos = sink.pos;
    const dv = encodeDv({
      pixelType: PIXEL_TYPE_CODES[pixelType],
      filePosition: pos,
      compression: code,
      pyramidType: layer0 ? 0 : 1,
      dims,
    });
    entries.push(dv);
    const md = t.acquisitionTime
      ? new TextEncoder().encode(`<METADATA><Tags><AcquisitionTime>${esc(t.acquisitionTime)}</AcquisitionTime></Tags></METADATA>`)
      : new Uint8Array(0);
    const head = new Uint8Array(Math.max(256, 16 + dv.length));
    const hv = new DataView(head.buffer);
    hv.setInt32(0, md.length, true);
    hv.setInt32(4, 0, true);
    hv.setBigInt64(8, BigInt(payload.length), true);
    head.set(dv, 16);
    await writeSegment(sink, SEGMENT_IDS.subblock, [head, md, payload]);
    index++;
    progress.tick();
  }

  // Metadata.
  const md = options.metadata ?? {};
  const xml = new TextEncoder().encode(buildXml(stats, md));
  const mhead = new Uint8Array(256);
  new DataView(mhead.buffer).setInt32(0, xml.length, true);
  const metadataPosition = await writeSegment(sink, SEGMENT_IDS.metadata, [mhead, xml]);

  // Attachments: TimeStamps first, then extras.
  const tSet = stats.ranges.get("T");
  const nT = tSet ? Math.max(...tSet) + 1 : 1;
  const ts = options.timestamps ?? Array.from({ length: nT }, (_, t) => t * (md.timeIncrementS ?? 1));
  const tsb = new Uint8Array(8 + 8 * ts.length);
  const tv = new DataView(tsb.buffer);
  tv.setInt32(0, tsb.length, true);
  tv.setInt32(4, ts.length, true);
  for (let i = 0; i < ts.length; i++) tv.setFloat64(8 + 8 * i, ts[i] as number, true);
  const atts = [{ name: "TimeStamps", type: "CZTIMS", data: tsb }, ...(options.attachments ?? [])];
  const attEntries: Uint8Array[] = [];
  for (const [k, a] of atts.entries()) {
    const entry = new Uint8Array(128);
    const ev = new DataView(entry.buffer);
    entry[0] = 0x41; // A
    entry[1] = 0x31; // 1
    ev.setBigInt64(12, BigInt(sink.pos), true);
    // With a given file GUID the attachment GUIDs derive from it, so the same input writes the same bytes.
    const attGuid = options.fileGuid ? Uint8Array.from(fileGuid, (v, i) => (i === 15 ? v ^ (k + 1) : v)) : parseGuid(randomGuid());
    entry.set(attGuid, 24);
    const type = new TextEncoder().encode(a.type).subarray(0, 8);
    entry.set(type, 40);
    const name = new TextEncoder().encode(a.name).subarray(0, 79);
    entry.set(name, 48);
    const ahead = new Uint8Array(256);
    new DataView(ahead.buffer).setInt32(0, a.data.length, true);
    ahead.set(entry, 16);
    await writeSegment(sink, SEGMENT_IDS.attachment, [ahead, a.data]);
    attEntries.push(entry);
  }
  const adHead = new Uint8Array(256);
  new DataView(adHead.buffer).setInt32(0, attEntries.length, true);
  const attachmentDirectoryPosition = await writeSegment(sink, SEGMENT_IDS.attachmentDirectory, [adHead, ...attEntries]);

  const dHead = new Uint8Array(128);
  new DataView(dHead.buffer).setInt32(0, entries.length, true);
  const directoryPosition = await writeSegment(sink, SEGMENT_IDS.directory, [dHead, ...entries]);

  const hv = new DataView(headerData.buffer);
  hv.setInt32(0, 1, true); // major
  hv.setInt32(4, 0, true); // minor
  headerData.set(fileGuid, 16); // primary file GUID
  headerData.set(fileGuid, 32); // file GUID
  hv.setInt32(48, 0, true);
  hv.setBigInt64(52, BigInt(directoryPosition), true);
  hv.setBigInt64(60, BigInt(metadataPosition), true);
  hv.setInt32(68, 0, true);
  hv.setBigInt64(72, BigInt(attachmentDirectoryPosition), true);
  await sink.writeAt(32, headerData);
  progress.finish();
  return { bytes: sink.pos, subblocks: entries.length };
}

/**
 * Write a CZI file to `path` (Node only), streaming the tiles: memory holds one tile at a time.
 * What it writes reads back bit-exactly with {@link openCzi}.
 *
 * @param tiles the subblocks, in the order to store them (an array, iterable or async iterable).
 */
export async function writeCzi(
  path: string,
  tiles: Iterable<CziWriteSubblock> | AsyncIterable<CziWriteSubblock>,
  options: WriteCziOptions = {},
): Promise<WriteCziResult> {
  const fsp = await import("node:fs/promises");
  let fh: import("node:fs/promises").FileHandle;
  try {
    fh = await fsp.open(path, "w");
  } catch (e) {
    throw new HypedError("IO", `cannot create ${path}: ${(e as Error).message}`, { path }, { cause: e });
  }
  const sink: Sink = {
    pos: 0,
    async write(b) {
      let off = 0;
      while (off < b.length) {
        const { bytesWritten } = await fh.write(b, off, b.length - off, this.pos + off);
        off += bytesWritten;
      }
      this.pos += b.length;
    },
    async writeAt(pos, b) {
      await fh.write(b, 0, b.length, pos);
    },
  };
  try {
    return await writeAll(sink, tiles, options);
  } catch (e) {
    if (e instanceof HypedError) throw e;
    throw new HypedError("IO", `writing ${path} failed: ${(e as Error).message}`, { path }, { cause: e });
  } finally {
    await fh.close();
  }
}

/** Like {@link writeCzi}, but returns the file as bytes (browser, tests). */
export async function encodeCzi(
  tiles: Iterable<CziWriteSubblock> | AsyncIterable<CziWriteSubblock>,
  options: WriteCziOptions = {},
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const sink: Sink = {
    pos: 0,
    async write(b) {
      chunks.push(b.slice());
      this.pos += b.length;
    },
    async writeAt(pos, b) {
      // Only the header is patched; it lives in the second chunk (after the 32-byte segment header).
      let off = 0;
      for (const c of chunks) {
        if (pos >= off && pos + b.length <= off + c.length) {
          c.set(b, pos - off);
          return;
        }
        off += c.length;
      }
      throw new HypedError("IO", "internal: patch position not found", { pos });
    },
  };
  await writeAll(sink, tiles, options);
  const out = new Uint8Array(sink.pos);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/**
 * A pyramid subblock made from a full-resolution tile by `factor`-fold decimation (nearest neighbour, the
 * top-left sample of each block): stored size ceil(w/factor) x ceil(h/factor), logical size = the tile's.
 */
export function cziPyramidTile(tile: CziWriteSubblock, factor: number): CziWriteSubblock {
  if (!Number.isInteger(factor) || factor < 2)
    throw new HypedError("INVALID_ARGUMENT", `pyramid factor must be an integer >= 2, got ${factor}`, {});
  if (isNdArray(tile.data)) throw new HypedError("INVALID_ARGUMENT", "cziPyramidTile takes a TypedArray tile", {});
  const src = tile.data as NumericTypedArray;
  const samples = src.length / (tile.width * tile.height);
  const sw = Math.ceil(tile.width / factor);
  const sh = Math.ceil(tile.height / factor);
  const out = new (src.constructor as { new (n: number): NumericTypedArray })(sw * sh * samples);
  for (let y = 0; y < sh; y++)
    for (let x = 0; x < sw; x++)
      for (let c = 0; c < samples; c++)
        out[(y * sw + x) * samples + c] = src[(y * factor * tile.width + x * factor) * samples + c] as number;
  return {
    ...tile,
    data: out,
    width: sw,
    height: sh,
    logicalWidth: tile.logicalWidth ?? tile.width,
    logicalHeight: tile.logicalHeight ?? tile.height,
  };
}

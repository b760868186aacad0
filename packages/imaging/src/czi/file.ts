/**
 * `CziFile`: the lazy CZI reader that {@link openCzi} returns. Opening reads the file header, the subblock directory, the attachment
 * directory (plus each attachment's 4-byte size) and the metadata XML; pixels are read only on request.
 *
 * `CziFile` keeps its directory statistics, `readPlane` and its tile scheduler (`paintAll`) together because they
 * share the private layout cache and limits; opening is in `open.ts`, the public option and result types in
 * `file-types.ts`, and the parts that stand alone beside them (segment, directory, subblock, stitch, planes).
 */
import {
  type AnyNdArray,
  allocate,
  type ByteSource,
  checkOutBuffer,
  fromTyped,
  HypedError,
  type NumericTypedArray,
  progressReporter,
  throwIfAborted,
} from "@hyped/core";
import { type CziAttachmentInfo, parseTimeStamps } from "./attachments.js";
import type { CziDecoder } from "./codecs/index.js";
import { type CziPixelType, type PixelLayout, SEGMENT_IDS } from "./constants.js";
import type { CziSubblockEntry } from "./directory.js";
import type {
  CziDimRange,
  CziFileHeader,
  CziPlane,
  CziPlaneCoords,
  CziQuery,
  CziTile,
  PlanesOptions,
  ReadPlaneOptions,
} from "./file-types.js";
import type { CziMetadata } from "./metadata.js";
import { backedPlanes, dimValuesOf } from "./planes.js";
import { readChecked, readSegmentHeader } from "./segment.js";
import {
  bytesAsTyped,
  type CziRect,
  clearUncovered,
  contains,
  intersect,
  mergeAdjacent,
  paintHiLo16,
  paintTile,
  paintTileScaled,
  swapBgr,
  swapBgrRows,
  unionRect,
} from "./stitch.js";
import {
  type CziLimits,
  layoutOf,
  locateSubblock,
  readIntoChecked,
  readSubblockBytes,
  readSubblockMetadataXml,
  readSubblockPacked,
  type SubblockLayout,
  subblockWhat,
  type TileScratch,
  tileBytes,
  tileScratch,
} from "./subblock.js";

export type {
  CziDimRange,
  CziFileHeader,
  CziPlane,
  CziPlaneCoords,
  CziQuery,
  CziTile,
  OpenCziOptions,
  PlanesOptions,
  ReadPlaneOptions,
} from "./file-types.js";
export type { CziRect } from "./stitch.js";

/** Tile and plane limits when the caller sets none (1 GiB per tile, 2 GiB per plane). */
export const DEFAULT_LIMITS: Required<CziLimits> = { maxTileBytes: 2 ** 30, maxPlaneBytes: 2 ** 31 };

/** The logical rectangle of a subblock. */
function rectOf(e: CziSubblockEntry): CziRect {
  return { x: e.x, y: e.y, w: e.width, h: e.height };
}

/** Closes the sources of CziFiles collected without close() (absent where FinalizationRegistry is). */
export const finalizer =
  typeof FinalizationRegistry === "function"
    ? new FinalizationRegistry<ByteSource>((src) => {
        void Promise.resolve(src.close?.()).catch(() => {});
      })
    : undefined;

/** An open CZI file. Create with {@link openCzi}. */
export class CziFile {
  /** Dimensions present in the subblocks: `{letter: {start, size}}`; X and Y give the layer-0 bounding box. */
  readonly dims: Record<string, CziDimRange>;
  /** Bounding box of all layer-0 subblocks, undefined if there are none. */
  readonly boundingBox: CziRect | undefined;
  /** Layer-0 bounding box per scene index (empty when the file has no S dimension). */
  readonly sceneBoundingBoxes: ReadonlyMap<number, CziRect>;
  /** Number of subblocks of each pixel type. */
  readonly pixelTypes: Record<string, number>;
  /** Number of subblocks of each compression (by name). */
  readonly compressions: Record<string, number>;
  /** Number of pyramid (not layer-0) subblocks. */
  readonly pyramidSubblockCount: number;
  /** Distinct scales (stored/logical width) of the pyramid layers, finest first; layer 0 is 1. */
  readonly pyramidLayers: readonly number[];
  private readonly limits: Required<CziLimits>;
  private closed = false;
  /** Payload locations of the subblocks read so far, by directory index. */
  private readonly layouts = new Map<number, SubblockLayout>();

  constructor(
    /** The byte source. */
    readonly source: ByteSource,
    /** The parsed file header. */
    readonly header: CziFileHeader,
    /** The subblock directory as plain data, in file order. */
    readonly subblocks: readonly CziSubblockEntry[],
    /** Metadata XML and parsed fields. */
    readonly metadata: CziMetadata,
    /** Attachments (name, type, size, position). */
    readonly attachments: readonly CziAttachmentInfo[],
    limits: Required<CziLimits> = DEFAULT_LIMITS,
    private readonly decoders?: ReadonlyMap<number, CziDecoder>,
  ) {
    this.limits = limits;
    const dims: Record<string, CziDimRange> = {};
    const lo: Record<string, number> = {};
    const hi: Record<string, number> = {};
    const pixelTypes: Record<string, number> = {};
    const compressions: Record<string, number> = {};
    const scenes = new Map<number, CziRect[]>();
    const layer0: CziRect[] = [];
    const scales = new Set<number>();
    let pyr = 0;
    for (const e of subblocks) {
      pixelTypes[e.pixelType] = (pixelTypes[e.pixelType] ?? 0) + 1;
      compressions[e.compressionName] = (compressions[e.compressionName] ?? 0) + 1;
      for (const [l, d] of Object.entries(e.dims)) {
        if (l === "X" || l === "Y") continue;
        lo[l] = Math.min(lo[l] ?? d.start, d.start);
        hi[l] = Math.max(hi[l] ?? d.start + Math.max(1, d.size), d.start + Math.max(1, d.size));
      }
      if (e.layer0) {
        const r = { x: e.x, y: e.y, w: e.width, h: e.height };
        layer0.push(r);
        const s = e.coords.S;
        if (s !== undefined) {
          const list = scenes.get(s) ?? [];
          list.push(r);
          scenes.set(s, list);
        }
      } else {
        pyr++;
        if (e.width > 0) scales.add(Math.round((e.storedWidth / e.width) * 1e6) / 1e6);
      }
    }
    this.boundingBox = unionRect(layer0);
    if (this.boundingBox) {
      dims.X = { start: this.boundingBox.x, size: this.boundingBox.w };
      dims.Y = { start: this.boundingBox.y, size: this.boundingBox.h };
    }
    for (const l of Object.keys(lo).sort()) dims[l] = { start: lo[l] as number, size: (hi[l] as number) - (lo[l] as number) };
    this.dims = dims;
    this.sceneBoundingBoxes = new Map([...scenes.entries()].sort((a, b) => a[0] - b[0]).map(([s, rs]) => [s, unionRect(rs) as CziRect]));
    this.pixelTypes = pixelTypes;
    this.compressions = compressions;
    this.pyramidSubblockCount = pyr;
    this.pyramidLayers = [1, ...[...scales].filter((s) => s < 1).sort((a, b) => b - a)];
  }

  /** Format version as "major.minor". */
  get version(): string {
    return `${this.header.major}.${this.header.minor}`;
  }

  /** The scene indices (empty when the file has no S dimension). */
  get scenes(): number[] {
    return [...this.sceneBoundingBoxes.keys()];
  }

  /**
   * Subblocks whose dimensions match `filter` (an index per letter; a subblock without that letter matches).
   * `layer0: true|false` keeps only layer-0 or only pyramid subblocks.
   */
  query(filter: CziQuery = {}): CziSubblockEntry[] {
    const { layer0, ...coords } = filter;
    const keys = Object.entries(coords).filter(([, v]) => typeof v === "number") as [string, number][];
    return this.subblocks.filter((e) => {
      if (layer0 !== undefined && e.layer0 !== layer0) return false;
      for (const [l, v] of keys) {
        const d = e.dims[l];
        if (d && !(v >= d.start && v < d.start + Math.max(1, d.size))) return false;
      }
      return true;
    });
  }

  private entry(i: number): CziSubblockEntry {
    const e = this.subblocks[i];
    if (!Number.isInteger(i) || !e)
      throw new HypedError("OUT_OF_RANGE", `subblock ${i} does not exist (the file has ${this.subblocks.length})`, { index: i });
    return e;
  }

  /** Raw decoded bytes of subblock `i` in file sample order (may be a view into the source: do not modify). */
  readSubblockBytes(i: number, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    return readSubblockBytes(this.source, this.entry(i), this.limits, this.decoders, options.signal);
  }

  /** One tile's pixels (stored resolution), channels last in RGB order. */
  async readSubblock(i: number, options: { signal?: AbortSignal } = {}): Promise<CziTile> {
    const e = this.entry(i);
    const layout = layoutOf(e);
    const raw = await this.readSubblockBytes(i, options);
    const data = bytesAsTyped(raw, layout.dtype, true);
    if (layout.bgr) swapBgr(data, layout.samples);
    const shape = layout.samples === 1 ? [e.storedHeight, e.storedWidth] : [e.storedHeight, e.storedWidth, layout.samples];
    return {
      entry: e,
      data,
      shape,
      array: fromTyped(data, shape) as AnyNdArray,
      pixelType: e.pixelType as CziPixelType,
      samples: layout.samples,
    };
  }

  /** Subblock `i`'s own metadata XML (acquisition time, stage position, ...), "" if none. */
  readSubblockMetadata(i: number, options: { signal?: AbortSignal } = {}): Promise<string> {
    return readSubblockMetadataXml(this.source, this.entry(i), options.signal);
  }

  /** The payload of an attachment, by directory index or name (the first with that name). NOT_FOUND if absent. */
  async readAttachment(which: number | string, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const a = typeof which === "number" ? this.attachments[which] : this.attachments.find((x) => x.name === which);
    if (!a) throw new HypedError("NOT_FOUND", `attachment ${JSON.stringify(which)} is not in ${this.source.name}`, { attachment: which });
    const seg = await readSegmentHeader(this.source, a.filePosition, SEGMENT_IDS.attachment, options.signal);
    return readChecked(
      this.source,
      seg.dataOffset + 256,
      a.size,
      `${SEGMENT_IDS.attachment} "${a.name}" at ${a.filePosition}`,
      options.signal,
    );
  }

  /** The TimeStamps attachment in seconds, or undefined if the file has none. */
  async readTimestamps(options: { signal?: AbortSignal } = {}): Promise<Float64Array | undefined> {
    const a = this.attachments.find((x) => x.name === "TimeStamps");
    if (!a) return undefined;
    return parseTimeStamps(await this.readAttachment(a.index, options), `TimeStamps attachment at ${a.filePosition}`);
  }

  /** Fill in default coordinates (each dimension's start) and check the given ones are in range. */
  resolveCoords(coords: CziPlaneCoords = {}): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [l, v] of Object.entries(coords)) {
      if (v === undefined) continue;
      if (!Number.isInteger(v)) throw new HypedError("INVALID_ARGUMENT", `coordinate ${l}=${v} is not an integer`, { [l]: v });
      if (l === "X" || l === "Y" || l === "M")
        throw new HypedError("INVALID_ARGUMENT", `${l} is not a plane coordinate; use region (X/Y) or readSubblock (M)`, {});
      const d = this.dims[l];
      if (!d) {
        if (v === 0) continue;
        throw new HypedError("OUT_OF_RANGE", `${this.source.name} has no ${l} dimension, cannot select ${l}=${v}`, { [l]: v });
      }
      if (v < d.start || v >= d.start + d.size) {
        throw new HypedError("OUT_OF_RANGE", `${l}=${v} is outside ${d.start}..${d.start + d.size - 1}`, {
          [l]: v,
          start: d.start,
          size: d.size,
        });
      }
      out[l] = v;
    }
    for (const [l, d] of Object.entries(this.dims)) if (l !== "X" && l !== "Y" && l !== "M" && out[l] === undefined) out[l] = d.start;
    return out;
  }

  /**
   * Read one stitched plane: the scene's layer-0 tiles (or a pyramid layer) painted in ascending M order (the
   * highest M ends on top, as libCZI), positioned relative to the scene's bounding box; uncovered pixels are
   * 0. Only subblocks that intersect the region are read. Scenes are stitched separately, so scenes far apart
   * never share one canvas.
   */
  async readPlane(coords: CziPlaneCoords = {}, options: ReadPlaneOptions = {}): Promise<CziPlane> {
    const { signal } = options;
    throwIfAborted(signal, "readPlane");
    const c = this.resolveCoords(coords);
    const { matching, region, zoom, ow, oh, paint } = this.selectTiles(c, options);

    const first = paint[0] ?? matching[0] ?? this.subblocks[0];
    const pixelType = (first?.pixelType ?? "Gray8") as CziPixelType;
    const layout: PixelLayout = first ? layoutOf(first) : { dtype: "uint8", samples: 1, bytesPerPixel: 1, bgr: false };
    for (const e of paint) {
      if (e.pixelType !== pixelType) {
        throw new HypedError(
          "UNSUPPORTED",
          `plane ${JSON.stringify(c)} mixes pixel types ${pixelType} and ${e.pixelType} (${subblockWhat(e)})`,
          { coords: c },
        );
      }
    }
    const n = ow * oh * layout.samples;
    if (!Number.isSafeInteger(n) || (n * layout.bytesPerPixel) / layout.samples > this.limits.maxPlaneBytes) {
      throw new HypedError(
        "OUT_OF_RANGE",
        `a ${ow}x${oh} ${pixelType} plane exceeds the plane limit of ${this.limits.maxPlaneBytes} bytes; read a region or zoom out`,
        {
          width: ow,
          height: oh,
          maxPlaneBytes: this.limits.maxPlaneBytes,
        },
      );
    }
    const fullRes = zoom === 1 && paint.every((e) => e.layer0);
    let canvas: NumericTypedArray;
    if (options.out) {
      const o = options.out;
      checkOutBuffer(o, layout.dtype, n, "readPlane out", {}, `(${ow}x${oh}x${layout.samples})`);
      // At full resolution every tile overwrites all of its part of the canvas: clear only what none covers.
      if (fullRes) clearUncovered(o, region, paint.map(rectOf), layout.samples);
      else o.fill(0);
      canvas = o;
    } else canvas = allocate(layout.dtype, n) as NumericTypedArray;
    await this.paintAll(canvas, region, ow, oh, zoom, paint, layout, options);
    const shape = layout.samples === 1 ? [oh, ow] : [oh, ow, layout.samples];
    return {
      coords: c,
      data: canvas,
      shape,
      array: fromTyped(canvas, shape) as AnyNdArray,
      pixelType,
      region,
      origin: [region.x, region.y],
      zoom,
      subblocks: paint.map((e) => e.index),
    };
  }

  /**
   * The tiles a plane read paints: the region (the scene's or file's bounding box, or `options.region`), the
   * pyramid layer for `layer`/`zoom` (layer-0 tiles fill where the layer has none, unless a layer was asked for),
   * the output size, and the intersecting subblocks in paint order (by M, then directory index).
   */
  private selectTiles(c: Record<string, number>, options: ReadPlaneOptions) {
    const scene = this.dims.S ? c.S : undefined;
    const matching = this.query(c);
    let base: CziRect | undefined;
    if (scene !== undefined)
      base = this.sceneBoundingBoxes.get(scene) ?? unionRect(matching.map((e) => ({ x: e.x, y: e.y, w: e.width, h: e.height })));
    else base = this.boundingBox ?? unionRect(matching.map((e) => ({ x: e.x, y: e.y, w: e.width, h: e.height })));
    if (!base)
      throw new HypedError("NOT_FOUND", `${this.source.name} has no subblocks${scene !== undefined ? ` in scene ${scene}` : ""}`, {
        coords: c,
      });

    let region: CziRect = base;
    if (options.region) {
      const r = options.region;
      for (const k of ["x", "y", "w", "h"] as const) {
        if (!Number.isInteger(r[k])) throw new HypedError("INVALID_ARGUMENT", `region.${k} must be an integer, got ${r[k]}`, { region: r });
      }
      if (r.w <= 0 || r.h <= 0)
        throw new HypedError("INVALID_ARGUMENT", `region must have a positive size, got ${r.w}x${r.h}`, { region: r });
      region = options.coordinates === "raw" ? { ...r } : { x: base.x + r.x, y: base.y + r.y, w: r.w, h: r.h };
    }

    // Which layer: explicit, from zoom, or layer 0.
    let scale = 1;
    let zoom = 1;
    if (options.layer !== undefined && options.layer !== 0) {
      const s = this.pyramidLayers[options.layer];
      if (s === undefined || !Number.isInteger(options.layer) || options.layer < 0) {
        throw new HypedError("OUT_OF_RANGE", `layer ${options.layer} does not exist (layers: ${this.pyramidLayers.length})`, {
          layer: options.layer,
        });
      }
      scale = s;
      zoom = s;
    } else if (options.zoom !== undefined && options.zoom !== 1) {
      zoom = options.zoom;
      if (!(zoom > 0 && zoom <= 1)) throw new HypedError("INVALID_ARGUMENT", `zoom must be in (0, 1], got ${zoom}`, { zoom });
      scale = this.pyramidLayers.filter((s) => s >= zoom * (1 - 1e-9)).reduce((a, b) => Math.min(a, b), 1);
    }
    const ow = zoom === 1 ? region.w : Math.max(1, Math.round(region.w * zoom));
    const oh = zoom === 1 ? region.h : Math.max(1, Math.round(region.h * zoom));

    const byM = (a: CziSubblockEntry, b: CziSubblockEntry) => (a.coords.M ?? -1) - (b.coords.M ?? -1) || a.index - b.index;
    const sceneOk = (e: CziSubblockEntry) => scene === undefined || e.coords.S === undefined || e.coords.S === scene;
    const hits = matching.filter((e) => sceneOk(e) && intersect(region, rectOf(e)));
    let paint: CziSubblockEntry[];
    if (scale === 1) {
      paint = hits.filter((e) => e.layer0).sort(byM);
    } else {
      const level = hits.filter(
        (e) => !e.layer0 && e.width > 0 && Math.abs(Math.round((e.storedWidth / e.width) * 1e6) / 1e6 - scale) < 1e-9,
      );
      const fill = options.layer ? [] : hits.filter((e) => e.layer0 && !level.some((p) => contains(rectOf(p), rectOf(e))));
      paint = [...fill.sort(byM), ...level.sort(byM)];
    }

    return { matching, region, zoom, ow, oh, paint };
  }

  /** Where subblock `e`'s payload is (read once per subblock, then cached). */
  private async locate(e: CziSubblockEntry, signal?: AbortSignal): Promise<SubblockLayout> {
    let loc = this.layouts.get(e.index);
    if (!loc) {
      loc = await locateSubblock(this.source, e, signal);
      this.layouts.set(e.index, loc);
    }
    return loc;
  }

  /**
   * Read and paint `paint` (in paint order) into `canvas`. Up to `concurrency` tiles are in flight; a tile is
   * written only after every earlier tile that overlaps it, so the paint order holds. An uncompressed
   * full-resolution tile as wide as the region is read straight into place (its rows are contiguous there).
   * Other tiles are read (and decoded) into per-slot buffers that are reused, then painted row by row: these
   * reads run in parallel on the I/O threads, unlike reads into the canvas, which must wait for overlapping
   * neighbours, and a scatter read of many rows costs Node about as much per row as a row copy.
   */
  private async paintAll(
    canvas: NumericTypedArray,
    region: CziRect,
    ow: number,
    oh: number,
    zoom: number,
    paint: CziSubblockEntry[],
    layout: PixelLayout,
    options: ReadPlaneOptions,
  ): Promise<void> {
    const { signal } = options;
    const progress = progressReporter(options.onProgress, "subblocks", paint.length, "readPlane");
    const conc = Math.max(1, Math.floor(options.concurrency ?? 4));
    const scratch: TileScratch[] = Array.from({ length: Math.min(conc, paint.length) }, () => tileScratch());
    const canvasBytes = new Uint8Array(canvas.buffer, canvas.byteOffset, canvas.byteLength);
    const bpp = layout.bytesPerPixel;
    const rects = paint.map((e) => intersect(region, { x: e.x, y: e.y, w: e.width, h: e.height }));
    const done: Promise<void>[] = [];
    const task = async (k: number): Promise<void> => {
      const e = paint[k] as CziSubblockEntry;
      const is = rects[k];
      // Earlier tiles still in flight that overlap this one must be painted first.
      const deps: Promise<void>[] = [];
      for (let j = Math.max(0, k - conc); j < k; j++) {
        const rj = rects[j];
        if (is && rj && intersect(is, rj)) deps.push(done[j] as Promise<void>);
      }
      const loc = await this.locate(e, signal);
      const direct =
        is !== undefined &&
        zoom === 1 &&
        e.layer0 &&
        e.compression === 0 &&
        e.storedWidth === e.width &&
        e.storedHeight === e.height &&
        is.x === e.x &&
        is.w === e.width &&
        is.w === region.w &&
        loc.dataSize >= e.width * e.height * bpp;
      if (direct) {
        tileBytes(e, this.limits.maxTileBytes);
        // Tile rows [is.y - e.y, is.y - e.y + is.h) land on canvas rows starting at is.y - region.y.
        const rowBytes = e.width * bpp;
        const rows: Uint8Array[] = [];
        for (let y = 0; y < is.h; y++) {
          const o = ((is.y - region.y + y) * region.w + (is.x - region.x)) * bpp;
          rows.push(canvasBytes.subarray(o, o + rowBytes));
        }
        const first = loc.dataOffset + (is.y - e.y) * rowBytes;
        if (deps.length) await Promise.all(deps);
        throwIfAborted(signal, "readPlane");
        await readIntoChecked(this.source, first, mergeAdjacent(rows), rowBytes * is.h, subblockWhat(e), signal);
        if (layout.bgr) swapBgrRows(canvas, region, is, layout.samples);
      } else {
        const slot = scratch[k % conc] as TileScratch;
        const fullRes = zoom === 1 && e.layer0;
        const { bytes: raw, hiLo } = fullRes
          ? await readSubblockPacked(this.source, e, this.limits, this.decoders, signal, loc, slot)
          : { bytes: await readSubblockBytes(this.source, e, this.limits, this.decoders, signal, { loc, scratch: slot }), hiLo: false };
        if (deps.length) await Promise.all(deps);
        throwIfAborted(signal, "readPlane");
        if (hiLo) {
          paintHiLo16(canvas as Uint16Array, region, raw, rectOf(e));
          return;
        }
        // Colour samples are swapped to R,G,B while painting (never in `raw`, which may be the source's memory).
        const tile = bytesAsTyped(raw, layout.dtype, false);
        if (fullRes) paintTile(canvas, region, tile, rectOf(e), layout);
        else paintTileScaled(canvas, region, ow, oh, tile, rectOf(e), e.storedWidth, e.storedHeight, layout);
      }
    };
    try {
      for (let k = 0; k < paint.length; k++) {
        // At most `conc` tiles in flight, and slot k % conc is free again once tile k - conc is done.
        if (k >= conc) {
          await done[k - conc];
          progress.tick();
        }
        const p = task(k);
        p.catch(() => {});
        done.push(p);
      }
      for (let k = Math.max(0, paint.length - conc); k < paint.length; k++) {
        await done[k];
        progress.tick();
      }
    } catch (err) {
      // Let the tiles still in flight settle before the caller regains the canvas.
      await Promise.allSettled(done);
      throw err;
    }
    progress.finish();
  }

  /**
   * The distinct start indices of dimension `letter` over the subblocks, ascending (empty if no subblock has
   * it). Unlike `dims[letter]` (first..last, as libCZI's statistics), this lists only values a subblock backs,
   * so its length is bounded by the directory, whatever a corrupt entry claims.
   */
  dimValues(letter: string): number[] {
    return dimValuesOf(this.subblocks, letter);
  }

  /**
   * The plane coordinates {@link planes} visits, in order (S outermost, then T, C, Z; other dimensions at their
   * start unless selected). Only planes that at least one subblock backs are listed, so the list is never
   * longer than the directory (a corrupt T size of 2 million gives the planes the subblocks hold, not 2 million).
   */
  planeCoords(select: PlanesOptions["select"] = {}): Record<string, number>[] {
    return backedPlanes(this.subblocks, this.dims, select);
  }

  /**
   * Iterate over every (S, T, C, Z) plane that the subblocks back ({@link planeCoords}), one at a time: memory
   * stays at one plane plus a few tiles, whatever the file size. Options are those of {@link readPlane} plus
   * `select`.
   */
  async *planes(options: PlanesOptions = {}): AsyncGenerator<CziPlane> {
    const { select, onProgress, reuse, ...rest } = options;
    const all = this.planeCoords(select);
    const progress = progressReporter(onProgress, "planes", all.length, "planes");
    let buffer: NumericTypedArray | undefined;
    for (const c of all) {
      throwIfAborted(options.signal, "planes");
      let plane: CziPlane;
      try {
        plane = await this.readPlane(c, buffer ? { ...rest, out: buffer } : rest);
      } catch (e) {
        // A plane of another size or type: read it into a fresh buffer.
        if (!buffer || !(e instanceof HypedError && e.code === "SHAPE_MISMATCH")) throw e;
        plane = await this.readPlane(c, rest);
      }
      if (reuse) buffer = plane.data;
      yield plane;
      progress.tick();
    }
    progress.finish();
  }

  /**
   * Close the underlying source (the file handle when opened from a path). Call it when done, or open with
   * `await using czi = await openCzi(path)` (TypeScript 5.2+/Node 20.4+), which calls it on scope exit.
   * Closing twice is harmless.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    finalizer?.unregister(this);
    await this.source.close?.();
  }

  /** `await using` support: the same as {@link close}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

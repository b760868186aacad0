/**
 * `openFrameStore`: a directory of frame files (Node) or a list of browser `File`s, with or without a
 * `dataset.json` manifest, loaded by (condition, replicate, time range, channels, region) through HDF5
 * hyperslabs. See `format.md` for the layout and `docs/frames.md` for usage.
 */
import {
  type AnyNdArray,
  checkOutBuffer,
  DTYPE_CTORS,
  type DType,
  dtypeSize,
  forEachLimited,
  fsError,
  HypedError,
  type LongTaskOptions,
  ndarray,
  progressReporter,
  throwIfAborted,
  zeros,
} from "@hyped/core";
import { type ForeignLayoutOptions, readFrameInfo } from "./frame.js";
import { sha256Of } from "./hash.js";
import { parseManifestText } from "./manifest.js";
import { checkConsistent, type FrameExpectation, readFrameRegion } from "./read.js";
import { type FrameAxes, type FrameInfo, type FrameManifest, type FrameRegion, MANIFEST_NAME } from "./types.js";
import { FramePool } from "./worker.js";

/** A frame file in a store. */
export interface FrameEntry {
  /** Path relative to the store root, `/`-separated (or the `File`'s relative name). */
  file: string;
  condition: string;
  replicate: number;
  /** Time index. */
  t: number;
  /** Capture time in seconds since start; `NaN` when unknown. */
  timeS: number;
  /** Source scene index; -1 when unknown. */
  scene: number;
  /** Expected SHA-256 from the manifest (`""` without one). */
  sha256: string;
  /** Where the bytes are: a local path or a `Blob`/`File`; `undefined` when the manifest lists a file that is absent. */
  input: string | Blob | undefined;
}

/** What to load. */
export interface FrameRequest extends LongTaskOptions {
  /** Condition label. Default: the store's only condition (`INVALID_ARGUMENT` if there are several). */
  condition?: string;
  /** Replicate. Default: the condition's lowest replicate. */
  replicate?: number;
  /** Time indices `[start, end)`. Default: every time of the (condition, replicate). */
  t?: [number, number];
  /** Channels by name or index, in the order wanted. Default: all, in frame order. */
  channels?: ReadonlyArray<string | number>;
  /** Pixel rectangle in (Y, X) image space. Default: the whole image. */
  region?: FrameRegion;
  /** Largest result in bytes; larger requests throw `OUT_OF_RANGE` with the size before reading. Default: the store's (2 GiB). */
  budgetBytes?: number;
  /**
   * `loadFrames` only: fill this array instead of allocating one. It must be a TypedArray of the store's
   * dtype with exactly T x C x H x W elements of the request (`SHAPE_MISMATCH` otherwise); the result views
   * it. Reusing one buffer across batches (a training loop's data loader) skips the cost of fresh memory,
   * which on Linux without transparent huge pages is a large part of a read. Not used by the read workers.
   */
  into?: ArrayBufferView;
}

/** One frame yielded by {@link FrameStore.frames}. */
export interface LoadedFrame {
  condition: string;
  replicate: number;
  t: number;
  timeS: number;
  /** The file it came from. */
  file: string;
  /** (C, Y, X) samples of the requested channels and region. */
  data: AnyNdArray;
}

/** Options of {@link openFrameStore}. */
export interface OpenFrameStoreOptions extends LongTaskOptions {
  /** How to read frame files that lack our attributes (channel names, axis order). */
  foreign?: ForeignLayoutOptions & {
    /**
     * Map a foreign file's relative path to its condition, replicate and a sort number for time. Default: the
     * last number in the base name orders time; the condition is the path without that number (trailing
     * `_ - . t` trimmed, `default` when empty); replicate 1.
     */
    parseName?: (relPath: string) => { condition: string; replicate: number; order: number };
  };
  /** Default memory budget of loads in bytes. Default 2 GiB. */
  budgetBytes?: number;
  /** Ignore `dataset.json` and read every file's own attributes. Default false. */
  ignoreManifest?: boolean;
  /**
   * Worker threads reading frames in parallel for large `loadFrames` calls (Node, local files; at least 2
   * frames and 16 MB). Started on first use and shared by all stores; idle ones do not keep the process
   * alive; {@link closeFrameReadWorkers} stops them. Default 0 (read in the calling thread): V8 copies into a
   * `SharedArrayBuffer` with relaxed-atomic moves, about half the speed of ordinary copies, so on our 2-core
   * benchmark machine the workers did not beat one thread; they are opt-in.
   */
  readWorkers?: number;
  /** Smallest `loadFrames` result (bytes) worth the read workers. Default 16 MiB. */
  parallelMinBytes?: number;
}

/** An open frame store. */
export interface FrameStore {
  /** The directory path, or `"files"` for a list of `File`s. */
  readonly root: string;
  /** The manifest, when the store has a `dataset.json` (and it was not ignored). */
  readonly manifest: FrameManifest | undefined;
  /** Sorted condition labels. */
  readonly conditions: string[];
  /** Replicates per condition, sorted. */
  readonly replicates: Record<string, number[]>;
  /** Sorted union of time indices. */
  readonly times: number[];
  /** Channel names in frame order. */
  readonly channels: string[];
  /** Sample type of every frame. */
  readonly dtype: DType;
  /** Image height (Y extent) in pixels. */
  readonly height: number;
  /** Image width (X extent) in pixels. */
  readonly width: number;
  /** On-disk axis order (output is always (…, C, Y, X)). */
  readonly axes: FrameAxes;
  /** Every frame file, sorted by condition, replicate, time. */
  readonly entries: readonly FrameEntry[];
  /** Files that the manifest lists but that are not present. */
  readonly missing: readonly string[];
  /** The entry of one frame, or undefined. */
  entry(condition: string, replicate: number, t: number): FrameEntry | undefined;
  /**
   * Load frames into one (T, C, Y, X) ndarray of the store's dtype, reading only the requested channels
   * and region of each file through HDF5 hyperslabs. Throws `OUT_OF_RANGE` with the size when the result
   * would pass the budget, `NOT_FOUND` for absent conditions/replicates/times/channels, and
   * `SHAPE_MISMATCH`/`FORMAT` naming the file when one disagrees with the store.
   */
  loadFrames(request?: FrameRequest): Promise<AnyNdArray>;
  /** The same frames one at a time, (C, Y, X) each: memory stays at one frame whatever the range. */
  frames(request?: FrameRequest): AsyncGenerator<LoadedFrame>;
  /**
   * Recompute every present file's SHA-256 and compare with the manifest. Resolves to the files whose
   * checksum differs (empty when all match); entries without a recorded checksum are skipped.
   */
  verify(options?: LongTaskOptions): Promise<string[]>;
}

/** Read pools shared by every store in this thread, by size. */
const readPools = new Map<number, Promise<FramePool>>();

/**
 * Stop the frame read workers that large `loadFrames` calls start (they are shared by all stores and do not
 * keep the process alive when idle; call this to free their memory). Later loads start them again.
 */
export async function closeFrameReadWorkers(): Promise<void> {
  const pools = [...readPools.values()];
  readPools.clear();
  await Promise.all(pools.map(async (p) => (await p.catch(() => undefined))?.terminate()));
}

const DEFAULT_BUDGET = 2 ** 31;

/** Is `name` a frame file candidate (not a temp file of an interrupted write)? */
function isFrameFileName(name: string): boolean {
  return /\.(h5|hdf5|hdf)$/i.test(name) && !/\.tmp-/.test(name);
}

/** Deepest folder level below a store root that is searched for frame files. */
const MAX_STORE_DEPTH = 16;
/** Most directory entries looked at while listing a store (a bound on a mistaken root such as `/`). */
const MAX_STORE_ENTRIES = 2_000_000;

/**
 * The frame files and manifest below `root` (relative `/`-separated name → path), sorted. Only regular
 * files count (a FIFO or socket with a frame's name is skipped: opening it would block); a symlink counts
 * when it points at a regular file, and a link to a folder is never entered, so a link to `/` cannot make
 * the walk leave the store. At most {@link MAX_STORE_DEPTH} levels and {@link MAX_STORE_ENTRIES} entries
 * (`IO` beyond).
 */
async function listStoreFiles(root: string, signal?: AbortSignal): Promise<Array<[string, string]>> {
  const fs = await import("node:fs/promises");
  const path = await import("node:path");
  const out: Array<[string, string]> = [];
  let seen = 0;
  const walk = async (dir: string, rel: string, depth: number): Promise<void> => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      throw fsError(e, dir, "list");
    }
    seen += entries.length;
    if (seen > MAX_STORE_ENTRIES)
      throw new HypedError("IO", `${root}: more than ${MAX_STORE_ENTRIES} entries below the store folder; is it the right folder?`, {
        file: root,
      });
    for (const d of entries) {
      throwIfAborted(signal, "listing the frame store");
      const name = rel ? `${rel}/${d.name}` : d.name;
      const full = path.join(dir, d.name);
      if (d.isDirectory()) {
        if (depth >= MAX_STORE_DEPTH)
          throw new HypedError("IO", `${root}: folders nested deeper than ${MAX_STORE_DEPTH} levels at ${name}`, { file: root });
        await walk(full, name, depth + 1);
        continue;
      }
      if (!(isFrameFileName(name) || name === MANIFEST_NAME)) continue;
      let regular = d.isFile();
      if (d.isSymbolicLink()) {
        try {
          regular = (await fs.stat(full)).isFile();
        } catch {
          regular = false; // a dangling link or a loop: not a frame file
        }
      }
      if (regular) out.push([name, full]);
    }
  };
  await walk(root, "", 0);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The default foreign name parser (see {@link OpenFrameStoreOptions}). */
export function parseForeignName(relPath: string): { condition: string; replicate: number; order: number } {
  const slash = relPath.lastIndexOf("/");
  const dir = slash >= 0 ? relPath.slice(0, slash) : "";
  const stem = relPath.slice(slash + 1).replace(/\.[^.]*$/, "");
  const nums = [...stem.matchAll(/\d+/g)];
  const last = nums[nums.length - 1];
  if (!last || last.index === undefined) {
    throw new HypedError("FORMAT", `${relPath}: no number in the file name to order time by; pass foreign.parseName`, { file: relPath });
  }
  const rest = (stem.slice(0, last.index) + stem.slice(last.index + last[0].length))
    .replace(/[_\-. ]*t?[_\-. ]*$/i, "")
    .replace(/^[_\-. ]+/, "");
  const condition = [dir, rest].filter(Boolean).join("/") || "default";
  return { condition, replicate: 1, order: Number(last[0]) };
}

type Input = string | Blob;

/**
 * Open a frame store from a directory path (Node) or a list of `File`s/`Blob`s/paths (browsers: the files of
 * an `<input type="file" webkitdirectory>`; a `dataset.json` among them is used as the manifest).
 *
 * With a manifest only the manifest is read. Without one, every frame file's attributes are read (headers
 * only); foreign files (no attributes) take channel names and axes from `options.foreign` and time order
 * from the numbers in their names. Throws `FORMAT` naming an unreadable file, `SHAPE_MISMATCH` naming a
 * file whose shape, dtype or channels differ from the first, `NOT_FOUND` for an empty folder.
 */
export async function openFrameStore(
  dirOrSources: string | ReadonlyArray<File | Blob | string>,
  options: OpenFrameStoreOptions = {},
): Promise<FrameStore> {
  const files = new Map<string, Input>();
  let root: string;
  if (typeof dirOrSources === "string") {
    root = dirOrSources;
    for (const [rel, full] of await listStoreFiles(root, options.signal)) files.set(rel, full);
  } else {
    root = "files";
    const rels = dirOrSources.map((s) => (typeof s === "string" ? s : blobRelPath(s)));
    const strip = commonTopDir(rels);
    dirOrSources.forEach((s, i) => {
      const rel = (rels[i] as string).slice(strip);
      if (isFrameFileName(rel) || rel === MANIFEST_NAME || rel.endsWith(`/${MANIFEST_NAME}`))
        files.set(rel.endsWith(`/${MANIFEST_NAME}`) ? MANIFEST_NAME : rel, s);
    });
  }
  const manifestInput = options.ignoreManifest ? undefined : files.get(MANIFEST_NAME);
  files.delete(MANIFEST_NAME);
  const budget = options.budgetBytes ?? DEFAULT_BUDGET;
  if (manifestInput !== undefined) {
    const text =
      typeof manifestInput === "string"
        ? await (await import("node:fs/promises")).readFile(manifestInput, "utf8")
        : await manifestInput.text();
    const manifest = parseManifestText(text, typeof manifestInput === "string" ? manifestInput : MANIFEST_NAME);
    const entries: FrameEntry[] = manifest.frames.map((f) => ({
      file: f.file,
      condition: f.condition,
      replicate: f.replicate,
      t: f.t,
      timeS: f.timeS ?? Number.NaN,
      scene: f.scene,
      sha256: f.sha256,
      input: files.get(f.file),
    }));
    const [c, h, w] = manifest.shape;
    return new Store(root, manifest, entries, {
      channels: manifest.channels,
      dtype: manifest.dtype,
      height: h,
      width: w,
      axes: manifest.axes,
      nChannels: c,
      foreign: options.foreign,
      budget,
      readWorkers: options.readWorkers,
      parallelMinBytes: options.parallelMinBytes ?? 16 * 2 ** 20,
    });
  }
  if (files.size === 0) throw new HypedError("NOT_FOUND", `${root}: no frame files (.h5) and no ${MANIFEST_NAME}`, { file: root });
  const { H5File } = await import("@hyped/core/hdf5");
  const infos: Array<{ rel: string; input: Input; info: FrameInfo }> = [];
  const progress = progressReporter(options.onProgress, "files", files.size, "reading frame headers");
  for (const [rel, input] of files) {
    throwIfAborted(options.signal, "opening the frame store");
    const f = await H5File.open(input);
    try {
      infos.push({ rel, input, info: readFrameInfo(f, options.foreign) });
    } finally {
      f.close();
    }
    progress.tick();
  }
  progress.finish();
  const ref = (infos[0] as (typeof infos)[number]).info;
  const refFile = (infos[0] as (typeof infos)[number]).rel;
  for (const { rel, info } of infos) checkConsistent(rel, info, refFile, ref);
  const entries: FrameEntry[] = [];
  const foreign = infos.filter((x) => !x.info.native);
  for (const { rel, input, info } of infos) {
    if (info.native)
      entries.push({
        file: rel,
        condition: info.condition,
        replicate: info.replicate,
        t: info.t,
        timeS: info.timeS,
        scene: info.scene,
        sha256: "",
        input,
      });
  }
  // foreign files: group into series by name, order by number
  const parse = options.foreign?.parseName ?? parseForeignName;
  const series = new Map<string, Array<{ rel: string; input: Input; order: number; condition: string; replicate: number }>>();
  for (const { rel, input } of foreign) {
    const p = parse(rel);
    const key = `${p.condition}\u0000${p.replicate}`;
    let s = series.get(key);
    if (!s) series.set(key, (s = []));
    s.push({ rel, input, ...p });
  }
  for (const s of series.values()) {
    s.sort((a, b) => a.order - b.order || (a.rel < b.rel ? -1 : 1));
    s.forEach((x, i) => {
      entries.push({
        file: x.rel,
        condition: x.condition,
        replicate: x.replicate,
        t: i,
        timeS: Number.NaN,
        scene: -1,
        sha256: "",
        input: x.input,
      });
    });
  }
  const seen = new Map<string, string>();
  for (const e of entries) {
    const key = `${e.condition}\u0000${e.replicate}\u0000${e.t}`;
    const prev = seen.get(key);
    if (prev)
      throw new HypedError("FORMAT", `${e.file} and ${prev} are both condition ${e.condition} replicate ${e.replicate} t ${e.t}`, {
        file: e.file,
        other: prev,
      });
    seen.set(key, e.file);
  }
  return new Store(root, undefined, entries, {
    channels: ref.channels,
    dtype: ref.dtype,
    height: ref.height,
    width: ref.width,
    axes: ref.axes,
    nChannels: ref.channels.length,
    foreign: options.foreign,
    budget,
    readWorkers: options.readWorkers,
    parallelMinBytes: options.parallelMinBytes ?? 16 * 2 ** 20,
  });
}

function blobRelPath(b: Blob): string {
  const f = b as { webkitRelativePath?: string; name?: string };
  return (f.webkitRelativePath || f.name || "blob").replace(/\\/g, "/");
}

/** Length of a top folder shared by every relative path (as `webkitdirectory` gives), to strip; 0 if none. */
function commonTopDir(rels: string[]): number {
  if (rels.length === 0) return 0;
  const first = rels[0] as string;
  const i = first.indexOf("/");
  if (i < 0) return 0;
  const top = first.slice(0, i + 1);
  return rels.every((r) => r.startsWith(top)) ? top.length : 0;
}

interface Layout {
  channels: string[];
  dtype: DType;
  height: number;
  width: number;
  axes: FrameAxes;
  nChannels: number;
  foreign: ForeignLayoutOptions | undefined;
  budget: number;
  readWorkers: number | undefined;
  parallelMinBytes: number;
}

class Store implements FrameStore {
  readonly conditions: string[];
  readonly replicates: Record<string, number[]>;
  readonly times: number[];
  readonly channels: string[];
  readonly dtype: DType;
  readonly height: number;
  readonly width: number;
  readonly axes: FrameAxes;
  readonly entries: readonly FrameEntry[];
  readonly missing: readonly string[];
  private readonly index = new Map<string, FrameEntry>();
  private readonly layout: Layout;
  private poolSize = 0;
  private jobId = 0;

  constructor(
    readonly root: string,
    readonly manifest: FrameManifest | undefined,
    entries: FrameEntry[],
    layout: Layout,
  ) {
    this.layout = layout;
    this.entries = [...entries].sort((a, b) =>
      a.condition < b.condition ? -1 : a.condition > b.condition ? 1 : a.replicate - b.replicate || a.t - b.t,
    );
    const reps = new Map<string, Set<number>>();
    const times = new Set<number>();
    for (const e of this.entries) {
      this.index.set(`${e.condition}\u0000${e.replicate}\u0000${e.t}`, e);
      let s = reps.get(e.condition);
      if (!s) reps.set(e.condition, (s = new Set()));
      s.add(e.replicate);
      times.add(e.t);
    }
    this.conditions = [...reps.keys()].sort();
    this.replicates = Object.fromEntries(this.conditions.map((c) => [c, [...(reps.get(c) as Set<number>)].sort((a, b) => a - b)]));
    this.times = [...times].sort((a, b) => a - b);
    this.channels = layout.channels;
    this.dtype = layout.dtype;
    this.height = layout.height;
    this.width = layout.width;
    this.axes = layout.axes;
    this.missing = this.entries.filter((e) => e.input === undefined).map((e) => e.file);
  }

  entry(condition: string, replicate: number, t: number): FrameEntry | undefined {
    return this.index.get(`${condition}\u0000${replicate}\u0000${t}`);
  }

  /** Resolve a request into the frame entries, channel indices and region it covers. */
  private plan(req: FrameRequest) {
    let condition = req.condition;
    if (condition === undefined) {
      if (this.conditions.length !== 1) {
        throw new HypedError(
          "INVALID_ARGUMENT",
          `the store has ${this.conditions.length} conditions (${this.conditions.join(", ")}); say which`,
          {
            conditions: this.conditions,
          },
        );
      }
      condition = this.conditions[0] as string;
    }
    const reps = this.replicates[condition];
    if (!reps)
      throw new HypedError("NOT_FOUND", `no condition ${JSON.stringify(condition)} in ${this.root} (have ${this.conditions.join(", ")})`, {
        condition,
      });
    const replicate = req.replicate ?? (reps[0] as number);
    if (!reps.includes(replicate)) {
      throw new HypedError("NOT_FOUND", `condition ${condition} has no replicate ${replicate} (have ${reps.join(", ")})`, {
        condition,
        replicate,
      });
    }
    const own = this.entries.filter((e) => e.condition === condition && e.replicate === replicate);
    const [t0, t1] = req.t ?? [own[0]?.t ?? 0, (own[own.length - 1]?.t ?? -1) + 1];
    if (!(Number.isSafeInteger(t0) && Number.isSafeInteger(t1) && t0 >= 0 && t1 >= t0)) {
      throw new HypedError("INVALID_ARGUMENT", `time range [${t0}, ${t1}) is not a valid [start, end) of indices`, { t: [t0, t1] });
    }
    const entries: FrameEntry[] = [];
    for (let t = t0; t < t1; t++) {
      const e = this.entry(condition, replicate, t);
      if (!e)
        throw new HypedError("NOT_FOUND", `no frame for condition ${condition} replicate ${replicate} at time index ${t} in ${this.root}`, {
          condition,
          replicate,
          t,
        });
      entries.push(e);
    }
    const channels = (req.channels ?? this.channels.map((_, i) => i)).map((c) => {
      const i = typeof c === "number" ? c : this.channels.indexOf(c);
      if (!(Number.isInteger(i) && i >= 0 && i < this.channels.length)) {
        throw new HypedError("NOT_FOUND", `no channel ${JSON.stringify(c)} in ${this.root} (have ${this.channels.join(", ")})`, {
          channel: c,
        });
      }
      return i;
    });
    const r = req.region ?? { x: 0, y: 0, width: this.width, height: this.height };
    if (
      ![r.x, r.y, r.width, r.height].every(Number.isSafeInteger) ||
      r.x < 0 ||
      r.y < 0 ||
      r.width < 0 ||
      r.height < 0 ||
      r.x + r.width > this.width ||
      r.y + r.height > this.height
    ) {
      throw new HypedError(
        "OUT_OF_RANGE",
        `region x ${r.x} y ${r.y} ${r.width}x${r.height} is outside the ${this.width}x${this.height} frame`,
        { region: r },
      );
    }
    return { condition, replicate, entries, channels, region: r };
  }

  async loadFrames(req: FrameRequest = {}): Promise<AnyNdArray> {
    const p = this.plan(req);
    const frameElems = p.channels.length * p.region.height * p.region.width;
    const bytes = p.entries.length * frameElems * dtypeSize(this.dtype);
    const budget = req.budgetBytes ?? this.layout.budget;
    if (bytes > budget) {
      throw new HypedError(
        "OUT_OF_RANGE",
        `loading ${p.entries.length} frames x ${p.channels.length} channels x ${p.region.height} x ${p.region.width} ${this.dtype} needs ${bytes} bytes (${(bytes / 2 ** 30).toFixed(2)} GiB), above the budget of ${budget} bytes; load fewer frames or use frames()`,
        { bytes, budget },
      );
    }
    const shape = [p.entries.length, p.channels.length, p.region.height, p.region.width];
    const progress = progressReporter(req.onProgress, "frames", p.entries.length, "loading frames");
    const pool = !req.into && p.entries.length >= 2 && bytes >= this.layout.parallelMinBytes ? await this.readPool(p.entries) : undefined;
    if (pool) {
      // parallel: each worker reads whole frames straight into one shared buffer
      const buffer = new SharedArrayBuffer(bytes);
      const expect = this.expectation();
      await forEachLimited(
        p.entries.length,
        this.poolSize,
        async (i) => {
          const e = p.entries[i] as FrameEntry;
          await pool.read({
            id: this.jobId++,
            buffer,
            input: e.input as string,
            file: e.file,
            expect,
            channels: p.channels,
            region: p.region,
            offset: i * frameElems,
          });
          progress.tick();
        },
        req.signal,
        "loading frames",
      );
      progress.finish();
      return ndarray(new (DTYPE_CTORS[this.dtype] as unknown as Uint16ArrayConstructor)(buffer) as never, shape) as unknown as AnyNdArray;
    }
    let out: AnyNdArray;
    if (req.into) {
      const n = p.entries.length * frameElems;
      checkOutBuffer(req.into, this.dtype, n, "loadFrames into", {}, `[${shape}]`);
      out = ndarray(req.into as never, shape) as unknown as AnyNdArray;
    } else out = zeros(this.dtype, shape) as unknown as AnyNdArray;
    // two frames in flight: one file is opened and its metadata read while the other's reads run on the
    // thread pool (with the native reader, ~2-3 ms a file that would otherwise sit between the reads)
    await forEachLimited(
      p.entries.length,
      2,
      async (i) => {
        await this.readFrame(p.entries[i] as FrameEntry, p.channels, p.region, out.data, i * frameElems, req.signal);
        progress.tick();
      },
      req.signal,
      "loading frames",
    );
    progress.finish();
    return out;
  }

  async *frames(req: FrameRequest = {}): AsyncGenerator<LoadedFrame> {
    const p = this.plan(req);
    const shape = [p.channels.length, p.region.height, p.region.width];
    const bytes = p.channels.length * p.region.height * p.region.width * dtypeSize(this.dtype);
    const budget = req.budgetBytes ?? this.layout.budget;
    if (bytes > budget) {
      throw new HypedError("OUT_OF_RANGE", `one frame of [${shape}] ${this.dtype} needs ${bytes} bytes, above the budget of ${budget}`, {
        bytes,
        budget,
      });
    }
    const progress = progressReporter(req.onProgress, "frames", p.entries.length, "loading frames");
    for (const e of p.entries) {
      throwIfAborted(req.signal, "loading frames");
      const data = zeros(this.dtype, shape) as unknown as AnyNdArray;
      await this.readFrame(e, p.channels, p.region, data.data, 0, req.signal);
      progress.tick();
      yield { condition: e.condition, replicate: e.replicate, t: e.t, timeS: e.timeS, file: e.file, data };
    }
    progress.finish();
  }

  /** Read channels `ch` of `region` from one frame into `dst` at `offset`, as (C, Y, X). */
  private async readFrame(
    e: FrameEntry,
    ch: number[],
    region: FrameRegion,
    dst: AnyNdArray["data"],
    offset: number,
    signal?: AbortSignal,
  ): Promise<void> {
    if (e.input === undefined) {
      throw new HypedError("NOT_FOUND", `${e.file} is listed in ${MANIFEST_NAME} but is not in ${this.root}`, { file: e.file });
    }
    await readFrameRegion(
      { input: e.input, file: e.file, expect: this.expectation(), channels: ch, region, offset },
      dst as unknown as Uint16Array,
      signal,
    );
  }

  /** The shared read pool of this store's size, started on first use; undefined when reads stay in this thread. */
  private async readPool(entries: FrameEntry[]): Promise<FramePool | undefined> {
    if (typeof process === "undefined" || !process.versions?.node || typeof SharedArrayBuffer === "undefined") return undefined;
    if (!entries.every((e) => typeof e.input === "string")) return undefined;
    if (!["uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "float64"].includes(this.dtype)) return undefined;
    if (this.poolSize === 0) {
      const os = await import("node:os");
      this.poolSize = Math.max(0, Math.min(os.availableParallelism() * 2, Math.floor(this.layout.readWorkers ?? 0)));
      if (this.poolSize === 0) this.poolSize = -1;
    }
    if (this.poolSize < 0) return undefined;
    let pool = readPools.get(this.poolSize);
    if (!pool) {
      pool = FramePool.start(this.poolSize, { kind: "read" }, { unref: true });
      readPools.set(this.poolSize, pool);
      pool.catch(() => readPools.delete(this.poolSize));
    }
    return pool;
  }

  /** What every frame must look like, for {@link readFrameRegion}. */
  private expectation(): FrameExpectation {
    const l = this.layout;
    return {
      channels: l.channels,
      dtype: l.dtype,
      height: l.height,
      width: l.width,
      ref: this.manifest ? MANIFEST_NAME : (this.entries[0]?.file ?? ""),
      foreign: l.foreign
        ? { ...(l.foreign.channels ? { channels: [...l.foreign.channels] } : {}), ...(l.foreign.axes ? { axes: l.foreign.axes } : {}) }
        : {},
    };
  }

  async verify(options: LongTaskOptions = {}): Promise<string[]> {
    const bad: string[] = [];
    const todo = this.entries.filter((e) => e.sha256 && e.input !== undefined);
    const progress = progressReporter(options.onProgress, "files", todo.length, "verifying checksums");
    for (const e of todo) {
      const got = await sha256Of(e.input as string | Blob, options.signal);
      if (got !== e.sha256) bad.push(e.file);
      progress.tick();
    }
    progress.finish();
    return bad;
  }
}

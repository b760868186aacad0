/**
 * `openFrameStore`: a directory of frame files (Node) or a list of browser `File`s, with or without a
 * `dataset.json` manifest, loaded by (condition, replicate, time range, channels, region) through HDF5
 * hyperslabs. See `format.md` for the layout and `docs/frames.md` for usage.
 *
 * Listing a folder and indexing frame files without a manifest are in `store-files.ts`; the public types in
 * `store-types.ts`.
 */
import {
  type AnyNdArray,
  checkOutBuffer,
  DTYPE_CTORS,
  type DType,
  dtypeSize,
  forEachLimited,
  HypedError,
  type LongTaskOptions,
  ndarray,
  progressReporter,
  throwIfAborted,
  zeros,
} from "@hyped/core";
import type { ForeignLayoutOptions } from "./frame.js";
import { sha256Of } from "./hash.js";
import { parseManifestText } from "./manifest.js";
import { type FrameExpectation, readFrameRegion } from "./read.js";
import { blobRelPath, commonTopDir, type StoreInput as Input, indexFrameFiles, isFrameFileName, listStoreFiles } from "./store-files.js";
import type { FrameEntry, FrameRequest, FrameStore, LoadedFrame, OpenFrameStoreOptions } from "./store-types.js";
import { type FrameAxes, type FrameManifest, type FrameRegion, MANIFEST_NAME } from "./types.js";
import { FramePool } from "./worker.js";

export { parseForeignName } from "./store-files.js";
export type { FrameEntry, FrameRequest, FrameStore, LoadedFrame, OpenFrameStoreOptions } from "./store-types.js";

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
  const { entries, ref } = await indexFrameFiles(files, options);
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

/**
 * `segmentStore`: the paper's segmentation over every frame of a frame store, streamed (at most two frames
 * per worker in memory), writing per frame a label mask (`<stem>.h5`, uint32 `/labels`, chunked, gzip) and
 * an object table (`<stem>.csv`), recorded in `segment.json`. Resumable, cancellable, shardable. Node only.
 */
import { type AnyNdArray, HypedError, type LongTaskOptions, progressReporter, throwIfAborted } from "@hyped/core";
import { frameFileName } from "../frames/manifest.js";
import type { FrameEntry, FrameStore } from "../frames/store.js";
import { openSegmentPool } from "../segmentation/parallel.js";
import type { SegmentFrameResult } from "../segmentation/segment.js";
import { type StepItem, StepLedger, type StepManifest } from "./manifest.js";
import { columnsToCsv, removeStaleTemps, writeFileAtomic } from "./outputs.js";

/** The label dataset inside a segmentation file. */
export const LABELS_DATASET = "/labels";

/** Segmentation parameters the pipeline exposes (the rest keep `segmentFrame`'s defaults). */
export interface PipelineSegmentParams {
  /** Upper clip percentile of each nuclear channel. Default 98 (the paper's). */
  clipPercentile?: number;
  /** Gaussian sigma in pixels. Default 1 (scikit-image's). */
  sigma?: number;
  /** Nuclear channels stacked for the foreground. Default `['mKate', 'TagGFP']`. */
  channels?: string[];
}

/** Options of {@link segmentStore}. */
export interface SegmentStoreOptions extends PipelineSegmentParams, LongTaskOptions {
  /** Worker threads. Default 2; 0 segments in this thread. */
  workers?: number;
  /**
   * Shard `[i, n]`: this run segments frames k with k mod n = i (`by: 'frame'`, the default) or every frame
   * of scenes k with k mod n = i (`by: 'scene'`, what the whole pipeline uses so a shard can go on to track).
   */
  shard?: [number, number];
  /** What shards split. Default `'frame'`. */
  shardBy?: "frame" | "scene";
}

/** Result of {@link segmentStore} (and of the other steps). */
export interface StepResult {
  /** The manifest written (`<step>.json`, or the shard's). */
  manifest: StepManifest;
  /** Items (frames or scenes) of this run or shard. */
  total: number;
  /** Items computed by this run. */
  computed: number;
  /** Items found finished with intact files. */
  skipped: number;
  seconds: number;
}

/** The stem of a frame's outputs (`control_r1_t00003`), from the frame store's naming. */
export function frameStem(condition: string, replicate: number, t: number): string {
  return frameFileName(condition, replicate, t).replace(/\.h5$/, "");
}

/** The stem of a scene's outputs (`control_r1`). */
export function sceneStem(condition: string, replicate: number): string {
  return frameStem(condition, replicate, 0).replace(/_t\d+$/, "");
}

/** The scenes of a store in a stable order (condition, then replicate): the unit of scene shards. */
export function storeScenes(store: FrameStore): Array<{ condition: string; replicate: number }> {
  return store.conditions.flatMap((condition) => (store.replicates[condition] ?? []).map((replicate) => ({ condition, replicate })));
}

/** The parameters recorded in `segment.json` (a rerun with other values redoes every frame). */
export function segmentParams(store: FrameStore, o: PipelineSegmentParams): Record<string, unknown> {
  return {
    clipPercentile: o.clipPercentile ?? 98,
    sigma: o.sigma ?? 1,
    channels: o.channels ?? ["mKate", "TagGFP"],
    frameChannels: store.channels,
    shape: [store.height, store.width],
  };
}

/** The frames of a shard. */
function shardEntries(store: FrameStore, shard: [number, number] | undefined, by: "frame" | "scene"): FrameEntry[] {
  if (!shard) return [...store.entries];
  if (by === "frame") return store.entries.filter((_, k) => k % shard[1] === shard[0]);
  const mine = new Set(
    storeScenes(store)
      .filter((_, k) => k % shard[1] === shard[0])
      .map((s) => `${s.condition}\u0000${s.replicate}`),
  );
  return store.entries.filter((e) => mine.has(`${e.condition}\u0000${e.replicate}`));
}

/**
 * Segment the frames of `store` (or of one shard) into `outDir`. Per frame it writes `<stem>.h5` (dataset
 * `/labels`, uint32 `[height, width]`, 0 = background, chunks of up to 512 x 512, gzip 1, with attributes
 * `condition`, `replicate`, `time_index`) and `<stem>.csv` (columns `id, y, x, area` and `mean_<channel>`
 * for every frame channel; centroids in pixels, `y` the row), and records both with their SHA-256 in
 * `segment.json` (`segment.shard-i-of-n.json` for a shard). Outputs are atomic and reproducible to the
 * byte; a rerun skips frames whose files are intact (and whose input checksum, when the store's manifest
 * has one, is unchanged) and redoes the rest. Throws `ABORTED` on cancel (finished frames stay recorded).
 */
export async function segmentStore(store: FrameStore, outDir: string, options: SegmentStoreOptions = {}): Promise<StepResult> {
  const started = performance.now();
  const { signal } = options;
  const fs = await import("node:fs/promises");
  const { join } = await import("node:path");
  await fs.mkdir(outDir, { recursive: true });
  const params = segmentParams(store, options);
  for (const c of params.channels as string[])
    if (!store.channels.includes(c))
      throw new HypedError("NOT_FOUND", `segmentation channel ${JSON.stringify(c)} is not in the frames (${store.channels.join(", ")})`, {
        channel: c,
      });
  const ledger = await StepLedger.open(outDir, "segment", params, options.shard);
  const entries = shardEntries(store, options.shard, options.shardBy ?? "frame");
  const stems = new Set(entries.map((e) => frameStem(e.condition, e.replicate, e.t)));
  await removeStaleTemps(outDir, (n) => stems.has(n.replace(/\.(h5|csv)$/, "")) || n === ledger.path.slice(outDir.length + 1));
  const progress = progressReporter(options.onProgress, "frames", entries.length, "segmenting");
  const todo: FrameEntry[] = [];
  let skipped = 0;
  for (const e of entries) {
    const it = await ledger.finished(frameStem(e.condition, e.replicate, e.t), signal);
    if (it && (!e.sha256 || it.info?.input === e.sha256)) {
      skipped++;
      progress.tick();
    } else todo.push(e);
  }
  const pool = await openSegmentPool({
    workers: options.workers ?? 2,
    channelNames: store.channels,
    clipPercentile: params.clipPercentile as number,
    sigma: params.sigma as number,
    nuclearChannels: params.channels as string[],
    ...(signal ? { signal } : {}),
  });
  const inFlight = 2 * Math.max(1, pool.workers);
  const pending = new Set<Promise<void>>();
  let failure: unknown;
  try {
    for (const e of todo) {
      throwIfAborted(signal, "segmentStore");
      if (failure !== undefined) break;
      while (pending.size >= inFlight) await Promise.race(pending);
      const frame = await loadOne(store, e, signal);
      const job = pool
        .segment(frame, { transfer: true })
        .then((r) => writeFrameOutputs(outDir, join, e, r, store.channels))
        .then((item) => ledger.record(item))
        .then(() => progress.tick())
        .catch((err: unknown) => {
          failure ??= err;
        });
      const p = job.finally(() => pending.delete(p));
      pending.add(p);
    }
    await Promise.all(pending);
  } finally {
    await pool.close();
  }
  if (failure === undefined && signal?.aborted)
    failure = new HypedError("ABORTED", "segmentStore was cancelled", {}, { cause: signal.reason });
  const manifest = await ledger.save(failure === undefined, stems);
  if (failure !== undefined) throw failure;
  progress.finish();
  return { manifest, total: entries.length, computed: todo.length, skipped, seconds: (performance.now() - started) / 1000 };
}

async function loadOne(store: FrameStore, e: FrameEntry, signal?: AbortSignal): Promise<AnyNdArray> {
  for await (const f of store.frames({ condition: e.condition, replicate: e.replicate, t: [e.t, e.t + 1], ...(signal ? { signal } : {}) }))
    return f.data;
  throw new HypedError("NOT_FOUND", `no frame ${e.file}`, { file: e.file });
}

/** Write one frame's label file and object table; the item that records them. */
async function writeFrameOutputs(
  outDir: string,
  join: (...p: string[]) => string,
  e: FrameEntry,
  r: SegmentFrameResult,
  channels: readonly string[],
): Promise<StepItem> {
  const stem = frameStem(e.condition, e.replicate, e.t);
  const [H, W] = r.labels.shape as [number, number];
  const lab = r.labels.data as Int32Array;
  const labelBytes = await labelFileBytes(new Uint32Array(lab.buffer, lab.byteOffset, lab.length), H, W, e);
  const h5 = await writeFileAtomic(join(outDir, `${stem}.h5`), labelBytes, `${stem}.h5`);
  const o = r.objects;
  const cols: Record<string, ArrayLike<number>> = { id: o.id, y: o.centroidRow, x: o.centroidCol, area: o.area };
  for (const c of channels) cols[`mean_${c}`] = o.meanIntensity[c] ?? new Float64Array(o.id.length).fill(Number.NaN);
  const csv = await writeFileAtomic(join(outDir, `${stem}.csv`), columnsToCsv(cols), `${stem}.csv`);
  return {
    key: stem,
    condition: e.condition,
    replicate: e.replicate,
    t: e.t,
    files: [h5, csv],
    info: { objects: o.id.length, input: e.sha256, timeS: Number.isFinite(e.timeS) ? e.timeS : "" },
  };
}

/** The bytes of a label file (HDF5 built in memory, object times cleared so equal labels give equal bytes). */
async function labelFileBytes(labels: Uint32Array, H: number, W: number, e: FrameEntry): Promise<Uint8Array> {
  const { H5File } = await import("@hyped/core/hdf5");
  const f = await H5File.create(null, { reproducible: true });
  let bytes: Uint8Array;
  try {
    f.writeDataset(LABELS_DATASET, labels, { shape: [H, W], chunks: [Math.min(512, H), Math.min(512, W)], compression: "gzip", level: 1 });
    f.setAttr(LABELS_DATASET, "condition", e.condition);
    f.setAttr(LABELS_DATASET, "replicate", e.replicate, "int32");
    f.setAttr(LABELS_DATASET, "time_index", e.t, "int32");
    bytes = f.bytes().slice();
  } finally {
    f.close();
  }
  return bytes;
}

/** Read the label image of one frame (`<stem>.h5` of a segmentation folder) as uint32 `[height, width]`. */
export async function readLabelFile(path: string): Promise<{ data: Uint32Array; shape: [number, number] }> {
  const { H5File } = await import("@hyped/core/hdf5");
  const f = await H5File.open(path);
  try {
    const a = f.read(LABELS_DATASET);
    if (a.shape.length !== 2 || !(a.data instanceof Uint32Array))
      throw new HypedError("FORMAT", `${path}: ${LABELS_DATASET} must be a 2-D uint32 dataset, got [${a.shape}]`, { file: path });
    return { data: a.data, shape: [a.shape[0] as number, a.shape[1] as number] };
  } finally {
    f.close();
  }
}

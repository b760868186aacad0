/**
 * `trackSegmentation`: per scene, link the objects of a segmentation folder into tracks with divisions
 * (`trackCells`), and write the Cell Tracking Challenge result (`<scene>/res_track.txt` and
 * `<scene>/maskTTT.tif`, frames relabelled one at a time) plus a tidy table `<scene>.csv`. Node only.
 */
import { HypedError, type LongTaskOptions, progressReporter, throwIfAborted } from "@hyped/core";
import { ctcLineage, ctcMaskName, ctcRelabel, encodeCtcMask } from "../tracking/ctc.js";
import { type TrackCellsOptions, trackCells } from "../tracking/track.js";
import type { FrameObjects } from "../tracking/types.js";
import { mergeStepManifests, type StepItem, StepLedger, type StepManifest } from "./manifest.js";
import { columnsToCsv, csvToColumns, type OutputFile, removeStaleTemps, writeFileAtomic } from "./outputs.js";
import { readLabelFile, type StepResult, sceneStem } from "./segment.js";

/** Options of {@link trackSegmentation}. */
export interface TrackSegmentationOptions extends LongTaskOptions {
  /** Shard `[i, n]`: track scenes k with k mod n = i (scenes sorted by condition, replicate). */
  shard?: [number, number];
  /** Tracker options (defaults of {@link trackCells}); `fieldSize` comes from the segmentation. */
  tracker?: Omit<TrackCellsOptions, "fieldSize" | "signal" | "onProgress">;
  /** Write the CTC `maskTTT.tif` files (default true; `res_track.txt` and the table are always written). */
  masks?: boolean;
  /** Use these segmentation items instead of `segDir`'s complete manifest (a pipeline shard's own frames). */
  segmentation?: StepManifest;
  /** Track exactly these scenes (keys such as `control_r1`) instead of the shard's `k mod n` share. */
  scenes?: ReadonlySet<string>;
}

/** One scene of a segmentation: its frame items sorted by time. */
export interface SegmentedScene {
  condition: string;
  replicate: number;
  key: string;
  frames: StepItem[];
}

/** Group the items of a segmentation manifest by scene (sorted by condition, replicate; frames by time). */
export function segmentedScenes(seg: StepManifest): SegmentedScene[] {
  const by = new Map<string, SegmentedScene>();
  for (const it of seg.items) {
    const key = sceneStem(it.condition, it.replicate);
    let s = by.get(key);
    if (!s) by.set(key, (s = { condition: it.condition, replicate: it.replicate, key, frames: [] }));
    s.frames.push(it);
  }
  const scenes = [...by.values()].sort((a, b) =>
    a.condition < b.condition ? -1 : a.condition > b.condition ? 1 : a.replicate - b.replicate,
  );
  for (const s of scenes) {
    s.frames.sort((a, b) => (a.t ?? 0) - (b.t ?? 0));
    s.frames.forEach((f, k) => {
      if (f.t !== k)
        throw new HypedError("NOT_FOUND", `scene ${s.key} has no segmented frame at time index ${k} (next is ${f.t})`, {
          scene: s.key,
          t: k,
        });
    });
  }
  return scenes;
}

/** Digest of a scene's input files (their checksums), to tell when a scene must be redone. */
export async function inputDigest(items: readonly StepItem[]): Promise<string> {
  const { createHash } = await import("node:crypto");
  const h = createHash("sha256");
  for (const it of items) for (const f of it.files) h.update(`${it.key}:${f.file}:${f.sha256}\n`);
  return h.digest("hex");
}

/** Read a frame's object table (`<stem>.csv` of a segmentation folder). */
export async function readObjectTable(path: string): Promise<Record<string, Float64Array>> {
  const { readFile } = await import("node:fs/promises");
  const text = await readFile(path, "utf8");
  const header = (text.slice(0, text.indexOf("\n")) || "").split(",");
  return csvToColumns(text, path, header) as Record<string, Float64Array>;
}

/**
 * Track every scene of the segmentation in `segDir` (its complete `segment.json`, or all of its shards) into
 * `outDir`. Per scene `<scene>` (e.g. `control_r1`): `<scene>/res_track.txt` (CTC `L B E P` lines),
 * `<scene>/maskTTT.tif` (16-bit CTC labels) and `<scene>.csv`, one row per segmented object with columns
 * `t, object_id, track_id, parent, generation, ctc_label, x, y, area` and the table's `mean_<channel>`
 * columns (`track_id` 0 for an object in no track; `parent` is the track's parent track, 0 for none).
 * Memory: one scene's object tables plus one label frame. Recorded in `track.json` (resumable, atomic).
 */
export async function trackSegmentation(segDir: string, outDir: string, options: TrackSegmentationOptions = {}): Promise<StepResult> {
  const started = performance.now();
  const { signal } = options;
  const fs = await import("node:fs/promises");
  const { join } = await import("node:path");
  const seg = options.segmentation ?? ((await mergeStepManifests(segDir, "segment", true)) as StepManifest);
  const [H, W] = seg.params.shape as [number, number];
  await fs.mkdir(outDir, { recursive: true });
  const params = { tracker: options.tracker ?? {}, masks: options.masks ?? true, fieldSize: [H, W] };
  const ledger = await StepLedger.open(outDir, "track", params, options.shard);
  const all = segmentedScenes(seg);
  const scenes = pickScenes(all, options.shard, options.scenes);
  const mine = new Set(scenes.map((s) => s.key));
  await removeStaleTemps(outDir, (n) => mine.has(n.replace(/\.csv$/, "")) || n === ledger.path.slice(outDir.length + 1));
  const progress = progressReporter(options.onProgress, "scenes", scenes.length, "tracking");
  return runScenes(ledger, scenes, "trackSegmentation", progress, started, signal, inputDigestOfFrames, async (s, digest) => {
    await fs.mkdir(join(outDir, s.key), { recursive: true });
    await removeStaleTemps(join(outDir, s.key), () => true);
    return trackScene(segDir, outDir, s, [H, W], digest, options);
  });
}

const inputDigestOfFrames = (s: SegmentedScene) => inputDigest(s.frames);

/**
 * The resumable scene loop of the track and phases steps: per scene, in order, skip it when `ledger` holds it
 * finished with the same input digest (`digestOf`), else `compute` its item and record it; one progress tick
 * per scene. The ledger is saved (complete only when every scene succeeded) even when a scene fails; the
 * failure is then rethrown. `what` names the step in an `ABORTED` error.
 */
export async function runScenes<S extends { key: string }>(
  ledger: StepLedger,
  scenes: S[],
  what: string,
  progress: { tick(): void; finish(): void },
  started: number,
  signal: AbortSignal | undefined,
  digestOf: (s: S) => Promise<string>,
  compute: (s: S, digest: string) => Promise<StepItem>,
): Promise<StepResult> {
  let computed = 0;
  let skipped = 0;
  let failure: unknown;
  try {
    for (const s of scenes) {
      throwIfAborted(signal, what);
      const digest = await digestOf(s);
      const done = await ledger.finished(s.key, signal);
      if (done && done.info?.input === digest) skipped++;
      else {
        await ledger.record(await compute(s, digest));
        computed++;
      }
      progress.tick();
    }
  } catch (e) {
    failure = e;
  }
  const manifest = await ledger.save(failure === undefined, new Set(scenes.map((s) => s.key)));
  if (failure !== undefined) throw failure;
  progress.finish();
  return { manifest, total: scenes.length, computed, skipped, seconds: (performance.now() - started) / 1000 };
}

async function trackScene(
  segDir: string,
  outDir: string,
  s: SegmentedScene,
  [H, W]: [number, number],
  digest: string,
  options: TrackSegmentationOptions,
): Promise<StepItem> {
  const { join } = await import("node:path");
  const { signal } = options;
  const tables: Record<string, Float64Array>[] = [];
  for (const f of s.frames) tables.push(await readObjectTable(join(segDir, `${f.key}.csv`)));
  const objects: FrameObjects[] = tables.map((t) => ({ id: t.id, x: t.x, y: t.y, area: t.area }));
  const res = trackCells(objects, { ...(options.tracker ?? {}), fieldSize: [H, W], ...(signal ? { signal } : {}) });
  const lin = ctcLineage(res);
  const files: OutputFile[] = [];
  const rel = (name: string) => `${s.key}/${name}`;
  files.push(await writeFileAtomic(join(outDir, s.key, "res_track.txt"), lin.resTrack, rel("res_track.txt")));
  if (options.masks ?? true) {
    for (let t = 0; t < s.frames.length; t++) {
      throwIfAborted(signal, "trackSegmentation");
      const lab = await readLabelFile(join(segDir, `${(s.frames[t] as StepItem).key}.h5`));
      const bytes = encodeCtcMask(ctcRelabel(lab.data, lin.labelOf[t] as Map<number, number>), H, W);
      const name = ctcMaskName(t, s.frames.length);
      files.push(await writeFileAtomic(join(outDir, s.key, name), bytes, rel(name)));
    }
  }
  // the tidy table: every object of every frame
  const parentOf = new Map<number, [number, number]>();
  res.lineage.id.forEach((id, k) => {
    parentOf.set(id, [res.lineage.parent[k] as number, res.lineage.generation[k] as number]);
  });
  const means = Object.keys(tables[0] ?? {}).filter((k) => k.startsWith("mean_"));
  const cols: Record<string, number[]> = Object.fromEntries(
    ["t", "object_id", "track_id", "parent", "generation", "ctc_label", "x", "y", "area", ...means].map((k) => [k, [] as number[]]),
  );
  const push = (k: string, v: number) => (cols[k] as number[]).push(v);
  tables.forEach((tab, t) => {
    const ot = res.objectTrack[t] as Int32Array;
    for (let i = 0; i < (tab.id as Float64Array).length; i++) {
      const id = tab.id?.[i] as number;
      const tr = ot[i] ?? 0;
      const [parent, generation] = parentOf.get(tr) ?? [0, 0];
      push("t", t);
      push("object_id", id);
      push("track_id", tr);
      push("parent", parent);
      push("generation", generation);
      push("ctc_label", (lin.labelOf[t] as Map<number, number>).get(id) ?? 0);
      push("x", tab.x?.[i] as number);
      push("y", tab.y?.[i] as number);
      push("area", tab.area?.[i] as number);
      for (const m of means) push(m, tab[m]?.[i] as number);
    }
  });
  files.push(await writeFileAtomic(join(outDir, `${s.key}.csv`), columnsToCsv(cols), `${s.key}.csv`));
  return {
    key: s.key,
    condition: s.condition,
    replicate: s.replicate,
    files,
    info: { input: digest, frames: s.frames.length, tracks: res.summary.tracks, divisions: res.summary.divisions },
  };
}

/** The scenes a run takes: the given keys, else the shard's `k mod n` share, else all. */
export function pickScenes<T extends { key: string }>(all: T[], shard?: [number, number], keys?: ReadonlySet<string>): T[] {
  if (keys) return all.filter((s) => keys.has(s.key));
  return shard ? all.filter((_, k) => k % shard[1] === shard[0]) : all;
}

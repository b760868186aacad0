/**
 * `runPipeline`: the paper's imaging pipeline over a frame store — segmentation, tracking, FUCCI phases,
 * the phase distribution and SNR — into one output folder, resumable and shardable by scene. Node only.
 */
import { type LongTaskOptions, type ProgressEvent, throwIfAborted } from "@hyped/core";
import type { PhaseDistributionRow } from "../cellcycle/distribution.js";
import { type OpenFrameStoreOptions, openFrameStore, parseForeignName } from "../frames/store.js";
import { mergeStepManifests } from "./manifest.js";
import { columnsToCsv, writeFileAtomic } from "./outputs.js";
import { callPhases, finishPhases } from "./phases.js";
import { type PipelineSegmentParams, type StepResult, sceneStem, segmentStore, storeScenes } from "./segment.js";
import { type SnrRow, storeSnr } from "./snr.js";
import { trackSegmentation } from "./track.js";

/** Sub-folders of a pipeline output folder, and the SNR table's name. */
export const PIPELINE_LAYOUT = { segment: "segmentation", track: "tracks", phases: "phases", snr: "snr.csv" } as const;

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions extends PipelineSegmentParams, LongTaskOptions {
  /** Segmentation worker threads. Default 2. */
  workers?: number;
  /** Shard `[i, n]`: this run takes scenes k with k mod n = i through every per-scene step. */
  shard?: [number, number];
  /** Hours between frames for frames without capture times (see `callPhases`). */
  frameIntervalH?: number;
  /** Write the CTC mask TIFFs. Default true. */
  masks?: boolean;
  /** How to read frame files without our attributes (default: the release's names, see {@link releaseNameParser}). */
  foreign?: OpenFrameStoreOptions["foreign"];
}

/** What {@link runPipeline} (or {@link finishPipeline}) did. */
export interface PipelineResult {
  segment: StepResult;
  track: StepResult;
  phases: StepResult;
  /** Present once every shard is done and the outputs were merged (always for an unsharded run). */
  merged?: { distribution: PhaseDistributionRow[]; svg: string; snr: SnrRow[] };
}

/**
 * File names of the release's foreign frames: `<condition>_<replicate>_<time>.h5` (also `-` separators and
 * `r`/`rep`/`t` prefixes, e.g. `siPRRX1+mmMYOD1_r2_t0007.h5`, optionally in sub-folders). Other names fall back
 * to {@link parseForeignName} (one series per name stem, replicate 1).
 */
export function releaseNameParser(relPath: string): { condition: string; replicate: number; order: number } {
  const base = relPath.slice(relPath.lastIndexOf("/") + 1);
  const m = /^(.+?)[_-](?:r|rep)?(\d+)[_-]t?(\d+)\.(?:h5|hdf5|hdf)$/i.exec(base);
  if (!m) return parseForeignName(relPath);
  return { condition: m[1] as string, replicate: Number(m[2]), order: Number(m[3]) };
}

/**
 * Run the pipeline on the frame store at `framesDir` into `outDir`:
 * `segmentation/` ({@link segmentStore}), `tracks/` ({@link trackSegmentation}), `phases/` ({@link callPhases}),
 * then, when every scene is done, `phases/phase_distribution.{csv,svg}` and `snr.csv` ({@link storeSnr}).
 * With `shard: [i, n]` each process takes whole scenes, so n processes on a shared folder need no
 * coordination; the one that finishes last merges (or run {@link finishPipeline}). Every step is atomic and
 * resumable: rerunning after a kill redoes only unfinished items. Progress events carry the step in `label`.
 */
export async function runPipeline(framesDir: string, outDir: string, options: RunPipelineOptions = {}): Promise<PipelineResult> {
  const { join } = await import("node:path");
  const { signal, shard } = options;
  const store = await openFrameStore(framesDir, { foreign: { parseName: releaseNameParser, ...(options.foreign ?? {}) } });
  const step = (label: string) => (e: ProgressEvent) => options.onProgress?.({ ...e, label });
  const dirs = {
    seg: join(outDir, PIPELINE_LAYOUT.segment),
    track: join(outDir, PIPELINE_LAYOUT.track),
    phases: join(outDir, PIPELINE_LAYOUT.phases),
  };
  const mine = new Set(
    storeScenes(store)
      .filter((_, k) => !shard || k % shard[1] === shard[0])
      .map((s) => sceneStem(s.condition, s.replicate)),
  );
  const segment = await segmentStore(store, dirs.seg, {
    ...pick(options, ["clipPercentile", "sigma", "channels", "workers", "signal"]),
    ...(shard ? { shard, shardBy: "scene" as const } : {}),
    onProgress: step("segment"),
  });
  throwIfAborted(signal, "runPipeline");
  const track = await trackSegmentation(dirs.seg, dirs.track, {
    segmentation: segment.manifest,
    scenes: mine,
    ...(shard ? { shard } : {}),
    ...pick(options, ["masks", "signal"]),
    onProgress: step("track"),
  });
  throwIfAborted(signal, "runPipeline");
  const phases = await callPhases(store, dirs.track, dirs.phases, {
    tracks: track.manifest,
    scenes: mine,
    ...(shard ? { shard } : {}),
    ...pick(options, ["frameIntervalH", "signal"]),
    onProgress: step("phases"),
  });
  const merged = await finishPipeline(framesDir, outDir, { ...pick(options, ["foreign", "signal"]), onProgress: step("merge") });
  return { segment, track, phases, ...(merged ? { merged } : {}) };
}

/**
 * Merge the shard manifests of every step in `outDir` and write the outputs that need all scenes (the phase
 * distribution and the SNR table). Resolves to `undefined` (writing nothing) while a shard is unfinished.
 */
export async function finishPipeline(
  framesDir: string,
  outDir: string,
  options: LongTaskOptions & Pick<RunPipelineOptions, "foreign"> = {},
): Promise<PipelineResult["merged"] | undefined> {
  const { join } = await import("node:path");
  const dirs = [PIPELINE_LAYOUT.segment, PIPELINE_LAYOUT.track, PIPELINE_LAYOUT.phases].map((d) => join(outDir, d)) as [
    string,
    string,
    string,
  ];
  if (!(await mergeStepManifests(dirs[0], "segment"))) return undefined;
  if (!(await mergeStepManifests(dirs[1], "track"))) return undefined;
  const dist = await finishPhases(dirs[2]);
  if (!dist) return undefined;
  const store = await openFrameStore(framesDir, { foreign: { parseName: releaseNameParser, ...(options.foreign ?? {}) } });
  const snr = await storeSnr(store, dirs[0], pick(options, ["signal", "onProgress"]));
  const cols = ["condition", "replicate", "channel", "snr_db", "mean_fg", "mean_bg", "std_bg", "n_fg", "n_bg"] as const;
  await writeFileAtomic(
    join(outDir, PIPELINE_LAYOUT.snr),
    columnsToCsv(Object.fromEntries(cols.map((k) => [k, snr.map((r) => r[k])])) as never),
  );
  return { distribution: dist.rows, svg: dist.svg, snr };
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

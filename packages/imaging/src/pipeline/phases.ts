/**
 * `callPhases`: FUCCI phase per nucleus and frame (`classifyCellCycle`, Otsu thresholds per scene, smoothed
 * along tracks), per-track phase sequences, and the phase distribution over time per condition (Figure 2a,
 * CSV + SVG) once every scene is done. Reads a tracking folder and the frame store (for capture times).
 * Node only.
 */
import { HypedError, type LongTaskOptions, progressReporter } from "@hyped/core";
import { classifyCellCycle } from "../cellcycle/classify.js";
import { phaseDistribution } from "../cellcycle/distribution.js";
import { CELL_CYCLE_PHASES, phaseName } from "../cellcycle/phases.js";
import type { FrameStore } from "../frames/store.js";
import { mergeStepManifests, type StepItem, StepLedger, type StepManifest } from "./manifest.js";
import { columnsToCsv, csvToColumns, removeStaleTemps, writeFileAtomic } from "./outputs.js";
import type { StepResult } from "./segment.js";
import { inputDigest, pickScenes, readObjectTable, runScenes } from "./track.js";

/** The paper's frame interval, hours (20 minutes), used when the frames carry no capture times. */
export const DEFAULT_FRAME_INTERVAL_H = 1 / 3;

/** Options of {@link callPhases}. */
export interface CallPhasesOptions extends LongTaskOptions {
  /** Shard `[i, n]`: scenes k with k mod n = i (scenes sorted by condition, replicate). */
  shard?: [number, number];
  /** Red (G1) reporter column. Default `'mKate'`. */
  redChannel?: string;
  /** Green (S/G2/M) reporter column. Default `'TagGFP'`. */
  greenChannel?: string;
  /**
   * Hours between frames, for frames without capture times (foreign layouts). Default: the frames' own
   * times when every frame has one, else {@link DEFAULT_FRAME_INTERVAL_H}.
   */
  frameIntervalH?: number;
  /** Use these tracking items instead of `tracksDir`'s complete manifest (a pipeline shard's own scenes). */
  tracks?: StepManifest;
  /** Call exactly these scenes instead of the shard's `k mod n` share. */
  scenes?: ReadonlySet<string>;
}

/**
 * The time axis of a scene in hours: the frames' capture times when all are known (and no interval is
 * given), else `t x interval`; both computed as seconds / 3600, so a store and its foreign copy agree to the bit.
 */
export function sceneHours(store: FrameStore, condition: string, replicate: number, frames: number, intervalH?: number): number[] {
  const ts = Array.from({ length: frames }, (_, t) => store.entry(condition, replicate, t)?.timeS ?? Number.NaN);
  if (intervalH === undefined && ts.every(Number.isFinite)) return ts.map((s) => s / 3600);
  const dtS = Math.round((intervalH ?? DEFAULT_FRAME_INTERVAL_H) * 3600 * 1e6) / 1e6;
  return ts.map((_, t) => (t * dtS) / 3600);
}

/**
 * Call phases for every scene of the tracking in `tracksDir` into `outDir`. Per scene `<scene>`:
 * `<scene>.csv` (one row per nucleus and frame: `t, time_h, object_id, track_id, red, green, raw_phase,
 * phase, phase_name`; codes index `CELL_CYCLE_PHASES`) and `<scene>_tracks.csv` (one row per track:
 * `track_id, parent, start, end, sequence`, the run-length phase sequence such as `G1*5 G1/S*2`). When the
 * last scene (of all shards) is done, {@link finishPhases} writes the distribution. Recorded in
 * `phases.json`; resumable and atomic like the other steps.
 */
export async function callPhases(
  store: FrameStore,
  tracksDir: string,
  outDir: string,
  options: CallPhasesOptions = {},
): Promise<StepResult> {
  const started = performance.now();
  const { signal } = options;
  const fs = await import("node:fs/promises");
  const { join } = await import("node:path");
  const tracks = options.tracks ?? ((await mergeStepManifests(tracksDir, "track", true)) as StepManifest);
  await fs.mkdir(outDir, { recursive: true });
  const red = options.redChannel ?? "mKate";
  const green = options.greenChannel ?? "TagGFP";
  const params = { red, green, frameIntervalH: options.frameIntervalH ?? null, mapping: "incucyte" };
  const ledger = await StepLedger.open(outDir, "phases", params, options.shard);
  const all = [...tracks.items].sort((a, b) =>
    a.condition < b.condition ? -1 : a.condition > b.condition ? 1 : a.replicate - b.replicate,
  );
  const scenes = pickScenes(all, options.shard, options.scenes);
  const mine = new Set(scenes.map((s) => s.key));
  await removeStaleTemps(outDir, (n) => mine.has(n.replace(/(_tracks)?\.csv$/, "")) || n === ledger.path.slice(outDir.length + 1));
  const progress = progressReporter(options.onProgress, "scenes", scenes.length, "calling phases");
  return runScenes(
    ledger,
    scenes,
    "callPhases",
    progress,
    started,
    signal,
    (s) => inputDigest([s]),
    async (s, digest) => {
      const tab = await readObjectTable(join(tracksDir, `${s.key}.csv`));
      for (const c of [red, green])
        if (!tab[`mean_${c}`]) throw new HypedError("NOT_FOUND", `${s.key}.csv has no mean_${c} column`, { scene: s.key, channel: c });
      const frames = Number(s.info?.frames ?? 0);
      const hours = sceneHours(store, s.condition, s.replicate, frames, options.frameIntervalH);
      return phaseScene(outDir, s, tab, hours, red, green, digest);
    },
  );
}

async function phaseScene(
  outDir: string,
  s: StepItem,
  tab: Record<string, Float64Array>,
  hours: number[],
  red: string,
  green: string,
  digest: string,
): Promise<StepItem> {
  const { join } = await import("node:path");
  const t = tab.t as Float64Array;
  const trackId = tab.track_id as Float64Array;
  const calls = classifyCellCycle({ [red]: tab[`mean_${red}`], [green]: tab[`mean_${green}`] } as never, {
    redChannel: red,
    greenChannel: green,
    smooth: { trackId, frame: t },
  });
  const n = t.length;
  const perObject = {
    t,
    time_h: Float64Array.from(t, (v) => hours[v] ?? Number.NaN),
    object_id: tab.object_id as Float64Array,
    track_id: trackId,
    red: tab[`mean_${red}`] as Float64Array,
    green: tab[`mean_${green}`] as Float64Array,
    raw_phase: calls.raw,
    phase: calls.phase,
    phase_name: Array.from(calls.phase, (p) => phaseName(p)),
  };
  const a = await writeFileAtomic(join(outDir, `${s.key}.csv`), columnsToCsv(perObject), `${s.key}.csv`);
  // per-track sequences (rows are in frame order within each frame block, so sort by track then t)
  const order = Array.from({ length: n }, (_, i) => i)
    .filter((i) => (trackId[i] as number) > 0)
    .sort((i, j) => (trackId[i] as number) - (trackId[j] as number) || (t[i] as number) - (t[j] as number));
  const seq = { track_id: [] as number[], parent: [] as number[], start: [] as number[], end: [] as number[], sequence: [] as string[] };
  for (let k = 0; k < order.length; ) {
    const id = trackId[order[k] as number] as number;
    const runs: string[] = [];
    const first = order[k] as number;
    let last = first;
    while (k < order.length && trackId[order[k] as number] === id) {
      const i = order[k] as number;
      const p = phaseName(calls.phase[i] as number);
      const prev = runs[runs.length - 1];
      const m = prev ? /^(.*)\*(\d+)$/.exec(prev) : null;
      if (m && m[1] === p) runs[runs.length - 1] = `${p}*${Number(m[2]) + 1}`;
      else runs.push(`${p}*1`);
      last = i;
      k++;
    }
    seq.track_id.push(id);
    seq.parent.push(tab.parent?.[first] as number);
    seq.start.push(t[first] as number);
    seq.end.push(t[last] as number);
    seq.sequence.push(runs.join(" "));
  }
  const b = await writeFileAtomic(join(outDir, `${s.key}_tracks.csv`), columnsToCsv(seq), `${s.key}_tracks.csv`);
  return { key: s.key, condition: s.condition, replicate: s.replicate, files: [a, b], info: { input: digest, objects: n } };
}

/**
 * Once every scene's phases are done (all shards complete): merge the manifests and write
 * `phase_distribution.csv` (condition, time_h, phase, count, fraction, total) and `phase_distribution.svg`
 * (Figure 2a) over all scenes. Returns the rows, or `undefined` when shards are still missing.
 */
export async function finishPhases(
  outDir: string,
): Promise<{ rows: Awaited<ReturnType<typeof phaseDistribution>>["rows"]; svg: string } | undefined> {
  const { join } = await import("node:path");
  const { readFile } = await import("node:fs/promises");
  const m = await mergeStepManifests(outDir, "phases");
  if (!m) return undefined;
  const phase: number[] = [];
  const condition: string[] = [];
  const time: number[] = [];
  for (const it of [...m.items].sort((a, b) => (a.key < b.key ? -1 : 1))) {
    const path = join(outDir, `${it.key}.csv`);
    const c = csvToColumns(await readFile(path, "utf8"), path, ["phase", "time_h"]);
    const p = c.phase as Float64Array;
    const h = c.time_h as Float64Array;
    for (let i = 0; i < p.length; i++) {
      phase.push(p[i] as number);
      condition.push(it.condition);
      time.push(Math.round((h[i] as number) * 1e6) / 1e6);
    }
  }
  const dist = await phaseDistribution(
    { phase, condition, time_h: time },
    { by: ["condition", "time_h"], svg: true, title: "Cell-cycle phases over time", xTitle: "time (h)", phases: CELL_CYCLE_PHASES },
  );
  const cols = ["condition", "time_h", "phase", "count", "fraction", "total"];
  const table = Object.fromEntries(cols.map((k) => [k, dist.rows.map((r) => r[k] as never)]));
  await writeFileAtomic(join(outDir, "phase_distribution.csv"), columnsToCsv(table));
  await writeFileAtomic(join(outDir, "phase_distribution.svg"), dist.svg ?? "");
  return { rows: dist.rows, svg: dist.svg ?? "" };
}

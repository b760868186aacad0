/**
 * Writes `report.md` from the tables, figures and accuracy figures of a demo run, and turns the outputs of
 * `hyped pipeline` into report tables (the same code for the demo and for `hyped pipeline`).
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { H5File } from "@hyped/core/hdf5";
import {
  csvToColumns,
  evaluateTrackingMasks,
  frameStem,
  mergeStepManifests,
  openFrameStore,
  PIPELINE_LAYOUT,
  readLabelFile,
  readObjectTable,
  releaseNameParser,
  type StepManifest,
  scoreSegmentation,
  segmentedScenes,
} from "@hyped/imaging";
import { rowsToCsv } from "@hyped/seq";
import type { DemoContext, ReportTable } from "./context.js";
import type { SeqDemoSummary } from "./seq.js";

/** Accuracy figures against the ground truth (when the data has a truth folder). */
export interface ImagingDemoSummary {
  frames: number;
  objects: number;
  segmentationF1?: number;
  tra?: number;
  divisionsFound?: number;
  phaseAccuracy?: number;
}

const fmt = (v: unknown): string => {
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "n/a";
    if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
    if (Number.isInteger(v)) return String(v);
    return Math.abs(v) >= 1000 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4);
  }
  if (v === null || v === undefined) return "";
  return String(v).replaceAll("|", "\\|");
};

/** A markdown table of `rows` (all columns, or `columns`). */
export function markdownTable(t: Pick<ReportTable, "rows" | "columns">): string {
  if (t.rows.length === 0) return "_(no rows)_\n";
  const cols = t.columns ?? [...new Set(t.rows.flatMap((r) => Object.keys(r)))];
  return (
    [
      `| ${cols.join(" | ")} |`,
      `|${cols.map(() => "---").join("|")}|`,
      ...t.rows.map((r) => `| ${cols.map((c) => fmt(r[c])).join(" | ")} |`),
    ].join("\n") + "\n"
  );
}

/** Pass/fail line for a figure with a target. */
function target(name: string, value: number | undefined, min: number): Record<string, unknown> {
  return {
    measure: name,
    value: value === undefined ? "n/a (no truth)" : value,
    target: `≥ ${min}`,
    met: value === undefined ? "n/a" : value >= min ? "yes" : "NO",
  };
}

/** Assemble report.md. */
export function renderReport(
  ctx: DemoContext,
  info: { data: string; seed?: number; scale?: string; started: Date; seconds: number },
  imaging: ImagingDemoSummary | undefined,
  seq: SeqDemoSummary | undefined,
): string {
  const out: string[] = [];
  out.push("# HYPED demo report\n");
  out.push(
    `Run on ${info.started.toISOString()} in ${info.seconds.toFixed(1)} s; data: \`${info.data}\`${info.scale ? ` (synthetic ${info.scale}, seed ${info.seed})` : ""}. Every number below was computed in this run.\n`,
  );
  const acc: Record<string, unknown>[] = [];
  if (imaging) {
    acc.push(target("segmentation F1 at IoU 0.5", imaging.segmentationF1, 0.95));
    acc.push(target("tracking TRA (CTC)", imaging.tra, 0.95));
    acc.push(target("divisions found", imaging.divisionsFound, 0.9));
    acc.push(target("FUCCI phase accuracy away from transitions", imaging.phaseAccuracy, 0.95));
  }
  if (seq) {
    acc.push(target("demultiplexing: singlet accuracy", seq.singletAccuracy, 0.98));
    acc.push(target("demultiplexing: doublet recall", seq.doubletRecall, 0.9));
    acc.push({
      measure: "cell-cycle score vs true phase (unsorted cells)",
      value: seq.phaseAccuracy ?? "n/a",
      target: "(descriptive)",
      met: "",
    });
  }
  out.push("## Accuracy against the ground truth\n");
  out.push(markdownTable({ rows: acc }));
  for (const t of ctx.tables) {
    out.push(`## ${t.title}\n`);
    out.push(markdownTable(t));
    if (t.note) out.push(`${t.note}\n`);
    out.push(`CSV/JSON: \`tables/${t.name}.csv\`, \`tables/${t.name}.json\`\n`);
  }
  if (ctx.figures.length) {
    out.push("## Figures\n");
    for (const f of ctx.figures) out.push(`### ${f.title}\n\n![${f.title}](${f.file})\n`);
  }
  if (ctx.notes.length) out.push(`## Notes\n\n${ctx.notes.map((n) => `- ${n}`).join("\n")}\n`);
  out.push("## Timings\n");
  out.push(markdownTable({ rows: ctx.timings.map((t) => ({ step: t.step, seconds: t.seconds, cpu_seconds: t.cpu_seconds })) }));
  out.push("CPU seconds count this process only (conversion workers run in their own threads).\n");
  return out.join("\n");
}

/**
 * Add the imaging tables and figures of a finished `hyped pipeline` output folder to the report: the phase
 * distribution (Figure 2a and its table), the SNR table and, when `truthDir` holds `<condition>_<replicate>.h5`
 * truth files (as the synthetic dataset has), the accuracy per scene. Reads the pipeline's files only, so
 * the demo and `hyped pipeline` report the same numbers.
 */
export async function reportPipeline(
  ctx: DemoContext,
  framesDir: string,
  pipelineDir: string,
  options: { truthDir?: string } = {},
): Promise<ImagingDemoSummary> {
  const store = await openFrameStore(framesDir, { foreign: { parseName: releaseNameParser } });
  const phasesDir = join(pipelineDir, PIPELINE_LAYOUT.phases);
  const distPath = join(phasesDir, "phase_distribution.csv");
  const dist = csvToColumns(await readFile(distPath, "utf8"), distPath, ["time_h", "count", "fraction", "total"]);
  const rows = (dist.phase as string[]).map((phase, i) => ({
    condition: (dist.condition as string[])[i] as string,
    time: (dist.time_h as Float64Array)[i] as number,
    phase,
    count: (dist.count as Float64Array)[i] as number,
    fraction: (dist.fraction as Float64Array)[i] as number,
    total: (dist.total as Float64Array)[i] as number,
  }));
  await ctx.figure(
    "fig2a_phase_distribution.svg",
    "Figure 2a: distribution of FUCCI phases over time per condition",
    await readFile(join(phasesDir, "phase_distribution.svg"), "utf8"),
  );
  const lastTime = Math.max(...rows.map((r) => r.time));
  await ctx.table({
    name: "phase_distribution",
    title: `Phase fractions per condition at the last time point (${lastTime.toFixed(1)} h); every time point is in tables/phase_distribution_all.csv`,
    rows: rows.filter((r) => r.time === lastTime),
    columns: ["condition", "phase", "count", "fraction"],
  });
  await ctx.write("tables/phase_distribution_all.csv", rowsToCsv(rows));
  const snrPath = join(pipelineDir, PIPELINE_LAYOUT.snr);
  const snr = csvToColumns(await readFile(snrPath, "utf8"), snrPath, ["replicate", "snr_db", "mean_fg", "mean_bg", "std_bg"]);
  const snrRows = (snr.channel as string[]).map((channel, i) => ({
    condition: (snr.condition as string[])[i],
    replicate: (snr.replicate as Float64Array)[i],
    channel,
    snr_db: (snr.snr_db as Float64Array)[i],
    mean_fg: (snr.mean_fg as Float64Array)[i],
    mean_bg: (snr.mean_bg as Float64Array)[i],
    std_bg: (snr.std_bg as Float64Array)[i],
  }));
  await ctx.table({ name: "snr", title: "SNR per channel at t = 0 (foreground = segmentation mask; mean-fg/std-bg in dB)", rows: snrRows });
  const seg = (await mergeStepManifests(join(pipelineDir, PIPELINE_LAYOUT.segment), "segment", true)) as StepManifest;
  const summary: ImagingDemoSummary = { frames: store.entries.length, objects: 0 };
  for (const s of segmentedScenes(seg)) {
    const tab = await readObjectTable(join(phasesDir, `${s.key}.csv`));
    summary.objects += (tab.t as Float64Array).length;
  }
  if (options.truthDir && existsSync(options.truthDir)) await scoreAgainstTruth(ctx, pipelineDir, seg, options.truthDir, summary);
  return summary;
}

/** Per-scene accuracy of the pipeline's outputs against `<truthDir>/<condition>_<replicate>.h5`. */
async function scoreAgainstTruth(ctx: DemoContext, pipelineDir: string, seg: StepManifest, truthDir: string, summary: ImagingDemoSummary) {
  const acc = { tp: 0, fp: 0, fn: 0, tra: 0, scenes: 0, divFound: 0, divTotal: 0, phaseOk: 0, phaseN: 0 };
  const accRows: Record<string, unknown>[] = [];
  for (const s of segmentedScenes(seg)) {
    const truthPath = join(truthDir, `${s.condition}_${s.replicate}.h5`);
    if (!existsSync(truthPath)) continue;
    const labels: Uint32Array[] = [];
    let shape: [number, number] = [0, 0];
    for (let t = 0; t < s.frames.length; t++) {
      const l = await readLabelFile(join(pipelineDir, PIPELINE_LAYOUT.segment, `${frameStem(s.condition, s.replicate, t)}.h5`));
      labels.push(l.data);
      shape = l.shape;
    }
    const T = labels.length;
    const plane = shape[0] * shape[1];
    const tracks = await readObjectTable(join(pipelineDir, PIPELINE_LAYOUT.track, `${s.key}.csv`));
    const phases = await readObjectTable(join(pipelineDir, PIPELINE_LAYOUT.phases, `${s.key}.csv`));
    const resTrack = (await readFile(join(pipelineDir, PIPELINE_LAYOUT.track, s.key, "res_track.txt"), "utf8")).trim();
    const lines = resTrack ? resTrack.split("\n").map((l) => l.split(" ").map(Number)) : [];
    const tf = await H5File.open(truthPath);
    try {
      const tl = tf.read("/labels");
      const truthFrames = Array.from({ length: T }, (_, t) => (tl.data as Uint16Array).subarray(t * plane, (t + 1) * plane));
      const sc = scoreSegmentation(truthFrames, labels);
      acc.tp += sc.tp;
      acc.fp += sc.fp;
      acc.fn += sc.fn;
      // the CTC result, relabelled from the tracks table
      const ctcOf = Array.from({ length: T }, () => new Map<number, number>());
      const [tt, oid, cl] = [tracks.t, tracks.object_id, tracks.ctc_label] as [Float64Array, Float64Array, Float64Array];
      for (let i = 0; i < tt.length; i++) (ctcOf[tt[i] as number] as Map<number, number>).set(oid[i] as number, cl[i] as number);
      const ctc = new Uint16Array(T * plane);
      labels.forEach((l, t) => {
        const m = ctcOf[t] as Map<number, number>;
        for (let i = 0; i < plane; i++) if (l[i]) ctc[t * plane + i] = m.get(l[i] as number) ?? 0;
      });
      const lineage = { id: tf.read("/lineage/id").data as Int32Array, parent: tf.read("/lineage/parent").data as Int32Array };
      const ev = evaluateTrackingMasks(
        { labels: { data: tl.data as Uint16Array, shape: [T, shape[0], shape[1]] }, lineage },
        {
          labels: { data: ctc, shape: [T, shape[0], shape[1]] },
          lineage: { id: lines.map((l) => l[0] as number), parent: lines.map((l) => l[3] as number) },
        },
      );
      acc.tra += ev.tra;
      acc.scenes++;
      acc.divTotal += ev.divisions.truth;
      acc.divFound += ev.divisions.found;
      // phase accuracy on objects matched to a truth nucleus, away from transitions
      const cellsTrack = tf.read("/cells/trackId").data as Int32Array;
      const cellsFrame = tf.read("/cells/frame").data as Int32Array;
      const cellsPhase = tf.read("/cells/phase").data as Uint8Array;
      const cellsDist = tf.read("/cells/transitionDistance").data as Float64Array;
      const truthPhase = new Map<number, { phase: number; dist: number }>();
      for (let k = 0; k < cellsTrack.length; k++)
        truthPhase.set((cellsFrame[k] as number) * 1e6 + (cellsTrack[k] as number), {
          phase: cellsPhase[k] as number,
          dist: cellsDist[k] as number,
        });
      const matches = labels.map((l, t) => majorityMatch(l, truthFrames[t] as Uint16Array));
      for (let i = 0; i < (phases.t as Float64Array).length; i++) {
        const t = phases.t?.[i] as number;
        const truthId = (matches[t] as Map<number, number>).get(phases.object_id?.[i] as number) ?? 0;
        const tr = truthPhase.get(t * 1e6 + truthId);
        if (!tr || tr.dist < 2) continue;
        acc.phaseN++;
        if (tr.phase === phases.phase?.[i]) acc.phaseOk++;
      }
      accRows.push({
        condition: s.condition,
        replicate: s.replicate,
        segmentation_f1: sc.f1,
        tra: ev.tra,
        divisions_true: ev.divisions.truth,
        divisions_found: ev.divisions.found,
        tracks: lines.length ? new Set((tracks.track_id as Float64Array).filter((v) => v > 0)).size : 0,
      });
    } finally {
      tf.close();
    }
  }
  if (acc.scenes === 0) return;
  summary.segmentationF1 = (2 * acc.tp) / (2 * acc.tp + acc.fp + acc.fn);
  summary.tra = acc.tra / acc.scenes;
  summary.divisionsFound = acc.divTotal ? acc.divFound / acc.divTotal : undefined;
  summary.phaseAccuracy = acc.phaseN ? acc.phaseOk / acc.phaseN : undefined;
  await ctx.table({ name: "imaging_accuracy", title: "Imaging accuracy against the ground truth, per scene", rows: accRows });
}

/** For each predicted object, the truth label it overlaps most (absent if none). */
function majorityMatch(pred: Uint32Array, truth: Uint16Array): Map<number, number> {
  const best = new Map<number, Map<number, number>>();
  for (let i = 0; i < pred.length; i++) {
    const p = pred[i] as number;
    const t = truth[i] as number;
    if (!p || !t) continue;
    let m = best.get(p);
    if (!m) best.set(p, (m = new Map()));
    m.set(t, (m.get(t) ?? 0) + 1);
  }
  const out = new Map<number, number>();
  for (const [p, m] of best) {
    let bt = 0;
    let bc = 0;
    for (const [t, c] of m) if (c > bc) [bt, bc] = [t, c];
    out.set(p, bt);
  }
  return out;
}

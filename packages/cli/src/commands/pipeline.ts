/**
 * `hyped pipeline <frames> --out <dir>`: segmentation, tracking, FUCCI phases, the phase distribution and
 * SNR over a frame store, with one report (`report.md`, written by the demo's report code). `--shard i/n`
 * (or `auto/n` under Slurm arrays and Kubernetes Indexed Jobs) takes whole scenes; the shard that finishes
 * last merges and writes the report, or run `hyped merge`. See docs/cluster.md.
 */
import { join } from "node:path";
import { finishPipeline, runPipeline } from "@hyped/imaging";
import type { Command } from "commander";
import { printJson } from "../context.js";
import { DemoContext } from "../demo/context.js";
import { renderReport, reportPipeline } from "../demo/report.js";
import { numberOption, shardOption, stepBars, stepLine, withCancel } from "../pipeline-cli.js";
import { segmentFlags, segmentValues } from "./segment.js";

interface PipelineFlags {
  out: string;
  shard?: string;
  intervalH?: string;
  masks: boolean;
  truth?: string;
  json?: boolean;
  clipPercentile: string;
  sigma: string;
  channels: string;
  workers: string;
}

/** Write `report.md` (+ tables/, figures/) for a merged pipeline folder; resolves to the accuracy summary. */
async function writeReport(frames: string, out: string, truth: string | undefined, started: Date, log: (s: string) => void) {
  const ctx = new DemoContext(out, false, log);
  const t0 = performance.now();
  const imaging = await reportPipeline(ctx, frames, out, truth ? { truthDir: truth } : {});
  const report = renderReport(ctx, { data: frames, started, seconds: (performance.now() - t0) / 1000 }, imaging, undefined);
  await ctx.write("report.md", report);
  return imaging;
}

const fmt = (v: number | undefined) => (v === undefined ? "n/a" : v.toFixed(3));

/** Register `hyped pipeline` and `hyped merge`. */
export function pipelineCommand(program: Command): void {
  segmentFlags(
    program
      .command("pipeline")
      .description("run segmentation, tracking, FUCCI phases and SNR over a frame store, with a report; resumable and shardable by scene")
      .argument("<frames>", "frame folder (ours with dataset.json, or the release's .h5 files)")
      .requiredOption("--out <dir>", "output folder, shared by all shards (a rerun resumes there)"),
  )
    .option("--shard <i/n>", "take scenes k with k mod n = i; auto/n takes i from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX")
    .option("--interval-h <hours>", "hours between frames when the frames carry no capture times (default 1/3)")
    .option("--no-masks", "skip the CTC mask TIFFs")
    .option("--truth <dir>", "score against ground truth files <condition>_<replicate>.h5 (as the synthetic dataset has)")
    .option("--json", "print the result as JSON")
    .action(async (frames: string, o: PipelineFlags) => {
      const started = new Date();
      const shard = shardOption(o.shard);
      const frameIntervalH = numberOption("--interval-h", o.intervalH, (n) => n > 0);
      const bars = stepBars(!o.json && process.stderr.isTTY === true);
      const r = await withCancel((signal) =>
        runPipeline(frames, o.out, {
          ...segmentValues(o),
          ...(shard ? { shard } : {}),
          ...(frameIntervalH !== undefined ? { frameIntervalH } : {}),
          masks: o.masks,
          signal,
          onProgress: bars.onProgress,
        }),
      ).finally(() => bars.stop());
      const log = (s: string) => (o.json ? undefined : process.stdout.write(`${s}\n`));
      log(stepLine("segment", r.segment, "frames"));
      log(stepLine("track", r.track, "scenes"));
      log(stepLine("phases", r.phases, "scenes"));
      const imaging = r.merged ? await writeReport(frames, o.out, o.truth, started, log) : undefined;
      if (o.json) printJson({ shard: shard ?? null, merged: r.merged !== undefined, imaging: imaging ?? null });
      else if (!imaging) log(`shard ${shard?.[0]}/${shard?.[1]} finished; the last shard to finish merges (or run hyped merge)`);
      else
        log(
          `report: ${join(o.out, "report.md")}; ${imaging.frames} frames, ${imaging.objects} nuclei; segmentation F1 ${fmt(imaging.segmentationF1)}, TRA ${fmt(imaging.tra)}, divisions found ${fmt(imaging.divisionsFound)}, phase accuracy ${fmt(imaging.phaseAccuracy)}`,
        );
    });

  program
    .command("merge")
    .description("merge the shards of a hyped pipeline folder and write the distribution, SNR table and report")
    .argument("<frames>", "the frame folder the pipeline ran on")
    .requiredOption("--out <dir>", "the pipeline's output folder")
    .option("--truth <dir>", "score against ground truth files <condition>_<replicate>.h5")
    .option("--json", "print the result as JSON")
    .action(async (frames: string, o: { out: string; truth?: string; json?: boolean }) => {
      const started = new Date();
      const merged = await withCancel((signal) => finishPipeline(frames, o.out, { signal }));
      if (!merged) {
        const { HypedError } = await import("@hyped/core");
        throw new HypedError("NOT_FOUND", `${o.out}: some shards are not finished (see the *.shard-*.json manifests)`, { dir: o.out });
      }
      const log = (s: string) => (o.json ? undefined : process.stdout.write(`${s}\n`));
      const imaging = await writeReport(frames, o.out, o.truth, started, log);
      if (o.json) printJson({ merged: true, imaging });
      else log(`merged; report: ${join(o.out, "report.md")}`);
    });
}

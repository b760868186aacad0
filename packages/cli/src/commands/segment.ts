/**
 * `hyped segment <frames> --out <dir>`: the paper's segmentation of every frame of a frame store (ours or
 * the release's foreign layout): a uint32 label mask (`<stem>.h5`) and an object table (`<stem>.csv`) per
 * frame, recorded in `segment.json`. Resumable, cancellable (Ctrl-C), shardable by frame.
 */
import { openFrameStore, releaseNameParser, segmentStore } from "@hyped/imaging";
import type { Command } from "commander";
import { printJson } from "../context.js";
import { numberOption, shardOption, stepBars, stepLine, withCancel } from "../pipeline-cli.js";

/** The segmentation flags shared with `hyped pipeline`. */
export function segmentFlags(cmd: Command): Command {
  return cmd
    .option("--clip-percentile <p>", "upper clip percentile of each nuclear channel (the paper's 98)", "98")
    .option("--sigma <px>", "Gaussian sigma in pixels", "1")
    .option("--channels <names>", "nuclear channels stacked for the foreground, comma-separated", "mKate,TagGFP")
    .option("--workers <n>", "segmentation worker threads (0: none)", "2");
}

/** Parse the segmentation flags. */
export function segmentValues(o: { clipPercentile: string; sigma: string; channels: string; workers: string }) {
  return {
    clipPercentile: numberOption("--clip-percentile", o.clipPercentile, (n) => n > 0 && n <= 100) as number,
    sigma: numberOption("--sigma", o.sigma, (n) => n >= 0) as number,
    channels: o.channels.split(",").map((s) => s.trim()),
    workers: numberOption("--workers", o.workers, (n) => Number.isInteger(n) && n >= 0) as number,
  };
}

/** Register `hyped segment`. */
export function segmentCommand(program: Command): void {
  segmentFlags(
    program
      .command("segment")
      .description("segment every frame of a frame store: label masks (HDF5, uint32) and object tables (CSV), resumable")
      .argument("<frames>", "frame folder (ours with dataset.json, or the release's .h5 files)")
      .requiredOption("--out <dir>", "output folder (a rerun resumes there)"),
  )
    .option("--shard <i/n>", "segment only frames k with k mod n = i; auto/n takes i from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX")
    .option("--json", "print the result as JSON")
    .action(
      async (
        frames: string,
        o: { out: string; shard?: string; json?: boolean; clipPercentile: string; sigma: string; channels: string; workers: string },
      ) => {
        const shard = shardOption(o.shard);
        const bars = stepBars(!o.json && process.stderr.isTTY === true);
        const r = await withCancel(async (signal) => {
          const store = await openFrameStore(frames, { foreign: { parseName: releaseNameParser } });
          return segmentStore(store, o.out, { ...segmentValues(o), ...(shard ? { shard } : {}), signal, onProgress: bars.onProgress });
        }).finally(() => bars.stop());
        if (o.json)
          printJson({
            total: r.total,
            computed: r.computed,
            skipped: r.skipped,
            seconds: r.seconds,
            complete: r.manifest.complete,
            peakRssMiB: process.resourceUsage().maxRSS / 1024,
          });
        else
          process.stdout.write(
            `${stepLine("segment", r, "frames")}; outputs in ${o.out}; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB\n`,
          );
      },
    );
}

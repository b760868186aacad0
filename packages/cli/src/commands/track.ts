/**
 * `hyped track <segmentation> --out <dir>`: tracking with divisions per scene, written in the Cell Tracking
 * Challenge format (`<scene>/res_track.txt` + `maskTTT.tif`) and as a tidy table (`<scene>.csv`).
 * Resumable, cancellable, shardable by scene.
 */
import { trackSegmentation } from "@hyped/imaging";
import type { Command } from "commander";
import { printJson } from "../context.js";
import { shardOption, stepBars, stepLine, withCancel } from "../pipeline-cli.js";

/** Register `hyped track`. */
export function trackCommand(program: Command): void {
  program
    .command("track")
    .description("track the segmented nuclei of every scene (CTC res_track.txt + masks, and a tidy CSV), resumable")
    .argument("<segmentation>", "output folder of hyped segment (all shards finished)")
    .requiredOption("--out <dir>", "output folder (a rerun resumes there)")
    .option("--shard <i/n>", "track only scenes k with k mod n = i; auto/n takes i from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX")
    .option("--no-masks", "skip the CTC mask TIFFs (res_track.txt and the table are still written)")
    .option("--json", "print the result as JSON")
    .action(async (seg: string, o: { out: string; shard?: string; masks: boolean; json?: boolean }) => {
      const shard = shardOption(o.shard);
      const bars = stepBars(!o.json && process.stderr.isTTY === true);
      const r = await withCancel((signal) =>
        trackSegmentation(seg, o.out, { masks: o.masks, ...(shard ? { shard } : {}), signal, onProgress: bars.onProgress }),
      ).finally(() => bars.stop());
      if (o.json)
        printJson({ total: r.total, computed: r.computed, skipped: r.skipped, seconds: r.seconds, complete: r.manifest.complete });
      else process.stdout.write(`${stepLine("track", r, "scenes")}; outputs in ${o.out}\n`);
    });
}

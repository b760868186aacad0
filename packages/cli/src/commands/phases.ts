/**
 * `hyped phases <frames> <tracks> --out <dir>`: FUCCI phase per nucleus and frame, per-track phase sequences,
 * and the phase distribution over time per condition (Figure 2a, CSV + SVG) once every scene is done.
 */
import { callPhases, finishPhases, openFrameStore, releaseNameParser } from "@hyped/imaging";
import type { Command } from "commander";
import { printJson } from "../context.js";
import { numberOption, shardOption, stepBars, stepLine, withCancel } from "../pipeline-cli.js";

/** Register `hyped phases`. */
export function phasesCommand(program: Command): void {
  program
    .command("phases")
    .description("call FUCCI phases per nucleus and track, and the phase distribution over time (Figure 2a), resumable")
    .argument("<frames>", "the frame folder (for capture times)")
    .argument("<tracks>", "output folder of hyped track (all shards finished)")
    .requiredOption("--out <dir>", "output folder (a rerun resumes there)")
    .option("--shard <i/n>", "only scenes k with k mod n = i; auto/n takes i from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX")
    .option("--interval-h <hours>", "hours between frames when the frames carry no capture times (default 1/3, the paper's 20 min)")
    .option("--json", "print the result as JSON")
    .action(async (frames: string, tracks: string, o: { out: string; shard?: string; intervalH?: string; json?: boolean }) => {
      const shard = shardOption(o.shard);
      const frameIntervalH = numberOption("--interval-h", o.intervalH, (n) => n > 0);
      const bars = stepBars(!o.json && process.stderr.isTTY === true);
      const { r, dist } = await withCancel(async (signal) => {
        const store = await openFrameStore(frames, { foreign: { parseName: releaseNameParser } });
        const r = await callPhases(store, tracks, o.out, {
          ...(shard ? { shard } : {}),
          ...(frameIntervalH !== undefined ? { frameIntervalH } : {}),
          signal,
          onProgress: bars.onProgress,
        });
        return { r, dist: await finishPhases(o.out) };
      }).finally(() => bars.stop());
      if (o.json)
        printJson({ total: r.total, computed: r.computed, skipped: r.skipped, seconds: r.seconds, distribution: dist !== undefined });
      else
        process.stdout.write(
          `${stepLine("phases", r, "scenes")}; ${dist ? `phase distribution in ${o.out}/phase_distribution.csv and .svg` : "distribution waits for the other shards"}\n`,
        );
    });
}

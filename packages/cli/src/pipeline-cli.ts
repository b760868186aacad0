/** What the pipeline commands (`segment`, `track`, `phases`, `snr`, `pipeline`, `merge`) share: shard specs, cancellation, bars. */
import { isHypedError, type ProgressEvent } from "@hyped/core";
import { parseShardSpec } from "@hyped/imaging";
import { progressBar, UsageError } from "./context.js";

/** `--shard i/n` or `--shard auto/n` (index from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX); usage error otherwise. */
export function shardOption(spec: string | undefined): [number, number] | undefined {
  if (spec === undefined) return undefined;
  try {
    return parseShardSpec(spec);
  } catch (e) {
    if (isHypedError(e, "INVALID_ARGUMENT")) throw new UsageError(`--shard: ${e.message}`);
    throw e;
  }
}

/** A number option, or a usage error naming it. */
export function numberOption(name: string, v: string | undefined, check: (n: number) => boolean = Number.isFinite): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !check(n)) throw new UsageError(`${name}: invalid value ${JSON.stringify(v)}`);
  return n;
}

/**
 * Run `fn` with an AbortSignal that fires on the first SIGINT or SIGTERM (finished work stays recorded, so a
 * rerun resumes); the handlers are removed afterwards.
 */
export async function withCancel<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    process.stderr.write(`\nhyped: ${sig}: stopping; finished work is kept and a rerun resumes\n`);
    ac.abort(new Error(sig));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await fn(ac.signal);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** A progress bar that restarts when the event's `label` (the pipeline step) changes. */
export function stepBars(enabled: boolean): { onProgress: (e: ProgressEvent) => void; stop(): void } {
  let bar: ReturnType<typeof progressBar> | undefined;
  let label: string | undefined;
  return {
    onProgress(e) {
      if (!bar || e.label !== label) {
        bar?.stop();
        label = e.label;
        bar = progressBar(label ?? "working", enabled);
      }
      bar.onProgress(e);
    },
    stop() {
      bar?.stop();
    },
  };
}

/** One line about a step's run. */
export function stepLine(step: string, r: { total: number; computed: number; skipped: number; seconds: number }, unit: string): string {
  return `${step}: ${r.computed} ${unit} done, ${r.skipped} already finished (of ${r.total}) in ${r.seconds.toFixed(1)} s`;
}

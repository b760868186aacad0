/** Shared CLI plumbing: output helpers, exit codes and progress bars. */
import { fsError, isHypedError, isSystemError, type Progress } from "@hyped/core";
import cliProgress from "cli-progress";

/** Exit codes: 0 ok, 1 error in the data, 2 usage error. */
export const EXIT = { OK: 0, DATA: 1, USAGE: 2 } as const;

/** A usage error (bad flags or arguments): exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Print JSON to stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
}

/** JSON replacer: BigInt → number when safe else string; TypedArrays → arrays; NaN/Infinity → strings. */
export function jsonReplacer(_k: string, v: unknown): unknown {
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === "number" && !Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
  return v;
}

/**
 * A progress callback that draws a bar on stderr (only when stderr is a TTY and not `--json`), using
 * `cli-progress` (a maintained bar library; we do not draw our own).
 */
export function progressBar(label: string, enabled = process.stderr.isTTY === true): { onProgress: Progress; stop(): void } {
  if (!enabled) return { onProgress: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} {unit} | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress(e) {
      if (!started) {
        bar.start(e.total ?? 0, e.done, { unit: e.unit });
        started = true;
      }
      if (e.total !== undefined) bar.setTotal(e.total);
      bar.update(e.done, { unit: e.unit });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Report an error the way the CLI promises: a HypedError message on stderr (stack only with --debug). */
export function reportError(err: unknown, debug: boolean): number {
  // an operating-system error that a command let through (ENOENT, EACCES, EISDIR, ELOOP, ENOSPC, ...) is
  // an IO error naming its path, never an "internal error"
  const e = isSystemError(err) ? fsError(err, err.path ?? "(unknown path)", syscallVerb(err.syscall)) : err;
  if (e instanceof UsageError) {
    process.stderr.write(`hyped: ${e.message}\n`);
    return EXIT.USAGE;
  }
  if (isHypedError(e)) {
    process.stderr.write(`hyped: ${e.code}: ${e.message}\n`);
    if (debug) process.stderr.write(`${e.stack ?? ""}\n${JSON.stringify(e.context, jsonReplacer)}\n`);
    return EXIT.DATA;
  }
  process.stderr.write(`hyped: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
  if (debug && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  return EXIT.DATA;
}

/** The verb for a failed system call in messages ("open", "read", "write", ...). */
function syscallVerb(syscall: string | undefined): string {
  if (!syscall) return "access";
  const verbs: Record<string, string> = { scandir: "list", mkdir: "create folder", rename: "rename", unlink: "remove", lstat: "stat" };
  return verbs[syscall] ?? syscall;
}

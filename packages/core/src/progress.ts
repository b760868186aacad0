import { HypedError } from "./errors.js";

/** One progress report. `total` is undefined when unknown. */
export interface ProgressEvent {
  /** Units of work done so far. */
  done: number;
  /** Units of work in all, when known. */
  total?: number;
  /** What a unit is: "bytes", "frames", "planes", "cells", ... */
  unit: string;
  /** What is being done, for display. */
  label?: string;
}

/** A progress callback. Called often; it should be cheap. */
export type Progress = (event: ProgressEvent) => void;

/** Options accepted by every long-running operation in `@hyped/*`. */
export interface LongTaskOptions {
  /** Cancels the operation; it then rejects with a {@link HypedError} of code `ABORTED`. */
  signal?: AbortSignal;
  /** Receives progress reports. */
  onProgress?: Progress;
}

/** Throws a {@link HypedError} `ABORTED` if `signal` has been aborted. */
export function throwIfAborted(signal?: AbortSignal, what = "operation"): void {
  if (signal?.aborted) {
    throw new HypedError("ABORTED", `${what} was cancelled`, { what }, { cause: signal.reason });
  }
}

/**
 * A throttled progress reporter: `tick(n)` adds work, and at most one report is sent every
 * `intervalMs` (default 100 ms) plus always the final one from `finish()`.
 */
export function progressReporter(
  onProgress: Progress | undefined,
  unit: string,
  total?: number,
  label?: string,
  intervalMs = 100,
): { tick(n?: number): void; finish(): void; readonly done: number } {
  let done = 0;
  let last = 0;
  const emit = () => onProgress?.({ done, ...(total === undefined ? {} : { total }), unit, ...(label ? { label } : {}) });
  return {
    tick(n = 1) {
      done += n;
      if (!onProgress) return;
      const now = Date.now();
      if (now - last >= intervalMs) {
        last = now;
        emit();
      }
    },
    finish() {
      emit();
    },
    get done() {
      return done;
    },
  };
}

/**
 * Run `work(0)`, `work(1)`, … `work(count - 1)` with at most `lanes` (at least 1) calls in flight, started in
 * index order. Once a call fails, no new one starts, and the first failure is rethrown after the calls in
 * flight settle. With `signal`, each start first checks it ({@link throwIfAborted}, naming `what`).
 */
export async function forEachLimited(
  count: number,
  lanes: number,
  work: (i: number) => Promise<void>,
  signal?: AbortSignal,
  what = "operation",
): Promise<void> {
  let next = 0;
  let failed = false;
  let failure: unknown;
  const lane = async () => {
    while (next < count && !failed) {
      throwIfAborted(signal, what);
      await work(next++);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(lanes, count)) }, () =>
      lane().catch((e) => {
        if (!failed) failure = e;
        failed = true;
      }),
    ),
  );
  if (failed) throw failure;
}

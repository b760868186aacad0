/**
 * `@hyped/metrics/parallel`: the heavy metrics on Node worker threads. Node only (it imports
 * `node:worker_threads`); everything in `@hyped/metrics` itself stays browser-safe and synchronous.
 *
 * A pool of workers (default: `os.availableParallelism()`) is created on first use and reused; idle workers
 * do not keep the process alive. Results equal the single-threaded functions (SSIM to rounding of the sum
 * order, row-wise metrics exactly). Call {@link closeMetricsWorkers} to end the pool early.
 */
import { availableParallelism } from "node:os";
import { type AnyNdArray, HypedError, type LongTaskOptions, type NdArray, ndarray, throwIfAborted, WorkerPool } from "@hyped/core";
import { checkSsimFinite, rowData, type SsimFull, type SsimOptions, ssimSetup } from "../image/impl.js";
import type { RowData } from "../image/kernel.js";
import type { MetricInput } from "../internal/input.js";
import { ROW_METRICS, type RowMetric, rowMatrices, rowwise } from "../rows/impl.js";
import type { Result, Task } from "./protocol.js";

/** Options common to the parallel functions. */
export interface ParallelOptions extends LongTaskOptions {
  /** Number of worker threads; default `os.availableParallelism()` (at least 1). */
  workers?: number;
}

/** Pools by worker count, started on first use and kept (idle workers are unreferenced). */
const pools = new Map<number, Promise<WorkerPool<Task, Result>>>();

function workerUrl(): string {
  // From src/ (tests, `pnpm hyped`) the worker is TypeScript; from dist/ it is the built .js.
  const ts = import.meta.url.endsWith(".ts");
  return new URL(ts ? "./worker.ts" : "./worker.js", import.meta.url).href;
}

/** The pool of `n` workers; a pool that failed (a worker died) is replaced by a new one. */
async function poolOf(n: number): Promise<WorkerPool<Task, Result>> {
  const have = await pools.get(n)?.catch(() => undefined);
  if (have && !have.failure) return have;
  const p = WorkerPool.open<Task, Result>({
    moduleUrl: workerUrl(),
    entry: "runMetricsWorker",
    size: n,
    name: "metrics worker",
    unref: true,
  });
  pools.set(n, p);
  p.catch(() => pools.delete(n));
  return p;
}

/** Terminate the worker pools (new ones are created on next use). */
export async function closeMetricsWorkers(): Promise<void> {
  const old = [...pools.values()];
  pools.clear();
  await Promise.all(old.map(async (p) => (await p.catch(() => undefined))?.close()));
}

/** Run tasks on the pool, with progress and cancellation (abort drops queued tasks and stops running ones). */
async function runAll<T>(
  tasks: { task: Task; transfer: ArrayBuffer[]; units: number }[],
  n: number,
  options: LongTaskOptions,
  unit: string,
  total: number,
  collect: (r: Result, i: number) => T,
): Promise<T[]> {
  throwIfAborted(options.signal);
  const pool = await poolOf(n);
  let done = 0;
  const { signal } = options;
  try {
    return await Promise.all(
      tasks.map(async (t, i) => {
        const r = await pool.run(t.task, { transfer: t.transfer, ...(signal ? { signal } : {}) });
        done += t.units;
        options.onProgress?.({ done, total, unit });
        return collect(r, i);
      }),
    );
  } catch (e) {
    if (signal?.aborted) throw new HypedError("ABORTED", "metrics computation was cancelled", {}, { cause: signal.reason });
    throw e;
  }
}

function workerCount(o: ParallelOptions): number {
  const n = o.workers ?? availableParallelism();
  if (!Number.isInteger(n) || n < 1)
    throw new HypedError("INVALID_ARGUMENT", `workers must be a positive integer, got ${n}`, { workers: n });
  return n;
}

function sliceRows(d: RowData, W: number, lo: number, hi: number): RowData {
  return d.slice(lo * W, hi * W) as RowData;
}

/**
 * {@link ssim} split into row blocks over worker threads; same options and result (the mean differs from
 * the single-threaded one only by the order of the final sum). Each worker receives copies of its rows plus
 * the filter halo.
 */
export async function ssimParallel(
  a: MetricInput,
  b: MetricInput,
  options?: SsimOptions & ParallelOptions & { full?: false },
): Promise<number>;
export async function ssimParallel(
  a: MetricInput,
  b: MetricInput,
  options: SsimOptions & ParallelOptions & { full: true },
): Promise<SsimFull>;
export async function ssimParallel(
  a: MetricInput,
  b: MetricInput,
  options: SsimOptions & ParallelOptions = {},
): Promise<number | SsimFull> {
  const { H, W, params } = ssimSetup(a, b, options);
  const x = rowData(a, "a");
  const y = rowData(b, "b");
  const n = workerCount(options);
  const R = params.radius;
  const parts = Math.min(H, n * 2);
  const tasks: { task: Task; transfer: ArrayBuffer[]; units: number }[] = [];
  for (let p = 0; p < parts; p++) {
    const r0 = Math.floor((p * H) / parts);
    const r1 = Math.floor(((p + 1) * H) / parts);
    if (r1 <= r0) continue;
    // Rows needed after reflection: all of them when the halo wraps around a tiny image.
    const lo = r0 - R < 0 || r1 + R > H ? (H <= 2 * R + 1 ? 0 : Math.max(0, r0 - R)) : r0 - R;
    const hi = H <= 2 * R + 1 ? H : Math.min(H, r1 + R);
    const xs = sliceRows(x, W, lo, hi);
    const ys = sliceRows(y, W, lo, hi);
    tasks.push({
      task: { kind: "ssim", x: xs, y: ys, rowOffset: lo, H, W, r0, r1, params, full: options.full === true },
      transfer: [xs.buffer as ArrayBuffer, ys.buffer as ArrayBuffer],
      units: r1 - r0,
    });
  }
  const map = options.full ? new Float64Array(H * W) : null;
  const sums = await runAll(tasks, n, options, "rows", H, (r, i) => {
    const t = tasks[i]?.task as Task & { kind: "ssim" };
    if (map && r.out) map.set(r.out, t.r0 * W);
    return r.sum ?? 0;
  });
  let total = 0;
  for (const s of sums) total += s;
  const pad = (params.winSize - 1) >> 1;
  const mssim = total / ((H - 2 * pad) * (W - 2 * pad));
  checkSsimFinite(mssim, x, y);
  return map ? { mssim, map: ndarray(map, [H, W]) as NdArray<"float64"> } : mssim;
}

/** Row metrics cheaper than copying their rows to a worker (see {@link rowwiseParallel}). */
const CHEAPER_THAN_COPY: ReadonlySet<RowMetric> = new Set<RowMetric>(["pearson", "cosine"]);

/**
 * {@link rowwise} over worker threads: rows are split into blocks, each worker computes its block with the
 * same code as the single-threaded function, so every value is identical. Blocks are copied to the workers,
 * except when both matrices' data lie in a `SharedArrayBuffer` (then the workers read it in place). Pearson
 * and cosine cost less than that copy, so on ordinary buffers they run on the calling thread instead (same
 * values, same progress and cancellation); put the matrices in shared memory to spread them over workers.
 */
export async function rowwiseParallel(
  metric: RowMetric,
  a: AnyNdArray,
  b: AnyNdArray,
  options: ParallelOptions = {},
): Promise<Float64Array> {
  if (!Object.hasOwn(ROW_METRICS, metric)) {
    throw new HypedError("INVALID_ARGUMENT", `rowwise: unknown metric '${metric}'; one of ${Object.keys(ROW_METRICS).join(", ")}`, {
      metric,
    });
  }
  const [ma, mb] = rowMatrices(a, b, "rowwiseParallel");
  const inShared = (d: unknown) => (d as { buffer?: unknown }).buffer instanceof SharedArrayBuffer;
  const shared = inShared(ma.data) && inShared(mb.data);
  // Pearson and cosine read each row once or twice, in 1.2-2.7 ns per element pair (float32): copying the rows
  // into the workers' buffers costs more CPU than the metric and saves no wall time on 2 cores (measured
  // 20k x 2,000: 232 ms CPU for Pearson through the pool vs 140 ms here, cosine 171 vs 59), so unless the
  // data already sits in shared memory (no copy needed) they run here, with the same values.
  if (!shared && CHEAPER_THAN_COPY.has(metric)) return rowwise(metric, a, b, options);
  const n = workerCount(options);
  const parts = Math.min(ma.rows, n * 4);
  const tasks: { task: Task; transfer: ArrayBuffer[]; units: number; r0: number }[] = [];
  const g = ma.cols;
  type Sliceable = ArrayBufferView & {
    slice(a: number, b: number): ArrayBufferView & { buffer: ArrayBuffer };
    subarray(a: number, b: number): ArrayBufferView;
  };
  // shared memory: views of it cross to the workers without a copy; otherwise each block is copied once and
  // its copy transferred
  const part = (d: Sliceable, lo: number, hi: number): [ArrayBufferView, ArrayBuffer[]] => {
    if (shared) return [d.subarray(lo, hi), []];
    const c = d.slice(lo, hi);
    return [c, [c.buffer]];
  };
  for (let p = 0; p < parts; p++) {
    const r0 = Math.floor((p * ma.rows) / parts);
    const r1 = Math.floor(((p + 1) * ma.rows) / parts);
    if (r1 <= r0) continue;
    const [av, ta] = part(ma.data as unknown as Sliceable, r0 * g, r1 * g);
    const [bv, tb] = mb.broadcast ? part(mb.data as unknown as Sliceable, 0, g) : part(mb.data as unknown as Sliceable, r0 * g, r1 * g);
    tasks.push({
      task: { kind: "rows", metric, a: av, b: bv, rows: r1 - r0, cols: g, broadcast: mb.broadcast, rowBase: r0 },
      transfer: [...ta, ...tb],
      units: r1 - r0,
      r0,
    });
  }
  const out = new Float64Array(ma.rows);
  await runAll(tasks, n, options, "rows", ma.rows, (r, i) => {
    const t = tasks[i] as (typeof tasks)[number];
    if (r.out) out.set(r.out, t.r0);
    return 0;
  });
  return out;
}

/** Pearson per row ({@link rowwiseParallel} with `pearson`: workers only for data in shared memory, see there). */
export const pearsonRowsParallel = (a: AnyNdArray, b: AnyNdArray, options?: ParallelOptions): Promise<Float64Array> =>
  rowwiseParallel("pearson", a, b, options);
/** Cosine similarity per row ({@link rowwiseParallel} with `cosine`: workers only for data in shared memory, see there). */
export const cosineRowsParallel = (a: AnyNdArray, b: AnyNdArray, options?: ParallelOptions): Promise<Float64Array> =>
  rowwiseParallel("cosine", a, b, options);

/**
 * `@hyped/metrics/parallel`: the heavy metrics on Node worker threads. Node only (it imports
 * `node:worker_threads`); everything in `@hyped/metrics` itself stays browser-safe and synchronous.
 *
 * A pool of workers (default: `os.availableParallelism()`) is created on first use and reused; idle workers
 * do not keep the process alive. Results equal the single-threaded functions (SSIM to rounding of the sum
 * order, row-wise metrics exactly). Call {@link closeMetricsWorkers} to end the pool early.
 */
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { type AnyNdArray, HypedError, type HypedErrorCode, type LongTaskOptions, type NdArray, ndarray, throwIfAborted } from "@hyped/core";
import { checkSsimFinite, rowData, type SsimFull, type SsimOptions, ssimSetup } from "../image/impl.js";
import type { RowData } from "../image/kernel.js";
import type { MetricInput } from "../internal/input.js";
import { ROW_METRICS, type RowMetric, rowMatrices } from "../rows/impl.js";
import type { Request, Response, Task } from "./protocol.js";

/** Options common to the parallel functions. */
export interface ParallelOptions extends LongTaskOptions {
  /** Number of worker threads; default `os.availableParallelism()` (at least 1). */
  workers?: number;
}

interface Slot {
  worker: Worker;
  pending: number;
}

let pool: Slot[] = [];
let nextId = 1;
const waiting = new Map<number, { resolve(r: Response): void; reject(e: unknown): void; slot: Slot }>();

function workerUrl(): URL {
  // From src/ (tests, `pnpm hyped`) the worker is TypeScript; from dist/ it is the built .js.
  const ts = import.meta.url.endsWith(".ts");
  return new URL(ts ? "./worker.ts" : "./worker.js", import.meta.url);
}

function spawn(): Slot {
  const url = workerUrl();
  let worker: Worker;
  if (url.pathname.endsWith(".ts")) {
    // Running from source (the repo's tests, `pnpm hyped`, `pnpm bench`): load tsx (the repo's TypeScript
    // runner, what `--import tsx` loads) in the worker first, and resolve workspace packages to their sources.
    const api = new URL("./esm/api/index.mjs", pathToFileURL(createRequire(import.meta.url).resolve("tsx"))).href;
    const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
    worker = new Worker(boot, { eval: true, execArgv: ["--conditions=@hyped/source"] });
  } else worker = new Worker(url);
  const slot: Slot = { worker, pending: 0 };
  worker.unref();
  worker.on("message", (r: Response) => {
    const w = waiting.get(r.id);
    if (!w) return;
    waiting.delete(r.id);
    if (--slot.pending === 0) worker.unref();
    w.resolve(r);
  });
  worker.on("error", (e) => failSlot(slot, e));
  worker.on("exit", (code) => {
    if (code !== 0) failSlot(slot, new Error(`worker exited with code ${code}`));
    pool = pool.filter((s) => s !== slot);
  });
  return slot;
}

function failSlot(slot: Slot, e: unknown): void {
  for (const [id, w] of waiting) {
    if (w.slot !== slot) continue;
    waiting.delete(id);
    w.reject(new HypedError("IO", `metrics worker failed: ${e instanceof Error ? e.message : String(e)}`, {}, { cause: e }));
  }
}

function ensurePool(n: number): Slot[] {
  while (pool.length < n) pool.push(spawn());
  return pool.slice(0, n);
}

/** Terminate the worker pool (a new one is created on next use). */
export async function closeMetricsWorkers(): Promise<void> {
  const old = pool;
  pool = [];
  await Promise.all(old.map((s) => s.worker.terminate()));
}

function run(slot: Slot, task: Task, transfer: ArrayBuffer[]): Promise<Response> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject, slot });
    if (slot.pending++ === 0) slot.worker.ref();
    slot.worker.postMessage({ ...task, id } as Request, transfer);
  });
}

function unwrap(r: Response): Response & { ok: true } {
  if (r.ok) return r;
  throw new HypedError((r.error.code as HypedErrorCode) ?? "IO", r.error.message, r.error.context ?? {});
}

/** Run tasks on the pool, round-robin, with progress and cancellation (abort terminates the pool). */
async function runAll<T>(
  tasks: { task: Task; transfer: ArrayBuffer[]; units: number }[],
  n: number,
  options: LongTaskOptions,
  unit: string,
  total: number,
  collect: (r: Response & { ok: true }, i: number) => T,
): Promise<T[]> {
  throwIfAborted(options.signal);
  const slots = ensurePool(n);
  let done = 0;
  const all = Promise.all(
    tasks.map(async (t, i) => {
      const r = unwrap(await run(slots[i % slots.length] as Slot, t.task, t.transfer));
      done += t.units;
      options.onProgress?.({ done, total, unit });
      return collect(r, i);
    }),
  );
  if (!options.signal) return all;
  const signal = options.signal;
  return new Promise<T[]>((resolve, reject) => {
    const onAbort = () => {
      void closeMetricsWorkers();
      reject(new HypedError("ABORTED", "metrics computation was cancelled", {}, { cause: signal.reason }));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    all.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
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

/**
 * {@link rowwise} over worker threads: rows are split into blocks, each worker computes its block with the
 * same code as the single-threaded function, so every value is identical.
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
  const n = workerCount(options);
  const parts = Math.min(ma.rows, n * 4);
  const tasks: { task: Task; transfer: ArrayBuffer[]; units: number; r0: number }[] = [];
  const g = ma.cols;
  type Sliceable = ArrayBufferView & { slice(a: number, b: number): ArrayBufferView & { buffer: ArrayBuffer } };
  for (let p = 0; p < parts; p++) {
    const r0 = Math.floor((p * ma.rows) / parts);
    const r1 = Math.floor(((p + 1) * ma.rows) / parts);
    if (r1 <= r0) continue;
    const av = (ma.data as unknown as Sliceable).slice(r0 * g, r1 * g);
    const bv = mb.broadcast ? (mb.data as unknown as Sliceable).slice(0, g) : (mb.data as unknown as Sliceable).slice(r0 * g, r1 * g);
    tasks.push({
      task: { kind: "rows", metric, a: av, b: bv, rows: r1 - r0, cols: g, broadcast: mb.broadcast, rowBase: r0 },
      transfer: [av.buffer, bv.buffer],
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

/** Pearson per row on worker threads ({@link rowwiseParallel} with `pearson`). */
export const pearsonRowsParallel = (a: AnyNdArray, b: AnyNdArray, options?: ParallelOptions): Promise<Float64Array> =>
  rowwiseParallel("pearson", a, b, options);
/** Cosine similarity per row on worker threads ({@link rowwiseParallel} with `cosine`). */
export const cosineRowsParallel = (a: AnyNdArray, b: AnyNdArray, options?: ParallelOptions): Promise<Float64Array> =>
  rowwiseParallel("cosine", a, b, options);

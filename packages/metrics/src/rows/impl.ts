/**
 * Row-wise (batched) metrics for `[n, genes]` matrices: one value per row, e.g. the Pearson correlation of
 * each predicted expression profile with its observed one.
 */
import {
  type AnyNdArray,
  contiguous,
  HypedError,
  isHypedError,
  isNdArray,
  type LongTaskOptions,
  progressReporter,
  throwIfAborted,
} from "@hyped/core";
import { type FlatInput, flat } from "../internal/input.js";
import { isAvailable, METRICS, type MetricName, type RowKernel, type RowMetric } from "../table.js";

export type { RowMetric } from "../table.js";

/** The row kernel of each {@link RowMetric}, taken from the metric table (`table.ts`). @internal */
export const ROW_METRICS: Readonly<Record<RowMetric, RowKernel>> = Object.fromEntries(
  (Object.keys(METRICS) as MetricName[]).flatMap((name) => {
    const row = METRICS[name].row;
    return isAvailable(row) ? [[name, row]] : [];
  }),
) as Record<RowMetric, RowKernel>;

/** A row-major matrix view: `rows x cols` values, row `i` at `data[i·cols .. (i+1)·cols)`. @internal */
export interface RowMatrix {
  rows: number;
  cols: number;
  data: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> };
  /** True when one row is broadcast against every row of the other matrix. */
  broadcast: boolean;
}

/** Validate `a` ([n, g]) and `b` ([n, g] or [g]) and return contiguous row-major views. @internal */
export function rowMatrices(a: unknown, b: unknown, fn: string): [RowMatrix, RowMatrix] {
  if (!isNdArray(a) || a.shape.length !== 2) {
    throw new HypedError("INVALID_ARGUMENT", `${fn}: a must be a 2-D ndarray [rows, cols]`, { shape: isNdArray(a) ? a.shape : undefined });
  }
  if (!isNdArray(b) || (b.shape.length !== 2 && b.shape.length !== 1)) {
    throw new HypedError("INVALID_ARGUMENT", `${fn}: b must be a 2-D ndarray [rows, cols] or a 1-D ndarray [cols]`, {
      shape: isNdArray(b) ? b.shape : undefined,
    });
  }
  const [n, g] = a.shape as [number, number];
  const bb = b.shape.length === 1;
  if ((bb && b.shape[0] !== g) || (!bb && (b.shape[0] !== n || b.shape[1] !== g))) {
    throw new HypedError("SHAPE_MISMATCH", `${fn}: a is [${a.shape}] but b is [${b.shape}]`, { a: [...a.shape], b: [...b.shape] });
  }
  const ca = contiguous(a as AnyNdArray);
  const cb = contiguous(b as AnyNdArray);
  return [
    { rows: n, cols: g, data: ca.data as unknown as RowMatrix["data"], broadcast: false },
    { rows: bb ? 1 : n, cols: g, data: cb.data as unknown as RowMatrix["data"], broadcast: bb },
  ];
}

/**
 * Metrics whose kernels read float32 storage in place (the float32 twins in `internal/kernels.ts`): their
 * float32 (and float64) rows are passed as views instead of being widened into a float64 buffer first, which
 * saves a copy per row and gives the same bits. The other metrics read a float32 row several times, so they
 * keep the one widening.
 */
const READS_FLOAT32: ReadonlySet<RowMetric> = new Set<RowMetric>(["pearson", "cosine"]);

/** Compute `metric` for rows `[r0, r1)` into `out[r − r0]`; errors name row `r + rowBase`. @internal */
export function rowRange(metric: RowMetric, a: RowMatrix, b: RowMatrix, r0: number, r1: number, out: Float64Array, rowBase = 0): void {
  const fn = ROW_METRICS[metric];
  const g = a.cols;
  let rowA: (r: number) => FlatInput;
  let rowB: (r: number) => FlatInput;
  const views =
    (a.data instanceof Float32Array && b.data instanceof Float32Array) ||
    (a.data instanceof Float64Array && b.data instanceof Float64Array);
  if (views && READS_FLOAT32.has(metric)) {
    const da = a.data;
    const db = b.data;
    rowA = (r) => flat(da.subarray(r * g, r * g + g), "a");
    const one = b.broadcast ? flat(db.subarray(0, g), "b") : undefined;
    rowB = (r) => one ?? flat(db.subarray(r * g, r * g + g), "b");
  } else {
    // Each row is widened to float64 once; the metric's passes then read views of it (no repeated conversion).
    const bufA = new Float64Array(g);
    const bufB = new Float64Array(g);
    const fa = flat(bufA, "a");
    const fb = flat(bufB, "b");
    const big = a.data instanceof BigInt64Array || a.data instanceof BigUint64Array;
    const bigB = b.data instanceof BigInt64Array || b.data instanceof BigUint64Array;
    const load = (m: RowMatrix, isBig: boolean, r: number, buf: Float64Array, name: string) => {
      const row = m.data.subarray(r * g, r * g + g);
      if (isBig) buf.set(flat(row as never, name).all());
      else buf.set(row as ArrayLike<number>);
    };
    rowA = (r) => {
      load(a, big, r, bufA, "a");
      return fa;
    };
    if (b.broadcast) load(b, bigB, 0, bufB, "b");
    rowB = (r) => {
      if (!b.broadcast) load(b, bigB, r, bufB, "b");
      return fb;
    };
  }
  for (let r = r0; r < r1; r++) {
    try {
      out[r - r0] = fn(rowA(r), rowB(r));
    } catch (e) {
      const row = r + rowBase;
      if (isHypedError(e)) throw new HypedError(e.code, `row ${row}: ${e.message}`, { ...e.context, row }, { cause: e });
      throw e;
    }
  }
}

/**
 * `metric` of each row of `a` against the same row of `b` (or against the single row `b` when `b` is 1-D),
 * as a `Float64Array` of length `rows`. Each value equals the one-shot function on that row pair
 * (`pearson`, `cosineSimilarity`, ...), with the same NaN and error rules; an error names the row.
 * Any dtype and strides (a column-wise metric is `rowwise(m, a.transpose(1, 0), b.transpose(1, 0))`).
 * For multi-core use see `rowwiseParallel` in `@hyped/metrics/parallel`.
 */
export function rowwise(metric: RowMetric, a: AnyNdArray, b: AnyNdArray, options: LongTaskOptions = {}): Float64Array {
  if (!Object.hasOwn(ROW_METRICS, metric)) {
    throw new HypedError("INVALID_ARGUMENT", `rowwise: unknown metric '${metric}'; one of ${Object.keys(ROW_METRICS).join(", ")}`, {
      metric,
    });
  }
  const [ma, mb] = rowMatrices(a, b, "rowwise");
  const out = new Float64Array(ma.rows);
  const progress = progressReporter(options.onProgress, "rows", ma.rows, `rowwise ${metric}`);
  const step = Math.max(1, Math.floor(262144 / Math.max(1, ma.cols)));
  for (let r0 = 0; r0 < ma.rows; r0 += step) {
    throwIfAborted(options.signal, `rowwise ${metric}`);
    const r1 = Math.min(ma.rows, r0 + step);
    rowRange(metric, ma, mb, r0, r1, out.subarray(r0, r1));
    progress.tick(r1 - r0);
  }
  progress.finish();
  return out;
}

/** Pearson correlation per row ({@link rowwise} with `pearson`). */
export const pearsonRows = (a: AnyNdArray, b: AnyNdArray, options?: LongTaskOptions): Float64Array => rowwise("pearson", a, b, options);
/** Cosine similarity per row ({@link rowwise} with `cosine`). */
export const cosineRows = (a: AnyNdArray, b: AnyNdArray, options?: LongTaskOptions): Float64Array => rowwise("cosine", a, b, options);
/** Spearman correlation per row ({@link rowwise} with `spearman`). */
export const spearmanRows = (a: AnyNdArray, b: AnyNdArray, options?: LongTaskOptions): Float64Array => rowwise("spearman", a, b, options);
/** Mean squared error per row ({@link rowwise} with `mse`). */
export const mseRows = (a: AnyNdArray, b: AnyNdArray, options?: LongTaskOptions): Float64Array => rowwise("mse", a, b, options);
/** Mean absolute error per row ({@link rowwise} with `mae`). */
export const maeRows = (a: AnyNdArray, b: AnyNdArray, options?: LongTaskOptions): Float64Array => rowwise("mae", a, b, options);
/** R² per row, `a` being the truth ({@link rowwise} with `r2`). */
export const r2Rows = (a: AnyNdArray, b: AnyNdArray, options?: LongTaskOptions): Float64Array => rowwise("r2", a, b, options);

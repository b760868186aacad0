/** Library-size normalisation and `log1p`, as scanpy's `pp.normalize_total` and `pp.log1p`. */
import { type AnyTypedArray, contiguous, type DenseMatrix, HypedError, isSparse } from "@hyped/core";
import type { AnnData, Matrix } from "../anndata/index.js";
import { inputMatrix, setMatrix, setNumeric } from "./adata.js";
import { denseFrom, type FloatArray, numbers, shapeOf } from "./matrix.js";
import { mapMemo } from "./memo.js";

/** Options of {@link normalizeTotalMatrix} / {@link normalizeTotal}. */
export interface NormalizeTotalOptions {
  /**
   * Total of each cell after normalisation. Default: the median of the totals of the cells whose total is
   * above zero (scanpy's `target_sum=None`).
   */
  targetSum?: number;
  /** Leave out genes that hold more than `maxFraction` of some cell's total when computing totals. Default false. */
  excludeHighlyExpressed?: boolean;
  /** The fraction used by `excludeHighlyExpressed`. Default 0.05. */
  maxFraction?: number;
}

/** Result of {@link normalizeTotalMatrix}. */
export interface NormalizeTotalResult {
  /** The normalised matrix (same layout; float32 and integer input give float32, float64 stays float64). */
  X: Matrix;
  /** Each cell's total before normalisation (over the genes that were counted; rounded to float32 for float32 results). */
  countsPerCell: Float64Array;
  /** The target that was used (rounded to float32 for float32 results, as scanpy computes it). */
  targetSum: number;
  /** Each cell's factor `total / targetSum` (the values were divided by it, 0 → 1), in the result's float type. */
  normFactor: FloatArray;
}

/**
 * Scale each row so that it sums to `targetSum` (matches `scanpy.pp.normalize_total`, scanpy 1.11).
 *
 * Rule for cells whose total is 0: they are divided by 1, i.e. left all-zero (scanpy adds 1 to zero factors).
 * The default target is the median of the non-zero totals.
 *
 * dtypes, as scanpy: float64 values stay float64; float32 values stay float32 and integer values become float32
 * (scanpy's `astype(np.float32)`). In float32 the arithmetic is scanpy's too: each total is summed in float64 and
 * rounded to float32, the target and the factors `total / target` are float32, and each value is divided by its
 * cell's float32 factor (one rounding). Statistics of float64 values stay in float64.
 *
 * `inplace: true` overwrites the values of `X` (float32/float64 data) and returns `X` itself; integer data
 * cannot hold the result and always gives a new matrix. Default false (a new matrix; `X` is untouched).
 * CSR, CSC and dense layouts are kept; each is two passes over the stored values (totals, then division).
 */
export function normalizeTotalMatrix(X: Matrix, options: NormalizeTotalOptions & { inplace?: boolean } = {}): NormalizeTotalResult {
  const { excludeHighlyExpressed = false, maxFraction = 0.05, inplace = false } = options;
  if (!(maxFraction > 0 && maxFraction <= 1)) {
    throw new HypedError("INVALID_ARGUMENT", `maxFraction must be in (0, 1], got ${maxFraction}`, { maxFraction });
  }
  const [r, c] = shapeOf(X);
  const M = isSparse(X) ? X : contiguous2d(X);
  const src = M.data as AnyTypedArray;
  const vals = numbers(src);
  const f64 = src instanceof Float64Array;
  const fromInt = !f64 && !(src instanceof Float32Array);
  const own = inplace && !fromInt;
  const out: FloatArray = own ? (src as FloatArray) : f64 ? new Float64Array(vals.length) : new Float32Array(vals.length);
  const f32 = !f64;
  // integer values are converted to float32 first (scanpy's astype), so the totals add the float32 values
  if (fromInt) out.set(vals);
  const v: ArrayLike<number> = fromInt ? out : vals;
  const layout: Layout = isSparse(X) ? { kind: X.format, indptr: X.indptr, indices: X.indices } : { kind: "dense" };
  let counts = totals(v, layout, r, c, null, f32);
  if (excludeHighlyExpressed) counts = totals(v, layout, r, c, highlyExpressed(v, layout, r, c, counts, maxFraction), f32);
  let target = options.targetSum;
  if (target === undefined) {
    const pos = counts.filter((s) => s > 0);
    if (pos.length === 0) throw new HypedError("INVALID_ARGUMENT", "all cells have zero counts; give targetSum", {});
    target = median(pos);
  }
  if (!(target > 0) || !Number.isFinite(target)) {
    throw new HypedError("INVALID_ARGUMENT", `targetSum must be a positive number, got ${target}`, { targetSum: target });
  }
  const t = f32 ? Math.fround(target) : target;
  const normFactor = f32 ? new Float32Array(r) : new Float64Array(r);
  const divisor = new Float64Array(r);
  for (let i = 0; i < r; i++) {
    normFactor[i] = (counts[i] as number) / t;
    divisor[i] = normFactor[i] === 0 ? 1 : (normFactor[i] as number);
  }
  divideRows(v, out, layout, r, c, divisor);
  const Y: Matrix = own
    ? M
    : isSparse(X)
      ? { format: X.format, shape: [r, c], data: out, indices: X.indices, indptr: X.indptr }
      : denseFrom(out, r, c);
  return { X: Y, countsPerCell: counts, targetSum: t, normFactor };
}

type Layout = { kind: "csr" | "csc"; indptr: ArrayLike<number | bigint>; indices: ArrayLike<number> } | { kind: "dense" };

/** Row totals, accumulated in float64 (rounded to float32 when `f32`), skipping genes flagged in `skip`. */
function totals(v: ArrayLike<number>, l: Layout, r: number, c: number, skip: Uint8Array | null, f32: boolean): Float64Array {
  const out = new Float64Array(r);
  if (l.kind === "csr") {
    const { indptr, indices } = l;
    for (let i = 0; i < r; i++) {
      let s = 0;
      const end = Number(indptr[i + 1]);
      if (skip) for (let k = Number(indptr[i]); k < end; k++) s += skip[indices[k] as number] ? 0 : (v[k] as number);
      else for (let k = Number(indptr[i]); k < end; k++) s += v[k] as number;
      out[i] = s;
    }
  } else if (l.kind === "csc") {
    const { indptr, indices } = l;
    for (let j = 0; j < c; j++) {
      if (skip?.[j]) continue;
      for (let k = Number(indptr[j]), end = Number(indptr[j + 1]); k < end; k++) out[indices[k] as number]! += v[k] as number;
    }
  } else {
    for (let i = 0; i < r; i++) {
      let s = 0;
      for (let j = 0, p = i * c; j < c; j++, p++) s += skip?.[j] ? 0 : (v[p] as number);
      out[i] = s;
    }
  }
  if (f32) for (let i = 0; i < r; i++) out[i] = Math.fround(out[i] as number);
  return out;
}

/** Genes holding more than `maxFraction` of some cell's total (scanpy's `exclude_highly_expressed`). */
function highlyExpressed(v: ArrayLike<number>, l: Layout, r: number, c: number, counts: Float64Array, maxFraction: number): Uint8Array {
  const ex = new Uint8Array(c);
  if (l.kind === "dense") {
    for (let i = 0; i < r; i++) {
      const lim = (counts[i] as number) * maxFraction;
      for (let j = 0, p = i * c; j < c; j++, p++) if ((v[p] as number) > lim) ex[j] = 1;
    }
    return ex;
  }
  const { indptr, indices } = l;
  const major = l.kind === "csr" ? r : c;
  for (let a = 0; a < major; a++) {
    for (let k = Number(indptr[a]), end = Number(indptr[a + 1]); k < end; k++) {
      const i = l.kind === "csr" ? a : (indices[k] as number);
      const j = l.kind === "csr" ? (indices[k] as number) : a;
      if ((v[k] as number) > (counts[i] as number) * maxFraction) ex[j] = 1;
    }
  }
  return ex;
}

/** `out[k] = v[k] / divisor[row of k]` (out may be v). */
function divideRows(v: ArrayLike<number>, out: FloatArray, l: Layout, r: number, c: number, divisor: Float64Array): void {
  if (l.kind === "csr") {
    const { indptr } = l;
    for (let i = 0; i < r; i++) {
      const s = divisor[i] as number;
      for (let k = Number(indptr[i]), end = Number(indptr[i + 1]); k < end; k++) out[k] = (v[k] as number) / s;
    }
  } else if (l.kind === "csc") {
    const { indices } = l;
    for (let k = 0; k < v.length; k++) out[k] = (v[k] as number) / (divisor[indices[k] as number] as number);
  } else {
    for (let i = 0; i < r; i++) {
      const s = divisor[i] as number;
      for (let p = i * c, end = p + c; p < end; p++) out[p] = (v[p] as number) / s;
    }
  }
}

/** A dense 2-D matrix in C order (itself when it already is one); `INVALID_ARGUMENT` for other ranks. */
function contiguous2d(m: DenseMatrix): DenseMatrix {
  if (m.shape.length !== 2) throw new HypedError("INVALID_ARGUMENT", `expected a 2-D matrix, got shape [${m.shape}]`, { shape: m.shape });
  return contiguous(m as never) as DenseMatrix;
}

/** Median of plain numbers (average of the middle pair for even lengths, as numpy). */
export function median(values: ArrayLike<number>): number {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  if (n === 0) return Number.NaN;
  return n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
}

/**
 * {@link normalizeTotalMatrix} on `adata.X` (or `layer`), in place like scanpy (`copy=False`): the values of the
 * matrix are overwritten (float32/float64 data; integer data is replaced by a float32 matrix, as scanpy's
 * `astype`), so other references to the same arrays see the change. When `keyAdded` is given, writes each
 * cell's normalisation factor `total / targetSum` to `adata.obs[keyAdded]` (scanpy ≥ 1.11.2; scanpy up to
 * 1.11.1 stored the raw totals, which are `factor × targetSum`). Returns `adata`.
 *
 * `copy: true` (scanpy's `copy=True`) leaves the arrays of `adata.X` untouched: a new matrix is written to
 * `adata.X`. Default false.
 */
export function normalizeTotal(
  adata: AnnData,
  options: NormalizeTotalOptions & { layer?: string; keyAdded?: string; copy?: boolean } = {},
): AnnData {
  const r = normalizeTotalMatrix(inputMatrix(adata, options.layer), { ...options, inplace: !options.copy });
  setMatrix(adata, r.X, options.layer);
  if (options.keyAdded) setNumeric(adata.obs, options.keyAdded, r.normFactor);
  return adata;
}

/**
 * `log(1 + x)`, divided by `log(base)` when a base is given (matches `scanpy.pp.log1p`). Keeps sparsity.
 *
 * dtypes, as scanpy: float32 stays float32 (with a base, the float32 `log1p` is divided by `log(base)` and
 * rounded again, numpy ≥ 2's two steps), float64 stays float64, integers become float64.
 * `inplace: true` overwrites the values of float32/float64 `X` and returns `X` itself. Default false.
 * One pass over the stored values; repeated values (a cell's normalised counts) are looked up rather than
 * recomputed (see memo.ts), with identical results.
 */
export function log1pMatrix(X: Matrix, options: { base?: number; inplace?: boolean } = {}): Matrix {
  const { base, inplace = false } = options;
  if (base !== undefined && !(base > 0 && base !== 1)) throw new HypedError("INVALID_ARGUMENT", `invalid log base ${base}`, { base });
  const k = base === undefined ? 1 : Math.log(base);
  const [r, c] = shapeOf(X);
  const M = isSparse(X) ? X : contiguous2d(X);
  const src = M.data as AnyTypedArray;
  const f32 = src instanceof Float32Array;
  const own = inplace && (f32 || src instanceof Float64Array);
  const out: FloatArray = own ? (src as FloatArray) : f32 ? new Float32Array(src.length) : new Float64Array(src.length);
  const f = base === undefined ? Math.log1p : f32 ? (x: number) => Math.fround(Math.log1p(x)) / k : (x: number) => Math.log1p(x) / k;
  mapMemo(numbers(src), out, f);
  if (own) return M;
  return isSparse(X) ? { format: X.format, shape: [r, c], data: out, indices: X.indices, indptr: X.indptr } : denseFrom(out, r, c);
}

/**
 * {@link log1pMatrix} on `adata.X` (or `layer`), in place like scanpy (`copy=False`: float32/float64 values are
 * overwritten; integers give a new float64 matrix), recording `adata.uns.log1p = { base }` as scanpy does
 * (later steps such as `highlyVariableGenes` and `rankGenesGroups` read the base from there). `copy: true`
 * writes a new matrix to `adata.X` and leaves the old arrays untouched. Returns `adata`.
 */
export function log1p(adata: AnnData, options: { base?: number; layer?: string; copy?: boolean } = {}): AnnData {
  setMatrix(adata, log1pMatrix(inputMatrix(adata, options.layer), { base: options.base, inplace: !options.copy }), options.layer);
  adata.uns.log1p = { base: options.base ?? null };
  return adata;
}

/** The log base recorded by {@link log1p} in `adata.uns.log1p.base`, or undefined for natural log. */
export function log1pBase(adata: AnnData): number | undefined {
  const b = (adata.uns.log1p as { base?: unknown } | undefined)?.base;
  return typeof b === "number" ? b : undefined;
}

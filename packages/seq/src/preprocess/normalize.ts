/** Library-size normalisation and `log1p`, as scanpy's `pp.normalize_total` and `pp.log1p`. */
import { HypedError, isSparse } from "@hyped/core";
import type { AnnData, Matrix } from "../anndata/index.js";
import { inputMatrix, setMatrix, setNumeric } from "./adata.js";
import { denseValues, mapValues, numbers, rowSums, shapeOf } from "./matrix.js";

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
  /** The normalised matrix (same layout; float32 stays float32, everything else becomes float64). */
  X: Matrix;
  /** Each cell's total before normalisation (over the genes that were counted). */
  countsPerCell: Float64Array;
  /** The target that was used. */
  targetSum: number;
}

/**
 * Scale each row so that it sums to `targetSum` (matches `scanpy.pp.normalize_total`, scanpy 1.9–1.11).
 *
 * Rule for cells whose total is 0: they are divided by 1, i.e. left all-zero (scanpy adds 1 to zero totals).
 * The default target is the median of the non-zero totals. Integer input becomes float64 (scanpy: float32).
 */
export function normalizeTotalMatrix(X: Matrix, options: NormalizeTotalOptions = {}): NormalizeTotalResult {
  const { excludeHighlyExpressed = false, maxFraction = 0.05 } = options;
  if (!(maxFraction > 0 && maxFraction <= 1)) {
    throw new HypedError("INVALID_ARGUMENT", `maxFraction must be in (0, 1], got ${maxFraction}`, { maxFraction });
  }
  let counts = rowSums(X);
  if (excludeHighlyExpressed) {
    const [r, c] = shapeOf(X);
    const excluded = new Uint8Array(c);
    const flag = (i: number, j: number, v: number) => {
      if (v > (counts[i] as number) * maxFraction) excluded[j] = 1;
    };
    if (isSparse(X)) {
      const d = numbers(X.data);
      const major = X.format === "csr" ? r : c;
      for (let a = 0; a < major; a++) {
        for (let k = Number(X.indptr[a]); k < Number(X.indptr[a + 1]); k++) {
          const b = X.indices[k] as number;
          if (X.format === "csr") flag(a, b, d[k] as number);
          else flag(b, a, d[k] as number);
        }
      }
    } else {
      const d = denseValues(X);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) flag(i, j, d[i * c + j] as number);
    }
    counts = rowSums(mapValues(X, (v, _i, j) => (excluded[j] ? 0 : v)));
  }
  let target = options.targetSum;
  if (target === undefined) {
    const pos = Array.from(counts).filter((v) => v > 0);
    if (pos.length === 0) throw new HypedError("INVALID_ARGUMENT", "all cells have zero counts; give targetSum", {});
    target = median(pos);
  }
  if (!(target > 0) || !Number.isFinite(target)) {
    throw new HypedError("INVALID_ARGUMENT", `targetSum must be a positive number, got ${target}`, { targetSum: target });
  }
  const t = target;
  const scale = Float64Array.from(counts, (s) => (s === 0 ? 1 : s / t));
  return { X: mapValues(X, (v, i) => v / (scale[i] as number)), countsPerCell: counts, targetSum: t };
}

/** Median of plain numbers (average of the middle pair for even lengths, as numpy). */
export function median(values: ArrayLike<number>): number {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  if (n === 0) return Number.NaN;
  return n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
}

/**
 * {@link normalizeTotalMatrix} on `adata.X` (or `layer`), in place like scanpy: replaces the matrix and, when
 * `keyAdded` is given, writes each cell's normalisation factor `total / targetSum` to `adata.obs[keyAdded]`
 * (scanpy ≥ 1.11.2; scanpy up to 1.11.1 stored the raw totals, which are `factor × targetSum`). Returns `adata`.
 */
export function normalizeTotal(adata: AnnData, options: NormalizeTotalOptions & { layer?: string; keyAdded?: string } = {}): AnnData {
  const r = normalizeTotalMatrix(inputMatrix(adata, options.layer), options);
  setMatrix(adata, r.X, options.layer);
  if (options.keyAdded) {
    setNumeric(
      adata.obs,
      options.keyAdded,
      r.countsPerCell.map((c) => c / r.targetSum),
    );
  }
  return adata;
}

/** `log(1 + x)`, divided by `log(base)` when a base is given (matches `scanpy.pp.log1p`). Keeps sparsity. */
export function log1pMatrix(X: Matrix, options: { base?: number } = {}): Matrix {
  const { base } = options;
  if (base !== undefined && !(base > 0 && base !== 1)) throw new HypedError("INVALID_ARGUMENT", `invalid log base ${base}`, { base });
  const k = base === undefined ? 1 : Math.log(base);
  return mapValues(X, (v) => Math.log1p(v) / k);
}

/**
 * {@link log1pMatrix} on `adata.X` (or `layer`), in place, recording `adata.uns.log1p = { base }` as scanpy does
 * (later steps such as `highlyVariableGenes` and `rankGenesGroups` read the base from there). Returns `adata`.
 */
export function log1p(adata: AnnData, options: { base?: number; layer?: string } = {}): AnnData {
  setMatrix(adata, log1pMatrix(inputMatrix(adata, options.layer), options), options.layer);
  adata.uns.log1p = { base: options.base ?? null };
  return adata;
}

/** The log base recorded by {@link log1p} in `adata.uns.log1p.base`, or undefined for natural log. */
export function log1pBase(adata: AnnData): number | undefined {
  const b = (adata.uns.log1p as { base?: unknown } | undefined)?.base;
  return typeof b === "number" ? b : undefined;
}

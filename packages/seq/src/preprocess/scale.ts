/** Per-gene scaling to unit variance (and zero mean), as scanpy's `pp.scale`. */
import { HypedError, isSparse } from "@hyped/core";
import type { AnnData, Matrix } from "../anndata/index.js";
import { inputMatrix, setMatrix, setNumeric } from "./adata.js";
import { colMeanVar, denseFrom, floatLike, mapValues, shapeOf, toDenseF64 } from "./matrix.js";

/** Options of {@link scaleMatrix} / {@link scale}. */
export interface ScaleOptions {
  /** Subtract the gene mean. Default true (sparse input then becomes dense, as in scanpy). */
  zeroCenter?: boolean;
  /** Clip scaled values to `[-maxValue, maxValue]` (only the upper side when `zeroCenter` is false). Default: no clipping. */
  maxValue?: number;
}

/** Result of {@link scaleMatrix}. */
export interface ScaleResult {
  X: Matrix;
  /** Gene means (float64). */
  mean: Float64Array;
  /** Gene standard deviations with ddof = 1 (0 replaced by 1), as scanpy stores in `var.std`. */
  std: Float64Array;
}

/**
 * `(x − mean) / std` per gene (matches `scanpy.pp.scale`, 1.9–1.11): the std uses ddof = 1 (unlike
 * scikit-learn's `StandardScaler`), genes with std 0 are divided by 1, values above `maxValue` (and below
 * `−maxValue` when zero-centring) are clipped. `zeroCenter: false` keeps sparse input sparse.
 */
export function scaleMatrix(X: Matrix, options: ScaleOptions = {}): ScaleResult {
  const { zeroCenter = true, maxValue } = options;
  if (maxValue !== undefined && !(maxValue > 0))
    throw new HypedError("INVALID_ARGUMENT", `maxValue must be > 0, got ${maxValue}`, { maxValue });
  const { mean, var: v } = colMeanVar(X, 1);
  const std = v.map((s) => {
    const d = Math.sqrt(s);
    return d === 0 ? 1 : d;
  });
  const hi = maxValue ?? Number.POSITIVE_INFINITY;
  const lo = zeroCenter ? -hi : Number.NEGATIVE_INFINITY;
  const clip = (x: number) => Math.max(lo, Math.min(hi, x));
  if (!zeroCenter) return { X: mapValues(X, (x, _i, j) => clip(x / (std[j] as number))), mean, std };
  const [r, c] = shapeOf(X);
  const src = toDenseF64(X);
  const out = floatLike(isSparse(X) ? X.data : (X.data as ArrayBufferView), r * c);
  for (let i = 0; i < r; i++) {
    for (let j = 0, p = i * c; j < c; j++, p++) out[p] = clip(((src[p] as number) - (mean[j] as number)) / (std[j] as number));
  }
  return { X: denseFrom(out, r, c), mean, std };
}

/** {@link scaleMatrix} on an AnnData, in place: replaces the matrix and writes `var.mean`, `var.std`. Returns `adata`. */
export function scale(adata: AnnData, options: ScaleOptions & { layer?: string } = {}): AnnData {
  const r = scaleMatrix(inputMatrix(adata, options.layer), options);
  setMatrix(adata, r.X, options.layer);
  setNumeric(adata.var, "mean", r.mean);
  setNumeric(adata.var, "std", r.std);
  return adata;
}

/**
 * Matrix helpers shared by the preprocessing, DE and embedding code: dtype policy, row/column statistics
 * over dense and sparse (CSR/CSC) matrices, and element-wise maps that keep sparsity.
 *
 * dtype policy (used by every operation that writes a new matrix): float32 input stays float32, anything
 * else (integers, int64, float64) becomes float64. Statistics are always accumulated in float64.
 */
import {
  type AnyTypedArray,
  contiguous,
  convertSparse,
  type DenseMatrix,
  fromTyped,
  HypedError,
  isSparse,
  type SparseMatrix,
} from "@hyped/core";
import type { AnnData } from "../anndata/anndata.js";
import type { Matrix } from "../anndata/matrix.js";

/** A float array written by an operation: float32 when the input was float32, else float64. */
export type FloatArray = Float32Array | Float64Array;

/** Number-indexable view of any TypedArray (BigInt arrays converted to float64 numbers). */
export function numbers(a: AnyTypedArray | ArrayLike<number>): ArrayLike<number> {
  if (a instanceof BigInt64Array || a instanceof BigUint64Array) return Float64Array.from(a, (v) => Number(v));
  return a as ArrayLike<number>;
}

/** The output float type for an input array (see module docs). */
export function floatLike(a: ArrayBufferView, n: number): FloatArray {
  return a instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

/** `[rows, cols]` of a dense or sparse matrix. */
export function shapeOf(m: Matrix): [number, number] {
  return isSparse(m) ? [m.shape[0], m.shape[1]] : [m.shape[0] as number, m.shape[1] as number];
}

/** The C-order values of a dense 2-D matrix (no copy when already contiguous), as numbers. */
export function denseValues(m: DenseMatrix): ArrayLike<number> {
  if (m.shape.length !== 2) throw new HypedError("INVALID_ARGUMENT", `expected a 2-D matrix, got shape [${m.shape}]`, { shape: m.shape });
  return numbers((contiguous(m as never) as { data: unknown }).data as unknown as AnyTypedArray);
}

/** A dense C-order matrix wrapping `data` of shape `[rows, cols]`. */
export function denseFrom(data: FloatArray, rows: number, cols: number): DenseMatrix {
  return fromTyped(data, [rows, cols]) as unknown as DenseMatrix;
}

/** A sparse matrix in CSR form (converted if CSC). */
export function asCsr(m: SparseMatrix): SparseMatrix {
  return convertSparse(m, "csr");
}
/** A sparse matrix in CSC form (converted if CSR). */
export function asCsc(m: SparseMatrix): SparseMatrix {
  return convertSparse(m, "csc");
}

/** Row sums (float64). */
export function rowSums(m: Matrix): Float64Array {
  const [r, c] = shapeOf(m);
  const out = new Float64Array(r);
  if (isSparse(m)) {
    const d = numbers(m.data);
    if (m.format === "csr") {
      for (let i = 0; i < r; i++) {
        let s = 0;
        for (let k = Number(m.indptr[i]); k < Number(m.indptr[i + 1]); k++) s += d[k] as number;
        out[i] = s;
      }
    } else {
      for (let k = 0; k < d.length; k++) out[m.indices[k] as number]! += d[k] as number;
    }
    return out;
  }
  const d = denseValues(m);
  for (let i = 0; i < r; i++) {
    let s = 0;
    for (let j = 0, p = i * c; j < c; j++, p++) s += d[p] as number;
    out[i] = s;
  }
  return out;
}

/**
 * Column means and variances (float64), with `ddof` (default 1, as scanpy's `mean_var(..., correction=1)`).
 * Two-pass over the stored values, so exact zeros of sparse matrices count without being stored.
 */
export function colMeanVar(m: Matrix, ddof = 1): { mean: Float64Array; var: Float64Array } {
  const [r, c] = shapeOf(m);
  const mean = new Float64Array(c);
  const v = new Float64Array(c);
  if (isSparse(m)) {
    const d = numbers(m.data);
    const nz = new Float64Array(c);
    const col = (k: number, i: number) => (m.format === "csr" ? (m.indices[k] as number) : i);
    const major = m.format === "csr" ? r : c;
    for (let i = 0; i < major; i++) {
      for (let k = Number(m.indptr[i]); k < Number(m.indptr[i + 1]); k++) mean[col(k, i)]! += d[k] as number;
    }
    for (let j = 0; j < c; j++) mean[j] = (mean[j] as number) / r;
    for (let i = 0; i < major; i++) {
      for (let k = Number(m.indptr[i]); k < Number(m.indptr[i + 1]); k++) {
        const j = col(k, i);
        const e = (d[k] as number) - (mean[j] as number);
        v[j]! += e * e;
        nz[j]! += 1;
      }
    }
    for (let j = 0; j < c; j++) {
      const mu = mean[j] as number;
      v[j] = ((v[j] as number) + (r - (nz[j] as number)) * mu * mu) / (r - ddof);
    }
    return { mean, var: v };
  }
  const d = denseValues(m);
  for (let i = 0; i < r; i++) for (let j = 0, p = i * c; j < c; j++, p++) mean[j]! += d[p] as number;
  for (let j = 0; j < c; j++) mean[j] = (mean[j] as number) / r;
  for (let i = 0; i < r; i++) {
    for (let j = 0, p = i * c; j < c; j++, p++) {
      const e = (d[p] as number) - (mean[j] as number);
      v[j]! += e * e;
    }
  }
  for (let j = 0; j < c; j++) v[j] = (v[j] as number) / (r - ddof);
  return { mean, var: v };
}

/**
 * Apply `f` to every value. For sparse matrices only stored values are mapped, so `f(0)` must be 0
 * (true for `log1p`, `expm1`, scaling). Output dtype follows the module's dtype policy.
 */
export function mapValues(m: Matrix, f: (v: number, row: number, col: number) => number): Matrix {
  const [r, c] = shapeOf(m);
  if (isSparse(m)) {
    const d = numbers(m.data);
    const out = floatLike(m.data, d.length);
    const csr = m.format === "csr";
    const major = csr ? r : c;
    for (let i = 0; i < major; i++) {
      for (let k = Number(m.indptr[i]); k < Number(m.indptr[i + 1]); k++) {
        const j = m.indices[k] as number;
        out[k] = csr ? f(d[k] as number, i, j) : f(d[k] as number, j, i);
      }
    }
    return { format: m.format, shape: [r, c], data: out, indices: m.indices, indptr: m.indptr };
  }
  const d = denseValues(m);
  const out = floatLike(m.data as ArrayBufferView, r * c);
  for (let i = 0; i < r; i++) for (let j = 0, p = i * c; j < c; j++, p++) out[p] = f(d[p] as number, i, j);
  return denseFrom(out, r, c);
}

/** Matrix rows as a dense float64 row-major copy (for small matrices such as embeddings). */
export function toDenseF64(m: Matrix): Float64Array {
  const [r, c] = shapeOf(m);
  const out = new Float64Array(r * c);
  if (isSparse(m)) {
    const d = numbers(m.data);
    const csr = m.format === "csr";
    const major = csr ? r : c;
    for (let i = 0; i < major; i++) {
      for (let k = Number(m.indptr[i]); k < Number(m.indptr[i + 1]); k++) {
        const j = m.indices[k] as number;
        out[csr ? i * c + j : j * c + i]! += d[k] as number;
      }
    }
    return out;
  }
  const d = denseValues(m);
  for (let p = 0; p < r * c; p++) out[p] = d[p] as number;
  return out;
}

/** True when every value is a non-negative integer (scanpy's `check_nonnegative_integers`). */
export function isNonnegativeInteger(m: Matrix): boolean {
  const d = isSparse(m) ? numbers(m.data) : denseValues(m);
  for (let k = 0; k < d.length; k++) {
    const v = d[k] as number;
    if (v < 0 || v !== Math.floor(v)) return false;
  }
  return true;
}

/** The matrix of `X` or a layer, with a typed error when absent. */
export function expressionMatrix(adata: AnnData, layer?: string): Matrix {
  const m = layer ? adata.layers.get(layer) : adata.X;
  if (!m) throw new HypedError("NOT_FOUND", layer ? `no layer '${layer}'` : "the AnnData has no X", { layer });
  return m;
}

/**
 * Row-wise accumulation of a dense or sparse matrix: calls `add(row, col, value)` for every nonzero of the
 * selected rows. CSC is converted to CSR once.
 */
export function forEachNonzero(m: Matrix, rows: ArrayLike<number>, add: (row: number, col: number, value: number) => void): void {
  if (isSparse(m)) {
    const csr = (m.format === "csr" ? m : convertSparse(m, "csr")) as SparseMatrix;
    const data = csr.data as ArrayLike<number | bigint>;
    const big = typeof data[0] === "bigint";
    for (let r = 0; r < rows.length; r++) {
      const i = rows[r] as number;
      for (let k = Number(csr.indptr[i]); k < Number(csr.indptr[i + 1]); k++) {
        add(i, csr.indices[k] as number, big ? Number(data[k]) : (data[k] as number));
      }
    }
    return;
  }
  const nc = m.shape[1] as number;
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r] as number;
    for (let j = 0; j < nc; j++) {
      const v = Number(m.get(i, j));
      if (v !== 0) add(i, j, v);
    }
  }
}

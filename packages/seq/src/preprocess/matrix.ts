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
import { H, MASK, type ScalarMemo } from "./memo.js";

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
 * Two passes over the stored values (means, then squared deviations), so exact zeros of sparse matrices count
 * without being stored and constant columns get a variance of exactly 0. Nothing is copied or densified.
 *
 * `transform` maps each stored value first (e.g. `expm1` for HVG seurat; it must map 0 to 0, and it is
 * evaluated in both passes, so give a memoised one, see memo.ts).
 */
export function colMeanVar(m: Matrix, ddof = 1, transform?: ScalarMemo): { mean: Float64Array; var: Float64Array } {
  const [r, c] = shapeOf(m);
  const mean = new Float64Array(c);
  const v = new Float64Array(c);
  if (isSparse(m)) {
    const d = numbers(m.data);
    const nz = new Float64Array(c);
    const csr = m.format === "csr";
    const { indices, indptr } = m;
    const k0 = Number(indptr[0]);
    const nnz = Number(indptr[csr ? r : c]);
    const at = (k: number) => (transform ? transform.get(d[k] as number) : (d[k] as number));
    if (csr) {
      csrColumnPass(d, indices, k0, nnz, transform, mean, null, nz);
      for (let j = 0; j < c; j++) mean[j] = (mean[j] as number) / r;
      csrColumnPass(d, indices, k0, nnz, transform, v, mean, nz);
    } else {
      for (let j = 0; j < c; j++) {
        let s = 0;
        for (let k = Number(indptr[j]), end = Number(indptr[j + 1]); k < end; k++) s += at(k);
        mean[j] = s / r;
      }
      for (let j = 0; j < c; j++) {
        const mu = mean[j] as number;
        let s = 0;
        const start = Number(indptr[j]);
        const end = Number(indptr[j + 1]);
        for (let k = start; k < end; k++) {
          const e = at(k) - mu;
          s += e * e;
        }
        v[j] = s;
        nz[j] = end - start;
      }
    }
    for (let j = 0; j < c; j++) {
      const mu = mean[j] as number;
      v[j] = ((v[j] as number) + (r - (nz[j] as number)) * mu * mu) / (r - ddof);
    }
    return { mean, var: v };
  }
  const d = denseValues(m);
  const at = (p: number) => (transform ? transform.get(d[p] as number) : (d[p] as number));
  for (let i = 0; i < r; i++) for (let j = 0, p = i * c; j < c; j++, p++) mean[j]! += at(p);
  for (let j = 0; j < c; j++) mean[j] = (mean[j] as number) / r;
  for (let i = 0; i < r; i++) {
    for (let j = 0, p = i * c; j < c; j++, p++) {
      const e = at(p) - (mean[j] as number);
      v[j]! += e * e;
    }
  }
  for (let j = 0; j < c; j++) v[j] = (v[j] as number) / (r - ddof);
  return { mean, var: v };
}

/**
 * Column means and variances of a CSR matrix, same contract as {@link colMeanVar}, in one pass over the stored
 * values for the usual case. The pass accumulates `Σx` and `Σx²` per column (scanpy's `mean_var`), so the means
 * are bit-identical to {@link colMeanVar}'s (same additions in the same order) and the variances
 * `(Σx² − n·mean²)/(n − ddof)` agree to ~1e-14 relative. Where that formula loses precision, columns whose
 * `Σx²/n` exceeds 100 × their variance (low-variance genes, constant genes), the variance is recomputed from the
 * squared deviations in a second pass over those columns only, which gives {@link colMeanVar}'s exact bits
 * (constant columns get exactly 0).
 */
export function csrColMeanVarOnePass(m: SparseMatrix, ddof = 1, transform?: ScalarMemo): { mean: Float64Array; var: Float64Array } {
  const [r, c] = shapeOf(m);
  const d = numbers(m.data);
  const { indices, indptr } = m;
  const k0 = Number(indptr[0]);
  const nnz = Number(indptr[r]);
  const acc = new Float64Array(2 * c); // per column: Σx, Σx²
  if (transform) csrSumsMemo(d, indices as ArrayLike<number>, k0, nnz, transform, acc);
  else {
    for (let k = k0; k < nnz; k++) {
      const x = d[k] as number;
      const q = (indices[k] as number) << 1;
      acc[q]! += x;
      acc[q + 1]! += x * x;
    }
  }
  const mean = new Float64Array(c);
  const v = new Float64Array(c);
  let redo: Uint8Array | null = null;
  for (let j = 0; j < c; j++) {
    const mu = (acc[2 * j] as number) / r;
    const sq = acc[2 * j + 1] as number;
    mean[j] = mu;
    const m2 = sq - r * mu * mu;
    v[j] = m2 / (r - ddof);
    if (sq !== 0 && !(m2 * 100 > sq)) {
      redo ??= new Uint8Array(c);
      redo[j] = 1;
    }
  }
  if (redo) {
    // exact squared deviations, as colMeanVar, for the flagged columns
    const dev = new Float64Array(c);
    const nz = new Float64Array(c);
    for (let k = k0; k < nnz; k++) {
      const j = indices[k] as number;
      if (!redo[j]) continue;
      const x = transform ? transform.get(d[k] as number) : (d[k] as number);
      const e = x - (mean[j] as number);
      dev[j]! += e * e;
      nz[j]! += 1;
    }
    for (let j = 0; j < c; j++) {
      if (!redo[j]) continue;
      const mu = mean[j] as number;
      v[j] = ((dev[j] as number) + (r - (nz[j] as number)) * mu * mu) / (r - ddof);
    }
  }
  return { mean, var: v };
}

/**
 * `acc[2j] += x`, `acc[2j+1] += x²` over CSR values with `x = transform(d[k])` probed inline in the memo.
 * Float64 and float32 values run in separate copies of the loop, so each stays monomorphic (see memo.ts).
 */
function csrSumsMemo(d: ArrayLike<number>, indices: ArrayLike<number>, k0: number, nnz: number, memo: ScalarMemo, acc: Float64Array): void {
  if (d instanceof Float64Array) csrSumsMemo64(d, indices, k0, nnz, memo.kv, memo.f, acc);
  else csrSumsMemoAny(d, indices, k0, nnz, memo.kv, memo.f, acc);
}

function csrSumsMemo64(
  d: Float64Array,
  indices: ArrayLike<number>,
  k0: number,
  nnz: number,
  kv: Float64Array,
  f: (v: number) => number,
  acc: Float64Array,
): void {
  // imported bindings may compile to getters (CommonJS builds): read them once
  const hm = H;
  const mask = MASK;
  for (let k = k0; k < nnz; k++) {
    let x = d[k] as number;
    const h = (((x * hm) | 0) & mask) << 1;
    if (kv[h] === x) x = kv[h + 1] as number;
    else {
      const y = f(x);
      if (x !== 0) {
        kv[h] = x;
        kv[h + 1] = y;
      }
      x = y;
    }
    const q = (indices[k] as number) << 1;
    acc[q]! += x;
    acc[q + 1]! += x * x;
  }
}

// the same loop as csrSumsMemo64, for float32 (and integer) values
function csrSumsMemoAny(
  d: ArrayLike<number>,
  indices: ArrayLike<number>,
  k0: number,
  nnz: number,
  kv: Float64Array,
  f: (v: number) => number,
  acc: Float64Array,
): void {
  // imported bindings may compile to getters (CommonJS builds): read them once
  const hm = H;
  const mask = MASK;
  for (let k = k0; k < nnz; k++) {
    let x = d[k] as number;
    const h = (((x * hm) | 0) & mask) << 1;
    if (kv[h] === x) x = kv[h + 1] as number;
    else {
      const y = f(x);
      if (x !== 0) {
        kv[h] = x;
        kv[h + 1] = y;
      }
      x = y;
    }
    const q = (indices[k] as number) << 1;
    acc[q]! += x;
    acc[q + 1]! += x * x;
  }
}

/**
 * One pass of {@link colMeanVar} over CSR values `d[k0..nnz)`: without `mean`, `acc[j] += x`; with it,
 * `acc[j] += (x − mean[j])²` and `nz[j] += 1`, where `x` is `transform(d[k])` probed inline in the memo table.
 */
function csrColumnPass(
  d: ArrayLike<number>,
  indices: ArrayLike<number>,
  k0: number,
  nnz: number,
  transform: ScalarMemo | undefined,
  acc: Float64Array,
  mean: Float64Array | null,
  nz: Float64Array,
): void {
  const kv = transform?.kv;
  const hm = H;
  const mask = MASK;
  for (let k = k0; k < nnz; k++) {
    let x = d[k] as number;
    if (transform) {
      const h = (((x * hm) | 0) & mask) << 1;
      x = (kv as Float64Array)[h] === x ? ((kv as Float64Array)[h + 1] as number) : transform.get(x);
    }
    const j = indices[k] as number;
    if (mean) {
      const e = x - (mean[j] as number);
      acc[j]! += e * e;
      nz[j]! += 1;
    } else acc[j]! += x;
  }
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

/** Matrix helpers shared by AnnData operations. */
import { type AnyTypedArray, allocate, convertSparse, type DenseMatrix, dtypeOf, isSparse, type SparseMatrix, zeros } from "@hyped/core";

/** A matrix slot: dense ndarray or CSR/CSC. */
export type Matrix = DenseMatrix | SparseMatrix;

/** Shape of a matrix slot. */
export function matrixShape(m: Matrix): [number, number] {
  return isSparse(m) ? [m.shape[0], m.shape[1]] : [m.shape[0] as number, m.shape[1] as number];
}

/** Rows `rows` and columns `cols` of a dense or sparse matrix (`null` keeps an axis). Sparse stays sparse, same format. */
export function subsetMatrix(m: Matrix, rows: Int32Array | null, cols: Int32Array | null): Matrix {
  if (!rows && !cols) return m;
  if (!isSparse(m)) {
    const r = rows ?? Int32Array.from({ length: m.shape[0] as number }, (_, i) => i);
    const c = cols ?? Int32Array.from({ length: m.shape[1] as number }, (_, i) => i);
    const out = zeros(dtypeOf(m.data as ArrayBufferView), [r.length, c.length]);
    const od = out.data as unknown as number[];
    const src = m.data as unknown as number[];
    const s0 = m.stride[0] as number;
    const s1 = m.stride[1] as number;
    for (let i = 0; i < r.length; i++) {
      const base = m.offset + (r[i] as number) * s0;
      for (let j = 0; j < c.length; j++) od[i * c.length + j] = src[base + (c[j] as number) * s1] as number;
    }
    return out;
  }
  const csr = m.format === "csr";
  const majorSel = csr ? rows : cols;
  const minorSel = csr ? cols : rows;
  if (minorSel && hasDuplicates(minorSel)) {
    // repeated minor positions: select them as the major axis of the other format, then convert back
    const other = convertSparse(m, csr ? "csc" : "csr");
    return convertSparse(subsetMatrix(other, rows, cols) as SparseMatrix, m.format);
  }
  const major = csr ? m.shape[0] : m.shape[1];
  const minor = csr ? m.shape[1] : m.shape[0];
  const mSel = majorSel ?? Int32Array.from({ length: major }, (_, i) => i);
  let remap: Int32Array | null = null;
  if (minorSel) {
    remap = new Int32Array(minor).fill(-1);
    minorSel.forEach((j, k) => {
      remap![j] = k;
    });
  }
  let count = 0;
  for (const i of mSel) {
    for (let k = Number(m.indptr[i]); k < Number(m.indptr[i + 1]); k++)
      if (!remap || (remap[m.indices[k] as number] as number) >= 0) count++;
  }
  const data = allocate(dtypeOf(m.data), count) as unknown as number[];
  const indices = new Int32Array(count);
  const indptr = new Int32Array(mSel.length + 1);
  const src = m.data as unknown as number[];
  let p = 0;
  mSel.forEach((i, r) => {
    if (remap) {
      const row: Array<[number, number]> = [];
      for (let k = Number(m.indptr[i]); k < Number(m.indptr[i + 1]); k++) {
        const j = remap[m.indices[k] as number] as number;
        if (j >= 0) row.push([j, k]);
      }
      row.sort((a, b) => a[0] - b[0]);
      for (const [j, k] of row) {
        indices[p] = j;
        data[p++] = src[k] as number;
      }
    } else {
      for (let k = Number(m.indptr[i]); k < Number(m.indptr[i + 1]); k++) {
        indices[p] = m.indices[k] as number;
        data[p++] = src[k] as number;
      }
    }
    indptr[r + 1] = p;
  });
  const nMajor = mSel.length;
  const nMinor = minorSel ? minorSel.length : minor;
  const shape: [number, number] = csr ? [nMajor, nMinor] : [nMinor, nMajor];
  return { format: m.format, shape, data: data as unknown as AnyTypedArray, indices, indptr } as SparseMatrix;
}

function hasDuplicates(sel: Int32Array): boolean {
  const seen = new Set<number>();
  for (const x of sel) {
    if (seen.has(x)) return true;
    seen.add(x);
  }
  return false;
}

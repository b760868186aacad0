/**
 * `csr_matrix` / `csc_matrix` 0.1.0 (and the pre-0.7 `h5sparse_format` groups): a group with `data`,
 * `indices`, `indptr` and a `shape` attribute.
 *
 * - `indptr` int32 stays `Int32Array`; int64/uint64 becomes `Float64Array` (core's rule).
 * - `indices` keep any integer width up to 32 bits, signed or unsigned; 64-bit ones are narrowed (checked).
 * - Everything is validated: the shape attribute against `indptr`, monotonic `indptr`, indices in bounds
 *   (the bounds pass may have run already, during `readH5ad`'s read-ahead: `ReadContext.checkedIndices`).
 */
import { type AnyTypedArray, type IndexArray, isFloat16, isSparse, type SparseMatrix, validateSparse } from "@hyped/core";
import {
  createEncodedGroup,
  type Encoding,
  type EncodingSpec,
  formatFail,
  joinPath,
  type ReadContext,
  type WriteContext,
} from "../registry.js";
import { readNumeric1D, writeData } from "./io.js";

/** `csr_matrix` 0.1.0. */
export const CSR_MATRIX: EncodingSpec = { type: "csr_matrix", version: "0.1.0" };
/** `csc_matrix` 0.1.0. */
export const CSC_MATRIX: EncodingSpec = { type: "csc_matrix", version: "0.1.0" };

/** The format an `encoding-type` names (`csr_matrix` → `csr`, ...), if it is a sparse one. */
export function sparseFormatOf(encodingType: unknown): "csr" | "csc" | undefined {
  return encodingType === CSR_MATRIX.type ? "csr" : encodingType === CSC_MATRIX.type ? "csc" : undefined;
}

/** The format and shape of a sparse group, from its attributes; `FORMAT` when they are missing or bad. */
export function sparseHeader(ctx: ReadContext, path: string, format?: "csr" | "csc"): { format: "csr" | "csc"; shape: [number, number] } {
  const enc = ctx.f.attr(path, "encoding-type");
  const legacy = ctx.f.attr(path, "h5sparse_format");
  const fmt = format ?? sparseFormatOf(enc) ?? (legacy === "csr" || legacy === "csc" ? (legacy as "csr" | "csc") : undefined);
  if (!fmt) formatFail(ctx, path, `not a sparse matrix group (encoding ${String(enc ?? legacy)})`);
  const raw = ctx.f.attr(path, "shape") ?? ctx.f.attr(path, "h5sparse_shape");
  const arr = raw && (ArrayBuffer.isView(raw) || Array.isArray(raw)) ? Array.from(raw as ArrayLike<number | bigint>, Number) : null;
  if (arr?.length !== 2 || !arr.every((x) => Number.isSafeInteger(x) && x >= 0))
    formatFail(ctx, path, `the shape attribute must be two non-negative integers, found ${String(raw)}`);
  for (const k of ["data", "indices", "indptr"])
    if (ctx.f.kind(joinPath(path, k)) !== "dataset") formatFail(ctx, path, `missing the '${k}' dataset`);
  return { format: fmt, shape: [arr[0] as number, arr[1] as number] };
}

/** Convert an index array read from a file to the toolkit's index types (64-bit → Float64/Int32, checked). */
export function toIndexArray(ctx: ReadContext, path: string, a: AnyTypedArray, forIndptr: boolean): IndexArray {
  if (a instanceof Float32Array || a instanceof Float64Array) formatFail(ctx, path, "index arrays must hold integers, found floats");
  if (a instanceof BigInt64Array || a instanceof BigUint64Array) {
    let max = 0;
    for (const v of a) if (Number(v) > max) max = Number(v);
    const out = forIndptr || max > 0x7fffffff ? new Float64Array(a.length) : new Int32Array(a.length);
    for (let i = 0; i < a.length; i++) {
      const v = a[i] as bigint;
      if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) formatFail(ctx, path, `index ${v} at ${i} is out of range`, { index: i });
      out[i] = Number(v);
    }
    return out;
  }
  return a as IndexArray;
}

/** Read the whole sparse matrix at `path`, validated. */
export function readSparse(ctx: ReadContext, path: string, format?: "csr" | "csc"): SparseMatrix {
  const h = sparseHeader(ctx, path, format);
  const indptr = toIndexArray(ctx, `${path}/indptr`, readNumeric1D(ctx, joinPath(path, "indptr")), true);
  const major = h.format === "csr" ? h.shape[0] : h.shape[1];
  if (indptr.length !== major + 1)
    formatFail(
      ctx,
      path,
      `the shape attribute says ${h.shape[0]}×${h.shape[1]} (${major + 1} indptr entries) but indptr has ${indptr.length}`,
    );
  const indices = toIndexArray(ctx, `${path}/indices`, readNumeric1D(ctx, joinPath(path, "indices")), false);
  const data = readNumeric1D(ctx, joinPath(path, "data"));
  const m: SparseMatrix = { format: h.format, shape: h.shape, data, indices, indptr };
  // the read-ahead may have checked the indices already (against this extent), while other data was read
  const minor = h.format === "csr" ? h.shape[1] : h.shape[0];
  validateSparse(m, path, { indicesChecked: ctx.checkedIndices?.get(indices) === minor });
  return m;
}

/** Index arrays as int32 when every value fits, else int64 (as scipy picks its index dtype). */
function toInt32OrInt64(a: ArrayLike<number>, max: number): Int32Array | BigInt64Array {
  if (max <= 0x7fffffff) return a instanceof Int32Array ? a : Int32Array.from(a);
  return BigInt64Array.from(Array.from(a), (x) => BigInt(x));
}

/** Write a CSR/CSC matrix: the group with its `shape` attribute, `data`, `indices` and `indptr`. */
export function writeSparse(ctx: WriteContext, path: string, m: SparseMatrix): void {
  createEncodedGroup(ctx, path, m.format === "csr" ? CSR_MATRIX : CSC_MATRIX);
  ctx.f.setAttr(path, "shape", new BigInt64Array([BigInt(m.shape[0]), BigInt(m.shape[1])]));
  const nnz = Number(m.indptr[m.indptr.length - 1] ?? 0);
  writeData(ctx, joinPath(path, "data"), m.data.length === nnz ? m.data : m.data.subarray(0, nnz), { half: isFloat16(m.data) });
  const minor = m.format === "csr" ? m.shape[1] : m.shape[0];
  writeData(ctx, joinPath(path, "indices"), toInt32OrInt64(m.indices.subarray(0, nnz) as ArrayLike<number>, minor));
  writeData(ctx, joinPath(path, "indptr"), toInt32OrInt64(m.indptr as ArrayLike<number>, nnz));
}

/** The `csr_matrix` encoding. */
export const csrEncoding: Encoding<SparseMatrix> = {
  ...CSR_MATRIX,
  read: (ctx, path) => readSparse(ctx, path, "csr"),
  accepts: (v) => isSparse(v) && v.format === "csr",
  write: writeSparse,
};

/** The `csc_matrix` encoding. */
export const cscEncoding: Encoding<SparseMatrix> = {
  ...CSC_MATRIX,
  read: (ctx, path) => readSparse(ctx, path, "csc"),
  accepts: (v) => isSparse(v) && v.format === "csc",
  write: writeSparse,
};

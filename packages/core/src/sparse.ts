/**
 * Compressed sparse matrices shared by all packages (the scipy.sparse CSR/CSC layout).
 *
 * - `indptr` is `Int32Array` or `BigInt64Array`-free: 64-bit index pointers from files are converted to
 *   `Float64Array` (exact up to 2^53 nonzeros) so arithmetic stays in plain numbers.
 * - `indices` may be any integer TypedArray (readers keep the file's width, including unsigned).
 * - `data` is any numeric TypedArray; BigInt data is allowed but most analyses convert it first.
 */
import { type AnyTypedArray, allocate, type DType, dtypeOf } from "./dtype.js";
import { HypedError } from "./errors.js";
import { type NdArray, zeros } from "./ndarray.js";
import { simdInstance } from "./simd/index.js";
import { SPARSE_BOUNDS_WASM_BASE64 } from "./sparse-bounds-wasm.js";

/** Index arrays accepted for `indices`/`indptr`. */
export type IndexArray = Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array | Float64Array;

/** A CSR (`format: 'csr'`, rows compressed) or CSC (`'csc'`, columns compressed) matrix. */
export interface SparseMatrix<T extends AnyTypedArray = AnyTypedArray> {
  readonly format: "csr" | "csc";
  /** `[rows, cols]`. */
  readonly shape: readonly [number, number];
  /** Nonzero values, in compressed order. */
  readonly data: T;
  /** Minor-axis index of each stored value. */
  readonly indices: IndexArray;
  /** Start of each major-axis slice in `data`/`indices`; length = major extent + 1. */
  readonly indptr: IndexArray;
}

/** A dense 2-D matrix. */
export type DenseMatrix<D extends DType = DType> = NdArray<D>;

/** True if `m` is a {@link SparseMatrix}. */
export function isSparse(m: unknown): m is SparseMatrix {
  return (
    m !== null &&
    typeof m === "object" &&
    ((m as { format?: unknown }).format === "csr" || (m as { format?: unknown }).format === "csc") &&
    ArrayBuffer.isView((m as { indptr?: unknown }).indptr)
  );
}

/** Number of stored values. */
export function nnz(m: SparseMatrix): number {
  return Number(m.indptr[m.indptr.length - 1] ?? 0);
}

/**
 * Check the structural invariants and throw `FORMAT` (with `element` in the context) when one fails:
 * indptr length, indptr[0] = 0, monotonic indptr, indptr end = data length, indices in bounds.
 * `indicesChecked: true` skips the bounds pass over `indices` (the caller checked them as they were read,
 * with {@link indicesOutOfBounds}).
 */
export function validateSparse(m: SparseMatrix, element = "matrix", options: { indicesChecked?: boolean } = {}): void {
  const [rows, cols] = m.shape;
  const major = m.format === "csr" ? rows : cols;
  const minor = m.format === "csr" ? cols : rows;
  const fail = (msg: string, extra: Record<string, unknown> = {}) => {
    throw new HypedError("FORMAT", `${element}: ${msg}`, { element, ...extra });
  };
  if (m.indptr.length !== major + 1) fail(`indptr has ${m.indptr.length} entries, expected ${major + 1}`);
  if (Number(m.indptr[0]) !== 0) fail(`indptr[0] is ${m.indptr[0]}, expected 0`);
  if (m.data.length !== m.indices.length) fail(`data (${m.data.length}) and indices (${m.indices.length}) differ in length`);
  let prev = 0;
  for (let i = 1; i <= major; i++) {
    const v = Number(m.indptr[i]);
    if (!(v >= prev)) fail(`indptr is not monotonic at ${i} (${prev} then ${v})`, { index: i });
    prev = v;
  }
  if (prev !== m.data.length) fail(`indptr ends at ${prev} but there are ${m.data.length} stored values`);
  if (options.indicesChecked) return;
  const k = indicesOutOfBounds(m.indices, minor);
  if (k >= 0) fail(`indices[${k}] = ${m.indices[k]} is out of bounds for extent ${minor}`, { index: k });
}

/**
 * The position of the first entry of `indices[start, end)` outside `[0, extent)`, or −1 when all are in
 * bounds. Int32 indices (what scipy and anndata write) take a fast pass that only says whether a block holds a
 * bad entry, and the plain loop then finds its position inside that block:
 * - long ranges (at least {@link SIMD_MIN_INDICES} entries) go through a WebAssembly SIMD-128 kernel
 *   (`sparse-bounds.wat`) in blocks of 64 Ki entries: each block is copied into the kernel's memory (a copy
 *   from cache) and reduced to its unsigned maximum, about 3x faster than the JavaScript pass;
 * - otherwise, or where SIMD is unavailable, a branch-free JavaScript pass ORs the sign bits of `j` and
 *   `extent − 1 − j`.
 * Both find exactly what the plain loop finds (property tests compare all three).
 */
export function indicesOutOfBounds(indices: IndexArray, extent: number, start = 0, end = indices.length): number {
  let from = start;
  if (indices instanceof Int32Array && extent >= 1 && extent <= 0x80000000) {
    const bad = end - start >= SIMD_MIN_INDICES ? int32FirstBadBlockSimd(indices, extent, start, end) : undefined;
    if (bad === -1) return -1;
    if (bad === undefined) {
      if (int32InBounds(indices, extent - 1, start, end)) return -1;
    } else from = bad;
  }
  for (let k = from; k < end; k++) {
    const j = indices[k] as number;
    if (!(j >= 0 && j < extent)) return k;
  }
  return -1;
}

/** Int32 ranges at least this long take the SIMD kernel (below it, the copy and call cost more than they save). */
const SIMD_MIN_INDICES = 4096;
/** Entries per block of the SIMD kernel: its 256 KiB memory. */
const SIMD_BLOCK = 65536;
let boundsKernel: { inst: WebAssembly.Instance; mem: Int32Array; umax: (n: number) => number } | undefined;

/**
 * The start of the first SIMD block of `a[start, end)` that holds an entry outside `[0, extent)` (`extent`
 * at most 2^31), −1 when none does, or `undefined` when the kernel is unavailable (no WebAssembly SIMD, or
 * `setSimdEnabled(false)`).
 */
function int32FirstBadBlockSimd(a: Int32Array, extent: number, start: number, end: number): number | undefined {
  const inst = simdInstance(SPARSE_BOUNDS_WASM_BASE64);
  if (!inst) return undefined;
  if (boundsKernel?.inst !== inst) {
    const mem = new Int32Array((inst.exports.memory as WebAssembly.Memory).buffer, 0, SIMD_BLOCK);
    boundsKernel = { inst, mem, umax: inst.exports.umax as (n: number) => number };
  }
  const { mem, umax } = boundsKernel;
  for (let s = start; s < end; s += SIMD_BLOCK) {
    const e = Math.min(end, s + SIMD_BLOCK);
    mem.set(a.subarray(s, e));
    // negative entries read as unsigned are >= 2^31 >= extent
    if (umax(e - s) >>> 0 >= extent) return s;
  }
  return -1;
}

/** True when every `a[k]`, `start <= k < end`, is in `[0, last]` (`last` at most 2^31 − 1). */
function int32InBounds(a: Int32Array, last: number, start: number, end: number): boolean {
  let acc = 0;
  let k = start;
  for (; k + 4 <= end; k += 4) {
    const a0 = a[k] as number;
    const a1 = a[k + 1] as number;
    const a2 = a[k + 2] as number;
    const a3 = a[k + 3] as number;
    acc |= a0 | (last - a0) | a1 | (last - a1) | a2 | (last - a2) | a3 | (last - a3);
  }
  for (; k < end; k++) {
    const j = a[k] as number;
    acc |= j | (last - j);
  }
  return acc >= 0;
}

/** Build a CSR or CSC matrix from parts, validating them (see {@link validateSparse}). */
export function sparseMatrix<T extends AnyTypedArray>(
  format: "csr" | "csc",
  shape: readonly [number, number],
  data: T,
  indices: IndexArray,
  indptr: IndexArray,
  validate = true,
): SparseMatrix<T> {
  const m: SparseMatrix<T> = { format, shape: [shape[0], shape[1]], data, indices, indptr };
  if (validate) validateSparse(m);
  return m;
}

/** Smallest index array type that holds values up to `max`. */
export function indexArrayFor(length: number, max: number): Int32Array | Float64Array {
  return max <= 0x7fffffff ? new Int32Array(length) : new Float64Array(length);
}

/** Convert CSR ↔ CSC (a transpose of the compression, same matrix). Stable: keeps order within slices. */
export function convertSparse<T extends AnyTypedArray>(m: SparseMatrix<T>, to: "csr" | "csc"): SparseMatrix<T> {
  if (m.format === to) return m;
  const [rows, cols] = m.shape;
  const major = m.format === "csr" ? rows : cols;
  const minor = m.format === "csr" ? cols : rows;
  const n = m.data.length;
  const counts = indexArrayFor(minor + 1, n);
  for (let k = 0; k < n; k++) {
    const j = (m.indices[k] as number) + 1;
    counts[j] = (counts[j] as number) + 1;
  }
  for (let j = 0; j < minor; j++) counts[j + 1] = (counts[j + 1] as number) + (counts[j] as number);
  const indptr = counts;
  const next = indptr.slice(0, minor);
  const indices = indexArrayFor(n, major);
  const data = allocate(dtypeOf(m.data), n) as unknown as T;
  const src = m.data as unknown as { [i: number]: number };
  const dst = data as unknown as { [i: number]: number };
  for (let i = 0; i < major; i++) {
    const a = Number(m.indptr[i]);
    const b = Number(m.indptr[i + 1]);
    for (let k = a; k < b; k++) {
      const j = m.indices[k] as number;
      const p = next[j] as number;
      next[j] = p + 1;
      indices[p] = i;
      dst[p] = src[k] as number;
    }
  }
  return { format: to, shape: [rows, cols], data, indices, indptr };
}

/** A dense C-order copy of a sparse matrix (dtype kept). Duplicate entries are summed, as scipy does. */
export function sparseToDense<T extends AnyTypedArray>(m: SparseMatrix<T>): DenseMatrix {
  const [rows, cols] = m.shape;
  const dt = dtypeOf(m.data);
  const out = zeros(dt, [rows, cols]);
  const d = out.data as unknown as { [i: number]: number };
  const src = m.data as unknown as { [i: number]: number };
  const csr = m.format === "csr";
  const major = csr ? rows : cols;
  for (let i = 0; i < major; i++) {
    const a = Number(m.indptr[i]);
    const b = Number(m.indptr[i + 1]);
    for (let k = a; k < b; k++) {
      const j = m.indices[k] as number;
      const at = csr ? i * cols + j : j * cols + i;
      d[at] = (d[at] as number) + (src[k] as number);
    }
  }
  return out;
}

/** A CSR copy of a dense 2-D matrix, keeping only nonzero entries (dtype kept). */
export function denseToCsr(a: DenseMatrix): SparseMatrix {
  const rows = a.shape[0] as number;
  const cols = a.shape[1] as number;
  const get = (i: number, j: number) => a.data[a.offset + i * (a.stride[0] as number) + j * (a.stride[1] as number)] as number;
  let count = 0;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) if (get(i, j) !== 0) count++;
  const indptr = indexArrayFor(rows + 1, count);
  const indices = new Int32Array(count);
  const data = allocate(dtypeOf(a.data as ArrayBufferView), count) as unknown as { [i: number]: number };
  let p = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = get(i, j);
      if (v !== 0) {
        indices[p] = j;
        data[p++] = v;
      }
    }
    indptr[i + 1] = p;
  }
  return { format: "csr", shape: [rows, cols], data: data as unknown as AnyTypedArray, indices, indptr };
}

/**
 * Rows `[start, end)` of a CSR matrix (or columns of a CSC matrix) as a new matrix of the same format.
 * `indptr` is rebased to 0; data and indices are subarray views, not copies.
 */
export function sliceMajor<T extends AnyTypedArray>(m: SparseMatrix<T>, start: number, end: number): SparseMatrix<T> {
  const major = m.format === "csr" ? m.shape[0] : m.shape[1];
  if (!(start >= 0 && end <= major && start <= end)) {
    throw new HypedError("OUT_OF_RANGE", `slice [${start}, ${end}) is outside 0..${major}`, { start, end, major });
  }
  const a = Number(m.indptr[start]);
  const b = Number(m.indptr[end]);
  const indptr = indexArrayFor(end - start + 1, b - a);
  for (let i = start; i <= end; i++) indptr[i - start] = Number(m.indptr[i]) - a;
  const shape: [number, number] = m.format === "csr" ? [end - start, m.shape[1]] : [m.shape[0], end - start];
  return {
    format: m.format,
    shape,
    data: m.data.subarray(a, b) as T,
    indices: m.indices.subarray(a, b) as IndexArray,
    indptr,
  };
}

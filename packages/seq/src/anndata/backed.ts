/**
 * Lazy (backed) access to `.h5ad` files, like anndata's `read_h5ad(backed='r')`: `openH5ad` reads the
 * annotations and the sparse index pointers only; matrix rows and columns are read on request as HDF5
 * hyperslabs, so a slice touches only the bytes (chunks) it needs. Works through every source `H5File`
 * takes, including a browser `File` inside a Web Worker.
 */
import {
  type AnyNdArray,
  type AnyTypedArray,
  allocate,
  contiguous,
  type DType,
  dtypeOf,
  fromTyped,
  HypedError,
  type IndexArray,
  indexArrayFor,
  indicesOutOfBounds,
  type LongTaskOptions,
  ndDtype,
  progressReporter,
  type SparseMatrix,
  throwIfAborted,
} from "@hyped/core";
import type { H5File } from "@hyped/core/hdf5";
import { AnnData, type MappingName } from "./anndata.js";
import { moveNeighbors } from "./clean-up.js";
import type { DataFrame } from "./dataframe.js";
import { AWKWARD_ARRAY } from "./encodings/awkward.js";
import { DATAFRAME } from "./encodings/dataframe.js";
import { NULL } from "./encodings/scalar.js";
import { sparseFormatOf, sparseHeader, toIndexArray } from "./encodings/sparse.js";
import { type H5adSource, openContext, type ReadH5adOptions, readAnnDataFrom, readAnnotations, readMapping } from "./h5ad.js";
import { type Matrix, subsetMatrix } from "./matrix.js";
import { encodingOf, formatFail, joinPath, type ReadContext } from "./registry.js";
import { otherSummary, type SlotSummary } from "./slot-summary.js";

/** Elements read per hyperslab when a selection must scan the whole matrix. */
const SCAN_PIECE = 1 << 22;

/** A matrix in the file, read on request. */
export class BackedMatrix {
  /** `dense`, `csr` or `csc`. */
  readonly kind: "dense" | "csr" | "csc";
  /** `[rows, cols]`. */
  readonly shape: [number, number];
  /** The dtype of the values as read (float16 storage reads as `float32`, see {@link BackedMatrix.float16}). */
  readonly dtype: DType;
  /** True when the values are stored as float16 (read widened to float32, core's dtype rule). */
  readonly float16: boolean;
  /** The element path in the file. */
  readonly path: string;
  private readonly ctx: ReadContext;
  private readonly indptr?: IndexArray;

  /** @internal use {@link openH5ad}. */
  constructor(ctx: ReadContext, path: string) {
    this.ctx = ctx;
    this.path = path;
    const f = ctx.f;
    if (f.kind(path) === "dataset") {
      const info = f.info(path);
      if (!info.dtype || !info.shape || info.shape.length !== 2)
        formatFail(ctx, path, `expected a 2-D numeric array, found ${info.typeClass} of shape [${info.shape}]`);
      f.checkFilters(path, info);
      this.kind = "dense";
      this.shape = [info.shape[0] as number, info.shape[1] as number];
      this.dtype = info.dtype;
      this.float16 = info.half === true;
      return;
    }
    const enc = encodingOf(f, path).type;
    const h = sparseHeader(ctx, path, sparseFormatOf(enc));
    this.kind = h.format;
    this.shape = h.shape;
    const dinfo = f.info(joinPath(path, "data"));
    if (!dinfo.dtype) formatFail(ctx, `${path}/data`, `expected numbers, found ${dinfo.typeClass}`);
    this.dtype = dinfo.dtype;
    this.float16 = dinfo.half === true;
    for (const k of ["data", "indices", "indptr"]) f.checkFilters(joinPath(path, k));
    const ip = toIndexArray(ctx, `${path}/indptr`, contiguous(f.read(joinPath(path, "indptr"))).data as unknown as AnyTypedArray, true);
    const major = this.majorExtent;
    if (ip.length !== major + 1)
      formatFail(
        ctx,
        path,
        `the shape attribute says ${this.shape[0]}×${this.shape[1]} (${major + 1} indptr entries) but indptr has ${ip.length}`,
      );
    if (Number(ip[0]) !== 0) formatFail(ctx, `${path}/indptr`, `indptr[0] is ${ip[0]}, expected 0`);
    for (let i = 1; i < ip.length; i++)
      if (!((ip[i] as number) >= (ip[i - 1] as number))) formatFail(ctx, `${path}/indptr`, `indptr is not monotonic at ${i}`, { index: i });
    const stored = f.info(joinPath(path, "data")).shape?.[0] ?? 0;
    const nind = f.info(joinPath(path, "indices")).shape?.[0] ?? 0;
    if (Number(ip[major]) !== stored || stored !== nind)
      formatFail(ctx, path, `indptr ends at ${ip[major]} but data has ${stored} and indices ${nind} values`);
    this.indptr = ip;
  }

  private get majorExtent(): number {
    return this.kind === "csc" ? this.shape[1] : this.shape[0];
  }
  private get minorExtent(): number {
    return this.kind === "csc" ? this.shape[0] : this.shape[1];
  }

  /** Stored values (sparse) or `rows × cols` (dense). */
  get nnz(): number {
    return this.indptr ? Number(this.indptr[this.indptr.length - 1]) : this.shape[0] * this.shape[1];
  }

  private checkRange(start: number, end: number, extent: number, axis: string): void {
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end <= extent && start <= end))
      throw new HypedError("OUT_OF_RANGE", `${axis} range [${start}, ${end}) is outside 0..${extent}`, { start, end, extent });
  }

  /** Read `[a, b)` of `data` and `indices`, checking indices against the minor extent. */
  private readStored(a: number, b: number): { data: AnyTypedArray; indices: IndexArray } {
    const f = this.ctx.f;
    if (b <= a) return { data: allocate(this.dtype, 0), indices: new Int32Array(0) };
    const sel = { select: [[a, b] as [number, number]], signal: this.ctx.signal };
    const data = contiguous(f.read(joinPath(this.path, "data"), sel)).data as unknown as AnyTypedArray;
    const raw = contiguous(f.read(joinPath(this.path, "indices"), sel)).data as unknown as AnyTypedArray;
    const indices = toIndexArray(this.ctx, `${this.path}/indices`, raw, false);
    const minor = this.minorExtent;
    const k = indicesOutOfBounds(indices, minor);
    if (k >= 0)
      formatFail(this.ctx, `${this.path}/indices`, `indices[${a + k}] = ${indices[k]} is out of bounds for extent ${minor}`, {
        index: a + k,
      });
    return { data, indices };
  }

  /** Major-axis slices `[start, end)` (rows of CSR, columns of CSC) as a matrix of the same format. */
  private majorRange(start: number, end: number): SparseMatrix {
    const ip = this.indptr as IndexArray;
    const a = Number(ip[start]);
    const b = Number(ip[end]);
    const { data, indices } = this.readStored(a, b);
    const indptr = indexArrayFor(end - start + 1, b - a);
    for (let i = start; i <= end; i++) indptr[i - start] = Number(ip[i]) - a;
    const n = end - start;
    const shape: [number, number] = this.kind === "csr" ? [n, this.shape[1]] : [this.shape[0], n];
    return { format: this.kind as "csr" | "csc", shape, data, indices, indptr };
  }

  /** Major-axis slices at `idx` (any order, repeats allowed), reading each run of consecutive indices once. */
  private majorAt(idx: ArrayLike<number>): SparseMatrix {
    const major = this.majorExtent;
    const parts: SparseMatrix[] = [];
    let i = 0;
    while (i < idx.length) {
      const s = idx[i] as number;
      this.checkRange(s, s + 1, major, this.kind === "csr" ? "row" : "column");
      let e = s + 1;
      while (i + (e - s) < idx.length && idx[i + (e - s)] === e && e < major) e++;
      parts.push(this.majorRange(s, e));
      i += e - s;
    }
    return concatMajor(this.kind as "csr" | "csc", parts, this.minorExtent, this.dtype);
  }

  /**
   * Select minor-axis positions (any order, repeats allowed) by scanning all stored values in pieces
   * (bounded memory): the distinct positions are gathered in increasing order, then arranged as asked.
   */
  private minorSelect(sel: Int32Array): SparseMatrix {
    const uniq = Int32Array.from(new Set(sel)).sort();
    const m = this.minorSelectSorted(uniq);
    if (uniq.length === sel.length && uniq.every((x, i) => x === sel[i])) return m;
    const pos = new Map<number, number>();
    uniq.forEach((x, i) => {
      pos.set(x, i);
    });
    const order = Int32Array.from(sel, (x) => pos.get(x) as number);
    return (this.kind === "csr" ? subsetMatrix(m, null, order) : subsetMatrix(m, order, null)) as SparseMatrix;
  }

  private minorSelectSorted(sel: Int32Array): SparseMatrix {
    const minor = this.minorExtent;
    const remap = new Int32Array(minor).fill(-1);
    sel.forEach((j, k) => {
      remap[j] = k;
    });
    const ip = this.indptr as IndexArray;
    const major = this.majorExtent;
    const outIdx: number[] = [];
    const outVal: number[] = [];
    const outPtr = indexArrayFor(major + 1, Number(ip[major]));
    let row = 0;
    const total = Number(ip[major]);
    for (let a = 0; a < total || row < major; ) {
      throwIfAborted(this.ctx.signal, `reading ${this.path}`);
      const b = Math.min(total, a + SCAN_PIECE);
      const { data, indices } = this.readStored(a, b);
      for (let k = a; k < b; k++) {
        while (row < major && Number(ip[row + 1]) <= k) outPtr[++row] = outIdx.length;
        const j = remap[indices[k - a] as number] as number;
        if (j >= 0) {
          outIdx.push(j);
          outVal.push(Number(data[k - a]));
        }
      }
      if (b >= total) {
        while (row < major) outPtr[++row] = outIdx.length;
        break;
      }
      a = b;
    }
    const data = allocate(this.dtype, outVal.length) as unknown as { [i: number]: number | bigint };
    const big = this.dtype === "int64" || this.dtype === "uint64";
    outVal.forEach((v, k) => {
      data[k] = big ? BigInt(v) : v;
    });
    const m: SparseMatrix = {
      format: this.kind as "csr" | "csc",
      shape: this.kind === "csr" ? [major, sel.length] : [sel.length, major],
      data: data as unknown as AnyTypedArray,
      indices: Int32Array.from(outIdx),
      indptr: outPtr,
    };
    return m;
  }

  private denseRead(rows: [number, number] | number, cols: [number, number] | number): Matrix {
    return this.ctx.f.read(this.path, { select: [rows, cols], signal: this.ctx.signal }) as unknown as Matrix;
  }

  /** Rows `[start, end)` (matches `adata.X[start:end]` on a backed file). */
  rows(start: number, end: number): Matrix {
    this.checkRange(start, end, this.shape[0], "row");
    if (this.kind === "dense") return this.denseRead([start, end], [0, this.shape[1]]);
    if (this.kind === "csr") return this.majorRange(start, end);
    return this.minorSelect(Int32Array.from({ length: end - start }, (_, i) => start + i));
  }

  /** Rows at `indices` in the given order (repeats allowed). */
  rowsAt(indices: ArrayLike<number>): Matrix {
    for (const i of Array.from(indices)) this.checkRange(i, i + 1, this.shape[0], "row");
    if (this.kind === "csr") return this.majorAt(indices);
    if (this.kind === "dense") return this.denseRows(indices);
    return this.minorSelect(Int32Array.from(indices));
  }

  /** Columns `[start, end)`. */
  cols(start: number, end: number): Matrix {
    this.checkRange(start, end, this.shape[1], "column");
    if (this.kind === "dense") return this.denseRead([0, this.shape[0]], [start, end]);
    if (this.kind === "csc") return this.majorRange(start, end);
    return this.minorSelect(Int32Array.from({ length: end - start }, (_, i) => start + i));
  }

  /** Columns at `indices` in the given order. */
  colsAt(indices: ArrayLike<number>): Matrix {
    for (const i of Array.from(indices)) this.checkRange(i, i + 1, this.shape[1], "column");
    if (this.kind === "csc") return this.majorAt(indices);
    if (this.kind === "dense") {
      const t = Array.from(indices);
      const parts = t.map((j) => this.denseRead([0, this.shape[0]], [j, j + 1]));
      const out = allocate(this.dtype, this.shape[0] * t.length) as unknown as { [i: number]: number };
      parts.forEach((p, c) => {
        const d = contiguous(p as unknown as AnyNdArray).data as unknown as ArrayLike<number>;
        for (let r = 0; r < this.shape[0]; r++) out[r * t.length + c] = d[r] as number;
      });
      return wrapDense(out as unknown as AnyTypedArray, [this.shape[0], t.length]);
    }
    return this.minorSelect(Int32Array.from(indices));
  }

  private denseRows(indices: ArrayLike<number>): Matrix {
    const t = Array.from(indices);
    const w = this.shape[1];
    const out = allocate(this.dtype, t.length * w);
    let i = 0;
    while (i < t.length) {
      const s = t[i] as number;
      let e = s + 1;
      while (i + (e - s) < t.length && t[i + (e - s)] === e) e++;
      const block = contiguous(this.denseRead([s, e], [0, w]) as unknown as AnyNdArray).data as unknown as AnyTypedArray;
      (out as unknown as { set(a: ArrayLike<number>, o: number): void }).set(block as unknown as ArrayLike<number>, i * w);
      i += e - s;
    }
    return wrapDense(out, [t.length, w]);
  }

  /** The whole matrix in memory (validated). */
  read(): Matrix {
    if (this.kind === "dense") return this.denseRead([0, this.shape[0]], [0, this.shape[1]]);
    const m = this.majorRange(0, this.majorExtent);
    return m;
  }

  /**
   * Stream the rows in batches of `batchSize` (default 1000) with bounded memory. CSR and dense read each
   * batch as one hyperslab; CSC scans the stored values once per batch (prefer CSR for streaming).
   */
  *iterateRows(batchSize = 1000, options: LongTaskOptions = {}): Generator<{ start: number; end: number; matrix: Matrix }> {
    if (!(Number.isInteger(batchSize) && batchSize > 0))
      throw new HypedError("INVALID_ARGUMENT", `batchSize must be a positive integer, got ${batchSize}`);
    const n = this.shape[0];
    const p = progressReporter(options.onProgress, "rows", n, `reading ${this.path}`);
    for (let s = 0; s < n; s += batchSize) {
      throwIfAborted(options.signal, `reading ${this.path}`);
      const e = Math.min(n, s + batchSize);
      yield { start: s, end: e, matrix: this.rows(s, e) };
      p.tick(e - s);
    }
    p.finish();
  }
}

function dtypeOfMatrix(m: Matrix): string {
  return "format" in m ? dtypeOf((m as SparseMatrix).data) : ndDtype(m as unknown as AnyNdArray);
}

function wrapDense(data: AnyTypedArray, shape: [number, number]): Matrix {
  return fromTyped(data, shape) as unknown as Matrix;
}

/** Concatenate same-format matrices along their compressed axis. */
function concatMajor(format: "csr" | "csc", parts: SparseMatrix[], minor: number, dtype: DType): SparseMatrix {
  let nnz = 0;
  let major = 0;
  for (const p of parts) {
    nnz += p.data.length;
    major += p.indptr.length - 1;
  }
  const data = allocate(dtype, nnz) as unknown as { set(a: ArrayLike<number>, o: number): void };
  const indices = indexArrayFor(nnz, minor);
  const indptr = indexArrayFor(major + 1, nnz);
  let o = 0;
  let r = 0;
  for (const p of parts) {
    data.set(p.data as unknown as ArrayLike<number>, o);
    indices.set(p.indices as unknown as ArrayLike<number>, o);
    for (let i = 1; i < p.indptr.length; i++) indptr[++r] = o + Number(p.indptr[i]);
    o += p.data.length;
  }
  const shape: [number, number] = format === "csr" ? [major, minor] : [minor, major];
  return { format, shape, data: data as unknown as AnyTypedArray, indices, indptr };
}

/** A lazily read `.h5ad` file (see {@link openH5ad}). Close it when done. */
export class BackedAnnData {
  /** Observation annotations (read at open). */
  readonly obs: DataFrame;
  /** Variable annotations (read at open). */
  readonly var: DataFrame;
  /** Unstructured annotations (read at open). */
  readonly uns: Record<string, unknown>;
  /** The data matrix, read on request; `null` when the file has none. */
  readonly X: BackedMatrix | null;
  /** Layers that are matrices, read on request. */
  readonly layers: Map<string, BackedMatrix>;
  private readonly ctx: ReadContext;
  /** Neighbor graphs of legacy files, moved out of `uns` as anndata does. */
  private readonly movedObsp = new Map<string, Matrix>();

  /** @internal use {@link openH5ad}. */
  constructor(ctx: ReadContext) {
    this.ctx = ctx;
    const a = readAnnotations(ctx);
    this.obs = a.obs;
    this.var = a.var;
    this.uns = a.uns;
    moveNeighbors(this.uns, this.movedObsp);
    const kx = ctx.f.kind("/X");
    this.X = kx === "missing" || encodingOf(ctx.f, "/X").type === NULL.type ? null : new BackedMatrix(ctx, "/X");
    if (this.X && (this.X.shape[0] !== this.obs.nRows || this.X.shape[1] !== this.var.nRows))
      formatFail(ctx, "/X", `X is ${this.X.shape[0]}×${this.X.shape[1]} but obs has ${this.obs.nRows} rows and var ${this.var.nRows}`);
    this.layers = new Map();
    if (ctx.f.kind("/layers") === "group") {
      for (const k of ctx.f.keys("/layers")) {
        const m = new BackedMatrix(ctx, joinPath("/layers", k));
        if (m.shape[0] !== this.obs.nRows || m.shape[1] !== this.var.nRows)
          formatFail(ctx, `/layers/${k}`, `layer is ${m.shape[0]}×${m.shape[1]}`);
        this.layers.set(k, m);
      }
    }
  }

  /** The open HDF5 file (its `io.bytesRead` shows how much was read). */
  get file(): H5File {
    return this.ctx.f;
  }
  /** Number of observations. */
  get nObs(): number {
    return this.obs.nRows;
  }
  /** Number of variables. */
  get nVars(): number {
    return this.var.nRows;
  }
  /** `[nObs, nVars]`. */
  get shape(): [number, number] {
    return [this.nObs, this.nVars];
  }
  /** Observation names. */
  get obsNames(): string[] {
    return this.obs.index;
  }
  /** Variable names. */
  get varNames(): string[] {
    return this.var.index;
  }
  /** Position of an obs name (O(1)), or −1. */
  obsIndex(name: string): number {
    return this.obs.position(name);
  }
  /** Position of a var name (O(1)), or −1. */
  varIndex(name: string): number {
    return this.var.position(name);
  }

  /** One gene across all cells (float64), read as one column. */
  obsVector(gene: string, layer?: string): Float64Array {
    const j = this.varIndex(gene);
    if (j < 0) throw new HypedError("NOT_FOUND", `no variable named '${gene}'`, { gene });
    const m = layer ? this.layers.get(layer) : this.X;
    if (!m) throw new HypedError("NOT_FOUND", layer ? `no layer '${layer}'` : "X is empty", { layer });
    const col = m.cols(j, j + 1);
    const out = new Float64Array(this.nObs);
    if ("format" in col) {
      const c = col as SparseMatrix;
      if (c.format === "csc") for (let k = 0; k < c.data.length; k++) out[c.indices[k] as number] = Number(c.data[k]);
      else
        for (let i = 0; i < this.nObs; i++) for (let k = Number(c.indptr[i]); k < Number(c.indptr[i + 1]); k++) out[i] = Number(c.data[k]);
      return out;
    }
    const d = contiguous(col as unknown as AnyNdArray).data as unknown as ArrayLike<number>;
    for (let i = 0; i < this.nObs; i++) out[i] = Number(d[i]);
    return out;
  }

  /** Stream `X` (or a layer) in row batches; see {@link BackedMatrix.iterateRows}. */
  iterateRows(
    batchSize = 1000,
    options: LongTaskOptions & { layer?: string } = {},
  ): Generator<{ start: number; end: number; matrix: Matrix }> {
    const m = options.layer ? this.layers.get(options.layer) : this.X;
    if (!m) throw new HypedError("NOT_FOUND", options.layer ? `no layer '${options.layer}'` : "X is empty", {});
    return m.iterateRows(batchSize, options);
  }

  /**
   * `{kind, shape, dtype}` of every entry of `obsm`, `varm`, `layers`, `obsp`, `varp`, from metadata only
   * (kind `dense`, `csr`, `csc` or `dataframe`; other elements by their encoding, e.g. `awkward-array` with
   * its `length`).
   */
  slots(): Record<MappingName, Record<string, SlotSummary>> {
    const f = this.ctx.f;
    const one = (p: string): SlotSummary | null => {
      const enc = encodingOf(f, p).type;
      if (f.kind(p) === "dataset") {
        const info = f.info(p);
        if (info.typeClass === "string") return otherSummary({ kind: enc || "string-array", length: info.shape?.[0] ?? 1 });
        return { kind: "dense", shape: info.shape ?? [], dtype: info.half ? "float16" : (info.dtype ?? info.typeClass) };
      }
      if (enc === AWKWARD_ARRAY.type) return otherSummary({ kind: enc, length: Number(f.attr(p, "length") ?? 0) });
      if (enc === DATAFRAME.type) {
        const order = f.attr(p, "column-order");
        const ncol = Array.isArray(order) ? order.length : typeof order === "string" ? 1 : 0;
        const idx = f.attr(p, "_index");
        const n = typeof idx === "string" && f.kind(joinPath(p, idx)) === "dataset" ? (f.info(joinPath(p, idx)).shape?.[0] ?? 0) : 0;
        return { kind: "dataframe", shape: [n, ncol], dtype: "mixed" };
      }
      if (sparseFormatOf(enc) || f.attr(p, "h5sparse_format") !== undefined) {
        const h = sparseHeader(this.ctx, p);
        const info = f.info(joinPath(p, "data"));
        return { kind: h.format, shape: [...h.shape], dtype: info.half ? "float16" : (info.dtype ?? "unknown") };
      }
      // any other element is listed by its encoding, never dropped
      return otherSummary({ kind: enc || f.kind(p) });
    };
    const group = (path: string) => {
      const out: Record<string, SlotSummary> = {};
      const k = f.kind(path);
      if (k === "group") {
        for (const key of f.keys(path)) {
          const s = one(joinPath(path, key));
          if (s) out[key] = s;
        }
      } else if (k === "dataset") {
        for (const [key, m] of readMapping(this.ctx, path, path.startsWith("/obs") ? this.nObs : this.nVars, null).mats) {
          const shp = "format" in m ? [...(m as SparseMatrix).shape] : [...(m as unknown as AnyNdArray).shape];
          out[key] = { kind: "dense", shape: shp, dtype: dtypeOfMatrix(m) };
        }
      }
      return out;
    };
    const obsp = group("/obsp");
    for (const [k, m] of this.movedObsp)
      if (!(k in obsp))
        obsp[k] = { kind: "format" in m ? (m as SparseMatrix).format : "dense", shape: [this.nObs, this.nObs], dtype: dtypeOfMatrix(m) };
    return { obsm: group("/obsm"), varm: group("/varm"), layers: group("/layers"), obsp, varp: group("/varp") };
  }

  /** Read any element by path (e.g. `/obsm/X_pca`) with the file's registry. */
  readElement(path: string): unknown {
    return this.ctx.readAny(path);
  }

  /** The `obsm` entries (read now). */
  obsm(): Map<string, Matrix> {
    return readMapping(this.ctx, "/obsm", this.nObs, null).mats;
  }

  /** Everything in memory (matches `adata.to_memory()`). */
  toMemory(): AnnData {
    return readAnnDataFrom(this.ctx);
  }

  /** Observations `sel` (indices) as an in-memory AnnData, reading only those rows of `X` and the layers. */
  obsSubset(sel: ArrayLike<number>): AnnData {
    const idx = Int32Array.from(sel);
    const X = this.X ? this.X.rowsAt(idx) : null;
    const layers = new Map([...this.layers].map(([k, m]) => [k, m.rowsAt(idx)] as const));
    const obsm = readMapping(this.ctx, "/obsm", this.nObs, null);
    if (obsm.other.size > 0)
      throw new HypedError(
        "UNSUPPORTED",
        `cannot subset obsm entries ${[...obsm.other.keys()].map((k) => `'${k}'`).join(", ")} (not matrices)`,
        {
          element: `/obsm/${[...obsm.other.keys()][0]}`,
        },
      );
    const obsp = readMapping(this.ctx, "/obsp", this.nObs, this.nObs).mats;
    for (const [k, m] of this.movedObsp) if (!obsp.has(k)) obsp.set(k, m);
    return new AnnData({
      X,
      obs: this.obs.take(idx),
      var: this.var,
      layers,
      obsm: new Map([...obsm.mats].map(([k, m]) => [k, subsetMatrix(m, idx, null)])),
      obsmFrames: new Map([...obsm.frames].map(([k, d]) => [k, d.take(idx)])),
      varm: readMapping(this.ctx, "/varm", this.nVars, null).mats,
      obsp: new Map([...obsp].map(([k, m]) => [k, subsetMatrix(m, idx, idx)])),
      varp: readMapping(this.ctx, "/varp", this.nVars, this.nVars).mats,
      uns: this.uns,
      raw: null,
    });
  }

  /** Close the file. */
  close(): void {
    this.ctx.f.close();
  }
}

/**
 * Open a `.h5ad` file lazily (matches `anndata.read_h5ad(path, backed='r')`): reads `obs`, `var`, `uns` and
 * the sparse index pointers; matrix values are read by {@link BackedMatrix.rows} & co. Close it when done.
 */
export async function openH5ad(source: H5adSource, options: ReadH5adOptions = {}): Promise<BackedAnnData> {
  const ctx = await openContext(source, options);
  try {
    return new BackedAnnData(ctx);
  } catch (e) {
    ctx.f.close();
    throw e;
  }
}

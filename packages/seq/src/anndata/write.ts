/**
 * `writeH5ad`: an {@link AnnData} to `.h5ad` in the current anndata encodings (anndata ≥ 0.8 layout), written
 * atomically (temporary file, then rename). Booleans are real h5py boolean enums (see core's `boolenum.ts`),
 * so anndata 0.8 reads `ordered`, nullable booleans and boolean columns as booleans.
 */
import {
  type AnyNdArray,
  type AnyTypedArray,
  contiguous,
  type DType,
  dtypeOf,
  HypedError,
  isFloat16,
  isNdArray,
  isSparse,
  type LongTaskOptions,
  ndDtype,
  progressReporter,
  type SparseMatrix,
  throwIfAborted,
} from "@hyped/core";
import { H5File, type H5WriteOptions } from "@hyped/core/hdf5";
import { type AnnData, type Matrix, matrixShape } from "./anndata.js";
import { type Column, DataFrame } from "./dataframe.js";
import { prepareLzf } from "./lzf.js";
import { type AwkwardArray, type RecArray, type StringNdArray, scalarDtype } from "./types.js";

/** Options of {@link writeH5ad}. */
export interface WriteH5adOptions extends LongTaskOptions {
  /** Compression of array datasets: `gzip` (level 4), `lzf` or `none` (default, as anndata). Scalars are never compressed. */
  compression?: "gzip" | "lzf" | "none";
}

interface WCtx {
  f: H5File;
  comp: H5WriteOptions["compression"];
  signal?: AbortSignal;
  tick: (n?: number) => void;
}

const join = (g: string, k: string) => (g === "/" ? `/${k}` : `${g}/${k}`);

function enc(c: WCtx, path: string, type: string, version: string): void {
  c.f.setAttr(path, "encoding-type", type);
  c.f.setAttr(path, "encoding-version", version);
}

function group(c: WCtx, path: string, type: string, version: string): void {
  c.f.createGroup(path);
  enc(c, path, type, version);
}

function dataset(c: WCtx, path: string, data: AnyTypedArray | string[], shape?: number[], dtype?: DType, half = false): void {
  throwIfAborted(c.signal, "writing .h5ad");
  const s = shape ?? [data.length];
  const scalar = s.length === 0;
  const opts: H5WriteOptions = { shape: s };
  if (!scalar && !Array.isArray(data) && data.length > 0 && c.comp !== "none") {
    opts.compression = c.comp;
    // 1-D arrays (sparse data/indices) in chunks of 32 Ki values, so a backed slice decompresses little
    if (s.length === 1) opts.chunks = [Math.min(s[0] as number, 1 << 15)];
  }
  if (dtype) opts.dtype = dtype;
  // float16 read from a file is held as float32 (core's dtype rule) and stored as float16 again
  if (!Array.isArray(data) && (half || isFloat16(data))) opts.float16 = true;
  // strings are variable-length UTF-8 whatever their number, so anndata reads an empty list as strings
  c.f.writeDataset(path, data, opts);
  c.tick(data.length);
}

function writeStrings(c: WCtx, path: string, values: string[], shape?: number[]): void {
  dataset(c, path, values, shape);
  enc(c, path, "string-array", "0.2.0");
}

function writeNd(c: WCtx, path: string, a: AnyNdArray): void {
  const dt = ndDtype(a);
  const flat = contiguous(a).data as unknown as AnyTypedArray;
  dataset(c, path, flat, [...a.shape], dt === "bool" ? "bool" : undefined, isFloat16(a));
  enc(c, path, "array", "0.2.0");
}

function toInt32OrInt64(a: ArrayLike<number>, max: number): Int32Array | BigInt64Array {
  if (max <= 0x7fffffff) return a instanceof Int32Array ? a : Int32Array.from(a);
  return BigInt64Array.from(Array.from(a), (x) => BigInt(x));
}

function writeSparse(c: WCtx, path: string, m: SparseMatrix): void {
  group(c, path, m.format === "csr" ? "csr_matrix" : "csc_matrix", "0.1.0");
  c.f.setAttr(path, "shape", new BigInt64Array([BigInt(m.shape[0]), BigInt(m.shape[1])]));
  const nnz = Number(m.indptr[m.indptr.length - 1] ?? 0);
  dataset(c, join(path, "data"), m.data.length === nnz ? m.data : m.data.subarray(0, nnz), undefined, undefined, isFloat16(m.data));
  const minor = m.format === "csr" ? m.shape[1] : m.shape[0];
  dataset(c, join(path, "indices"), toInt32OrInt64(m.indices.subarray(0, nnz) as ArrayLike<number>, minor));
  dataset(c, join(path, "indptr"), toInt32OrInt64(m.indptr as ArrayLike<number>, nnz));
}

function writeMatrix(c: WCtx, path: string, m: Matrix): void {
  if (isSparse(m)) writeSparse(c, path, m);
  else writeNd(c, path, m as unknown as AnyNdArray);
}

function codesType(n: number): Int8Array | Int16Array | Int32Array {
  return n < 128 ? new Int8Array(0) : n < 32768 ? new Int16Array(0) : new Int32Array(0);
}

function writeCategories(c: WCtx, path: string, cats: string[] | number[], dtype?: DType): void {
  if (cats.length === 0 || typeof cats[0] === "string") {
    writeStrings(c, path, cats as string[]);
    return;
  }
  const nums = cats as number[];
  const dt = dtype ?? (nums.every(Number.isInteger) ? "int64" : "float64");
  const arr =
    dt === "int64"
      ? BigInt64Array.from(nums, (x) => BigInt(x))
      : dt === "uint64"
        ? BigUint64Array.from(nums, (x) => BigInt(x))
        : new (dtypeCtor(dt))(nums);
  dataset(c, path, arr as AnyTypedArray);
  enc(c, path, "array", "0.2.0");
}

function dtypeCtor(dt: DType): new (a: ArrayLike<number>) => AnyTypedArray {
  const t: Record<string, new (a: ArrayLike<number>) => AnyTypedArray> = {
    float32: Float32Array,
    float64: Float64Array,
    int8: Int8Array,
    int16: Int16Array,
    int32: Int32Array,
    uint8: Uint8Array,
    uint16: Uint16Array,
    uint32: Uint32Array,
    bool: Uint8Array,
  };
  return t[dt] ?? Float64Array;
}

/** Write one DataFrame column (or a categorical / nullable array anywhere). */
function writeColumn(c: WCtx, path: string, col: Column): void {
  switch (col.kind) {
    case "numeric":
      dataset(c, path, col.values);
      enc(c, path, "array", "0.2.0");
      return;
    case "boolean":
      dataset(c, path, col.values, undefined, "bool");
      enc(c, path, "array", "0.2.0");
      return;
    case "string":
      writeStrings(c, path, col.values);
      return;
    case "categorical": {
      group(c, path, "categorical", "0.2.0");
      c.f.setAttr(path, "ordered", Boolean(col.ordered));
      const ctor = codesType(col.categories.length).constructor as new (a: ArrayLike<number>) => AnyTypedArray;
      dataset(c, join(path, "codes"), new ctor(col.codes));
      enc(c, join(path, "codes"), "array", "0.2.0");
      writeCategories(c, join(path, "categories"), col.categories, col.categoriesDtype);
      return;
    }
    case "nullable-integer":
      group(c, path, "nullable-integer", "0.1.0");
      dataset(c, join(path, "values"), col.values as AnyTypedArray);
      enc(c, join(path, "values"), "array", "0.2.0");
      dataset(c, join(path, "mask"), col.mask, undefined, "bool");
      enc(c, join(path, "mask"), "array", "0.2.0");
      return;
    case "nullable-boolean":
      group(c, path, "nullable-boolean", "0.1.0");
      dataset(c, join(path, "values"), col.values, undefined, "bool");
      enc(c, join(path, "values"), "array", "0.2.0");
      dataset(c, join(path, "mask"), col.mask, undefined, "bool");
      enc(c, join(path, "mask"), "array", "0.2.0");
      return;
    case "nullable-string":
      group(c, path, "nullable-string-array", "0.1.0");
      c.f.setAttr(path, "na-value", "NA");
      writeStrings(c, join(path, "values"), col.values);
      dataset(c, join(path, "mask"), col.mask, undefined, "bool");
      enc(c, join(path, "mask"), "array", "0.2.0");
      return;
  }
}

function writeDataFrame(c: WCtx, path: string, df: DataFrame): void {
  group(c, path, "dataframe", "0.2.0");
  const indexName = df.indexName || "_index";
  c.f.setAttr(path, "_index", indexName);
  const cols = df.columns;
  if (cols.includes(indexName))
    throw new HypedError("INVALID_ARGUMENT", `${path}: a column is named like the index ('${indexName}')`, { element: path });
  // h5py writes an empty column-order as an empty float64 array; anndata expects that exact shape
  if (cols.length) c.f.setAttr(path, "column-order", cols);
  else c.f.setAttr(path, "column-order", new Float64Array(0));
  writeStrings(c, join(path, indexName), df.index);
  for (const name of cols) writeColumn(c, join(path, name), df.column(name) as Column);
}

function isColumn(v: unknown): v is Column {
  const k = (v as { kind?: unknown })?.kind;
  return (
    typeof k === "string" &&
    ["numeric", "boolean", "string", "categorical", "nullable-integer", "nullable-boolean", "nullable-string"].includes(k) &&
    ("codes" in (v as object) || "values" in (v as object))
  );
}

function writeRecArray(c: WCtx, path: string, r: RecArray): void {
  const fields = Object.entries(r.fields);
  const dtype: Array<[string, string]> = [];
  const columns = new Map<string, unknown>();
  const te = new TextEncoder();
  for (const [name, v] of fields) {
    if (Array.isArray(v)) {
      // ASCII fields as NUL-terminated ASCII (anndata 0.8 decodes only those in compounds), others as UTF-8
      const width = Math.max(1, ...v.map((s) => te.encode(s).length)) + 1;
      const ascii = v.every((s) => te.encode(s).length === s.length);
      dtype.push([name, `${ascii ? "A" : "S"}${width}`]);
      columns.set(name, v);
    } else {
      const d: Record<string, string> = {
        float32: "<f",
        float64: "<d",
        int8: "<b",
        int16: "<h",
        int32: "<i",
        int64: "<q",
        uint8: "<B",
        uint16: "<H",
        uint32: "<I",
        uint64: "<Q",
      };
      dtype.push([name, d[dtypeOf(v)] as string]);
      columns.set(name, v);
    }
  }
  // biome-ignore lint/suspicious/noExplicitAny: h5wasm compound write through the escape hatch
  const raw = (c.f as any).f;
  try {
    raw.create_dataset({ name: path, data: columns, shape: [r.length], dtype });
  } catch (e) {
    throw new HypedError(
      "UNSUPPORTED",
      `${path}: this rec-array cannot be written (${(e as Error).message})`,
      { element: path },
      { cause: e },
    );
  }
  enc(c, path, "rec-array", "0.2.0");
}

function writeAwkward(c: WCtx, path: string, a: AwkwardArray): void {
  group(c, path, "awkward-array", "0.1.0");
  c.f.setAttr(path, "form", a.form);
  c.f.setAttr(path, "length", BigInt(a.length));
  c.f.createGroup(join(path, "container"));
  for (const [k, b] of Object.entries(a.buffers)) dataset(c, join(join(path, "container"), k), b);
}

/** Write any element of the tree (see `types.ts` for the value ↔ encoding table). */
function writeElement(c: WCtx, path: string, v: unknown, parent?: Record<string, unknown>, key?: string): void {
  if (v === null || v === undefined) {
    c.f.writeDataset(path, new Float64Array(0), { shape: [0] });
    enc(c, path, "null", "0.1.0");
    return;
  }
  if (typeof v === "string") {
    c.f.writeDataset(path, [v], { shape: [] });
    enc(c, path, "string", "0.2.0");
    return;
  }
  if (typeof v === "boolean") {
    c.f.writeDataset(path, new Uint8Array([v ? 1 : 0]), { shape: [], dtype: "bool" });
    enc(c, path, "numeric-scalar", "0.2.0");
    return;
  }
  if (typeof v === "number" || typeof v === "bigint") {
    const dt =
      (parent && key ? scalarDtype(parent, key) : undefined) ?? (typeof v === "bigint" || Number.isInteger(v) ? "int64" : "float64");
    const arr =
      dt === "int64" || dt === "uint64"
        ? (dt === "int64" ? BigInt64Array : BigUint64Array).from([BigInt(v)])
        : dt === "bool"
          ? new Uint8Array([Number(v) ? 1 : 0])
          : new (dtypeCtor(dt))([Number(v)]);
    c.f.writeDataset(path, arr as AnyTypedArray, { shape: [], ...(dt === "bool" ? { dtype: "bool" as const } : {}) });
    enc(c, path, "numeric-scalar", "0.2.0");
    return;
  }
  if (isSparse(v)) {
    writeSparse(c, path, v);
    return;
  }
  if (isNdArray(v)) {
    writeNd(c, path, v as AnyNdArray);
    return;
  }
  if (ArrayBuffer.isView(v)) {
    dataset(c, path, v as unknown as AnyTypedArray);
    enc(c, path, "array", "0.2.0");
    return;
  }
  if (v instanceof DataFrame) {
    writeDataFrame(c, path, v);
    return;
  }
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === "string")) {
      writeStrings(c, path, v as string[]);
      return;
    }
    if (v.every((x) => typeof x === "number")) {
      dataset(c, path, Float64Array.from(v as number[]));
      enc(c, path, "array", "0.2.0");
      return;
    }
    if (v.every((x) => typeof x === "boolean")) {
      dataset(
        c,
        path,
        Uint8Array.from(v as boolean[], (x) => (x ? 1 : 0)),
        undefined,
        "bool",
      );
      enc(c, path, "array", "0.2.0");
      return;
    }
    throw new HypedError("UNSUPPORTED", `${path}: a list of mixed values cannot be written`, { element: path });
  }
  const kind = (v as { kind?: unknown }).kind;
  if (kind === "string-array" && Array.isArray((v as StringNdArray).values)) {
    writeStrings(c, path, (v as StringNdArray).values, (v as StringNdArray).shape);
    return;
  }
  if (kind === "rec-array") {
    writeRecArray(c, path, v as RecArray);
    return;
  }
  if (kind === "awkward-array") {
    writeAwkward(c, path, v as AwkwardArray);
    return;
  }
  if (isColumn(v)) {
    writeColumn(c, path, v);
    return;
  }
  if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    group(c, path, "dict", "0.1.0");
    const obj = v as Record<string, unknown>;
    for (const [k, x] of Object.entries(obj)) writeElement(c, join(path, k), x, obj, k);
    return;
  }
  throw new HypedError("UNSUPPORTED", `${path}: cannot write a ${(v as object).constructor?.name ?? typeof v}`, { element: path });
}

function writeMapping(c: WCtx, path: string, m: Map<string, Matrix>, frames?: Map<string, DataFrame>, other?: Map<string, unknown>): void {
  group(c, path, "dict", "0.1.0");
  for (const [k, v] of m) writeMatrix(c, join(path, k), v);
  for (const [k, d] of frames ?? []) writeDataFrame(c, join(path, k), d);
  for (const [k, v] of other ?? []) writeElement(c, join(path, k), v);
}

function totalValues(a: AnnData): number {
  const size = (m: Matrix) => (isSparse(m) ? m.data.length * 2 : matrixShape(m)[0] * matrixShape(m)[1]);
  let n = a.X ? size(a.X) : 0;
  for (const mp of [a.layers, a.obsm, a.varm, a.obsp, a.varp]) for (const m of mp.values()) n += size(m);
  return n;
}

function writeAll(c: WCtx, a: AnnData): void {
  enc(c, "/", "anndata", "0.1.0");
  writeDataFrame(c, "/obs", a.obs);
  writeDataFrame(c, "/var", a.var);
  if (a.X) writeMatrix(c, "/X", a.X);
  writeMapping(c, "/layers", a.layers, undefined, a.other.layers);
  writeMapping(c, "/obsm", a.obsm, a.obsmFrames, a.other.obsm);
  writeMapping(c, "/varm", a.varm, a.varmFrames, a.other.varm);
  writeMapping(c, "/obsp", a.obsp, undefined, a.other.obsp);
  writeMapping(c, "/varp", a.varp, undefined, a.other.varp);
  writeElement(c, "/uns", a.uns);
  if (a.raw) {
    group(c, "/raw", "raw", "0.1.0");
    if (a.raw.X) writeMatrix(c, "/raw/X", a.raw.X);
    writeDataFrame(c, "/raw/var", a.raw.var);
    writeMapping(c, "/raw/varm", a.raw.varm ?? new Map());
  }
}

async function prepare(options: WriteH5adOptions) {
  const comp = options.compression ?? "none";
  if (!["gzip", "lzf", "none"].includes(comp))
    throw new HypedError("INVALID_ARGUMENT", `compression must be gzip, lzf or none, got ${String(comp)}`, { compression: comp });
  if (comp === "lzf") await prepareLzf();
  return comp;
}

/**
 * Write `adata` to `path` as `.h5ad` (matches `AnnData.write_h5ad`; anndata ≥ 0.8 encodings). The file
 * appears only when complete: a failure or cancellation leaves nothing at `path`.
 */
export async function writeH5ad(path: string, adata: AnnData, options: WriteH5adOptions = {}): Promise<void> {
  const comp = await prepare(options);
  const f = await H5File.create(path, { atomic: true });
  const p = progressReporter(options.onProgress, "values", totalValues(adata), `writing ${path}`);
  try {
    writeAll({ f, comp, tick: (n = 1) => p.tick(n), ...(options.signal ? { signal: options.signal } : {}) }, adata);
    f.close();
    p.finish();
  } catch (e) {
    f.discard();
    throw e;
  }
}

/** Write `adata` as `.h5ad` bytes in memory (for browsers, or to upload). */
export async function writeH5adBytes(adata: AnnData, options: WriteH5adOptions = {}): Promise<Uint8Array> {
  const comp = await prepare(options);
  const f = await H5File.create(null);
  try {
    writeAll({ f, comp, tick: () => {}, ...(options.signal ? { signal: options.signal } : {}) }, adata);
    const bytes = f.bytes();
    f.close();
    return bytes;
  } catch (e) {
    f.discard();
    throw e;
  }
}

/**
 * Writing through h5wasm: datasets (numeric, boolean, float16, strings; compressed with gzip or LZF) and
 * attributes. Element types come from the dtype table (`../dtype.ts`: `structCode`, h5wasm's Python
 * `struct` codes; `typedFrom`). Booleans and float16 are written as placeholder types that `boolenum.ts`
 * patches into h5py's enum and IEEE half on close.
 */
import { type AnyTypedArray, type DType, dtypeOf, narrowToHalf, structCode, typedFrom } from "../dtype.js";
import { HypedError } from "../errors.js";
import { BOOL_PLACEHOLDER_DTYPE, BOOL_PLACEHOLDER_NAME, HALF_PLACEHOLDER_DTYPE, HALF_PLACEHOLDER_NAME } from "./boolenum.js";
import { FILTER_IDS } from "./filters.js";
import { lzfCompressible } from "./lzf.js";
import { type H5Runtime, MAX_STAGING_BYTES } from "./module.js";
import { pluginReady } from "./plugins.js";
import type { H5WriteOptions } from "./types.js";

/** Which placeholder type a write used (the caller counts them, to patch on close). */
export type Placeholder = "bool" | "half" | undefined;

/** Chunk shape aiming at ~1 MiB chunks, splitting the first axis first. */
export function autoChunks(shape: number[], itemsize: number): number[] {
  const target = 2 ** 20;
  const c = shape.map((s) => Math.max(1, s));
  let bytes = c.reduce((a, b) => a * b, itemsize);
  for (let ax = 0; ax < c.length && bytes > target; ax++) {
    while ((c[ax] as number) > 1 && bytes > target) {
      c[ax] = Math.ceil((c[ax] as number) / 2);
      bytes = c.reduce((a, b) => a * b, itemsize);
    }
  }
  return c;
}

/** h5wasm's compression arguments of a write, and the chunk shape it ends up with. */
interface Storage {
  chunks?: number[];
  comp: { compression?: number | "gzip"; compression_opts?: number | number[] };
}

/** The chunking and compression of a dataset write (LZF only where every chunk shrinks; see `lzf.ts`). */
function storageFor(rt: H5Runtime, path: string, data: AnyTypedArray | string[], shape: number[], options: H5WriteOptions): Storage {
  let compress = options.compression === "gzip" || options.compression === "lzf";
  if (options.compression === "lzf" && !pluginReady(rt, FILTER_IDS.lzf)) {
    throw new HypedError(
      "UNSUPPORTED",
      `${path}: the lzf filter (id ${FILTER_IDS.lzf}) is not available; register its plugin first (in Node: npm install --legacy-peer-deps h5wasm-plugins; in a browser use setLzfPluginBytes from @hyped/seq)`,
      {
        element: path,
        filterId: FILTER_IDS.lzf,
      },
    );
  }
  let chunks = options.chunks;
  if (compress && !chunks && data.length > 0)
    chunks = autoChunks(shape, Array.isArray(data) ? 8 : (data as AnyTypedArray).BYTES_PER_ELEMENT);
  if (data.length === 0) chunks = undefined;
  if (options.compression === "lzf" && !Array.isArray(data) && chunks) {
    // the LZF filter is mandatory in h5wasm and fails on chunks it cannot shrink: store those datasets plain
    const ta = data as AnyTypedArray;
    const chunkBytes = chunks.reduce((a, b) => a * b, ta.BYTES_PER_ELEMENT);
    if (!lzfCompressible(new Uint8Array(ta.buffer, ta.byteOffset, ta.byteLength), chunkBytes)) {
      compress = false;
      chunks = options.chunks;
    }
  }
  const comp =
    compress && data.length > 0
      ? options.compression === "lzf"
        ? { compression: FILTER_IDS.lzf as number, compression_opts: [] as number[] }
        : { compression: "gzip" as const, compression_opts: options.level ?? 4 }
      : {};
  return { ...(chunks ? { chunks } : {}), comp };
}

/**
 * Create dataset `path` (its parent group exists) in h5wasm file `f` from a TypedArray or a string array
 * (variable-length UTF-8). Large numeric arrays are written in pieces so the wasm heap is never exceeded.
 */
export function createDataset(
  rt: H5Runtime,
  // biome-ignore lint/suspicious/noExplicitAny: h5wasm File
  f: any,
  path: string,
  data: AnyTypedArray | string[],
  shape: number[],
  options: H5WriteOptions,
): Placeholder {
  const { chunks, comp } = storageFor(rt, path, data, shape, options);
  const chunked = chunks ? { chunks } : {};
  if (Array.isArray(data)) {
    // variable-length UTF-8 whatever the length (h5wasm cannot guess the type of an empty list)
    f.create_dataset({ name: path, data, shape, dtype: "S", ...chunked });
    return undefined;
  }
  const ta = data as AnyTypedArray;
  if (options.float16) {
    if (ta.byteLength / ta.BYTES_PER_ELEMENT > MAX_STAGING_BYTES / 2) {
      throw new HypedError("UNSUPPORTED", `${path}: float16 datasets above ${MAX_STAGING_BYTES / 2} values are not supported`, {
        element: path,
      });
    }
    const halfComp = comp.compression === FILTER_IDS.lzf ? {} : comp; // LZF's size check ran on the wider data
    const data16 = new Map([[HALF_PLACEHOLDER_NAME, narrowToHalf(ta as ArrayLike<number>)]]);
    f.create_dataset({ name: path, data: data16, shape, dtype: HALF_PLACEHOLDER_DTYPE, ...chunked, ...halfComp });
    return "half";
  }
  if (options.dtype === "bool") {
    if (ta.byteLength > MAX_STAGING_BYTES) {
      throw new HypedError("UNSUPPORTED", `${path}: boolean datasets above ${MAX_STAGING_BYTES} bytes are not supported`, {
        element: path,
      });
    }
    const bytes = new Int8Array(ta.length);
    for (let i = 0; i < ta.length; i++) bytes[i] = ta[i] ? 1 : 0;
    const data8 = new Map([[BOOL_PLACEHOLDER_NAME, bytes]]);
    f.create_dataset({ name: path, data: data8, shape, dtype: BOOL_PLACEHOLDER_DTYPE, ...chunked, ...comp });
    return "bool";
  }
  writeNumeric(f, path, ta, shape, structCode(options.dtype ?? dtypeOf(ta)), chunks, comp);
  return undefined;
}

/** A numeric dataset: in one call when it fits the staging limit, else created resizable and written in pieces. */
function writeNumeric(
  // biome-ignore lint/suspicious/noExplicitAny: h5wasm File
  f: any,
  path: string,
  ta: AnyTypedArray,
  shape: number[],
  dtype: string,
  chunks: number[] | undefined,
  comp: Storage["comp"],
): void {
  if (ta.byteLength <= MAX_STAGING_BYTES || shape.length === 0) {
    f.create_dataset({ name: path, data: ta, shape, dtype, ...(chunks ? { chunks } : {}), ...comp });
    return;
  }
  // Large: create resizable along axis 0, then write pieces.
  const rowElems = shape.slice(1).reduce((a, b) => a * b, 1);
  const rowsPerPiece = Math.max(1, Math.floor(MAX_STAGING_BYTES / (rowElems * ta.BYTES_PER_ELEMENT)));
  const first = Math.min(rowsPerPiece, shape[0] as number);
  const firstData = ta.subarray(0, first * rowElems);
  const ds = f.create_dataset({
    name: path,
    data: firstData,
    shape: [first, ...shape.slice(1)],
    maxshape: [shape[0], ...shape.slice(1)],
    dtype,
    chunks: chunks ?? autoChunks(shape, ta.BYTES_PER_ELEMENT),
    ...comp,
  });
  ds.resize(shape);
  for (let r = first; r < (shape[0] as number); r += rowsPerPiece) {
    const k = Math.min(rowsPerPiece, (shape[0] as number) - r);
    ds.write_slice([[r, r + k]], ta.subarray(r * rowElems, (r + k) * rowElems));
  }
}

/**
 * Set attribute `name` on h5wasm object `o`, replacing one of that name. Strings are variable-length UTF-8
 * (as h5py writes them); numbers float64 unless `dtype` is given; TypedArrays keep their type; string
 * arrays become 1-D vlen string arrays; booleans use the boolean placeholder.
 */
export function setAttribute(
  // biome-ignore lint/suspicious/noExplicitAny: h5wasm object
  o: any,
  name: string,
  value: string | number | bigint | boolean | AnyTypedArray | string[],
  dtype?: DType,
): Placeholder {
  if (name in o.attrs) o.delete_attribute(name);
  if (typeof value === "string") o.create_attribute(name, value);
  else if (typeof value === "boolean") {
    o.create_attribute(name, new Map([[BOOL_PLACEHOLDER_NAME, new Int8Array([value ? 1 : 0])]]), [], BOOL_PLACEHOLDER_DTYPE);
    return "bool";
  } else if (dtype === "bool" && ArrayBuffer.isView(value)) {
    const b = Int8Array.from(value as ArrayLike<number>, (x) => (x ? 1 : 0));
    o.create_attribute(name, new Map([[BOOL_PLACEHOLDER_NAME, b]]), [b.length], BOOL_PLACEHOLDER_DTYPE);
    return "bool";
  } else if (typeof value === "number")
    o.create_attribute(name, typedFrom(dtype ?? "float64", [value]), [], structCode(dtype ?? "float64"));
  else if (typeof value === "bigint") o.create_attribute(name, new BigInt64Array([value]), [], "<q");
  else if (Array.isArray(value)) o.create_attribute(name, value, [value.length]);
  else o.create_attribute(name, value, [value.length], structCode(dtype ?? dtypeOf(value)));
  return undefined;
}

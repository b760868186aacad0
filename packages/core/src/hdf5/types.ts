/**
 * The public types of `H5File`: what is at a path, dataset metadata, selections, and the options of
 * opening, creating, reading and writing.
 */
import type { AnyTypedArray, DType } from "../dtype.js";
import type { SyncIO } from "./syncio.js";

/** HDF5 datatype classes as the toolkit names them. */
export type H5TypeClass =
  | "integer"
  | "float"
  | "time"
  | "string"
  | "bitfield"
  | "opaque"
  | "compound"
  | "reference"
  | "enum"
  | "vlen"
  | "array";
/** What is at a path. */
export type H5Kind = "group" | "dataset" | "datatype" | "soft-link" | "external-link" | "missing";

/** A compression/filter in a dataset's pipeline. */
export interface H5Filter {
  id: number;
  name: string;
  cdValues: number[];
}

/** Metadata of a dataset or attribute. */
export interface H5Info {
  /** Dimensions; `null` for a null dataspace, `[]` for a scalar. */
  shape: number[] | null;
  /** The datatype class. */
  typeClass: H5TypeClass;
  /** The toolkit dtype the values read as, for numeric, boolean-enum and numeric-enum types. */
  dtype?: DType;
  /** Stored as IEEE float16: `dtype` is `float32`, and reads widen (core's dtype rule); `size` is 2. */
  half?: boolean;
  /** Element size in bytes. */
  size: number;
  /** Variable-length (strings or sequences). */
  vlen: boolean;
  /** For enums: member name → value. */
  enumMembers?: Record<string, number>;
  /** Chunk shape, if chunked. */
  chunks?: number[];
  /** Filter pipeline (datasets only). */
  filters: H5Filter[];
  /** h5wasm's raw metadata object, for anything not covered here. */
  raw: Record<string, unknown>;
}

/** One selection per dimension: a `[start, end)` range, `[start, end, step]`, or a single index (kept as extent 1). */
export type H5Selection = Array<[number, number] | [number, number, number] | number | null>;

/** Options of `H5File.read`. */
export interface H5ReadOptions {
  /** Hyperslab per dimension; omitted dimensions are read whole. */
  select?: H5Selection;
  /** Largest result in bytes; a bigger request throws `OUT_OF_RANGE` with its size before reading. Default 2 GiB. */
  budgetBytes?: number;
  signal?: AbortSignal;
  /**
   * Read into this array instead of a new one: a TypedArray of the dtype's class (see `allocate`) holding
   * exactly the selection's element count; the result is a view of it. Saves an allocation and a copy when
   * the caller assembles a larger buffer (e.g. frames into a stack). `SHAPE_MISMATCH` if it does not fit.
   */
  out?: AnyTypedArray;
}

/** Options of `H5File.readAsync`: those of `read`, and two more. */
export interface H5ReadAsyncOptions extends H5ReadOptions {
  /** Positional reads in flight at once on the direct path. Default: the cores (16 with the native addon). */
  concurrency?: number;
  /**
   * Called with ranges `[start, end)` of the result's elements (`out`: the result's TypedArray) as soon as they
   * hold their final values, while the rest is still being read, so the caller can check them while they are
   * in cache. The ranges are disjoint and together cover the result; a read that falls back to h5wasm part way
   * reports the whole result once more when it is done, and booleans and float16 (finished after the read) are
   * reported whole at the end. It must not throw.
   */
  onFilled?: (out: AnyTypedArray, start: number, end: number) => void;
}

/** Inputs `H5File.open` accepts. */
export type H5Input = string | Uint8Array | ArrayBuffer | Blob | SyncIO;

/** Options of `H5File.open`. */
export interface H5OpenOptions {
  /** `r` (default) or `r+` (read/write, Node paths only). */
  mode?: "r" | "r+";
  /** For Blobs outside a worker: the most bytes read eagerly. Default 1 GiB. */
  maxEagerBytes?: number;
  /**
   * Read numeric datasets of the common layouts straight from the file's bytes (one positional read per
   * chunk, native zlib in Node) instead of through h5wasm's data path; anything else still goes through
   * h5wasm. Attributes stored in object headers are read by our own bounds-checked parser (`attrs.ts`).
   * Read-only files only. Default true; `false` forces h5wasm for every read and attribute (see `format.md`).
   */
  direct?: boolean;
}

/** Options of `H5File.create`. */
export interface H5CreateOptions {
  /**
   * Write to a temporary file beside `path` and rename it into place on `H5File.close`; a failure
   * (or `H5File.discard`) leaves no file at `path`. Default true.
   */
  atomic?: boolean;
  /** Keep insertion order of links and attributes (HDF5 `track_order`). Default false. */
  trackOrder?: boolean;
  /**
   * Zero the object times HDF5 stamps into each object header (h5py's `track_times=False`; HDF5's default,
   * and h5py's, is to store them) when the file is closed or its bytes are taken, so that two writes of the
   * same content are byte-identical and a rewritten file keeps its SHA-256. Costs one extra read pass over the
   * file (in 16 MiB pieces). Default false.
   */
  reproducible?: boolean;
}

/** Options of `H5File.writeDataset`. */
export interface H5WriteOptions {
  /** Shape; default 1-D of the data length. */
  shape?: number[];
  /** Chunk shape; required for compression. Default: chosen automatically when compressing. */
  chunks?: number[];
  /**
   * `gzip` (level 4 unless `level`), `lzf` (filter `FILTER_IDS.lzf`; its plugin must be registered, see `registerFilterLoader`;
   * a dataset whose chunks would not shrink by 10% is stored uncompressed, because h5wasm makes the filter
   * mandatory and LZF fails on incompressible chunks), or none.
   */
  compression?: "gzip" | "lzf" | "none";
  /** gzip level 0–9. Default 4. */
  level?: number;
  /** Store as this dtype (numeric data only; must match the array type). */
  dtype?: DType;
  /** Store floats as IEEE float16 (values rounded to nearest-even, as numpy). Default false. */
  float16?: boolean;
}

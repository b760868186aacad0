/**
 * `H5File`: the toolkit's one wrapper around h5wasm. Reads are lazy hyperslabs; failures become
 * {@link HypedError}s; memory is checked before any read starts. See `module.ts` for the heap ceiling.
 */
import { type AnyTypedArray, allocate, type DType, dtypeSize, markFloat16, narrowToHalf, widenHalf } from "../dtype.js";
import { fsError, HypedError, isHypedError } from "../errors.js";
import { type AnyNdArray, markBool, ndarray, shapeSize } from "../ndarray.js";
import { checkOutBuffer } from "../outbuf.js";
import { throwIfAborted } from "../progress.js";
import { AttrReader, type RawAttr } from "./attrs.js";
import {
  BOOL_PLACEHOLDER_DTYPE,
  BOOL_PLACEHOLDER_NAME,
  HALF_PLACEHOLDER,
  HALF_PLACEHOLDER_DTYPE,
  HALF_PLACEHOLDER_NAME,
  patchBoolEnums,
} from "./boolenum.js";
import { DirectReader, directDecodes } from "./direct/index.js";
import { BUILTIN_FILTERS, FILTER_IDS, FILTERS, filterName } from "./filters.js";
import { LinkReader } from "./links.js";
import { lzfCompressible } from "./lzf.js";
import {
  cleanH5Message,
  type H5Runtime,
  h5ready,
  MAX_STAGING_BYTES,
  MOUNT_DIR,
  poisonRuntime,
  retiresRuntime,
  WASM_HEAP_LIMIT,
} from "./module.js";
import { readStringsDirect } from "./strings.js";
import { blobIO, loadNodeFs, memoryIO, nodeFileIO, type SyncIO } from "./syncio.js";

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
const CLASS_NAMES: H5TypeClass[] = [
  "integer",
  "float",
  "time",
  "string",
  "bitfield",
  "opaque",
  "compound",
  "reference",
  "enum",
  "vlen",
  "array",
];

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

/** Options of {@link H5File.read}. */
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

/** Plugin filter ids that have been registered at run time (see {@link registerFilterPlugin}). */
const pluginFilters = new Set<number>();
/** Record that a filter plugin is available (after the caller made it loadable for h5wasm). */
export function registerFilterPlugin(id: number): void {
  pluginFilters.add(id);
}
/** True if a filter id can be decoded. */
export function filterAvailable(id: number): boolean {
  return BUILTIN_FILTERS.has(id) || pluginFilters.has(id);
}

/**
 * A lazy filter plugin: returns the plugin's compiled bytes (an h5wasm-plugins `libH5Z*.so`) synchronously,
 * or `undefined` when it cannot be had in this environment.
 */
export type FilterPluginLoader = () => Uint8Array | undefined;
const filterLoaders = new Map<number, { fileName: string; load: FilterPluginLoader }>();

/**
 * Register a plugin that is installed only when a dataset first needs filter `id`: the loader's bytes are
 * written as `fileName` into h5wasm's plugin folder and the filter is marked available
 * ({@link registerFilterPlugin}). Example: LZF is `registerFilterLoader(FILTER_IDS.lzf, "libH5Zlzf.so", load)`.
 */
export function registerFilterLoader(id: number, fileName: string, load: FilterPluginLoader): void {
  filterLoaders.set(id, { fileName, load });
}

function tryLoadFilter(rt: H5Runtime, id: number): boolean {
  const l = filterLoaders.get(id);
  if (!l) return false;
  let bytes: Uint8Array | undefined;
  try {
    bytes = l.load();
  } catch {
    bytes = undefined;
  }
  if (!bytes) return false;
  const M = rt.Module;
  const dir = (M.get_plugin_search_paths() as string[])[0] ?? "/usr/local/hdf5/lib/plugin";
  rt.FS.mkdirTree(dir);
  rt.FS.writeFile(`${dir}/${l.fileName}`, bytes);
  rt.plugins ??= new Set();
  rt.plugins.add(id);
  registerFilterPlugin(id);
  return true;
}

/**
 * True if filter `id` can be decoded by this h5wasm instance: built in, installed into it from a registered
 * loader (now if not yet: a fresh instance after a corrupt file has an empty plugin folder), or registered
 * by the caller with {@link registerFilterPlugin}.
 */
function pluginReady(rt: H5Runtime, id: number): boolean {
  if (BUILTIN_FILTERS.has(id) || rt.plugins?.has(id)) return true;
  if (tryLoadFilter(rt, id)) return true;
  return pluginFilters.has(id) && !filterLoaders.has(id);
}

let mountCounter = 0;

/** Inputs {@link H5File.open} accepts. */
export type H5Input = string | Uint8Array | ArrayBuffer | Blob | SyncIO;

/** Options of {@link H5File.open}. */
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

/** Options of {@link H5File.create}. */
export interface H5CreateOptions {
  /**
   * Write to a temporary file beside `path` and rename it into place on {@link H5File.close}; a failure
   * (or {@link H5File.discard}) leaves no file at `path`. Default true.
   */
  atomic?: boolean;
  /** Keep insertion order of links and attributes (HDF5 `track_order`). Default false. */
  trackOrder?: boolean;
}

/** Options of {@link H5File.writeDataset}. */
export interface H5WriteOptions {
  /** Shape; default 1-D of the data length. */
  shape?: number[];
  /** Chunk shape; required for compression. Default: chosen automatically when compressing. */
  chunks?: number[];
  /**
   * `gzip` (level 4 unless `level`), `lzf` (filter `FILTER_IDS.lzf`; its plugin must be registered, see {@link registerFilterLoader};
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

const H5_DTYPE: Record<DType, string> = {
  float32: "<f",
  float64: "<d",
  int8: "<b",
  int16: "<h",
  int32: "<i",
  uint8: "<B",
  uint16: "<H",
  uint32: "<I",
  int64: "<q",
  uint64: "<Q",
  bool: "<b",
};

/** An open HDF5 file. Close it with {@link H5File.close}. */
export class H5File {
  /** The file's name for messages (path or `File.name`). */
  readonly name: string;
  /** The synchronous I/O behind the file (exposes `bytesRead` for tests). */
  readonly io: SyncIO;
  private readonly rt: H5Runtime;
  // biome-ignore lint/suspicious/noExplicitAny: h5wasm File
  private readonly f: any;
  private readonly mountPath: string;
  private closed = false;
  /** Boolean placeholders written so far (patched into h5py enums on close). */
  private boolPatches = 0;
  /** float16 placeholders written so far (patched into IEEE half datatypes on close). */
  private halfPatches = 0;
  private readonly finalize?: (ok: boolean) => void;
  private direct?: DirectReader;
  /** Our own attribute parser (read-only files); see `attrs.ts`. */
  private attrReader?: AttrReader;
  /** Our own path and group reader (read-only files); see `links.ts`. */
  private links?: LinkReader;
  private readonly addresses = new Map<string, number | undefined>();
  /**
   * Numeric reads served so far by the direct path and by h5wasm, and attribute values decoded by our own
   * parser and by h5wasm (for tests, benchmarks and tuning).
   */
  readonly readStats = { direct: 0, h5wasm: 0, attrsOwn: 0, attrsH5wasm: 0 };

  // biome-ignore lint/suspicious/noExplicitAny: h5wasm File
  private constructor(rt: H5Runtime, f: any, io: SyncIO, mountPath: string, finalize?: (ok: boolean) => void) {
    this.rt = rt;
    this.f = f;
    this.io = io;
    this.name = io.name;
    this.mountPath = mountPath;
    this.finalize = finalize;
  }

  /** The object-header address of `path` (an HDF5 object reference is that address), or `undefined`. */
  private objectAddress(path: string): number | undefined {
    if (this.addresses.has(path)) return this.addresses.get(path);
    let a: number | undefined;
    const own = this.links?.resolve(path);
    if (own !== undefined) {
      a = own?.kind === "hard" ? own.address : undefined;
      this.addresses.set(path, a);
      return a;
    }
    try {
      const ref = this.rt.Module.create_object_reference(this.f.file_id, path) as ArrayLike<number>;
      if (ref?.length === 8) {
        a = 0;
        for (let i = 7; i >= 0; i--) a = a * 256 + (ref[i] as number);
      }
    } catch (e) {
      this.noteError(e);
      a = undefined;
    }
    this.addresses.set(path, a);
    return a;
  }

  /** Open an HDF5 file for reading: a local path (Node), bytes, a `Blob`/`File`, or a {@link SyncIO}. Reads headers only. */
  static async open(input: H5Input, options: H5OpenOptions = {}): Promise<H5File> {
    const rt = await h5ready();
    const mode = options.mode ?? "r";
    let io: SyncIO;
    if (typeof input === "string") io = await nodeFileIO(input, mode);
    else if (input instanceof Uint8Array) io = memoryIO(input, false);
    else if (input instanceof ArrayBuffer) io = memoryIO(new Uint8Array(input), false);
    else if (typeof Blob !== "undefined" && input instanceof Blob) io = await blobIO(input, options);
    else io = input as SyncIO;
    const p = mount(rt, io);
    try {
      const f = new rt.h5.File(p, mode === "r" ? "r" : "a");
      const file = new H5File(rt, f, io, p);
      if (mode === "r" && !io.writable && options.direct !== false) {
        file.direct = new DirectReader(io, (q) => file.objectAddress(q));
        file.attrReader = new AttrReader(file.direct, io.name);
        file.links = new LinkReader(file.direct, io.name);
      }
      return file;
    } catch (e) {
      if (retiresRuntime(e)) poisonRuntime(rt, io.name);
      unmount(rt, p);
      io.close();
      takeIoFailure(io);
      throw new HypedError("FORMAT", `${io.name} is not a readable HDF5 file: ${cleanH5Message(e)}`, { file: io.name }, { cause: e });
    }
  }

  /**
   * Create a new HDF5 file at a local path (Node), or in memory when `path` is `null` (read the bytes with
   * {@link H5File.bytes} before closing). See {@link H5CreateOptions} for atomic writes.
   */
  static async create(path: string | null, options: H5CreateOptions = {}): Promise<H5File> {
    const rt = await h5ready();
    let io: SyncIO;
    let finalize: ((ok: boolean) => void) | undefined;
    if (path === null) {
      io = memoryIO(new Uint8Array(0), true, "memory");
    } else if (options.atomic ?? true) {
      const fs = await loadNodeFs();
      const tmp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}-${(mountCounter + 1).toString(36)}`;
      io = await nodeFileIO(tmp, "w");
      finalize = (ok) => {
        if (ok) fs.renameSync(tmp, path);
        else fs.rmSync(tmp, { force: true });
      };
    } else {
      io = await nodeFileIO(path, "w");
    }
    const p = mount(rt, io);
    try {
      const f = new rt.h5.File(p, "w", { track_order: options.trackOrder ?? false });
      return new H5File(rt, f, io, p, finalize);
    } catch (e) {
      unmount(rt, p);
      io.close();
      finalize?.(false);
      takeIoFailure(io);
      throw new HypedError("IO", `cannot create HDF5 file ${path ?? "in memory"}: ${cleanH5Message(e)}`, { path }, { cause: e });
    }
  }

  private guard<T>(what: string, element: string, fn: () => T): T {
    if (this.closed) throw new HypedError("IO", `${this.name} is closed`, { file: this.name });
    this.checkRuntime();
    try {
      return fn();
    } catch (e) {
      takeIoFailure(this.io);
      if (isHypedError(e)) throw e;
      this.noteError(e);
      throw new HypedError(
        "FORMAT",
        `${this.name}: ${what} ${element} failed: ${cleanH5Message(e)}`,
        { file: this.name, element },
        { cause: e },
      );
    }
  }

  /** After an exception from h5wasm: retire the runtime unless it was a plain "name not found". */
  private noteError(e: unknown): void {
    if (retiresRuntime(e)) poisonRuntime(this.rt, this.name);
  }

  /** `IO` when an error in some file may have corrupted the h5wasm instance this file was opened on. */
  private checkRuntime(): void {
    const bad = this.rt.poisoned;
    if (bad === undefined) return;
    throw new HypedError("IO", `${this.name}: the HDF5 runtime was retired after a fatal error reading ${bad}; reopen the file`, {
      file: this.name,
      poisonedBy: bad,
    });
  }

  /** Attributes of `path` from our own parser, or `undefined` to ask h5wasm (writable file, dense storage, ...). */
  private ownAttrs(path: string): RawAttr[] | undefined {
    if (!this.attrReader) return undefined;
    const addr = this.objectAddress(path);
    this.checkRuntime();
    return addr === undefined ? undefined : this.attrReader.list(addr, path);
  }

  /** What is at `path`. */
  kind(path: string): H5Kind {
    return this.guard("looking up", path, () => {
      const M = this.rt.Module;
      if (path === "/" || path === "") return "group";
      const own = this.links?.resolve(path);
      if (own === null) return "missing";
      if (own !== undefined) {
        if (own.kind === "soft") return "soft-link";
        if (own.kind === "external") return "external-link";
        return (this.links as LinkReader).kindOf(own.address, path);
      }
      // every parent must exist and be a group, else H5 raises
      const parts = path.replace(/^\/+/, "").split("/");
      let cur = "";
      for (let i = 0; i < parts.length; i++) {
        cur += `/${parts[i]}`;
        let t: number;
        try {
          t = M.get_type(this.f.file_id, cur);
        } catch (e) {
          this.noteError(e);
          return "missing";
        }
        const k: H5Kind =
          t === M.H5G_GROUP
            ? "group"
            : t === M.H5G_DATASET
              ? "dataset"
              : t === M.H5G_TYPE
                ? "datatype"
                : t === M.H5G_LINK
                  ? "soft-link"
                  : t === M.H5G_UDLINK
                    ? "external-link"
                    : "missing";
        if (i === parts.length - 1) return k;
        if (k !== "group") return "missing";
      }
      return "missing";
    });
  }

  /** True if something exists at `path`. */
  has(path: string): boolean {
    return this.kind(path) !== "missing";
  }

  /** Names of the members of the group at `path`. */
  keys(path = "/"): string[] {
    return this.guard("listing", path, () => {
      const lr = this.links;
      const own = lr?.resolve(path);
      if (lr && own === null) throw new HypedError("NOT_FOUND", `${this.name}: no group at ${path}`, { file: this.name, element: path });
      if (lr && own?.kind === "hard") {
        if (lr.kindOf(own.address, path) !== "group")
          throw new HypedError("NOT_FOUND", `${this.name}: no group at ${path}`, { file: this.name, element: path });
        const m = lr.members(own.address, path);
        if (m) return [...m.keys()].sort(byteOrder);
      }
      const g = this.f.get(path);
      if (!g || typeof g.keys !== "function")
        throw new HypedError("NOT_FOUND", `${this.name}: no group at ${path}`, { file: this.name, element: path });
      return g.keys() as string[];
    });
  }

  /**
   * Depth-first walk over every object below `path` (default root). A group reached again through a hard
   * link (a cycle, or the same group under two names) is listed but not entered again.
   */
  *walk(path = "/", seen: Set<number> = new Set()): Generator<{ path: string; kind: H5Kind }> {
    for (const k of this.keys(path)) {
      const p = path === "/" ? `/${k}` : `${path}/${k}`;
      const kind = this.kind(p);
      yield { path: p, kind };
      if (kind !== "group") continue;
      const addr = this.objectAddress(p);
      if (addr !== undefined && seen.has(addr)) continue;
      if (addr !== undefined) seen.add(addr);
      else if (p.split("/").length > 256)
        throw new HypedError("FORMAT", `${this.name}: groups nested deeper than 256 levels at ${p.slice(0, 200)}`, { file: this.name });
      yield* this.walk(p, seen);
    }
  }

  /** Names of the attributes of the object at `path`. */
  attrNames(path: string): string[] {
    return this.guard("listing attributes of", path, () => {
      const own = this.ownAttrs(path);
      if (own) return own.map((a) => a.name);
      const o = this.f.get(path);
      if (!o) throw new HypedError("NOT_FOUND", `${this.name}: nothing at ${path}`, { file: this.name, element: path });
      return Object.keys(o.attrs);
    });
  }

  /**
   * The value of attribute `name` on `path`, or `undefined` when absent. Scalars come back as a number,
   * bigint, string or boolean (h5py boolean enums); arrays as TypedArrays or string arrays; object
   * references as h5wasm `Reference`s.
   */
  attr(path: string, name: string): unknown {
    return this.guard(`reading attribute '${name}' of`, path, () => {
      const own = this.ownAttrs(path);
      if (own) {
        const a = own.find((x) => x.name === name);
        if (!a) return undefined;
        const v = (this.attrReader as AttrReader).value(a, path);
        if (v !== undefined) {
          this.readStats.attrsOwn++;
          return v;
        }
      }
      let names: string[];
      try {
        names = this.rt.Module.get_attribute_names(this.f.file_id, path);
      } catch (e) {
        this.noteError(e);
        return undefined;
      }
      return names.includes(name) ? this.attrValue(path, name) : undefined;
    });
  }

  /** All attributes of `path` as a record (see {@link H5File.attr} for value types). */
  attrs(path: string): Record<string, unknown> {
    const names = this.attrNames(path);
    return this.guard("reading attributes of", path, () => {
      const own = this.ownAttrs(path);
      const out: Record<string, unknown> = {};
      for (const n of names) {
        const a = own?.find((x) => x.name === n);
        const v = a ? (this.attrReader as AttrReader).value(a, path) : undefined;
        if (v !== undefined) this.readStats.attrsOwn++;
        out[n] = v !== undefined ? v : this.attrValue(path, n);
      }
      return out;
    });
  }

  /** One attribute's value, known to exist: one metadata lookup and one read (h5wasm's `Attribute`). */
  private attrValue(path: string, name: string): unknown {
    const M = this.rt.Module;
    this.readStats.attrsH5wasm++;
    const a = new this.rt.lib.Attribute(this.f.file_id, path, name);
    const meta = a.metadata as unknown as Record<string, unknown>;
    const v = a.value;
    if (meta.type === M.H5T_class_t.H5T_ENUM.value && isBoolEnum(meta)) {
      if (ArrayBuffer.isView(v)) return Array.from(v as Int8Array, (x) => x !== 0);
      return v !== 0 && v !== 0n;
    }
    return v;
  }

  /** Metadata of attribute `name` on `path`. */
  attrInfo(path: string, name: string): H5Info {
    return this.guard(`reading attribute metadata '${name}' of`, path, () =>
      toInfo(this.rt, this.rt.Module.get_attribute_metadata(this.f.file_id, path, name), []),
    );
  }

  /** Metadata of the dataset at `path`; `NOT_FOUND` if there is none. */
  info(path: string): H5Info {
    return this.guard("reading metadata of", path, () => {
      const d = this.dataset(path);
      const filters = (d.filters as Array<{ id: number; name: string; cd_values: number[] }>).map((f) => ({
        id: f.id,
        name: f.name || filterName(f.id),
        cdValues: f.cd_values,
      }));
      return toInfo(this.rt, d.metadata, filters);
    });
  }

  /** The h5wasm Dataset at `path` (escape hatch for what this wrapper does not cover). */
  // biome-ignore lint/suspicious/noExplicitAny: h5wasm Dataset
  dataset(path: string): any {
    if (this.kind(path) !== "dataset")
      throw new HypedError("NOT_FOUND", `${this.name}: no dataset at ${path}`, { file: this.name, element: path });
    return this.f.get(path);
  }

  /**
   * Throws `UNSUPPORTED` naming the filter and dataset if a filter in its pipeline cannot be decoded.
   * `through`: `any` (default) accepts filters our own decoders handle when this file reads directly (LZF,
   * shuffle, and deflate in Node); `h5wasm` asks whether h5wasm can (built in, or a registered plugin).
   */
  checkFilters(path: string, info: H5Info = this.info(path), through: "any" | "h5wasm" = "any"): void {
    for (const f of info.filters) {
      // filters our own decoders handle (LZF, shuffle; deflate in Node) need no plugin unless h5wasm must read
      if (through === "any" && this.direct && directDecodes(f.id)) continue;
      if (f.id === FILTER_IDS.lzf && f.cdValues.length < 3) {
        // the LZF plugin sizes its output from cd_values[2]; without it (some h5py builds omit it) it overruns memory
        throw new HypedError(
          "UNSUPPORTED",
          `${this.name}: dataset ${path} uses the lzf filter (id ${FILTER_IDS.lzf}) without its chunk-size parameter in a layout our JavaScript LZF decoder does not read (it reads chunked little-endian numbers and strings), and the LZF plugin cannot decode it`,
          { file: this.name, element: path, filter: "lzf", filterId: FILTER_IDS.lzf },
        );
      }
      if (!pluginReady(this.rt, f.id)) {
        throw new HypedError(
          "UNSUPPORTED",
          `${this.name}: dataset ${path} uses the ${f.name} filter (id ${f.id}), which this build cannot decode${
            f.id === FILTER_IDS.lzf
              ? " in this read without h5wasm's LZF plugin (our own decoder reads chunked little-endian numbers and strings; for other reads install the optional peer h5wasm-plugins in Node, or pass the plugin with @hyped/seq's setLzfPluginBytes)"
              : FILTERS.get(f.id)?.h5wasm === false
                ? " without its h5wasm plugin (see registerFilterLoader)"
                : ""
          }`,
          {
            file: this.name,
            element: path,
            filter: f.name,
            filterId: f.id,
          },
        );
      }
    }
  }

  /**
   * Read a numeric (or boolean-enum) dataset, whole or a hyperslab, as an ndarray. Checks filters and the
   * memory budget first. Common layouts are read straight from the file (see {@link H5OpenOptions.direct});
   * the rest through h5wasm, in pieces of at most the staging limit along the first axis.
   */
  read(path: string, options: H5ReadOptions = {}): AnyNdArray {
    const r = this.prepareRead(path, options);
    if (r.n > 0) {
      if (r.direct && this.guard("reading", path, () => this.directRead(r, options.signal))) this.readStats.direct++;
      else this.fillThroughH5wasm(r, options.signal);
    }
    return finishRead(r);
  }

  /**
   * {@link H5File.read} that keeps up to `concurrency` (default: the cores) positional reads of a large
   * hyperslab in flight on Node's thread pool when the dataset takes the direct path, while compressed
   * chunks are inflated on this thread; otherwise the same as `read`. Results are identical. Uncompressed
   * reads into fresh memory run about twice as fast on 2 cores.
   */
  async readAsync(path: string, options: H5ReadOptions & { concurrency?: number } = {}): Promise<AnyNdArray> {
    const r = this.prepareRead(path, options);
    let done = false;
    if (r.n > 0 && r.direct) {
      const d = this.direct as DirectReader;
      done = await d.readAsync(path, r.ds, r.count, r.offset, r.outBytes, options);
      if (done) this.readStats.direct++;
    }
    if (r.n > 0 && !done) this.fillThroughH5wasm(r, options.signal);
    return finishRead(r);
  }

  private directRead(r: PreparedRead, signal?: AbortSignal): boolean {
    return (this.direct as DirectReader).read(r.path, r.ds, r.count, r.offset, r.outBytes, signal);
  }

  private prepareRead(path: string, options: H5ReadOptions): PreparedRead {
    const info = this.info(path);
    if (!info.dtype) {
      throw new HypedError("UNSUPPORTED", `${this.name}: dataset ${path} has ${info.typeClass} elements; use readStrings or readRaw`, {
        file: this.name,
        element: path,
        typeClass: info.typeClass,
      });
    }
    const shape = info.shape ?? [];
    const { count, offset, stride } = hyperslab(shape, options.select, this.name, path);
    // float16 is read as its 16-bit patterns, then widened (finishRead)
    const stored: DType = info.half ? "uint16" : info.dtype;
    const direct =
      this.direct !== undefined && stride.every((x) => x === 1) && info.size === dtypeSize(stored) && info.raw.littleEndian !== false;
    // filters the direct path decodes itself need no h5wasm plugin unless the read falls back (checked then)
    this.checkFilters(path, info, direct ? "any" : "h5wasm");
    const n = count.reduce((a, b) => a * b, 1);
    const dtype = info.dtype;
    const esz = info.size;
    // float16 needs its stored bits and the widened float32 result at once
    const nbytes = n * (info.half ? esz + dtypeSize(dtype) : esz);
    const budget = options.budgetBytes ?? 2 ** 31;
    if (nbytes > budget) {
      throw new HypedError(
        "OUT_OF_RANGE",
        `${this.name}: reading ${path} [${count}] needs ${nbytes} bytes, above the budget of ${budget}`,
        {
          file: this.name,
          element: path,
          bytes: nbytes,
          budget,
        },
      );
    }
    let out: AnyTypedArray;
    if (options.out) {
      checkOutBuffer(options.out, dtype, n, `${this.name}: reading ${path} [${count}]`, { file: this.name, element: path });
      out = options.out;
    } else out = allocate(dtype, n);
    const bits = info.half ? allocate("uint16", n) : undefined;
    const target = bits ?? out;
    const outBytes = new Uint8Array(target.buffer, target.byteOffset, target.byteLength);
    return {
      path,
      info,
      shape,
      count,
      offset,
      stride,
      n,
      dtype,
      out,
      ...(bits ? { bits } : {}),
      outBytes,
      direct,
      ds: { shape, elementSize: esz, filters: info.filters },
    };
  }

  private fillThroughH5wasm(r: PreparedRead, signal?: AbortSignal): void {
    const { path, count, offset, stride, shape, outBytes, info, dtype } = r;
    this.checkFilters(path, info, "h5wasm");
    const rowElems = count.slice(1).reduce((a, b) => a * b, 1);
    const rowBytes = rowElems * info.size;
    if (rowBytes > WASM_HEAP_LIMIT / 2) {
      throw new HypedError("OUT_OF_RANGE", `${this.name}: one row of ${path} is ${rowBytes} bytes, beyond the wasm heap limit`, {
        file: this.name,
        element: path,
        bytes: rowBytes,
      });
    }
    const rowsPerPiece = Math.max(1, Math.floor(MAX_STAGING_BYTES / Math.max(1, rowBytes)));
    const total0 = count[0] ?? 1;
    this.readStats.h5wasm++;
    for (let i = 0; i < total0; i += rowsPerPiece) {
      throwIfAborted(signal, `reading ${path}`);
      const k = Math.min(rowsPerPiece, total0 - i);
      const c = shape.length ? [k, ...count.slice(1)] : [];
      const o = shape.length ? [(offset[0] as number) + i * (stride[0] as number), ...offset.slice(1)] : [];
      this.readInto(
        path,
        c,
        o,
        stride,
        outBytes.subarray(i * rowBytes, (i + k) * rowBytes),
        info.size === dtypeSize(r.bits ? "uint16" : dtype) ? 0 : info.size,
      );
    }
  }

  private readInto(path: string, count: number[], offset: number[], stride: number[], dst: Uint8Array, _mismatch: number): void {
    const M = this.rt.Module;
    this.guard("reading", path, () => {
      const nbytes = dst.length;
      const ptr = M._malloc(Math.max(1, nbytes));
      if (!ptr)
        throw new HypedError("OUT_OF_RANGE", `${this.name}: cannot stage ${nbytes} bytes for ${path} in the wasm heap`, {
          file: this.name,
          element: path,
          bytes: nbytes,
        });
      try {
        const big = (a: number[]) => (a.length ? a.map((x) => BigInt(x)) : null);
        M.get_dataset_data(this.f.file_id, path, big(count), big(offset), big(stride), BigInt(ptr));
        dst.set(M.HEAPU8.subarray(Number(ptr), Number(ptr) + nbytes));
      } finally {
        M._free(ptr);
      }
    });
  }

  /** Read a string dataset (fixed or variable length), whole or a 1-D/2-D hyperslab, as a flat array plus its shape. */
  readStrings(path: string, options: H5ReadOptions = {}): { values: string[]; shape: number[] } {
    const info = this.info(path);
    if (info.typeClass !== "string") {
      throw new HypedError("FORMAT", `${this.name}: dataset ${path} holds ${info.typeClass}, expected strings`, {
        file: this.name,
        element: path,
      });
    }
    const shape = info.shape ?? [];
    const { count, offset, stride } = hyperslab(shape, options.select, this.name, path);
    const n = count.reduce((a, b) => a * b, 1);
    if (n === 0) return { values: [], shape: count };
    // every string dataset the direct path reads (any layout or filter it decodes) is decoded by strings.ts;
    // a corrupt global heap is FORMAT there, never handed to h5wasm (where it could hang)
    const direct = this.stringsDirect(path, info, count, offset, stride);
    if (direct) return { values: direct, shape: count };
    this.checkFilters(path, info, "h5wasm");
    const values = this.guard("reading", path, () => {
      const d = this.dataset(path);
      if (shape.length === 0) return [d.value as string];
      const ranges = count.map((c, i) => [offset[i] as number, (offset[i] as number) + c * (stride[i] as number), stride[i] as number]);
      const v = d.slice(ranges);
      return Array.isArray(v) ? (v as string[]) : [v as string];
    });
    return { values, shape: count };
  }

  /**
   * Strings read by `strings.ts` through the direct path, or `undefined` when it does not handle the
   * dataset (h5wasm reads them). Faster than h5wasm's string path, and it needs no LZF plugin.
   */
  private stringsDirect(path: string, info: H5Info, count: number[], offset: number[], stride: number[]): string[] | undefined {
    if (!this.direct || info.shape === null || !stride.every((x) => x === 1)) return undefined;
    if (!info.filters.every((f) => BUILTIN_FILTERS.has(f.id) || directDecodes(f.id))) return undefined;
    const ds = { shape: info.shape, size: info.size, vlen: info.vlen, cset: Number(info.raw.cset ?? 0), filters: info.filters };
    const d = this.direct;
    return this.guard("reading", path, () => readStringsDirect(d, path, ds, count, offset));
  }

  /** Read any dataset through h5wasm as is (compound, references, ...). Checks filters first. */
  readRaw(path: string): unknown {
    const info = this.info(path);
    this.checkFilters(path, info, "h5wasm");
    return this.guard("reading", path, () => this.dataset(path).value);
  }

  /** Resolve an HDF5 object reference (as read from an attribute or dataset) to the path it points at. */
  dereference(ref: unknown): string | undefined {
    return this.guard("dereferencing", "reference", () => {
      const target = this.f.dereference(ref);
      return target && typeof target.path === "string" ? (target.path as string) : undefined;
    });
  }

  // ---------------------------------------------------------------- writing

  /** Create a group (and missing parents). */
  createGroup(path: string, trackOrder = false): void {
    this.guard("creating group", path, () => {
      const parts = path.replace(/^\/+/, "").split("/").filter(Boolean);
      let cur = "";
      for (const p of parts) {
        cur += `/${p}`;
        if (this.kind(cur) === "missing") this.f.create_group(cur, trackOrder);
      }
    });
  }

  /**
   * Write a dataset from a TypedArray (numeric, `bool` as uint8 unless `dtype` says otherwise) or a string array
   * (variable-length UTF-8). Large numeric arrays are written in pieces so the wasm heap is never exceeded.
   */
  writeDataset(path: string, data: AnyTypedArray | string[], options: H5WriteOptions = {}): void {
    this.guard("writing", path, () => {
      const parent = path.slice(0, path.lastIndexOf("/"));
      if (parent) this.createGroup(parent);
      const shape = options.shape ?? [data.length];
      if (shapeSize(shape) !== data.length) {
        throw new HypedError("SHAPE_MISMATCH", `${path}: shape [${shape}] does not match ${data.length} values`, { element: path });
      }
      let compress = options.compression === "gzip" || options.compression === "lzf";
      if (options.compression === "lzf" && !pluginReady(this.rt, FILTER_IDS.lzf)) {
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
      if (Array.isArray(data)) {
        // variable-length UTF-8 whatever the length (h5wasm cannot guess the type of an empty list)
        this.f.create_dataset({ name: path, data, shape, dtype: "S", ...(chunks ? { chunks } : {}) });
        return;
      }
      const ta = data as AnyTypedArray;
      if (options.float16) {
        if (ta.byteLength / ta.BYTES_PER_ELEMENT > MAX_STAGING_BYTES / 2) {
          throw new HypedError("UNSUPPORTED", `${path}: float16 datasets above ${MAX_STAGING_BYTES / 2} values are not supported`, {
            element: path,
          });
        }
        const halfComp = comp.compression === FILTER_IDS.lzf ? {} : comp; // LZF's size check ran on the wider data
        this.f.create_dataset({
          name: path,
          data: new Map([[HALF_PLACEHOLDER_NAME, narrowToHalf(ta as ArrayLike<number>)]]),
          shape,
          dtype: HALF_PLACEHOLDER_DTYPE,
          ...(chunks ? { chunks } : {}),
          ...halfComp,
        });
        this.halfPatches++;
        return;
      }
      if (options.dtype === "bool") {
        if (ta.byteLength > MAX_STAGING_BYTES) {
          throw new HypedError("UNSUPPORTED", `${path}: boolean datasets above ${MAX_STAGING_BYTES} bytes are not supported`, {
            element: path,
          });
        }
        const bytes = new Int8Array(ta.length);
        for (let i = 0; i < ta.length; i++) bytes[i] = ta[i] ? 1 : 0;
        this.f.create_dataset({
          name: path,
          data: new Map([[BOOL_PLACEHOLDER_NAME, bytes]]),
          shape,
          dtype: BOOL_PLACEHOLDER_DTYPE,
          ...(chunks ? { chunks } : {}),
          ...comp,
        });
        this.boolPatches++;
        return;
      }
      const dtype = H5_DTYPE[options.dtype ?? dtypeNameOf(ta)];
      const bytes = ta.byteLength;
      if (bytes <= MAX_STAGING_BYTES || shape.length === 0) {
        this.f.create_dataset({ name: path, data: ta, shape, dtype, ...(chunks ? { chunks } : {}), ...comp });
        return;
      }
      // Large: create resizable along axis 0, then write pieces.
      const rowElems = shape.slice(1).reduce((a, b) => a * b, 1);
      const rowsPerPiece = Math.max(1, Math.floor(MAX_STAGING_BYTES / (rowElems * ta.BYTES_PER_ELEMENT)));
      const first = Math.min(rowsPerPiece, shape[0] as number);
      const firstData = ta.subarray(0, first * rowElems);
      const ds = this.f.create_dataset({
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
    });
  }

  /** Write `data` into an existing dataset at a hyperslab (`[start, end)` per dimension). */
  writeSlice(path: string, ranges: Array<[number, number]>, data: AnyTypedArray): void {
    this.guard("writing a slice of", path, () => this.dataset(path).write_slice(ranges, data));
  }

  /**
   * Set an attribute. Strings are written as variable-length UTF-8 (as h5py does); numbers as float64 unless
   * `dtype` is given; TypedArrays keep their type; string arrays become 1-D vlen string arrays.
   */
  setAttr(path: string, name: string, value: string | number | bigint | boolean | AnyTypedArray | string[], dtype?: DType): void {
    this.guard(`writing attribute '${name}' on`, path, () => {
      const o = this.f.get(path);
      if (!o) throw new HypedError("NOT_FOUND", `${this.name}: nothing at ${path}`, { file: this.name, element: path });
      if (name in o.attrs) o.delete_attribute(name);
      if (typeof value === "string") o.create_attribute(name, value);
      else if (typeof value === "boolean") {
        o.create_attribute(name, new Map([[BOOL_PLACEHOLDER_NAME, new Int8Array([value ? 1 : 0])]]), [], BOOL_PLACEHOLDER_DTYPE);
        this.boolPatches++;
      } else if (dtype === "bool" && ArrayBuffer.isView(value)) {
        const b = Int8Array.from(value as ArrayLike<number>, (x) => (x ? 1 : 0));
        o.create_attribute(name, new Map([[BOOL_PLACEHOLDER_NAME, b]]), [b.length], BOOL_PLACEHOLDER_DTYPE);
        this.boolPatches++;
      } else if (typeof value === "number")
        o.create_attribute(name, allocFrom(dtype ?? "float64", [value]), [], H5_DTYPE[dtype ?? "float64"]);
      else if (typeof value === "bigint") o.create_attribute(name, new BigInt64Array([value]), [], "<q");
      else if (Array.isArray(value)) o.create_attribute(name, value, [value.length]);
      else o.create_attribute(name, value, [value.length], H5_DTYPE[dtype ?? dtypeNameOf(value)]);
    });
  }

  /** Flush pending writes to the underlying I/O. */
  flush(): void {
    this.guard("flushing", this.name, () => this.f.flush());
  }

  /** For files created in memory: the file's bytes (flushes first). */
  bytes(): Uint8Array {
    this.flush();
    const io = this.io as SyncIO & { bytes?: () => Uint8Array };
    if (!io.bytes) throw new HypedError("INVALID_ARGUMENT", `${this.name} is not an in-memory file`, { file: this.name });
    const copy = io.bytes().slice();
    if (this.boolPatches > 0) patchBoolEnums(memoryIO(copy, true, this.name));
    if (this.halfPatches > 0) patchBoolEnums(memoryIO(copy, true, this.name), HALF_PLACEHOLDER);
    return copy;
  }

  /** Close the file (atomic writes are renamed into place now). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    let ok = true;
    try {
      this.f.close();
      if (this.boolPatches > 0) patchBoolEnums(this.io);
      if (this.halfPatches > 0) patchBoolEnums(this.io, HALF_PLACEHOLDER);
    } catch (e) {
      ok = false;
      takeIoFailure(this.io);
      if (isHypedError(e)) throw e;
      throw new HypedError("IO", `${this.name}: closing failed: ${cleanH5Message(e)}`, { file: this.name }, { cause: e });
    } finally {
      unmount(this.rt, this.mountPath);
      this.io.close();
      this.finalize?.(ok);
    }
  }

  /** Close and delete a file being written (atomic mode): nothing is left at the target path. */
  discard(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.f.close();
    } catch {
      // ignore
    }
    unmount(this.rt, this.mountPath);
    this.io.close();
    this.finalize?.(false);
  }
}

/** HDF5's name order (byte-wise, as `strcmp` on UTF-8). */
function byteOrder(a: string, b: string): number {
  const x = utf8Bytes.encode(a);
  const y = utf8Bytes.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}
const utf8Bytes = new TextEncoder();

function allocFrom(dtype: DType, values: number[]): AnyTypedArray {
  const a = allocate(dtype, values.length);
  for (let i = 0; i < values.length; i++)
    (a as unknown as number[])[i] =
      dtype === "int64" || dtype === "uint64" ? (BigInt(values[i] as number) as unknown as number) : (values[i] as number);
  return a;
}

function dtypeNameOf(a: AnyTypedArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int8Array) return "int8";
  if (a instanceof Int16Array) return "int16";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Uint8Array) return "uint8";
  if (a instanceof Uint16Array) return "uint16";
  if (a instanceof Uint32Array) return "uint32";
  if (a instanceof BigInt64Array) return "int64";
  return "uint64";
}

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

function isBoolEnum(meta: Record<string, unknown>): boolean {
  const members = (meta.enum_type as { members?: Record<string, number> } | undefined)?.members;
  if (!members) return false;
  const keys = Object.keys(members).sort();
  return keys.length === 2 && keys[0] === "FALSE" && keys[1] === "TRUE" && Number(members.FALSE) === 0 && Number(members.TRUE) === 1;
}

/** A numeric read after its checks: the selection, the destination, and whether the direct path applies. */
interface PreparedRead {
  path: string;
  info: H5Info;
  shape: number[];
  count: number[];
  offset: number[];
  stride: number[];
  n: number;
  dtype: DType;
  out: AnyTypedArray;
  /** float16 datasets: the stored bit patterns, widened into `out` by finishRead. */
  bits?: Uint16Array;
  outBytes: Uint8Array;
  direct: boolean;
  ds: { shape: number[]; elementSize: number; filters: H5Filter[] };
}

/** Normalise booleans and wrap the destination as an ndarray. */
function finishRead(r: PreparedRead): AnyNdArray {
  const { dtype, outBytes, n, count } = r;
  if (dtype === "bool") for (let i = 0; i < n; i++) if (outBytes[i] !== 0) outBytes[i] = 1;
  if (r.bits) widenHalf(r.bits, r.out as Float32Array);
  const arr = ndarray(r.out as never, count.length ? count : [1]) as unknown as AnyNdArray;
  if (dtype === "bool") markBool(arr);
  if (r.bits) markFloat16(markFloat16(arr).data);
  return arr;
}

function toInfo(rt: H5Runtime, meta: Record<string, unknown>, filters: H5Filter[]): H5Info {
  const M = rt.Module;
  const typeClass = CLASS_NAMES[meta.type as number] ?? "opaque";
  const size = meta.size as number;
  let dtype: DType | undefined;
  const numeric = (cls: number, sz: number, signed: boolean): DType | undefined => {
    // float16 reads as float32 (core's dtype rule); `half` below records it
    if (cls === M.H5T_class_t.H5T_FLOAT.value) return sz === 2 || sz === 4 ? "float32" : sz === 8 ? "float64" : undefined;
    if (cls === M.H5T_class_t.H5T_INTEGER.value) {
      const t: Record<number, DType> = signed
        ? { 1: "int8", 2: "int16", 4: "int32", 8: "int64" }
        : { 1: "uint8", 2: "uint16", 4: "uint32", 8: "uint64" };
      return t[sz];
    }
    return undefined;
  };
  let enumMembers: Record<string, number> | undefined;
  if (typeClass === "enum") {
    const et = meta.enum_type as { type: number; members: Record<string, number> };
    enumMembers = Object.fromEntries(Object.entries(et.members).map(([k, v]) => [k, Number(v)]));
    dtype = isBoolEnum(meta) ? "bool" : numeric(et.type, size, meta.signed as boolean);
  } else if (!meta.vlen) {
    dtype = numeric(meta.type as number, size, meta.signed as boolean);
  }
  const shape = meta.shape === null || meta.shape === undefined ? null : (meta.shape as number[]).map(Number);
  const chunks = meta.chunks ? (meta.chunks as number[]).map(Number) : undefined;
  return {
    shape,
    typeClass,
    ...(dtype ? { dtype } : {}),
    ...(dtype === "float32" && size === 2 ? { half: true } : {}),
    size,
    vlen: Boolean(meta.vlen),
    ...(enumMembers ? { enumMembers } : {}),
    ...(chunks ? { chunks } : {}),
    filters,
    raw: meta,
  };
}

function hyperslab(shape: number[], select: H5Selection | undefined, file: string, element: string) {
  const count: number[] = [];
  const offset: number[] = [];
  const stride: number[] = [];
  if (select && select.length > shape.length) {
    throw new HypedError("INVALID_ARGUMENT", `${file}: ${select.length} selections for ${shape.length}-D dataset ${element}`, {
      file,
      element,
    });
  }
  for (let i = 0; i < shape.length; i++) {
    const s = shape[i] as number;
    const sel = select?.[i];
    let a = 0;
    let b = s;
    let st = 1;
    if (typeof sel === "number") {
      a = sel;
      b = sel + 1;
    } else if (Array.isArray(sel)) {
      a = sel[0];
      b = sel[1];
      st = sel[2] ?? 1;
    }
    if (!(Number.isInteger(a) && Number.isInteger(b) && Number.isInteger(st) && a >= 0 && b <= s && a <= b && st >= 1)) {
      throw new HypedError(
        "OUT_OF_RANGE",
        `${file}: selection [${a}, ${b}) step ${st} is outside dimension ${i} (extent ${s}) of ${element}`,
        {
          file,
          element,
          dim: i,
        },
      );
    }
    count.push(Math.ceil((b - a) / st));
    offset.push(a);
    stride.push(st);
  }
  return { count, offset, stride };
}

/** The errno HDF5 sees for a failed read or write (WASI's EIO). */
const WASI_EIO = 29;
/** The error behind the last failed read or write of each I/O, until reported. */
const ioFailures = new WeakMap<SyncIO, { e: unknown; action: "read" | "write" }>();

/** Throw the `IO` error (naming the file) of a read or write that failed under HDF5, if there was one. */
function takeIoFailure(io: SyncIO): void {
  const f = ioFailures.get(io);
  if (!f) return;
  ioFailures.delete(io);
  throw fsError(f.e, io.name, f.action);
}

function mount(rt: H5Runtime, io: SyncIO): string {
  const FS = rt.FS;
  const name = `f${++mountCounter}.h5`;
  const node = FS.createFile(MOUNT_DIR, name, {}, true, true);
  Object.defineProperty(node, "usedBytes", { get: () => io.size(), configurable: true });
  const base = node.stream_ops;
  node.stream_ops = {
    ...base,
    // an I/O failure (ENOSPC, EIO, a closed source) goes back to HDF5 as an errno, so it unwinds cleanly
    // and reports a read/write error; the original is kept for the IO error we raise (see takeIoFailure)
    read: (_s: unknown, buffer: Uint8Array, offset: number, length: number, position: number) => {
      try {
        return io.read(buffer.subarray(offset, offset + length), Number(position));
      } catch (e) {
        ioFailures.set(io, { e, action: "read" });
        throw new FS.ErrnoError(WASI_EIO);
      }
    },
    write: (_s: unknown, buffer: Uint8Array, offset: number, length: number, position: number) => {
      try {
        return io.write(buffer.subarray(offset, offset + length), Number(position));
      } catch (e) {
        ioFailures.set(io, { e, action: "write" });
        throw new FS.ErrnoError(WASI_EIO);
      }
    },
    mmap: () => {
      throw new FS.ErrnoError(19);
    },
  };
  const nops = node.node_ops;
  node.node_ops = {
    ...nops,
    setattr: (n: unknown, attr: { size?: number }) => {
      if (attr.size !== undefined) io.truncate(Number(attr.size));
      const { size: _size, ...rest } = attr;
      return nops.setattr(n, rest);
    },
  };
  return `${MOUNT_DIR}/${name}`;
}

function unmount(rt: H5Runtime, p: string): void {
  try {
    rt.FS.unlink(p);
  } catch {
    // already gone
  }
}

/**
 * `H5File`: the toolkit's one wrapper around h5wasm. Reads are lazy hyperslabs; failures become
 * {@link HypedError}s; memory is checked before any read starts. See `module.ts` for the heap ceiling.
 *
 * The class holds the file's state and the error boundary (`guard`); the work lives beside it: `types.ts`
 * (public types), `info.ts` (metadata, selections), `read.ts` (numeric read checks and staging),
 * `write.ts` (datasets and attributes), `plugins.ts` (filter plugins), `mount.ts` (our I/O under h5wasm),
 * and `direct/` (reads straight from the file's bytes).
 */
import type { AnyTypedArray, DType } from "../dtype.js";
import { HypedError, isHypedError } from "../errors.js";
import { type AnyNdArray, shapeSize } from "../ndarray.js";
import { AttrReader, type RawAttr } from "./attrs.js";
import { DirectReader, directDecodes } from "./direct/index.js";
import { BUILTIN_FILTERS } from "./filters.js";
import { byteOrder, copyInfo, datasetInfo, h5wasmKind, hyperslab, isBoolEnum, toInfo } from "./info.js";
import { LinkReader } from "./links.js";
import { cleanH5Message, type H5Runtime, h5ready, poisonRuntime, retiresRuntime } from "./module.js";
import { closeQuietly, mount, nextMountSerial, takeIoFailure, unmount } from "./mount.js";
import { checkH5wasmFilter } from "./plugins.js";
import { filledReporter, finishRead, type H5ReadAsyncOptions, type PreparedRead, prepareRead, readStaged } from "./read.js";
import { readStringsDirect } from "./strings.js";
import { blobIO, loadNodeFs, memoryIO, nodeFileIO, type SyncIO } from "./syncio.js";
import { finishWrittenFile } from "./times.js";
import type { H5CreateOptions, H5Info, H5Input, H5Kind, H5OpenOptions, H5ReadOptions, H5WriteOptions } from "./types.js";
import { createDataset, setAttribute } from "./write.js";

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
  /** Zero HDF5's object times when the file is finished ({@link H5CreateOptions.reproducible}). */
  private reproducible = false;
  private readonly finalize?: (ok: boolean) => void;
  private direct?: DirectReader;
  /** Our own attribute parser (read-only files); see `attrs.ts`. */
  private attrReader?: AttrReader;
  /** Our own path and group reader (read-only files); see `links.ts`. */
  private links?: LinkReader;
  private readonly addresses = new Map<string, number | undefined>();
  /** Dataset metadata by path, kept for read-only files (whose metadata cannot change while open). */
  private readonly infos = new Map<string, H5Info>();
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
      const tmp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}-${nextMountSerial().toString(36)}`;
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
      const file = new H5File(rt, f, io, p, finalize);
      file.reproducible = options.reproducible ?? false;
      return file;
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
      return h5wasmKind(M, this.f.file_id, path, (e) => this.noteError(e));
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

  /** Metadata of the dataset at `path`; `NOT_FOUND` if there is none. Cached by path for a read-only file. */
  info(path: string): H5Info {
    return this.guard("reading metadata of", path, () => {
      const known = this.infos.get(path);
      if (known) return copyInfo(known); // each caller gets its own arrays
      const info = datasetInfo(this.rt, this.dataset(path));
      if (this.direct) this.infos.set(path, copyInfo(info));
      return info;
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
    // filters our own decoders handle (LZF, shuffle; deflate in Node) need no plugin unless h5wasm must read
    const ours = through === "any" && this.direct !== undefined;
    for (const f of info.filters) if (!(ours && directDecodes(f.id))) checkH5wasmFilter(this.rt, this.name, path, f);
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
   * reads into fresh memory run about twice as fast on 2 cores. See {@link H5ReadAsyncOptions} for `onFilled`.
   */
  async readAsync(path: string, options: H5ReadAsyncOptions = {}): Promise<AnyNdArray> {
    const r = this.prepareRead(path, options);
    const report = filledReporter(r, options);
    let done = false;
    if (r.n > 0 && r.direct) {
      const d = this.direct as DirectReader;
      done = await d.readAsync(path, r.ds, r.count, r.offset, r.outBytes, report.direct);
      if (done) this.readStats.direct++;
    }
    if (r.n > 0 && !done) this.fillThroughH5wasm(r, options.signal);
    return report.finish(finishRead(r), !done);
  }

  private directRead(r: PreparedRead, signal?: AbortSignal): boolean {
    return (this.direct as DirectReader).read(r.path, r.ds, r.count, r.offset, r.outBytes, signal);
  }

  private prepareRead(path: string, options: H5ReadOptions): PreparedRead {
    const info = this.info(path);
    return prepareRead(this.name, path, info, options, this.direct !== undefined, (through) => this.checkFilters(path, info, through));
  }

  private fillThroughH5wasm(r: PreparedRead, signal?: AbortSignal): void {
    this.checkFilters(r.path, r.info, "h5wasm");
    readStaged(
      r,
      this.name,
      signal,
      () => {
        this.readStats.h5wasm++;
      },
      (c, o, s, dst, mismatch) => this.readInto(r.path, c, o, s, dst, mismatch),
    );
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
      const placeholder = createDataset(this.rt, this.f, path, data, shape, options);
      if (placeholder === "bool") this.boolPatches++;
      else if (placeholder === "half") this.halfPatches++;
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
      if (setAttribute(o, name, value, dtype) === "bool") this.boolPatches++;
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
    finishWrittenFile(memoryIO(copy, true, this.name), this.patches());
    return copy;
  }

  /**
   * Close the file (atomic writes are renamed into place now). Idempotent. A wasm trap in HDF5's close retires
   * the h5wasm instance; a read-only file then closes quietly (its reads are done), a writable one throws `IO`.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    let ok = true;
    try {
      try {
        this.f.close();
      } catch (e) {
        if (isHypedError(e) || !retiresRuntime(e) || this.io.writable) throw e;
        this.noteError(e); // a heap an earlier corrupt file damaged without trapping
      }
      finishWrittenFile(this.io, this.patches());
    } catch (e) {
      ok = false;
      takeIoFailure(this.io);
      if (isHypedError(e)) throw e;
      this.noteError(e);
      throw new HypedError("IO", `${this.name}: closing failed: ${cleanH5Message(e)}`, { file: this.name }, { cause: e });
    } finally {
      unmount(this.rt, this.mountPath);
      this.io.close();
      this.finalize?.(ok);
    }
  }

  private patches = () => ({ bools: this.boolPatches, halves: this.halfPatches, reproducible: this.reproducible });

  /** Close and delete a file being written (atomic mode): nothing is left at the target path. */
  discard(): void {
    if (this.closed) return;
    this.closed = true;
    closeQuietly(this.f);
    unmount(this.rt, this.mountPath);
    this.io.close();
    this.finalize?.(false);
  }
}

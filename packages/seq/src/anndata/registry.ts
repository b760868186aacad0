/**
 * The encoding registry, keyed like anndata's `IORegistry` by (encoding-type, encoding-version): readers and
 * writers of AnnData elements, side by side.
 *
 * Every HDF5 object in an `.h5ad` file written by anndata ≥ 0.7 carries the string attributes
 * `encoding-type` and `encoding-version`; {@link readElement} looks the pair up here. Objects without them
 * (anndata < 0.7, and scalars/arrays in old `uns`) go to the registry's fallback reader (`legacy.ts` in the
 * default registry). {@link writeElement} asks the writers, newest registration first, which one takes a value.
 *
 * The built-in encodings live one family per file in `encodings/` (each file holds the family's
 * {@link Encoding} objects: names, versions, reader and writer) and are put together in `builtins.ts`.
 */
import { type AnyNdArray, type DType, HypedError, isHypedError } from "@hyped/core";
import type { H5File } from "@hyped/core/hdf5";

/** What to do with an element whose encoding is not in the registry. */
export type OnUnknown = "error" | "skip" | "raw";

/** State shared by the readers of one file. */
export interface ReadContext {
  /** The open file. */
  readonly f: H5File;
  /** Where readers are looked up. */
  readonly registry: EncodingRegistry;
  /** Unknown encodings: `error` (default, `UNSUPPORTED`), `skip` (left out), `raw` (read as plain HDF5). */
  readonly onUnknown: OnUnknown;
  /** Cancels long reads. */
  readonly signal?: AbortSignal;
  /** Numeric datasets already read (by `readH5ad`'s read-ahead), keyed by path; taken once each. */
  readonly prefetched?: Map<string, AnyNdArray>;
  /**
   * Index arrays of sparse matrices that the read-ahead found all in bounds, with the extent they were checked
   * against; `readSparse` then skips its own bounds pass over them (see `prefetchMatrices`).
   */
  readonly checkedIndices?: WeakMap<object, number>;
  /**
   * Read any element at `path` through this context's registry (what `readAny` does). Readers of encodings
   * that hold other elements (`dict`, `dataframe`, ...) read their members with it.
   */
  readonly readAny: (path: string) => unknown;
}

/** Reads the element at `path` (its attributes already say it has this encoding). */
export type ElementReader = (ctx: ReadContext, path: string) => unknown;

/** What a writer is told besides the value: the stored dtype a scalar was read with, if known. */
export interface WriteHint {
  /** Stored dtype of a numeric scalar (from `setScalarDtype`); default int64 for integers, else float64. */
  dtype?: DType;
}

/** State shared by the writers of one file. */
export interface WriteContext {
  /** The file being written. */
  readonly f: H5File;
  /** Where writers are looked up. */
  readonly registry: EncodingRegistry;
  /** Compression of non-scalar numeric datasets (default `none`, as anndata). */
  readonly compression: "gzip" | "lzf" | "none";
  /** Cancels long writes. */
  readonly signal?: AbortSignal;
  /** Reports `n` values written. */
  tick(n?: number): void;
  /** Write any value at `path` through this context's registry; writers of containers use it for members. */
  writeAny(path: string, value: unknown, hint?: WriteHint): void;
}

/** Writes `value` at `path` (a new dataset or group) with its encoding attributes. */
export type ElementWriter<T = unknown> = (ctx: WriteContext, path: string, value: T, hint?: WriteHint) => void;

/** An (encoding-type, encoding-version) pair as anndata writes it. */
export interface EncodingSpec {
  /** The `encoding-type` attribute, e.g. `csr_matrix`. */
  readonly type: string;
  /** The `encoding-version` attribute, e.g. `0.1.0`. */
  readonly version: string;
}

/**
 * One encoding: its name and version, how to read it and how to write it. Register it with
 * {@link EncodingRegistry.define}. `read` alone makes a read-only encoding; `write` needs `accepts`.
 */
export interface Encoding<T = unknown> extends EncodingSpec {
  /** Older versions of the same encoding that `read` also reads (e.g. `dataframe` 0.1.0). */
  readonly readsVersions?: readonly string[];
  /** Reads an element whose attributes name this encoding (and version). */
  readonly read?: ElementReader;
  /** True for the values `write` stores. Writers are asked newest registration first. */
  readonly accepts?: (value: unknown) => boolean;
  /** Writes a value `accepts` took, setting the encoding attributes (see {@link setEncoding}). */
  readonly write?: ElementWriter<T>;
}

/** Returned by {@link readElement} for an element left out under `onUnknown: 'skip'`. */
export const SKIPPED: unique symbol = Symbol("hyped.anndata.skipped");

const key = (type: string, version: string) => `${type}\u0000${version}`;

/** A registry of element readers (by encoding-type and version) and writers (by the values they accept). */
export class EncodingRegistry {
  private readonly readers = new Map<string, ElementReader>();
  private readonly writers: Encoding[] = [];
  private unencoded: ElementReader | undefined;

  /** Add (or replace) the reader for `type` at `version`. Returns `this`. */
  register(type: string, version: string, reader: ElementReader): this {
    this.readers.set(key(type, version), reader);
    return this;
  }
  /**
   * Add an encoding with one call: its reader under (`type`, `version`) and each of `readsVersions`, and its
   * writer, which is asked before every writer registered earlier (so yours win over the built-ins for the
   * values they accept). Returns `this`.
   *
   * @example
   * ```ts
   * registry.define({
   *   type: "my-interval", version: "0.1.0",
   *   read: (ctx, path) => ({ kind: "interval", bounds: ctx.f.read(path).data }),
   *   accepts: (v) => (v as { kind?: unknown })?.kind === "interval",
   *   write: (ctx, path, v: Interval) => {
   *     ctx.f.writeDataset(path, v.bounds);
   *     setEncoding(ctx, path, { type: "my-interval", version: "0.1.0" });
   *   },
   * });
   * ```
   */
  define<T>(encoding: Encoding<T>): this {
    if (encoding.write && !encoding.accepts)
      throw new HypedError("INVALID_ARGUMENT", `encoding ${encoding.type} ${encoding.version} has a writer but no accepts()`, {
        encodingType: encoding.type,
      });
    if (encoding.read)
      for (const v of [encoding.version, ...(encoding.readsVersions ?? [])]) this.register(encoding.type, v, encoding.read);
    if (encoding.write) this.writers.unshift(encoding as Encoding);
    return this;
  }
  /** The reader for (`type`, `version`), if any. */
  get(type: string, version: string): ElementReader | undefined {
    return this.readers.get(key(type, version));
  }
  /** True if a reader exists. */
  has(type: string, version: string): boolean {
    return this.readers.has(key(type, version));
  }
  /** All registered (type, version) keys of readers. */
  keys(): Array<[string, string]> {
    return [...this.readers.keys()].map((k) => k.split("\u0000") as [string, string]);
  }
  /** The encoding whose writer takes `value` (newest registration first), if any. */
  writerFor(value: unknown): Encoding | undefined {
    return this.writers.find((e) => e.accepts?.(value));
  }
  /**
   * Set the reader for elements without an `encoding-type` attribute (files written before anndata 0.7).
   * The default registry's is the legacy reader (`legacy.ts`). Returns `this`.
   */
  setFallback(reader: ElementReader): this {
    this.unencoded = reader;
    return this;
  }
  /** The reader for elements without encoding attributes, if set. */
  get fallback(): ElementReader | undefined {
    return this.unencoded;
  }
  /** A copy that can be extended without touching this one. */
  clone(): EncodingRegistry {
    const r = new EncodingRegistry();
    for (const [k, v] of this.readers) r.readers.set(k, v);
    r.writers.push(...this.writers);
    r.unencoded = this.unencoded;
    return r;
  }
}

/** The `encoding-type`/`encoding-version` attributes of `path` (empty strings when absent). */
export function encodingOf(f: H5File, path: string): { type: string; version: string } {
  const t = f.attr(path, "encoding-type");
  const v = f.attr(path, "encoding-version");
  return { type: typeof t === "string" ? t : "", version: typeof v === "string" ? v : "" };
}

/** True if the attributes of `path` name `spec` (type and version). */
export function hasEncoding(f: H5File, path: string, spec: EncodingSpec): boolean {
  const e = encodingOf(f, path);
  return e.type === spec.type && e.version === spec.version;
}

/** Set the `encoding-type`/`encoding-version` attributes of `path` to `spec`. */
export function setEncoding(ctx: { readonly f: H5File }, path: string, spec: EncodingSpec): void {
  ctx.f.setAttr(path, "encoding-type", spec.type);
  ctx.f.setAttr(path, "encoding-version", spec.version);
}

/** Create the group `path` with the encoding attributes of `spec`. */
export function createEncodedGroup(ctx: { readonly f: H5File }, path: string, spec: EncodingSpec): void {
  ctx.f.createGroup(path);
  setEncoding(ctx, path, spec);
}

/** Throw `FORMAT` naming `element`. */
export function formatFail(ctx: ReadContext, element: string, message: string, extra: Record<string, unknown> = {}): never {
  throw new HypedError("FORMAT", `${ctx.f.name}: ${element}: ${message}`, { file: ctx.f.name, element, ...extra });
}

/**
 * Deepest element path (in components) we follow. anndata nests a few levels; a corrupt file whose group
 * links form a cycle would otherwise be read forever, one level deeper each time.
 */
const MAX_ELEMENT_DEPTH = 64;

/** `FORMAT` when `path` is nested deeper than {@link MAX_ELEMENT_DEPTH} (a cycle of group links). */
function checkDepth(ctx: ReadContext, path: string): void {
  let depth = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) depth++;
  if (depth > MAX_ELEMENT_DEPTH)
    formatFail(ctx, path.slice(0, 200), `nested deeper than ${MAX_ELEMENT_DEPTH} levels (a cycle of group links?)`, { depth });
}

/** Join an HDF5 group path and a member name. */
export function joinPath(group: string, name: string): string {
  return group === "/" || group === "" ? `/${name}` : `${group}/${name}`;
}

/** Read any HDF5 object without encodings: groups become objects, datasets their values (for `onUnknown: 'raw'`). */
export function readRawTree(ctx: ReadContext, path: string): unknown {
  checkDepth(ctx, path);
  const k = ctx.f.kind(path);
  if (k === "group") {
    const out: Record<string, unknown> = {};
    for (const key of ctx.f.keys(path)) out[key] = readRawTree(ctx, joinPath(path, key));
    return out;
  }
  if (k === "dataset") {
    const info = ctx.f.info(path);
    if (info.typeClass === "string") {
      const s = ctx.f.readStrings(path);
      return s.shape.length === 0 ? s.values[0] : s.values;
    }
    if (info.dtype) return ctx.f.read(path, { signal: ctx.signal });
    return ctx.f.readRaw(path);
  }
  return null;
}

/** A read context for `f` whose `readAny` reads through `registry`. */
export function createReadContext(
  f: H5File,
  registry: EncodingRegistry,
  options: { onUnknown?: OnUnknown; signal?: AbortSignal } = {},
): ReadContext {
  const ctx: ReadContext = {
    f,
    registry,
    onUnknown: options.onUnknown ?? "error",
    ...(options.signal ? { signal: options.signal } : {}),
    readAny: (path: string) => readElement(ctx, path),
  };
  return ctx;
}

/**
 * Read the element at `path` through the registry. Elements without encoding attributes go to the
 * registry's fallback (the legacy reader); with none set they are read as plain HDF5. Non-toolkit errors
 * are turned into `FORMAT` naming the element.
 */
export function readElement(ctx: ReadContext, path: string): unknown {
  checkDepth(ctx, path);
  const { type, version } = encodingOf(ctx.f, path);
  try {
    if (!type) return (ctx.registry.fallback ?? readRawTree)(ctx, path);
    const reader = ctx.registry.get(type, version);
    if (!reader) {
      if (ctx.onUnknown === "skip") return SKIPPED;
      if (ctx.onUnknown === "raw") return readRawTree(ctx, path);
      throw new HypedError(
        "UNSUPPORTED",
        `${ctx.f.name}: ${path} has encoding ${type} ${version || "(no version)"}, which no reader is registered for`,
        { file: ctx.f.name, element: path, encodingType: type, encodingVersion: version },
      );
    }
    return reader(ctx, path);
  } catch (e) {
    if (isHypedError(e)) throw e;
    throw new HypedError(
      "FORMAT",
      `${ctx.f.name}: ${path}: ${(e as Error)?.message ?? String(e)}`,
      { file: ctx.f.name, element: path },
      { cause: e },
    );
  }
}

/**
 * Read the element at `path` (any encoding the context's registry knows, or a legacy layout): the same as
 * `ctx.readAny(path)`.
 */
export function readAny(ctx: ReadContext, path: string): unknown {
  return readElement(ctx, path);
}

/** Write `value` at `path` with the first writer of the context's registry that accepts it; `UNSUPPORTED` if none does. */
export function writeElement(ctx: WriteContext, path: string, value: unknown, hint?: WriteHint): void {
  const enc = ctx.registry.writerFor(value);
  if (!enc?.write) {
    const what = value === null || value === undefined ? String(value) : ((value as object).constructor?.name ?? typeof value);
    throw new HypedError("UNSUPPORTED", `${path}: cannot write a ${what}`, { element: path });
  }
  enc.write(ctx, path, value, hint);
}

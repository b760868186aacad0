/**
 * The element reader registry, keyed like anndata's `IORegistry` by (encoding-type, encoding-version).
 *
 * Every HDF5 object in an `.h5ad` file written by anndata ≥ 0.7 carries the string attributes
 * `encoding-type` and `encoding-version`; {@link readElement} looks the pair up here. Objects without them
 * (anndata < 0.7, and scalars/arrays in old `uns`) are read by what they are (see `legacy.ts`).
 */
import { type AnyNdArray, HypedError, isHypedError } from "@hyped/core";
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
}

/** Reads the element at `path` (its attributes already say it has this encoding). */
export type ElementReader = (ctx: ReadContext, path: string) => unknown;

/** Returned by {@link readElement} for an element left out under `onUnknown: 'skip'`. */
export const SKIPPED: unique symbol = Symbol("hyped.anndata.skipped");

/** A registry of element readers keyed by (encoding-type, encoding-version). */
export class EncodingRegistry {
  private readonly readers = new Map<string, ElementReader>();

  /** Add (or replace) the reader for `type` at `version`. Returns `this`. */
  register(type: string, version: string, reader: ElementReader): this {
    this.readers.set(`${type}\u0000${version}`, reader);
    return this;
  }
  /** The reader for (`type`, `version`), if any. */
  get(type: string, version: string): ElementReader | undefined {
    return this.readers.get(`${type}\u0000${version}`);
  }
  /** True if a reader exists. */
  has(type: string, version: string): boolean {
    return this.readers.has(`${type}\u0000${version}`);
  }
  /** All registered (type, version) keys. */
  keys(): Array<[string, string]> {
    return [...this.readers.keys()].map((k) => k.split("\u0000") as [string, string]);
  }
  /** A copy that can be extended without touching this one. */
  clone(): EncodingRegistry {
    const r = new EncodingRegistry();
    for (const [k, v] of this.readers) r.readers.set(k, v);
    return r;
  }
}

/** The `encoding-type`/`encoding-version` attributes of `path` (empty strings when absent). */
export function encodingOf(f: H5File, path: string): { type: string; version: string } {
  const t = f.attr(path, "encoding-type");
  const v = f.attr(path, "encoding-version");
  return { type: typeof t === "string" ? t : "", version: typeof v === "string" ? v : "" };
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

/**
 * Read the element at `path` through the registry. Elements without encoding attributes are passed to
 * `fallback` (the legacy reader). Non-toolkit errors are turned into `FORMAT` naming the element.
 */
export function readElement(ctx: ReadContext, path: string, fallback: ElementReader): unknown {
  checkDepth(ctx, path);
  const { type, version } = encodingOf(ctx.f, path);
  try {
    if (!type) return fallback(ctx, path);
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

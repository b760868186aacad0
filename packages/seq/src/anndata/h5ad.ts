/**
 * `readH5ad`: a whole `.h5ad` file into an {@link AnnData}, for every layout anndata 0.5–0.13, scanpy,
 * anndataR and CELLxGENE write (see `format.md`).
 */
import {
  type AnyNdArray,
  type AnyTypedArray,
  allocate,
  dtypeSize,
  HypedError,
  type IndexArray,
  indicesOutOfBounds,
  isNdArray,
  isSparse,
  type LongTaskOptions,
  reshape,
  throwIfAborted,
} from "@hyped/core";
import { H5File, type H5Input } from "@hyped/core/hdf5";
import { AnnData, elementKind, type MappingName } from "./anndata.js";
import { defaultRegistry } from "./builtins.js";
import { applyUnsCategories, moveNeighbors } from "./clean-up.js";
import { DataFrame } from "./dataframe.js";
import { ANNDATA, MUDATA_TYPE } from "./encodings/root.js";
import { sparseHeader } from "./encodings/sparse.js";
import { readUnencoded } from "./legacy.js";
import { prepareLzf } from "./lzf.js";
import { type Matrix, matrixShape } from "./matrix.js";
import {
  createReadContext,
  type EncodingRegistry,
  formatFail,
  hasEncoding,
  joinPath,
  type OnUnknown,
  type ReadContext,
  SKIPPED,
} from "./registry.js";

/** Options of {@link readH5ad} and `openH5ad`. */
export interface ReadH5adOptions extends LongTaskOptions {
  /** Unknown encoding-type/version: `error` (default: `UNSUPPORTED` naming the element), `skip` or `raw`. */
  onUnknown?: OnUnknown;
  /**
   * Readers to use (default {@link defaultRegistry}). A registry without a fallback reads elements that have
   * no encoding attributes with the legacy reader, as the default one does.
   */
  registry?: EncodingRegistry;
}

/** What `readH5ad` accepts: a local path (Node), bytes, or a `Blob`/`File`. */
export type H5adSource = H5Input;

/**
 * Open the HDF5 file and make a read context. `root` says what the file must be: `anndata` (default; a
 * MuData file is refused with `FORMAT` pointing to `readH5mu`) or `mudata`.
 */
export async function openContext(
  source: H5adSource,
  options: ReadH5adOptions = {},
  root: "anndata" | "mudata" = "anndata",
): Promise<ReadContext> {
  await prepareLzf();
  const f = await H5File.open(source);
  try {
    const given = options.registry ?? defaultRegistry;
    const registry = given.fallback ? given : given.clone().setFallback(readUnencoded);
    const ctx = createReadContext(f, registry, options);
    if (root === "anndata") checkRoot(ctx);
    else checkMuDataRoot(ctx);
    return ctx;
  } catch (e) {
    f.close();
    throw e;
  }
}

/**
 * True if the file is a MuData container (`.h5mu`): root encoding `MuData`, or (files written by muon
 * before the root was tagged) no root encoding and a `mod` group.
 */
export function isMuData(ctx: ReadContext): boolean {
  const t = ctx.f.attr("/", "encoding-type");
  if (t === MUDATA_TYPE) return true;
  return t === undefined && ctx.f.kind("/mod") === "group";
}

function checkMuDataRoot(ctx: ReadContext): void {
  if (!isMuData(ctx))
    throw new HypedError("FORMAT", `${ctx.f.name}: not a MuData file (no root encoding MuData and no 'mod' group)`, {
      file: ctx.f.name,
      element: "/",
    });
}

/** Numeric datasets at least this large are read ahead by {@link readH5ad}. */
const PREFETCH_BYTES = 4 * 2 ** 20;

/**
 * Read the large numeric datasets of the matrix elements (X, raw/X, layers, obsm, varm, obsp, varp) ahead
 * with `H5File.readAsync`, which keeps several positional reads in flight on Node's thread pool (about 2x
 * faster for uncompressed data on 2 cores); the synchronous element readers then take them from
 * `ctx.prefetched`. Same values as reading in place.
 *
 * The `indices` of a sparse matrix are checked against the matrix's minor extent piece by piece, as each
 * piece of the read lands in place (`onFilled`), while the next pieces are still being read on the pool and
 * the piece is still in cache (`ctx.checkedIndices`). An array that fails the check, or was not checked
 * whole, is checked again by `readSparse`, which throws `FORMAT` naming the first bad entry: every matrix
 * `readH5ad` returns has had its indices checked before it is returned.
 */
export async function prefetchMatrices(ctx: ReadContext, root = "/"): Promise<void> {
  const f = ctx.f;
  const paths: string[] = [];
  const visit = (p: string, depth: number) => {
    const k = f.kind(p);
    if (k === "dataset") {
      const info = f.info(p);
      if (info.dtype && info.shape && info.shape.reduce((a, b) => a * b, 1) * info.size >= PREFETCH_BYTES) paths.push(p);
    } else if (k === "group" && depth < 3) for (const key of f.keys(p)) visit(`${p}/${key}`, depth + 1);
  };
  for (const top of ["X", "raw/X", "layers", "obsm", "varm", "obsp", "varp"]) {
    const p = joinPath(root, top);
    if (f.has(p)) visit(p, 0);
  }
  if (paths.length === 0) return;
  const prefetched = ctx.prefetched ?? new Map<string, AnyNdArray>();
  const checked = ctx.checkedIndices ?? new WeakMap<object, number>();
  const outs = allocateAhead(ctx, paths);
  for (const p of paths) {
    const extent = p.endsWith("/indices") ? minorExtentOf(ctx, p.slice(0, -"/indices".length)) : undefined;
    // pieces checked and found in bounds; a bad or uncheckable piece stops the count
    let good = 0;
    let ok = true;
    const onFilled =
      extent === undefined
        ? undefined
        : (out: AnyTypedArray, start: number, end: number) => {
            if (ok && isCheckable(out) && indicesOutOfBounds(out, extent, start, end) < 0) good += end - start;
            else ok = false;
          };
    const out = outs.get(p);
    const a = await f.readAsync(p, {
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(onFilled ? { onFilled } : {}),
      ...(out ? { out } : {}),
    });
    prefetched.set(p, a);
    // ranges are disjoint and cover the array (a fallback reports it whole once more, hence >=)
    if (extent !== undefined && ok && good >= a.data.length) checked.set(a.data, extent);
  }
  (ctx as { prefetched?: Map<string, AnyNdArray> }).prefetched = prefetched;
  (ctx as { checkedIndices?: WeakMap<object, number> }).checkedIndices = checked;
  throwIfAborted(ctx.signal, "reading .h5ad");
}

/** Largest total the read-ahead allocates before reading (the default read budget of `H5File.read`). */
const AHEAD_BYTES = 2 ** 31;

/**
 * The destination arrays of the read-ahead, allocated together before the first read (plain numeric datasets
 * whose total is at most {@link AHEAD_BYTES}; the others allocate as they are read). V8 answers each large
 * allocation with a garbage collection when the previous read's arrays are still to be freed: allocating them
 * back to back lets one collection serve them all instead of one per dataset, with reads in between.
 */
function allocateAhead(ctx: ReadContext, paths: string[]): Map<string, AnyTypedArray> {
  const outs = new Map<string, AnyTypedArray>();
  let total = 0;
  for (const p of paths) {
    const info = ctx.f.info(p);
    if (!info.dtype || info.dtype === "bool" || info.half || !info.shape) continue;
    const n = info.shape.reduce((a, b) => a * b, 1);
    total += n * dtypeSize(info.dtype);
    if (total > AHEAD_BYTES) break;
    outs.set(p, allocate(info.dtype, n));
  }
  return outs;
}

/** The minor extent of the sparse group at `path`, or `undefined` when it is not one (readSparse reports why). */
function minorExtentOf(ctx: ReadContext, path: string): number | undefined {
  try {
    const h = sparseHeader(ctx, path);
    return h.format === "csr" ? h.shape[1] : h.shape[0];
  } catch {
    return undefined;
  }
}

/** Index arrays the read-ahead checks: integer arrays kept as read (64-bit ones are converted and checked later). */
function isCheckable(a: unknown): a is IndexArray {
  return (
    a instanceof Int32Array ||
    a instanceof Uint32Array ||
    a instanceof Int16Array ||
    a instanceof Uint16Array ||
    a instanceof Int8Array ||
    a instanceof Uint8Array
  );
}

function checkRoot(ctx: ReadContext): void {
  if (isMuData(ctx)) {
    // anndata refuses these too; reading one as an AnnData would give X = null and lose every modality
    throw new HypedError(
      "FORMAT",
      `${ctx.f.name}: this is a MuData file (modalities under /mod), not an AnnData file; read it with readH5mu`,
      { file: ctx.f.name, element: "/", format: MUDATA_TYPE },
    );
  }
  const t = ctx.f.attr("/", "encoding-type");
  const v = ctx.f.attr("/", "encoding-version");
  if (t === undefined) return; // legacy files carry no root encoding
  if (!hasEncoding(ctx.f, "/", ANNDATA)) {
    if (ctx.onUnknown !== "error") return;
    throw new HypedError(
      "UNSUPPORTED",
      `${ctx.f.name}: the root has encoding ${String(t)} ${String(v)}, expected ${ANNDATA.type} ${ANNDATA.version}`,
      {
        file: ctx.f.name,
        element: "/",
      },
    );
  }
}

/** Read obs or var (a dataframe; a pre-0.7 compound dataset is one too, through the legacy fallback). */
export function readFrame(ctx: ReadContext, path: string): DataFrame {
  if (ctx.f.kind(path) === "missing") formatFail(ctx, path, "missing");
  const v = ctx.readAny(path);
  if (!(v instanceof DataFrame)) formatFail(ctx, path, "expected a dataframe");
  return v;
}

/** An element value as a matrix slot (2-D dense or sparse); 1-D arrays become one column. */
export function asMatrix(ctx: ReadContext, path: string, v: unknown): Matrix {
  if (isSparse(v)) return v;
  if (isNdArray(v)) {
    const a = v as AnyNdArray;
    if (a.shape.length === 2) return a as unknown as Matrix;
    if (a.shape.length === 1) return reshape(a, [a.shape[0] as number, 1]) as unknown as Matrix;
    return formatFail(ctx, path, `expected a 2-D matrix, found shape [${a.shape}]`);
  }
  return formatFail(ctx, path, "expected a dense or sparse matrix");
}

/** What a mapping group holds: matrices, dataframes, and any other element (awkward arrays, ...). */
export interface MappingContent {
  mats: Map<string, Matrix>;
  frames: Map<string, DataFrame>;
  /** Elements that are neither matrices nor dataframes, as their registered reader returned them. */
  other: Map<string, unknown>;
}

/** Read a mapping group (`layers`, `obsm`, ...): matrices, dataframes and any other registered element. */
export function readMapping(ctx: ReadContext, path: string, rows: number, cols: number | null): MappingContent {
  const mats = new Map<string, Matrix>();
  const frames = new Map<string, DataFrame>();
  const other = new Map<string, unknown>();
  const kind = ctx.f.kind(path);
  if (kind === "missing") return { mats, frames, other };
  if (kind === "dataset") {
    // a whole mapping in one dataset (pre-0.7 compound obsm/varm): the fallback reads it as its entries
    const v = ctx.readAny(path);
    if (!v || typeof v !== "object" || Object.getPrototypeOf(v) !== Object.prototype) formatFail(ctx, path, "expected a mapping");
    for (const [k, m] of Object.entries(v)) mats.set(k, asMatrix(ctx, joinPath(path, k), m));
  } else {
    for (const key of ctx.f.keys(path)) {
      throwIfAborted(ctx.signal, "reading .h5ad");
      const p = joinPath(path, key);
      const v = ctx.readAny(p);
      if (v === SKIPPED) continue;
      if (v instanceof DataFrame) {
        if (v.nRows !== rows) formatFail(ctx, p, `dataframe has ${v.nRows} rows, expected ${rows}`);
        frames.set(key, v);
        continue;
      }
      if (!isSparse(v) && !isNdArray(v)) {
        // anndata keeps any element here (awkward arrays, ...); those with a length must match the axis
        const len = elementKind(v).length;
        if (len !== undefined && len !== rows) formatFail(ctx, p, `has ${len} entries, expected ${rows}`);
        other.set(key, v);
        continue;
      }
      mats.set(key, asMatrix(ctx, p, v));
    }
  }
  for (const [k, m] of mats) {
    const [r, c] = matrixShape(m);
    if (r !== rows || (cols !== null && c !== cols))
      formatFail(ctx, joinPath(path, k), `shape ${r}×${c} does not fit ${rows}×${cols ?? "any"}`);
  }
  return { mats, frames, other };
}

/** Read `X` (or `raw/X`): `null` when absent. */
export function readX(ctx: ReadContext, path: string): Matrix | null {
  if (ctx.f.kind(path) === "missing") return null;
  const v = ctx.readAny(path);
  if (v === null || v === SKIPPED) return null;
  return asMatrix(ctx, path, v);
}

/** The shared part of reading: obs, var, uns and the legacy clean-ups (of the AnnData at `root`). */
export function readAnnotations(ctx: ReadContext, root = "/"): { obs: DataFrame; var: DataFrame; uns: Record<string, unknown> } {
  const obs = readFrame(ctx, joinPath(root, "obs"));
  const vr = readFrame(ctx, joinPath(root, "var"));
  let uns: Record<string, unknown> = {};
  if (ctx.f.kind(joinPath(root, "uns")) === "group") {
    const u = ctx.readAny(joinPath(root, "uns"));
    if (u !== SKIPPED && u && typeof u === "object") uns = u as Record<string, unknown>;
  }
  for (const key of [...applyUnsCategories(obs, uns), ...applyUnsCategories(vr, uns)]) delete uns[key];
  return { obs, var: vr, uns };
}

/** Read the AnnData stored at `root` (the file's root, or a MuData modality such as `/mod/rna`). */
export function readAnnDataFrom(ctx: ReadContext, root = "/"): AnnData {
  const at = (p: string) => joinPath(root, p);
  const { obs, var: vr, uns } = readAnnotations(ctx, root);
  const n = obs.nRows;
  const m = vr.nRows;
  const X = readX(ctx, at("X"));
  if (X) {
    const [r, c] = matrixShape(X);
    if (r !== n || c !== m) formatFail(ctx, at("X"), `X is ${r}×${c} but obs has ${n} rows and var ${m}`);
  }
  const maps: Record<MappingName, MappingContent> = {
    layers: readMapping(ctx, at("layers"), n, m),
    obsm: readMapping(ctx, at("obsm"), n, null),
    varm: readMapping(ctx, at("varm"), m, null),
    obsp: readMapping(ctx, at("obsp"), n, n),
    varp: readMapping(ctx, at("varp"), m, m),
  };
  moveNeighbors(uns, maps.obsp.mats);
  let raw: AnnData["raw"] = null;
  if (ctx.f.kind(at("raw")) === "group") {
    const rv = readFrame(ctx, at("raw/var"));
    const rx = readX(ctx, at("raw/X"));
    raw = { X: rx, var: rv, varm: readMapping(ctx, at("raw/varm"), rv.nRows, null).mats };
  } else if (ctx.f.has(at("raw.X")) || ctx.f.has(at("raw.var"))) {
    const rv = ctx.f.has(at("raw.var")) ? readFrame(ctx, at("raw.var")) : null;
    const rx = readX(ctx, at("raw.X"));
    const nv = rv?.nRows ?? (rx ? matrixShape(rx)[1] : 0);
    raw = {
      X: rx,
      var: rv ?? new DataFrame(Array.from({ length: nv }, (_, i) => String(i))),
      varm: readMapping(ctx, at("raw.varm"), nv, null).mats,
    };
  }
  if (raw?.X) {
    const [r, c] = matrixShape(raw.X);
    if (r !== n || c !== raw.var.nRows) formatFail(ctx, at("raw/X"), `raw X is ${r}×${c}, expected ${n}×${raw.var.nRows}`);
  }
  return new AnnData({
    X,
    obs,
    var: vr,
    layers: maps.layers.mats,
    obsm: maps.obsm.mats,
    varm: maps.varm.mats,
    obsp: maps.obsp.mats,
    varp: maps.varp.mats,
    uns,
    raw,
    obsmFrames: maps.obsm.frames,
    varmFrames: maps.varm.frames,
    other: {
      layers: maps.layers.other,
      obsm: maps.obsm.other,
      varm: maps.varm.other,
      obsp: maps.obsp.other,
      varp: maps.varp.other,
    },
  });
}

/**
 * Read a whole `.h5ad` file (matches `anndata.read_h5ad`). `source` is a local path (Node), bytes, or a
 * `Blob`/`File`. Throws `FORMAT` naming the element for corrupt content, `UNSUPPORTED` for an unknown
 * encoding (unless `onUnknown` says otherwise) or a compression filter this build cannot decode. A MuData
 * file (`.h5mu`: a `mod` group of modalities) is refused with `FORMAT`, as anndata does; read it with
 * `readH5mu`.
 */
export async function readH5ad(source: H5adSource, options: ReadH5adOptions = {}): Promise<AnnData> {
  const ctx = await openContext(source, options);
  try {
    throwIfAborted(options.signal, "reading .h5ad");
    await prefetchMatrices(ctx);
    return readAnnDataFrom(ctx);
  } finally {
    ctx.f.close();
  }
}

/**
 * `readH5ad`: a whole `.h5ad` file into an {@link AnnData}, for every layout anndata 0.5–0.13, scanpy,
 * anndataR and CELLxGENE write (see `format.md`).
 */
import { type AnyNdArray, HypedError, isNdArray, isSparse, type LongTaskOptions, reshape, throwIfAborted } from "@hyped/core";
import { H5File, type H5Input } from "@hyped/core/hdf5";
import { AnnData, type Matrix, matrixShape } from "./anndata.js";
import { defaultRegistry } from "./builtins.js";
import { DataFrame } from "./dataframe.js";
import { applyUnsCategories, moveNeighbors, readCompoundFrame, readCompoundMatrices } from "./legacy.js";
import { prepareLzf } from "./lzf.js";
import { readAny } from "./read.js";
import { type EncodingRegistry, formatFail, joinPath, type OnUnknown, type ReadContext, SKIPPED } from "./registry.js";

/** Options of {@link readH5ad} and `openH5ad`. */
export interface ReadH5adOptions extends LongTaskOptions {
  /** Unknown encoding-type/version: `error` (default: `UNSUPPORTED` naming the element), `skip` or `raw`. */
  onUnknown?: OnUnknown;
  /** Readers to use (default {@link defaultRegistry}). */
  registry?: EncodingRegistry;
}

/** What `readH5ad` accepts: a local path (Node), bytes, or a `Blob`/`File`. */
export type H5adSource = H5Input;

/** Open the HDF5 file and make a read context. */
export async function openContext(source: H5adSource, options: ReadH5adOptions = {}): Promise<ReadContext> {
  await prepareLzf();
  const f = await H5File.open(source);
  try {
    const ctx: ReadContext = {
      f,
      registry: options.registry ?? defaultRegistry,
      onUnknown: options.onUnknown ?? "error",
      ...(options.signal ? { signal: options.signal } : {}),
    };
    checkRoot(ctx);
    return ctx;
  } catch (e) {
    f.close();
    throw e;
  }
}

/** Numeric datasets at least this large are read ahead by {@link readH5ad}. */
const PREFETCH_BYTES = 4 * 2 ** 20;

/**
 * Read the large numeric datasets of the matrix elements (X, raw/X, layers, obsm, varm, obsp, varp) ahead
 * with `H5File.readAsync`, which keeps several positional reads in flight on Node's thread pool (about 2x
 * faster for uncompressed data on 2 cores); the synchronous element readers then take them from
 * `ctx.prefetched`. Same values as reading in place.
 */
async function prefetchMatrices(ctx: ReadContext): Promise<void> {
  const f = ctx.f;
  const paths: string[] = [];
  const visit = (p: string, depth: number) => {
    const k = f.kind(p);
    if (k === "dataset") {
      const info = f.info(p);
      if (info.dtype && info.shape && info.shape.reduce((a, b) => a * b, 1) * info.size >= PREFETCH_BYTES) paths.push(p);
    } else if (k === "group" && depth < 3) for (const key of f.keys(p)) visit(`${p}/${key}`, depth + 1);
  };
  for (const top of ["/X", "/raw/X", "/layers", "/obsm", "/varm", "/obsp", "/varp"]) if (f.has(top)) visit(top, 0);
  if (paths.length === 0) return;
  const prefetched = new Map<string, AnyNdArray>();
  for (const p of paths) prefetched.set(p, await f.readAsync(p, ctx.signal ? { signal: ctx.signal } : {}));
  (ctx as { prefetched?: Map<string, AnyNdArray> }).prefetched = prefetched;
  throwIfAborted(ctx.signal, "reading .h5ad");
}

function checkRoot(ctx: ReadContext): void {
  const t = ctx.f.attr("/", "encoding-type");
  const v = ctx.f.attr("/", "encoding-version");
  if (t === undefined) return; // legacy files carry no root encoding
  if (t !== "anndata" || v !== "0.1.0") {
    if (ctx.onUnknown !== "error") return;
    throw new HypedError("UNSUPPORTED", `${ctx.f.name}: the root has encoding ${String(t)} ${String(v)}, expected anndata 0.1.0`, {
      file: ctx.f.name,
      element: "/",
    });
  }
}

/** Read obs or var (group dataframe or legacy compound). */
export function readFrame(ctx: ReadContext, path: string): DataFrame {
  const k = ctx.f.kind(path);
  if (k === "missing") formatFail(ctx, path, "missing");
  if (k === "dataset" && ctx.f.info(path).typeClass === "compound") return readCompoundFrame(ctx, path);
  const v = readAny(ctx, path);
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

/** Read a mapping group (`layers`, `obsm`, ...): matrices, plus dataframes where allowed. */
export function readMapping(
  ctx: ReadContext,
  path: string,
  rows: number,
  cols: number | null,
): { mats: Map<string, Matrix>; frames: Map<string, DataFrame> } {
  const mats = new Map<string, Matrix>();
  const frames = new Map<string, DataFrame>();
  const kind = ctx.f.kind(path);
  if (kind === "missing") return { mats, frames };
  if (kind === "dataset") {
    for (const [k, m] of readCompoundMatrices(ctx, path)) mats.set(k, m);
  } else {
    for (const key of ctx.f.keys(path)) {
      throwIfAborted(ctx.signal, "reading .h5ad");
      const p = joinPath(path, key);
      const v = readAny(ctx, p);
      if (v === SKIPPED) continue;
      if (v instanceof DataFrame) {
        if (v.nRows !== rows) formatFail(ctx, p, `dataframe has ${v.nRows} rows, expected ${rows}`);
        frames.set(key, v);
        continue;
      }
      if (!isSparse(v) && !isNdArray(v)) {
        if (ctx.onUnknown === "error")
          throw new HypedError("UNSUPPORTED", `${ctx.f.name}: ${p} is neither a matrix nor a dataframe`, { file: ctx.f.name, element: p });
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
  return { mats, frames };
}

/** Read `X` (or `raw/X`): `null` when absent. */
export function readX(ctx: ReadContext, path: string): Matrix | null {
  if (ctx.f.kind(path) === "missing") return null;
  const v = readAny(ctx, path);
  if (v === null || v === SKIPPED) return null;
  return asMatrix(ctx, path, v);
}

/** The shared part of reading: obs, var, uns and the legacy clean-ups. */
export function readAnnotations(ctx: ReadContext): { obs: DataFrame; var: DataFrame; uns: Record<string, unknown> } {
  const obs = readFrame(ctx, "/obs");
  const vr = readFrame(ctx, "/var");
  let uns: Record<string, unknown> = {};
  if (ctx.f.kind("/uns") === "group") {
    const u = readAny(ctx, "/uns");
    if (u !== SKIPPED && u && typeof u === "object") uns = u as Record<string, unknown>;
  }
  for (const key of [...applyUnsCategories(obs, uns), ...applyUnsCategories(vr, uns)]) delete uns[key];
  return { obs, var: vr, uns };
}

/** Read everything below the root into an AnnData. */
export function readAnnDataFrom(ctx: ReadContext): AnnData {
  const { obs, var: vr, uns } = readAnnotations(ctx);
  const n = obs.nRows;
  const m = vr.nRows;
  const X = readX(ctx, "/X");
  if (X) {
    const [r, c] = matrixShape(X);
    if (r !== n || c !== m) formatFail(ctx, "/X", `X is ${r}×${c} but obs has ${n} rows and var ${m}`);
  }
  const layers = readMapping(ctx, "/layers", n, m).mats;
  const obsm = readMapping(ctx, "/obsm", n, null);
  const varm = readMapping(ctx, "/varm", m, null);
  const obsp = readMapping(ctx, "/obsp", n, n).mats;
  const varp = readMapping(ctx, "/varp", m, m).mats;
  moveNeighbors(uns, obsp);
  let raw: AnnData["raw"] = null;
  if (ctx.f.kind("/raw") === "group") {
    const rv = readFrame(ctx, "/raw/var");
    const rx = readX(ctx, "/raw/X");
    raw = { X: rx, var: rv, varm: readMapping(ctx, "/raw/varm", rv.nRows, null).mats };
  } else if (ctx.f.has("/raw.X") || ctx.f.has("/raw.var")) {
    const rv = ctx.f.has("/raw.var") ? readFrame(ctx, "/raw.var") : null;
    const rx = readX(ctx, "/raw.X");
    const nv = rv?.nRows ?? (rx ? matrixShape(rx)[1] : 0);
    raw = {
      X: rx,
      var: rv ?? new DataFrame(Array.from({ length: nv }, (_, i) => String(i))),
      varm: readMapping(ctx, "/raw.varm", nv, null).mats,
    };
  }
  if (raw?.X) {
    const [r, c] = matrixShape(raw.X);
    if (r !== n || c !== raw.var.nRows) formatFail(ctx, "/raw/X", `raw X is ${r}×${c}, expected ${n}×${raw.var.nRows}`);
  }
  return new AnnData({
    X,
    obs,
    var: vr,
    layers,
    obsm: obsm.mats,
    varm: varm.mats,
    obsp,
    varp,
    uns,
    raw,
    obsmFrames: obsm.frames,
    varmFrames: varm.frames,
  });
}

/**
 * Read a whole `.h5ad` file (matches `anndata.read_h5ad`). `source` is a local path (Node), bytes, or a
 * `Blob`/`File`. Throws `FORMAT` naming the element for corrupt content, `UNSUPPORTED` for an unknown
 * encoding (unless `onUnknown` says otherwise) or a compression filter this build cannot decode.
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

/**
 * `readH5mu`: a MuData container (`.h5mu`, written by mudata/muon) read with the same element registry as
 * `.h5ad`. A `.h5mu` file is an HDF5 file whose root holds the global `obs`, `var`, `obsm`, `varm`, `obsp`,
 * `varp`, `uns`, `obsmap`, `varmap` and an `axis` attribute, and whose `mod` group holds one AnnData group per
 * modality (each tagged `anndata` 0.1.0), ordered by the `mod-order` attribute. See `format.md`.
 */
import { throwIfAborted } from "@hyped/core";
import type { AnnData, Matrix } from "./anndata.js";
import type { DataFrame } from "./dataframe.js";
import { type H5adSource, openContext, prefetchMatrices, type ReadH5adOptions, readAnnDataFrom, readFrame, readMapping } from "./h5ad.js";
import { formatFail, joinPath, type ReadContext, SKIPPED } from "./registry.js";

/** The global mappings of a MuData (no `layers`: those live in the modalities). */
export type MuDataMappingName = "obsm" | "varm" | "obsp" | "varp";

/** A MuData container as `readH5mu` returns it (mudata's `MuData`, in memory). */
export interface MuData {
  /** The modalities, in the file's `mod-order` (file order when absent). */
  mod: Map<string, AnnData>;
  /** Global observations (the union of the modalities' observations, as mudata writes it). */
  obs: DataFrame;
  /** Global variables. */
  var: DataFrame;
  /** Global per-observation matrices (e.g. a joint embedding), one row per global observation. */
  obsm: Map<string, Matrix>;
  /** Global per-variable matrices, one row per global variable. */
  varm: Map<string, Matrix>;
  /** Global observation × observation matrices. */
  obsp: Map<string, Matrix>;
  /** Global variable × variable matrices. */
  varp: Map<string, Matrix>;
  /** DataFrames in the global `obsm`. */
  obsmFrames: Map<string, DataFrame>;
  /** DataFrames in the global `varm`. */
  varmFrames: Map<string, DataFrame>;
  /** Other elements of the global mappings (awkward arrays, ...), as in {@link AnnData.other}. */
  other: Record<MuDataMappingName, Map<string, unknown>>;
  /** The global unstructured annotations (as `AnnData.uns`). */
  uns: Record<string, unknown>;
  /** Per modality, the position of each global observation in it (mudata's `obsmap`; 0 = absent, else position + 1). */
  obsmap: Record<string, unknown>;
  /** The same for variables (`varmap`). */
  varmap: Record<string, unknown>;
  /** mudata's `axis`: 0 = modalities share observations (default), 1 = they share variables. */
  axis: number;
}

function readDictAt(ctx: ReadContext, path: string): Record<string, unknown> {
  if (ctx.f.kind(path) !== "group") return {};
  const v = ctx.readAny(path);
  return v !== SKIPPED && v && typeof v === "object" ? (v as Record<string, unknown>) : {};
}

/** Modality names in `mod-order` when it names exactly the groups present, else in file order. */
function modalityNames(ctx: ReadContext): string[] {
  const present = ctx.f.kind("/mod") === "group" ? ctx.f.keys("/mod") : [];
  const order = ctx.f.attr("/mod", "mod-order");
  const listed = typeof order === "string" ? [order] : Array.isArray(order) ? order.map(String) : undefined;
  if (listed && listed.length === present.length && listed.every((m) => present.includes(m))) return listed;
  return present;
}

/** Read everything of an open MuData file. */
export function readMuDataFrom(ctx: ReadContext): MuData {
  const obs = readFrame(ctx, "/obs");
  const vr = readFrame(ctx, "/var");
  const n = obs.nRows;
  const m = vr.nRows;
  const obsm = readMapping(ctx, "/obsm", n, null);
  const varm = readMapping(ctx, "/varm", m, null);
  const obsp = readMapping(ctx, "/obsp", n, n);
  const varp = readMapping(ctx, "/varp", m, m);
  const mod = new Map<string, AnnData>();
  for (const name of modalityNames(ctx)) {
    throwIfAborted(ctx.signal, "reading .h5mu");
    const root = joinPath("/mod", name);
    if (ctx.f.kind(root) !== "group") formatFail(ctx, root, "a modality must be an AnnData group");
    mod.set(name, readAnnDataFrom(ctx, root));
  }
  const axis = Number(ctx.f.attr("/", "axis") ?? 0);
  return {
    mod,
    obs,
    var: vr,
    obsm: obsm.mats,
    varm: varm.mats,
    obsp: obsp.mats,
    varp: varp.mats,
    obsmFrames: obsm.frames,
    varmFrames: varm.frames,
    other: { obsm: obsm.other, varm: varm.other, obsp: obsp.other, varp: varp.other },
    uns: readDictAt(ctx, "/uns"),
    obsmap: readDictAt(ctx, "/obsmap"),
    varmap: readDictAt(ctx, "/varmap"),
    axis: axis === 1 ? 1 : 0,
  };
}

/**
 * Read a whole `.h5mu` file (matches `mudata.read_h5mu`): the global annotations and one {@link AnnData} per
 * modality, every element read with the same registry as {@link readH5ad} (`options.registry`). `source` is
 * a local path (Node), bytes, or a `Blob`/`File`. Throws `FORMAT` when the file is not a MuData container
 * (root encoding `MuData`, or a `mod` group in files written before the root was tagged).
 */
export async function readH5mu(source: H5adSource, options: ReadH5adOptions = {}): Promise<MuData> {
  const ctx = await openContext(source, options, "mudata");
  try {
    throwIfAborted(options.signal, "reading .h5mu");
    for (const name of modalityNames(ctx)) await prefetchMatrices(ctx, joinPath("/mod", name));
    return readMuDataFrom(ctx);
  } finally {
    ctx.f.close();
  }
}

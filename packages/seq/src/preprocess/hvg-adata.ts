/** scanpy's `pp.highly_variable_genes` on an AnnData: one batch or per batch (`batchKey`). */
import { HypedError } from "@hyped/core";
import type { AnnData } from "../anndata/index.js";
import { inputMatrix, setBoolean, setNumeric } from "./adata.js";
import { type HvgOptions, type HvgResult, highlyVariableGenesMatrix } from "./hvg.js";
import { highlyVariableGenesBatchedMatrix } from "./hvg-batch.js";
import { log1pBase } from "./normalize.js";

/** Options of {@link highlyVariableGenes} (the AnnData wrapper). */
export interface HvgAnnDataOptions extends HvgOptions {
  /** Layer instead of X. */
  layer?: string;
  /** Return only the selected genes. Default false. */
  subset?: boolean;
  /**
   * obs column of batches: genes are selected within each batch and merged (scanpy's `batch_key`; see
   * `highlyVariableGenesBatchedMatrix`); adds `highly_variable_nbatches` (and `highly_variable_intersection` for
   * seurat / cell_ranger).
   */
  batchKey?: string;
  /** Precision of the stored `dispersions_norm`: scanpy stores float32; ours defaults to `"float64"`. */
  dtype?: "float64" | "float32";
}

/**
 * {@link highlyVariableGenesMatrix} on an AnnData; writes scanpy's var columns (`highly_variable`, `means`,
 * `dispersions`, `dispersions_norm` or `variances`, `variances_norm`, `highly_variable_rank`) and
 * `uns.hvg = { flavor }`. The log base of `seurat` comes from `uns.log1p.base` unless `logBase` is given.
 * With `subset: true` returns a new AnnData holding only the selected genes; otherwise returns `adata`.
 */
export function highlyVariableGenes(adata: AnnData, options: HvgAnnDataOptions = {}): AnnData {
  const opts = { ...options, logBase: options.logBase ?? log1pBase(adata) };
  const X = inputMatrix(adata, options.layer);
  let r: HvgResult & { highlyVariableNbatches?: Int32Array; highlyVariableIntersection?: Uint8Array };
  if (options.batchKey !== undefined) {
    const col = adata.obs.column(options.batchKey);
    if (!col) throw new HypedError("NOT_FOUND", `batchKey: no obs column '${options.batchKey}'`, { batchKey: options.batchKey });
    const labels =
      col.kind === "categorical"
        ? { codes: col.codes, categories: col.categories }
        : Array.from(adata.obs.get(options.batchKey).values(), (v) => (v === null ? null : String(v)));
    r = highlyVariableGenesBatchedMatrix(X, labels, adata.varNames, opts);
  } else r = highlyVariableGenesMatrix(X, opts);
  setBoolean(adata.var, "highly_variable", r.highlyVariable);
  setNumeric(adata.var, "means", r.means);
  if (r.dispersions) setNumeric(adata.var, "dispersions", r.dispersions);
  if (r.dispersionsNorm)
    setNumeric(adata.var, "dispersions_norm", options.dtype === "float32" ? Float32Array.from(r.dispersionsNorm) : r.dispersionsNorm);
  if (r.highlyVariableRank) setNumeric(adata.var, "highly_variable_rank", r.highlyVariableRank);
  if (r.variances) setNumeric(adata.var, "variances", r.variances);
  if (r.variancesNorm) setNumeric(adata.var, "variances_norm", r.variancesNorm);
  if (r.highlyVariableNbatches) setNumeric(adata.var, "highly_variable_nbatches", r.highlyVariableNbatches);
  if (r.highlyVariableIntersection) setBoolean(adata.var, "highly_variable_intersection", r.highlyVariableIntersection);
  adata.uns.hvg = { flavor: r.flavor };
  return options.subset ? adata.varSubset(r.highlyVariable) : adata;
}

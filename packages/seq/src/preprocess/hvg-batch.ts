/**
 * Highly variable genes per batch, merged as scanpy's `pp.highly_variable_genes(batch_key=...)` does, for the
 * dispersion flavours (`seurat`, `cell_ranger`) and the normalised-variance ones (`seurat_v3`, `seurat_v3_paper`).
 */
import { HypedError } from "@hyped/core";
import { AnnData, type Matrix } from "../anndata/index.js";
import { filterGenesMatrix } from "./filter.js";
import { descendingRanks, type HvgOptions, type HvgResult, highlyVariableGenesMatrix, seuratV3NormVar } from "./hvg.js";
import { colMeanVar } from "./matrix.js";
import { median } from "./normalize.js";

/** Per-gene statistics of a batched HVG run: {@link HvgResult} plus the batch counts. */
export interface HvgBatchResult extends HvgResult {
  /** Number of batches in which the gene was selected. */
  highlyVariableNbatches: Int32Array;
  /** seurat / cell_ranger: 1 when the gene was selected in every batch. */
  highlyVariableIntersection?: Uint8Array;
}

/** Batch label of each cell, and the batches in order (categorical codes or strings; null = no batch). */
export type BatchLabels = { codes: ArrayLike<number>; categories: ArrayLike<string | number> } | ArrayLike<string | null>;

function batchesOf(labels: BatchLabels, n: number): Int32Array[] {
  let codes: ArrayLike<number>;
  let k: number;
  if (typeof labels === "object" && labels !== null && "codes" in labels && "categories" in labels) {
    codes = labels.codes;
    k = labels.categories.length;
  } else {
    const arr = labels as ArrayLike<string | null>;
    const cats = [...new Set(Array.from(arr).filter((v): v is string => v !== null))].sort();
    const at = new Map(cats.map((c, i) => [c, i]));
    codes = Array.from(arr, (v) => (v === null ? -1 : (at.get(v) as number)));
    k = cats.length;
  }
  if (codes.length !== n) throw new HypedError("SHAPE_MISMATCH", `${codes.length} batch labels for ${n} cells`, {});
  const rows: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < n; i++) if ((codes[i] as number) >= 0) (rows[codes[i] as number] as number[]).push(i);
  return rows.filter((r) => r.length > 0).map((r) => Int32Array.from(r));
}

/** Mean of the non-NaN values of a column of per-batch values (pandas' `mean`), NaN when all are NaN. */
function nanMean(values: number[]): number {
  let s = 0;
  let c = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    s += v;
    c++;
  }
  return c ? s / c : Number.NaN;
}

/**
 * seurat / cell_ranger per batch (scanpy's `_highly_variable_genes_batched`): in each batch the genes expressed in
 * at least one of its cells are scored as a single batch (the others get zeros); means, dispersions and
 * normalised dispersions are averaged over batches (NaN skipped). With `nTopGenes`, genes are ranked by the number
 * of batches that selected them, then by the mean normalised dispersion (NaN last; ties by gene name, as pandas'
 * grouped sort); without it the cutoffs apply to the averages (NaN dispersions as 0).
 */
function dispersionBatched(X: Matrix, batches: Int32Array[], varNames: readonly string[], options: HvgOptions): HvgBatchResult {
  const ad = new AnnData({ X });
  const g = ad.nVars;
  const per = { means: [] as number[][], disp: [] as number[][], norm: [] as number[][] };
  const nb = new Int32Array(g);
  for (let j = 0; j < g; j++) {
    per.means.push([]);
    per.disp.push([]);
    per.norm.push([]);
  }
  for (const rows of batches) {
    const sub = ad.obsSubset(rows).X as Matrix;
    const keep = filterGenesMatrix(sub, { minCells: 1 }).subset;
    const genes = Int32Array.from(Array.from(keep).flatMap((v, j) => (v ? [j] : [])));
    const r = highlyVariableGenesMatrix(new AnnData({ X: sub }).varSubset(genes).X as Matrix, options);
    const at = new Int32Array(g).fill(-1);
    genes.forEach((j, q) => {
      at[j] = q;
    });
    for (let j = 0; j < g; j++) {
      const q = at[j] as number;
      per.means[j]!.push(q < 0 ? 0 : (r.means[q] as number));
      per.disp[j]!.push(q < 0 ? 0 : (r.dispersions?.[q] as number));
      per.norm[j]!.push(q < 0 ? 0 : (r.dispersionsNorm?.[q] as number));
      if (q >= 0 && r.highlyVariable[q]) nb[j]! += 1;
    }
  }
  const means = Float64Array.from(per.means, nanMean);
  const dispersions = Float64Array.from(per.disp, nanMean);
  const dispersionsNorm = Float64Array.from(per.norm, nanMean);
  const hv = new Uint8Array(g);
  if (options.nTopGenes !== undefined) {
    const dn = dispersionsNorm;
    const cmp = (a: number, b: number): number => {
      const byCount = (nb[b] as number) - (nb[a] as number);
      if (byCount) return byCount;
      const na = Number.isNaN(dn[a] as number);
      const nbn = Number.isNaN(dn[b] as number);
      if (na !== nbn) return na ? 1 : -1;
      if (!na && dn[a] !== dn[b]) return (dn[b] as number) - (dn[a] as number);
      const x = varNames[a] as string;
      const y = varNames[b] as string;
      return x < y ? -1 : x > y ? 1 : 0;
    };
    const order = Array.from({ length: g }, (_, j) => j).sort(cmp);
    for (const j of order.slice(0, options.nTopGenes)) hv[j] = 1;
  } else {
    const { minMean = 0.0125, maxMean = 3, minDisp = 0.5, maxDisp = Number.POSITIVE_INFINITY } = options;
    for (let j = 0; j < g; j++) {
      if (Number.isNaN(dispersionsNorm[j] as number)) dispersionsNorm[j] = 0;
      const m = means[j] as number;
      const d = dispersionsNorm[j] as number;
      hv[j] = m > minMean && m < maxMean && d > minDisp && d < maxDisp ? 1 : 0;
    }
  }
  return {
    flavor: options.flavor ?? "seurat",
    means,
    dispersions,
    dispersionsNorm,
    highlyVariable: hv,
    highlyVariableNbatches: nb,
    highlyVariableIntersection: Uint8Array.from(nb, (c) => (c === batches.length ? 1 : 0)),
  };
}

/**
 * seurat_v3 / seurat_v3_paper per batch (scanpy's `_highly_variable_genes_seurat_v3`): the normalised variance is
 * computed in each batch and ranked there (0 = most variable); a gene's `highly_variable_rank` is the median of its
 * ranks below `nTopGenes` (NaN when none), `highly_variable_nbatches` the number of such batches and
 * `variances_norm` the mean over batches. `seurat_v3` selects by rank, then nbatches (descending); `seurat_v3_paper`
 * by nbatches (descending), then rank (Seurat's `SelectIntegrationFeatures`). NaN ranks last; ties keep gene order.
 */
function v3Batched(X: Matrix, batches: Int32Array[], options: HvgOptions, flavor: "seurat_v3" | "seurat_v3_paper"): HvgBatchResult {
  const nTop = options.nTopGenes;
  if (!(Number.isInteger(nTop) && (nTop as number) > 0))
    throw new HypedError("INVALID_ARGUMENT", `flavor ${flavor} needs nTopGenes, a positive integer`, { nTopGenes: nTop });
  const n = nTop as number;
  const ad = new AnnData({ X });
  const g = ad.nVars;
  const ranks: number[][] = Array.from({ length: g }, () => []);
  const nv = new Float64Array(g);
  const nb = new Int32Array(g);
  for (const rows of batches) {
    const r = seuratV3NormVar(ad.obsSubset(rows).X as Matrix, options.span ?? 0.3, options.loessSurface ?? "interpolate");
    const rk = descendingRanks(r.normVar);
    for (let j = 0; j < g; j++) {
      nv[j]! += (r.normVar[j] as number) / batches.length;
      if ((rk[j] as number) < n) {
        ranks[j]!.push(rk[j] as number);
        nb[j]! += 1;
      }
    }
  }
  const rank = Float64Array.from(ranks, (r) => (r.length ? median(r) : Number.NaN));
  const rk = (j: number) => (Number.isNaN(rank[j] as number) ? Number.POSITIVE_INFINITY : (rank[j] as number));
  const order = Array.from({ length: g }, (_, j) => j).sort((a, b) =>
    flavor === "seurat_v3"
      ? rk(a) - rk(b) || (nb[b] as number) - (nb[a] as number) || a - b
      : (nb[b] as number) - (nb[a] as number) || rk(a) - rk(b) || a - b,
  );
  const hv = new Uint8Array(g);
  for (const j of order.slice(0, n)) hv[j] = 1;
  const { mean, var: variance } = colMeanVar(X, 1);
  return {
    flavor,
    means: mean,
    variances: variance,
    variancesNorm: nv,
    highlyVariableRank: rank,
    highlyVariable: hv,
    highlyVariableNbatches: nb,
  };
}

/**
 * Highly variable genes selected within each batch and merged (scanpy's `batch_key`), for every flavour. See
 * {@link dispersionBatched} and {@link v3Batched} for the rules; cells without a batch label are left out.
 */
export function highlyVariableGenesBatchedMatrix(
  X: Matrix,
  batch: BatchLabels,
  varNames: readonly string[],
  options: HvgOptions = {},
): HvgBatchResult {
  const flavor = options.flavor ?? "seurat";
  const ad = new AnnData({ X });
  if (varNames.length !== ad.nVars) throw new HypedError("SHAPE_MISMATCH", `${varNames.length} gene names for ${ad.nVars} genes`, {});
  const batches = batchesOf(batch, ad.nObs);
  if (batches.length === 0) throw new HypedError("INVALID_ARGUMENT", "the batch column has no labelled cell", {});
  if (flavor === "seurat_v3" || flavor === "seurat_v3_paper") return v3Batched(X, batches, options, flavor);
  if (flavor !== "seurat" && flavor !== "cell_ranger")
    throw new HypedError("UNSUPPORTED", `highly variable genes flavor '${flavor}'`, { flavor });
  return dispersionBatched(X, batches, varNames, options);
}

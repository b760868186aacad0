/** Cell and gene filters, as scanpy's `pp.filter_cells` and `pp.filter_genes`. */
import { HypedError, isSparse } from "@hyped/core";
import type { AnnData, Matrix } from "../anndata/index.js";
import { inputMatrix, setNumeric } from "./adata.js";
import { denseValues, numbers, shapeOf } from "./matrix.js";

/** Options of {@link filterCells}: give exactly one bound, as scanpy. */
export interface FilterCellsOptions {
  /** Keep cells with at least this many counts (`obs.n_counts` is added). */
  minCounts?: number;
  /** Keep cells with at least this many expressed genes, i.e. values > 0 (`obs.n_genes` is added). */
  minGenes?: number;
  /** Keep cells with at most this many counts. */
  maxCounts?: number;
  /** Keep cells with at most this many expressed genes. */
  maxGenes?: number;
  /** Layer to count instead of X. */
  layer?: string;
}

/** Options of {@link filterGenes}: give exactly one bound, as scanpy. */
export interface FilterGenesOptions {
  /** Keep genes with at least this many counts (`var.n_counts` is added). */
  minCounts?: number;
  /** Keep genes expressed (value > 0) in at least this many cells (`var.n_cells` is added). */
  minCells?: number;
  /** Keep genes with at most this many counts. */
  maxCounts?: number;
  /** Keep genes expressed in at most this many cells. */
  maxCells?: number;
  /** Layer to count instead of X. */
  layer?: string;
}

/** Result of {@link filterCellsMatrix} / {@link filterGenesMatrix}: scanpy's `(subset, number)`. */
export interface FilterResult {
  /** 1 for each kept cell (or gene). */
  subset: Uint8Array;
  /** Counts or number of expressed genes (cells) per cell (gene), before filtering. */
  number: Float64Array;
}

/** Sums and numbers of values > 0 along rows (axis 1) or columns (axis 0). */
function tally(X: Matrix, axis: 0 | 1): { sum: Float64Array; positive: Float64Array } {
  const [n, d] = shapeOf(X);
  const len = axis === 1 ? n : d;
  const sum = new Float64Array(len);
  const positive = new Float64Array(len);
  const add = (i: number, j: number, v: number) => {
    const k = axis === 1 ? i : j;
    sum[k]! += v;
    if (v > 0) positive[k]! += 1;
  };
  if (isSparse(X)) {
    const data = numbers(X.data);
    const major = X.format === "csr" ? n : d;
    for (let a = 0; a < major; a++) {
      for (let p = Number(X.indptr[a]); p < Number(X.indptr[a + 1]); p++) {
        const b = X.indices[p] as number;
        if (X.format === "csr") add(a, b, data[p] as number);
        else add(b, a, data[p] as number);
      }
    }
  } else {
    const v = denseValues(X);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) add(i, j, v[i * d + j] as number);
  }
  return { sum, positive };
}

/** The one bound given, as scanpy checks it. */
function oneBound(names: [string, string, string, string], values: Array<number | undefined>) {
  const given = values.flatMap((v, k) => (v === undefined ? [] : [k]));
  if (given.length !== 1)
    throw new HypedError("INVALID_ARGUMENT", `give exactly one of ${names.join(", ")} per call (as scanpy), got ${given.length}`, {
      given: given.map((k) => names[k]),
    });
  const k = given[0] as number;
  const bound = values[k] as number;
  if (!Number.isFinite(bound)) throw new HypedError("INVALID_ARGUMENT", `${names[k]} must be a finite number, got ${bound}`, {});
  return { k, bound };
}

function filterAlong(
  X: Matrix,
  axis: 0 | 1,
  names: [string, string, string, string],
  values: Array<number | undefined>,
): FilterResult & { byCount: boolean } {
  // order of names/values: minCounts, minX, maxCounts, maxX
  const { k, bound } = oneBound(names, values);
  const byCount = k === 0 || k === 2;
  const t = tally(X, axis);
  const number = byCount ? t.sum : t.positive;
  const subset = Uint8Array.from(number, (v) => ((k < 2 ? v >= bound : v <= bound) ? 1 : 0));
  return { subset, number, byCount };
}

/** The cells' bounds (one of them per call) over their rows. */
const cellsAlong = (X: Matrix, o: Omit<FilterCellsOptions, "layer">) =>
  filterAlong(X, 1, ["minCounts", "minGenes", "maxCounts", "maxGenes"], [o.minCounts, o.minGenes, o.maxCounts, o.maxGenes]);

/** The genes' bounds (one of them per call) over their columns. */
const genesAlong = (X: Matrix, o: Omit<FilterGenesOptions, "layer">) =>
  filterAlong(X, 0, ["minCounts", "minCells", "maxCounts", "maxCells"], [o.minCounts, o.minCells, o.maxCounts, o.maxCells]);

/** scanpy's `pp.filter_cells(X, ...)` on a matrix: which cells pass, and the counted number per cell. */
export function filterCellsMatrix(X: Matrix, options: Omit<FilterCellsOptions, "layer">): FilterResult {
  const { subset, number } = cellsAlong(X, options);
  return { subset, number };
}

/** scanpy's `pp.filter_genes(X, ...)` on a matrix: which genes pass, and the counted number per gene. */
export function filterGenesMatrix(X: Matrix, options: Omit<FilterGenesOptions, "layer">): FilterResult {
  const { subset, number } = genesAlong(X, options);
  return { subset, number };
}

/**
 * Keep the cells within one bound on their counts or expressed genes (scanpy's `pp.filter_cells`; exactly one
 * option per call, as scanpy). Adds `obs.n_counts` (float64 totals) for a counts bound or `obs.n_genes` (int32,
 * values > 0) for a genes bound. Difference: scanpy filters `adata` in place; ours returns the filtered AnnData
 * and leaves the input unchanged.
 */
export function filterCells(adata: AnnData, options: FilterCellsOptions): AnnData {
  const r = cellsAlong(inputMatrix(adata, options.layer), options);
  const out = adata.obsSubset(r.subset);
  const kept = r.number.filter((_, i) => r.subset[i] === 1);
  setNumeric(out.obs, r.byCount ? "n_counts" : "n_genes", r.byCount ? kept : Int32Array.from(kept));
  return out;
}

/**
 * Keep the genes within one bound on their counts or expressing cells (scanpy's `pp.filter_genes`; exactly one
 * option per call). Adds `var.n_counts` (float64) or `var.n_cells` (int32). Returns the filtered AnnData (scanpy
 * filters in place).
 */
export function filterGenes(adata: AnnData, options: FilterGenesOptions): AnnData {
  const r = genesAlong(inputMatrix(adata, options.layer), options);
  const out = adata.varSubset(r.subset);
  const kept = r.number.filter((_, j) => r.subset[j] === 1);
  setNumeric(out.var, r.byCount ? "n_counts" : "n_cells", r.byCount ? kept : Int32Array.from(kept));
  return out;
}

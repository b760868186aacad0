/**
 * Mean expression profiles of cell groups (pseudobulks), the unit the perturbation baselines and metrics work on.
 */
import { convertSparse, isSparse, type SparseMatrix } from "@hyped/core";
import type { AnnData, Matrix } from "../anndata/index.js";
import { expressionMatrix, forEachNonzero } from "../preprocess/matrix.js";

/** Options of {@link groupMeans}. */
export interface GroupMeansOptions {
  /** Read this layer instead of `X`. */
  layer?: string;
  /** Only these rows (obs indices). */
  rows?: ArrayLike<number>;
}

/** Labels of an obs column as strings (`null` for missing). */
export function obsLabels(adata: AnnData, column: string): Array<string | null> {
  return adata.obs
    .get(column)
    .values()
    .map((v) => (v === null ? null : String(v)));
}

/** `out[j] += X[i, j]` over the nonzeros of the CSR rows `rows`, in row order. */
function sumRowsCsr(
  data: ArrayLike<number>,
  indices: ArrayLike<number>,
  indptr: ArrayLike<number>,
  rows: ArrayLike<number>,
  out: Float64Array,
): void {
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r] as number;
    const end = indptr[i + 1] as number;
    for (let k = indptr[i] as number; k < end; k++) {
      const j = indices[k] as number;
      out[j] = (out[j] as number) + (data[k] as number);
    }
  }
}

/** Mean profile (float64, one value per gene) of the given rows of a matrix. Empty rows give NaN. */
export function meanProfile(m: Matrix, rows: ArrayLike<number>): Float64Array {
  const nc = isSparse(m) ? m.shape[1] : (m.shape[1] as number);
  const out = new Float64Array(nc);
  const csr = isSparse(m) ? ((m.format === "csr" ? m : convertSparse(m, "csr")) as SparseMatrix) : undefined;
  if (csr && typeof csr.data[0] !== "bigint" && typeof csr.indptr[0] !== "bigint") {
    // the hot path of evaluatePerturbation: one tight loop over the rows' nonzeros (same order of additions
    // as the generic walk, so the same sums), no callback per nonzero
    sumRowsCsr(csr.data as ArrayLike<number>, csr.indices as ArrayLike<number>, csr.indptr as ArrayLike<number>, rows, out);
  } else {
    forEachNonzero(m, rows, (_i, j, v) => {
      out[j] = (out[j] as number) + v;
    });
  }
  for (let j = 0; j < nc; j++) out[j] = rows.length ? (out[j] as number) / rows.length : Number.NaN;
  return out;
}

/** One group of cells: its key parts and obs rows. */
export interface CellGroup {
  /** The value of each grouping column. */
  keys: string[];
  /** obs indices. */
  rows: Int32Array;
}

/**
 * Group cells by the values of one or more obs columns (missing values are skipped). Groups are ordered by first
 * appearance; the map key is the values joined by `"|"`.
 */
export function groupCells(adata: AnnData, by: string | string[], rows?: ArrayLike<number>): Map<string, CellGroup> {
  const cols = (Array.isArray(by) ? by : [by]).map((c) => obsLabels(adata, c));
  const tmp = new Map<string, { keys: string[]; rows: number[] }>();
  const n = rows ? rows.length : adata.nObs;
  for (let r = 0; r < n; r++) {
    const i = rows ? (rows[r] as number) : r;
    const keys = cols.map((c) => c[i]);
    if (keys.some((k) => k === null)) continue;
    const key = keys.join("|");
    let g = tmp.get(key);
    if (!g) {
      g = { keys: keys as string[], rows: [] };
      tmp.set(key, g);
    }
    g.rows.push(i);
  }
  return new Map([...tmp].map(([k, g]) => [k, { keys: g.keys, rows: Int32Array.from(g.rows) }]));
}

/** Mean profile of each group of {@link groupCells}: key → `{ keys, n, mean }`. */
export function groupMeans(
  adata: AnnData,
  by: string | string[],
  options: GroupMeansOptions = {},
): Map<string, { keys: string[]; n: number; mean: Float64Array }> {
  const m = expressionMatrix(adata, options.layer);
  const out = new Map<string, { keys: string[]; n: number; mean: Float64Array }>();
  for (const [k, g] of groupCells(adata, by, options.rows)) out.set(k, { keys: g.keys, n: g.rows.length, mean: meanProfile(m, g.rows) });
  return out;
}

/** Dense float64 rows (cells × genes, row-major) of the selected rows of a matrix. */
export function denseRows(m: Matrix, rows: ArrayLike<number>): Float64Array {
  const nc = isSparse(m) ? m.shape[1] : (m.shape[1] as number);
  const out = new Float64Array(rows.length * nc);
  const pos = new Map<number, number>();
  for (let r = 0; r < rows.length; r++) pos.set(rows[r] as number, r);
  forEachNonzero(m, rows, (i, j, v) => {
    out[(pos.get(i) as number) * nc + j] = v;
  });
  return out;
}

/** Per-cell and per-gene quality-control metrics, as scanpy's `pp.calculate_qc_metrics`. */
import { HypedError, isSparse, type SparseMatrix } from "@hyped/core";
import type { AnnData, Matrix } from "../anndata/index.js";
import { inputMatrix, setNumeric } from "./adata.js";
import { denseValues, numbers, shapeOf } from "./matrix.js";

/** Options of {@link calculateQcMetrics}. */
export interface QcMetricsOptions {
  /** Name of the value kind in column names. Default `"counts"`. */
  exprType?: string;
  /** Name of the variable kind in column names. Default `"genes"`. */
  varType?: string;
  /**
   * Gene sets to report, each a boolean var column name (e.g. `"mt"`) or a `[name, mask]` pair with a
   * `Uint8Array`/`boolean[]` over the genes. Default none.
   */
  qcVars?: Array<string | [string, ArrayLike<number | boolean>]>;
  /**
   * Report the share of each cell's total held by its top-N genes for these N. Default `[50, 100, 200, 500]`.
   * Each N must be ≤ the number of genes (scanpy raises for larger N too); pass `[]` to skip.
   */
  percentTop?: number[];
  /** Also write `log1p_*` columns. Default true. */
  log1p?: boolean;
  /** Use this layer instead of `X`. */
  layer?: string;
}

/** Result of {@link qcMetricsMatrix}: column name → values, in scanpy's column order. */
export interface QcMetrics {
  obs: Map<string, Float64Array>;
  var: Map<string, Float64Array>;
}

/**
 * Compute scanpy's QC metrics on a cells × genes matrix. `qcMasks` maps a gene-set name to a 0/1 gene mask.
 *
 * obs: `n_genes_by_{expr}`, `log1p_n_genes_by_{expr}`, `total_{expr}`, `log1p_total_{expr}`,
 * `pct_{expr}_in_top_{N}_{var}` (percent), then per set `total_{expr}_{set}`, `log1p_total_{expr}_{set}`,
 * `pct_{expr}_{set}` (percent of the cell's total).
 * var: `n_cells_by_{expr}`, `mean_{expr}`, `log1p_mean_{expr}`, `pct_dropout_by_{expr}` (percent),
 * `total_{expr}`, `log1p_total_{expr}`. Matches `scanpy.pp.calculate_qc_metrics` (1.9–1.11).
 */
export function qcMetricsMatrix(
  X: Matrix,
  options: Omit<QcMetricsOptions, "qcVars" | "layer"> & { qcMasks?: Map<string, Uint8Array> } = {},
): QcMetrics {
  const { exprType = "counts", varType = "genes", percentTop = [50, 100, 200, 500], log1p = true } = options;
  const [n, g] = shapeOf(X);
  const tops = [...percentTop].sort((a, b) => a - b);
  for (const t of tops) {
    if (!(Number.isInteger(t) && t > 0 && t <= g)) {
      throw new HypedError("INVALID_ARGUMENT", `percentTop ${t} is outside 1..${g} (the number of genes); pass percentTop to change it`, {
        percentTop,
        nVars: g,
      });
    }
  }
  const { nGenes, total, nCells, gTotal, setTotals, topShares } = qcSums(X, n, g, tops, options.qcMasks ?? new Map());
  const l1p = (a: Float64Array) => a.map((v) => Math.log1p(v));
  const obs = new Map<string, Float64Array>();
  obs.set(`n_${varType}_by_${exprType}`, nGenes);
  if (log1p) obs.set(`log1p_n_${varType}_by_${exprType}`, l1p(nGenes));
  obs.set(`total_${exprType}`, total);
  if (log1p) obs.set(`log1p_total_${exprType}`, l1p(total));
  tops.forEach((t, ti) => {
    obs.set(`pct_${exprType}_in_top_${t}_${varType}`, topShares[ti] as Float64Array);
  });
  for (const st of setTotals) {
    obs.set(`total_${exprType}_${st.name}`, st.total);
    if (log1p) obs.set(`log1p_total_${exprType}_${st.name}`, l1p(st.total));
    obs.set(
      `pct_${exprType}_${st.name}`,
      st.total.map((v, i) => (v / (total[i] as number)) * 100),
    );
  }
  const vars = new Map<string, Float64Array>();
  vars.set(`n_cells_by_${exprType}`, nCells);
  const mean = gTotal.map((v) => v / n);
  vars.set(`mean_${exprType}`, mean);
  if (log1p) vars.set(`log1p_mean_${exprType}`, l1p(mean));
  vars.set(
    `pct_dropout_by_${exprType}`,
    nCells.map((v) => (1 - v / n) * 100),
  );
  vars.set(`total_${exprType}`, gTotal);
  if (log1p) vars.set(`log1p_total_${exprType}`, l1p(gTotal));
  return { obs, var: vars };
}

/** The per-cell and per-gene sums behind {@link qcMetricsMatrix}, in one pass over the rows of `X`. */
function qcSums(X: Matrix, n: number, g: number, tops: number[], masks: Map<string, Uint8Array>) {
  const nGenes = new Float64Array(n);
  const total = new Float64Array(n);
  const nCells = new Float64Array(g);
  const gTotal = new Float64Array(g);
  const setTotals = [...masks].map(([name, mask]) => ({ name, mask, total: new Float64Array(n) }));
  const topShares = tops.map(() => new Float64Array(n));
  const row = new Float64Array(g);

  const visitRow = (i: number, vals: Float64Array, len: number) => {
    let s = 0;
    for (let k = 0; k < len; k++) s += vals[k] as number;
    total[i] = s;
    // top-N shares: sort values descending
    if (tops.length) {
      const sorted = vals.subarray(0, len).sort().reverse();
      let cum = 0;
      let k = 0;
      tops.forEach((t, ti) => {
        for (; k < Math.min(t, len); k++) cum += sorted[k] as number;
        (topShares[ti] as Float64Array)[i] = (cum / s) * 100;
      });
    }
  };

  if (isSparse(X) && X.format === "csr") {
    const d = numbers(X.data);
    for (let i = 0; i < n; i++) {
      const a = Number(X.indptr[i]);
      const b = Number(X.indptr[i + 1]);
      let len = 0;
      for (let k = a; k < b; k++) {
        const v = d[k] as number;
        const j = X.indices[k] as number;
        if (v !== 0) {
          nGenes[i]! += 1;
          nCells[j]! += 1;
        }
        gTotal[j]! += v;
        for (const st of setTotals) if (st.mask[j]) st.total[i]! += v;
        row[len++] = v;
      }
      visitRow(i, row, len);
    }
  } else {
    const get = isSparse(X) ? sparseColumnReader(X, n, g) : null;
    const d = get ? null : denseValues(X as never);
    for (let i = 0; i < n; i++) {
      if (get) get(i, row);
      else for (let j = 0; j < g; j++) row[j] = (d as ArrayLike<number>)[i * g + j] as number;
      for (let j = 0; j < g; j++) {
        const v = row[j] as number;
        if (v !== 0) {
          nGenes[i]! += 1;
          nCells[j]! += 1;
        }
        gTotal[j]! += v;
        for (const st of setTotals) if (st.mask[j]) st.total[i]! += v;
      }
      visitRow(i, row, g);
    }
  }
  return { nGenes, total, nCells, gTotal, setTotals, topShares };
}

/** Reads CSC rows one at a time (used by the QC pass over CSC input). */
function sparseColumnReader(X: SparseMatrix, _n: number, g: number): (i: number, row: Float64Array) => void {
  const d = numbers(X.data);
  // transpose once: build CSR positions
  const counts = new Int32Array(_n + 1);
  for (let k = 0; k < X.indices.length; k++) counts[(X.indices[k] as number) + 1]! += 1;
  for (let i = 0; i < _n; i++) counts[i + 1]! += counts[i] as number;
  const cols = new Int32Array(X.indices.length);
  const vals = new Float64Array(X.indices.length);
  const next = counts.slice(0, _n);
  for (let j = 0; j < g; j++) {
    for (let k = Number(X.indptr[j]); k < Number(X.indptr[j + 1]); k++) {
      const i = X.indices[k] as number;
      const p = next[i] as number;
      next[i] = p + 1;
      cols[p] = j;
      vals[p] = d[k] as number;
    }
  }
  return (i, row) => {
    row.fill(0);
    for (let p = counts[i] as number; p < (counts[i + 1] as number); p++) row[cols[p] as number]! += vals[p] as number;
  };
}

/**
 * {@link qcMetricsMatrix} on an AnnData, writing the columns to `adata.obs` and `adata.var` (scanpy's
 * `inplace=True`). Returns `adata`.
 */
export function calculateQcMetrics(adata: AnnData, options: QcMetricsOptions = {}): AnnData {
  const X = inputMatrix(adata, options.layer);
  const qcMasks = new Map<string, Uint8Array>();
  for (const q of options.qcVars ?? []) {
    if (typeof q === "string") {
      qcMasks.set(
        q,
        Uint8Array.from(adata.var.get(q).toFloat64(), (v) => (v ? 1 : 0)),
      );
    } else {
      const [name, mask] = q;
      if (mask.length !== adata.nVars) {
        throw new HypedError("SHAPE_MISMATCH", `qc mask '${name}' has ${mask.length} entries, expected ${adata.nVars}`, { name });
      }
      qcMasks.set(
        name,
        Uint8Array.from(mask as ArrayLike<number>, (v) => (v ? 1 : 0)),
      );
    }
  }
  const r = qcMetricsMatrix(X, { ...options, qcMasks });
  for (const [k, v] of r.obs) setNumeric(adata.obs, k, v);
  for (const [k, v] of r.var) setNumeric(adata.var, k, v);
  return adata;
}

/**
 * `summarizeH5ad`: the facts `hyped inspect file.h5ad --json` prints, computed from a lazily opened file
 * (matrix statistics are streamed row batch by row batch), and `formatH5adSummary`, anndata's repr-like text.
 */
import { type AnyNdArray, contiguous, dtypeOf, isFloat16, isSparse, type SparseMatrix } from "@hyped/core";
import type { MappingName, Matrix } from "./anndata.js";
import type { BackedAnnData, BackedMatrix } from "./backed.js";
import type { Column, DataFrame } from "./dataframe.js";
import { matrixShape } from "./matrix.js";
import type { MuData } from "./mudata.js";
import { otherSummary, type SlotSummary, slotSummary } from "./slot-summary.js";

export type { SlotSummary } from "./slot-summary.js";

/** Statistics of X as `inspect --json` prints them. */
export interface MatrixSummary {
  kind: "dense" | "csr" | "csc";
  dtype: string;
  shape: [number, number];
  /** Stored values (sparse) or nonzero entries (dense). */
  nnz: number;
  /** Sum of all values in float64. */
  sum_float64: number;
  /** `X[0:3, 0:5]` as float64 (fewer when the matrix is smaller). */
  head_0_3_0_5: number[][];
}

/** One dataframe column as `inspect --json` prints it. */
export interface ColumnSummary {
  name: string;
  kind: string;
  dtype: string;
  categories?: Array<string | number>;
}

/** The `inspect --json` object. */
export interface H5adSummary {
  n_obs: number;
  n_vars: number;
  obs_names_first5: string[];
  var_names_first5: string[];
  X: MatrixSummary | null;
  obs_columns: ColumnSummary[];
  var_columns: ColumnSummary[];
  obsm: Record<string, SlotSummary>;
  varm: Record<string, SlotSummary>;
  layers: Record<string, SlotSummary>;
  obsp: Record<string, SlotSummary>;
  varp: Record<string, SlotSummary>;
  uns_keys: string[];
}

/**
 * A column's kind and dtype as printed: kind `boolean` for boolean columns (the name the API uses), dtypes
 * named as numpy/pandas do (`bool`, `int64`, `category`, `str`).
 */
export function columnSummary(name: string, c: Column): ColumnSummary {
  switch (c.kind) {
    case "numeric":
      return { name, kind: "numeric", dtype: isFloat16(c.values) ? "float16" : dtypeOf(c.values) };
    case "boolean":
      return { name, kind: "boolean", dtype: "bool" };
    case "string":
      return { name, kind: "string", dtype: "str" };
    case "categorical":
      return { name, kind: "categorical", dtype: "category", categories: [...c.categories] };
    case "nullable-integer":
      return { name, kind: "nullable-integer", dtype: dtypeOf(c.values) };
    case "nullable-boolean":
      return { name, kind: "nullable-boolean", dtype: "bool" };
    case "nullable-string":
      return { name, kind: "nullable-string", dtype: "str" };
  }
}

function frameColumns(df: DataFrame): ColumnSummary[] {
  return df.columns.map((n) => columnSummary(n, df.column(n) as Column));
}

/** Accumulates sum, nonzero count and the 3×5 head over row batches. */
class MatrixStats {
  sum = 0;
  nonzero = 0;
  head: number[][];
  constructor(rows: number, cols: number) {
    this.head = Array.from({ length: Math.min(3, rows) }, () => new Array(Math.min(5, cols)).fill(0));
  }
  add(m: Matrix, rowOffset: number): void {
    if (isSparse(m)) {
      const s = m as SparseMatrix;
      const d = s.data as unknown as ArrayLike<number | bigint>;
      for (let k = 0; k < d.length; k++) {
        const v = Number(d[k]);
        this.sum += v;
        if (v !== 0) this.nonzero++;
      }
      const csr = s.format === "csr";
      const major = csr ? s.shape[0] : s.shape[1];
      for (let i = 0; i < major; i++) {
        for (let k = Number(s.indptr[i]); k < Number(s.indptr[i + 1]); k++) {
          const r = (csr ? i : (s.indices[k] as number)) + rowOffset;
          const c = csr ? (s.indices[k] as number) : i;
          if (r < this.head.length && c < 5) (this.head[r] as number[])[c] = ((this.head[r] as number[])[c] as number) + Number(d[k]);
        }
      }
      return;
    }
    const a = contiguous(m as unknown as AnyNdArray);
    const d = a.data as unknown as ArrayLike<number | bigint>;
    const cols = a.shape[1] as number;
    for (let k = 0; k < d.length; k++) {
      const v = Number(d[k]);
      this.sum += v;
      if (v !== 0) this.nonzero++;
    }
    for (let r = 0; r < this.head.length; r++) {
      const rr = r - rowOffset;
      if (rr < 0 || rr >= (a.shape[0] as number)) continue;
      for (let c = 0; c < (this.head[r] as number[]).length; c++) (this.head[r] as number[])[c] = Number(d[rr * cols + c]);
    }
  }
}

/** X statistics streamed from a backed matrix (bounded memory). */
export function backedMatrixSummary(m: BackedMatrix, batchSize = 2000): MatrixSummary {
  const st = new MatrixStats(m.shape[0], m.shape[1]);
  for (const b of m.iterateRows(batchSize)) st.add(b.matrix, b.start);
  return {
    kind: m.kind,
    dtype: m.float16 ? "float16" : m.dtype,
    shape: [...m.shape],
    nnz: m.kind === "dense" ? st.nonzero : m.nnz,
    sum_float64: st.sum,
    head_0_3_0_5: st.head,
  };
}

/** X statistics of an in-memory matrix. */
export function matrixSummary(m: Matrix): MatrixSummary {
  const shape = matrixShape(m);
  const st = new MatrixStats(shape[0], shape[1]);
  st.add(m, 0);
  const s = slotSummary(m);
  return {
    kind: s.kind as MatrixSummary["kind"],
    dtype: s.dtype,
    shape,
    nnz: isSparse(m) ? m.data.length : st.nonzero,
    sum_float64: st.sum,
    head_0_3_0_5: st.head,
  };
}

/** The inspect summary of a lazily opened file (only annotations and streamed X statistics are read). */
export function summarizeH5ad(b: BackedAnnData): H5adSummary {
  const mem = b.slots();
  return {
    n_obs: b.nObs,
    n_vars: b.nVars,
    obs_names_first5: b.obsNames.slice(0, 5),
    var_names_first5: b.varNames.slice(0, 5),
    X: b.X ? backedMatrixSummary(b.X) : null,
    obs_columns: frameColumns(b.obs),
    var_columns: frameColumns(b.var),
    obsm: mem.obsm,
    varm: mem.varm,
    layers: mem.layers,
    obsp: mem.obsp,
    varp: mem.varp,
    uns_keys: Object.keys(b.uns),
  };
}

/** The summaries of one in-memory mapping: matrices, dataframes, then other elements. */
function mappingSummary(
  m: Map<string, Matrix>,
  frames?: Map<string, DataFrame>,
  other?: Map<string, unknown>,
): Record<string, SlotSummary> {
  const out: Record<string, SlotSummary> = {};
  for (const [k, v] of m) out[k] = slotSummary(v);
  for (const [k, d] of frames ?? []) out[k] = { kind: "dataframe", shape: [d.nRows, d.columns.length], dtype: "mixed" };
  for (const [k, v] of other ?? []) out[k] = otherSummary(v);
  return out;
}

/** The same summary for an in-memory {@link AnnData}-like object. */
export function summarizeAnnData(a: {
  nObs: number;
  nVars: number;
  obsNames: string[];
  varNames: string[];
  X: Matrix | null;
  obs: DataFrame;
  var: DataFrame;
  obsm: Map<string, Matrix>;
  varm: Map<string, Matrix>;
  layers: Map<string, Matrix>;
  obsp: Map<string, Matrix>;
  varp: Map<string, Matrix>;
  obsmFrames?: Map<string, DataFrame>;
  varmFrames?: Map<string, DataFrame>;
  other?: Record<MappingName, Map<string, unknown>>;
  uns: Record<string, unknown>;
}): H5adSummary {
  const slots = mappingSummary;
  return {
    n_obs: a.nObs,
    n_vars: a.nVars,
    obs_names_first5: a.obsNames.slice(0, 5),
    var_names_first5: a.varNames.slice(0, 5),
    X: a.X ? matrixSummary(a.X) : null,
    obs_columns: frameColumns(a.obs),
    var_columns: frameColumns(a.var),
    obsm: slots(a.obsm, a.obsmFrames, a.other?.obsm),
    varm: slots(a.varm, a.varmFrames, a.other?.varm),
    layers: slots(a.layers, undefined, a.other?.layers),
    obsp: slots(a.obsp, undefined, a.other?.obsp),
    varp: slots(a.varp, undefined, a.other?.varp),
    uns_keys: Object.keys(a.uns),
  };
}

/** A repr line `<indent><label>: 'k1', 'k2'`, none for no keys. */
const keyLine = (indent: string, label: string, keys: string[]): string[] =>
  keys.length ? [`${indent}${label}: ${keys.map((k) => `'${k}'`).join(", ")}`] : [];

/** The `obs`, `var` and `uns` lines of a repr (anndata's and mudata's alike). */
function annotationLines(s: Pick<H5adSummary, "obs_columns" | "var_columns" | "uns_keys">, indent: string): string[] {
  const names = (cols: ColumnSummary[]) => cols.map((c) => c.name);
  return [
    ...keyLine(indent, "obs", names(s.obs_columns)),
    ...keyLine(indent, "var", names(s.var_columns)),
    ...keyLine(indent, "uns", s.uns_keys),
  ];
}

/** anndata's repr-like text for a summary. */
export function formatH5adSummary(s: H5adSummary, title = "AnnData object"): string {
  const lines = [`${title} with n_obs × n_vars = ${s.n_obs} × ${s.n_vars}`];
  if (s.X) lines.push(`    X: ${s.X.kind} ${s.X.dtype} ${s.X.shape.join("×")}, ${s.X.nnz} stored values, sum ${s.X.sum_float64}`);
  else lines.push("    X: none");
  lines.push(...annotationLines(s, "    "));
  // matrices and dataframes by name; other elements with their kind and length
  const slot = (label: string, m: Record<string, SlotSummary>) => {
    const keys = Object.entries(m).map(([k, v]) =>
      ["dense", "csr", "csc", "dataframe"].includes(v.kind)
        ? `'${k}'`
        : `'${k}' (${v.kind}${v.length === undefined ? "" : `, length ${v.length}`})`,
    );
    if (keys.length) lines.push(`    ${label}: ${keys.join(", ")}`);
  };
  slot("obsm", s.obsm);
  slot("varm", s.varm);
  slot("layers", s.layers);
  slot("obsp", s.obsp);
  slot("varp", s.varp);
  return lines.join("\n");
}

/** The `inspect --json` object of a `.h5mu` file: the global annotations and one summary per modality. */
export interface H5muSummary {
  n_obs: number;
  n_vars: number;
  /** mudata's axis (0: modalities share observations). */
  axis: number;
  obs_names_first5: string[];
  var_names_first5: string[];
  obs_columns: ColumnSummary[];
  var_columns: ColumnSummary[];
  obsm: Record<string, SlotSummary>;
  varm: Record<string, SlotSummary>;
  obsp: Record<string, SlotSummary>;
  varp: Record<string, SlotSummary>;
  uns_keys: string[];
  /** Modality name → its AnnData summary, in the file's order. */
  mod: Record<string, H5adSummary>;
}

/** The summary of a MuData read by `readH5mu`. */
export function summarizeMuData(md: MuData): H5muSummary {
  const slots = mappingSummary;
  const mod: Record<string, H5adSummary> = {};
  for (const [name, a] of md.mod) mod[name] = summarizeAnnData(a);
  return {
    n_obs: md.obs.nRows,
    n_vars: md.var.nRows,
    axis: md.axis,
    obs_names_first5: md.obs.index.slice(0, 5),
    var_names_first5: md.var.index.slice(0, 5),
    obs_columns: frameColumns(md.obs),
    var_columns: frameColumns(md.var),
    obsm: slots(md.obsm, md.obsmFrames, md.other.obsm),
    varm: slots(md.varm, md.varmFrames, md.other.varm),
    obsp: slots(md.obsp, undefined, md.other.obsp),
    varp: slots(md.varp, undefined, md.other.varp),
    uns_keys: Object.keys(md.uns),
    mod,
  };
}

/** mudata's repr-like text for a `.h5mu` summary: the global part, then each modality indented. */
export function formatH5muSummary(s: H5muSummary, title = "MuData object"): string {
  const lines = [`${title} with n_obs × n_vars = ${s.n_obs} × ${s.n_vars}`, ...annotationLines(s, "  ")];
  for (const slot of ["obsm", "varm", "obsp", "varp"] as const) lines.push(...keyLine("  ", slot, Object.keys(s[slot])));
  lines.push(`  ${Object.keys(s.mod).length} modalities`);
  for (const [name, m] of Object.entries(s.mod)) {
    const body = formatH5adSummary(m, `${name}:\tAnnData object`).split("\n");
    lines.push(...body.map((l) => `    ${l}`));
  }
  return lines.join("\n");
}

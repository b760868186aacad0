/**
 * Concatenating AnnData objects along observations, following anndata's `concat` (axis 0).
 */
import { allocate, convertSparse, HypedError, isSparse, type SparseMatrix, zeros } from "@hyped/core";
import { AnnData, type Matrix, matrixShape } from "../anndata/anndata.js";
import { type Column, categoricalFrom, columnValues, DataFrame } from "../anndata/dataframe.js";

/** Options of {@link concatAnnData}. */
export interface ConcatOptions {
  /** Variables kept: `inner` (intersection, in the first object's order; default) or `outer` (union, sorted as pandas does unless all are equal). */
  join?: "inner" | "outer";
  /** Add an obs column of this name saying which input each cell came from. */
  label?: string;
  /** Names of the inputs for `label` and `indexUnique` (default `"0"`, `"1"`, ...). */
  keys?: string[];
  /** When set, obs names become `<name><indexUnique><key>` (anndata's `index_unique`). */
  indexUnique?: string;
  /**
   * How var columns are combined: `same` (default here: keep columns equal across all inputs), `unique`
   * (keep columns with one value per variable among inputs that have it), `first` (first input's value),
   * `only` (columns present in exactly one input), or `none` (drop; anndata's default `merge=None`).
   */
  merge?: "same" | "unique" | "first" | "only" | "none";
}

/**
 * anndata's `concat(adatas, axis=0, join, label, keys, index_unique, merge)`:
 * - X and layers (present in every input) are stacked; with `outer`, variables missing from an input are
 *   filled with 0 in sparse results and NaN in dense results (anndata's defaults);
 * - obs columns are unioned (missing → NaN / missing category), `label` adds a categorical of the keys;
 * - var annotations are merged by `merge`; obsm entries present in all inputs with equal widths are stacked.
 * All sparse → CSR result; any dense → dense float64.
 */
export function concatAnnData(adatas: AnnData[], options: ConcatOptions = {}): AnnData {
  if (adatas.length === 0) throw new HypedError("INVALID_ARGUMENT", "concatAnnData needs at least one AnnData", {});
  const keys = options.keys ?? adatas.map((_, i) => String(i));
  if (keys.length !== adatas.length) throw new HypedError("SHAPE_MISMATCH", `${keys.length} keys for ${adatas.length} objects`, {});
  const join = options.join ?? "inner";
  const allSame = adatas.every(
    (a) =>
      a.varNames.length === (adatas[0] as AnnData).varNames.length && a.varNames.every((n, i) => n === (adatas[0] as AnnData).varNames[i]),
  );
  let varNames: string[];
  if (allSame) varNames = (adatas[0] as AnnData).varNames.slice();
  else if (join === "inner") {
    const sets = adatas.slice(1).map((a) => new Set(a.varNames));
    varNames = (adatas[0] as AnnData).varNames.filter((n) => sets.every((s) => s.has(n)));
  } else {
    varNames = [...new Set(adatas.flatMap((a) => a.varNames))].sort();
  }
  const colMaps = adatas.map((a) => Int32Array.from(varNames, (n) => a.varIndex(n)));

  const stack = (mats: Array<Matrix | null | undefined>) => stackMatrices(mats, colMaps, varNames.length, join);
  const X = stack(adatas.map((a) => a.X));
  const layerKeys = [...(adatas[0] as AnnData).layers.keys()].filter((k) => adatas.every((a) => a.layers.has(k)));
  const layers = new Map<string, Matrix>();
  for (const k of layerKeys) {
    const m = stack(adatas.map((a) => a.layers.get(k)));
    if (m) layers.set(k, m);
  }

  // obs
  const obsNames = adatas.flatMap((a, i) =>
    options.indexUnique !== undefined ? a.obsNames.map((n) => `${n}${options.indexUnique}${keys[i]}`) : a.obsNames,
  );
  const obs = new DataFrame(obsNames);
  const obsCols = [...new Set(adatas.flatMap((a) => a.obs.columns))];
  for (const name of obsCols) obs.set(name, mergeColumn(adatas.map((a) => ({ n: a.nObs, c: a.obs.column(name) }))));
  if (options.label)
    obs.set(
      options.label,
      categoricalFrom(
        adatas.flatMap((a, i) => new Array<string>(a.nObs).fill(keys[i] as string)),
        keys.slice(),
      ),
    );

  const varDf = mergeVar(adatas, varNames, colMaps, options.merge ?? "same");

  const obsm = new Map<string, Matrix>();
  for (const k of (adatas[0] as AnnData).obsm.keys()) {
    const ms = adatas.map((a) => a.obsm.get(k));
    if (ms.some((m) => !m) || new Set(ms.map((m) => matrixShape(m as Matrix)[1])).size !== 1) continue;
    obsm.set(k, stackRows(ms as Matrix[], matrixShape(ms[0] as Matrix)[1]));
  }
  return new AnnData({ X, obs, var: varDf, layers, obsm });
}

/** Stack matrices row-wise, their columns remapped by `colMaps` (−1 = missing) into `nCols` columns; null if any is missing. */
function stackMatrices(
  mats: Array<Matrix | null | undefined>,
  colMaps: Int32Array[],
  nCols: number,
  join: "inner" | "outer",
): Matrix | null {
  if (mats.some((m) => !m)) return null;
  const ms = mats as Matrix[];
  const nRows = ms.reduce((s, m) => s + matrixShape(m)[0], 0);
  if (ms.some((m) => !isSparse(m))) return stackDense(ms, colMaps, nRows, nCols, join);
  return stackSparse(ms as SparseMatrix[], colMaps, nRows, nCols);
}

/** Dense float64 stacking; `outer` fills missing variables with NaN. */
function stackDense(ms: Matrix[], colMaps: Int32Array[], nRows: number, nCols: number, join: "inner" | "outer"): Matrix {
  const out = zeros("float64", [nRows, nCols]);
  const d = out.data as Float64Array;
  if (join === "outer") d.fill(Number.NaN);
  let r0 = 0;
  ms.forEach((m, a) => {
    const map = colMaps[a] as Int32Array;
    const [r] = matrixShape(m);
    const get = isSparse(m) ? sparseGetter(m) : (i: number, j: number) => Number((m as { get(i: number, j: number): number }).get(i, j));
    for (let i = 0; i < r; i++)
      for (let j = 0; j < map.length; j++) if ((map[j] as number) >= 0) d[(r0 + i) * nCols + j] = get(i, map[j] as number);
    r0 += r;
  });
  return out;
}

/** CSR stacking (float32 when every input is float32); missing variables stay implicit zeros. */
function stackSparse(ms: SparseMatrix[], colMaps: Int32Array[], nRows: number, nCols: number): Matrix {
  // sparse: remap columns into CSR
  const inv = ms.map((m, a) => {
    const inv = new Int32Array(matrixShape(m)[1]).fill(-1);
    (colMaps[a] as Int32Array).forEach((src, j) => {
      if (src >= 0) inv[src] = j;
    });
    return inv;
  });
  let nnz = 0;
  const csrs = ms.map((m) => convertSparse(m as SparseMatrix, "csr"));
  csrs.forEach((m, a) => {
    for (let k = 0; k < m.indices.length; k++) if (((inv[a] as Int32Array)[m.indices[k] as number] as number) >= 0) nnz++;
  });
  const dtype = csrs.every((m) => m.data instanceof Float32Array) ? "float32" : "float64";
  const data = allocate(dtype, nnz) as Float32Array | Float64Array;
  const indices = new Int32Array(nnz);
  const indptr = new Int32Array(nRows + 1);
  let p = 0;
  let row = 0;
  csrs.forEach((m, a) => {
    const iv = inv[a] as Int32Array;
    for (let i = 0; i < m.shape[0]; i++) {
      const pairs: Array<[number, number]> = [];
      for (let k = Number(m.indptr[i]); k < Number(m.indptr[i + 1]); k++) {
        const j = iv[m.indices[k] as number] as number;
        if (j >= 0) pairs.push([j, Number(m.data[k])]);
      }
      pairs.sort((x, y) => x[0] - y[0]);
      for (const [j, v] of pairs) {
        indices[p] = j;
        data[p++] = v;
      }
      indptr[++row] = p;
    }
  });
  return { format: "csr", shape: [nRows, nCols], data, indices, indptr };
}

/** The var annotations of the result, merged by `merge` as anndata's `concat(merge=...)`. */
function mergeVar(adatas: AnnData[], varNames: string[], colMaps: Int32Array[], merge: NonNullable<ConcatOptions["merge"]>): DataFrame {
  const varDf = new DataFrame(varNames);
  if (merge !== "none") {
    const varCols = [...new Set(adatas.flatMap((a) => a.var.columns))];
    for (const name of varCols) {
      const holders = adatas.map((a, i) => ({ a, i })).filter(({ a }) => a.var.has(name));
      if (merge === "only" && holders.length !== 1) continue;
      if (merge === "same" && holders.length !== adatas.length) continue;
      const vals: Array<string | number | boolean | bigint | null> = new Array(varNames.length).fill(null);
      let ok = true;
      for (let j = 0; j < varNames.length && ok; j++) {
        const seen: Array<string | number | boolean | bigint | null> = [];
        for (const { a, i } of holders) {
          const src = (colMaps[i] as Int32Array)[j] as number;
          if (src < 0) continue;
          seen.push(columnValues(a.var.column(name) as Column)[src] ?? null);
        }
        if (seen.length === 0) continue;
        if (merge === "first") vals[j] = seen[0] ?? null;
        else if (seen.every((v) => v === seen[0])) vals[j] = seen[0] ?? null;
        else ok = false;
      }
      if (!ok) continue;
      varDf.set(
        name,
        columnFromValues(
          vals,
          holders.some(({ a }) => a.var.column(name)?.kind === "categorical"),
        ),
      );
    }
  }
  return varDf;
}

/** Stack matrices of equal width row-wise into a dense float64 matrix. */
function stackRows(ms: Matrix[], width: number): Matrix {
  const n = ms.reduce((s, m) => s + matrixShape(m)[0], 0);
  const out = zeros("float64", [n, width]);
  const d = out.data as Float64Array;
  let r0 = 0;
  for (const m of ms) {
    const [r] = matrixShape(m);
    const get = isSparse(m) ? sparseGetter(m) : (i: number, j: number) => Number((m as { get(i: number, j: number): number }).get(i, j));
    for (let i = 0; i < r; i++) for (let j = 0; j < width; j++) d[(r0 + i) * width + j] = get(i, j);
    r0 += r;
  }
  return out;
}

function sparseGetter(m: SparseMatrix): (i: number, j: number) => number {
  const csr = convertSparse(m, "csr");
  return (i, j) => {
    for (let k = Number(csr.indptr[i]); k < Number(csr.indptr[i + 1]); k++) if (csr.indices[k] === j) return Number(csr.data[k]);
    return 0;
  };
}

function columnFromValues(vals: Array<string | number | boolean | bigint | null>, categorical: boolean): Column {
  const present = vals.filter((v) => v !== null);
  if (present.length > 0 && present.every((v) => typeof v === "number" || typeof v === "bigint")) {
    return { kind: "numeric", values: Float64Array.from(vals, (v) => (v === null ? Number.NaN : Number(v))) };
  }
  if (present.length > 0 && present.every((v) => typeof v === "boolean")) {
    if (present.length === vals.length) return { kind: "boolean", values: Uint8Array.from(vals, (v) => (v ? 1 : 0)) };
    return {
      kind: "nullable-boolean",
      values: Uint8Array.from(vals, (v) => (v ? 1 : 0)),
      mask: Uint8Array.from(vals, (v) => (v === null ? 1 : 0)),
    };
  }
  const strs = vals.map((v) => (v === null ? null : String(v)));
  if (categorical || strs.some((v) => v === null)) return categoricalFrom(strs);
  return { kind: "string", values: strs as string[] };
}

function mergeColumn(parts: Array<{ n: number; c: Column | undefined }>): Column {
  const vals: Array<string | number | boolean | bigint | null> = [];
  for (const { n, c } of parts) {
    if (c) vals.push(...columnValues(c));
    else for (let i = 0; i < n; i++) vals.push(null);
  }
  return columnFromValues(
    vals,
    parts.some(({ c }) => c?.kind === "categorical"),
  );
}

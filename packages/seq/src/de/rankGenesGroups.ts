/** Differential expression per group, as scanpy's `tl.rank_genes_groups`. */
import { HypedError, isSparse, type LongTaskOptions, progressReporter, throwIfAborted } from "@hyped/core";
import { AnnData, type Matrix } from "../anndata/index.js";
import { rawOrX, resolveMaskVar } from "../preprocess/adata.js";
import { denseValues, numbers, shapeOf } from "../preprocess/matrix.js";
import { log1pBase } from "../preprocess/normalize.js";
import { logisticRegression } from "./logreg.js";
import { normSf, studentTTwoSided } from "./special.js";
import { wilcoxonAll } from "./wilcoxon.js";

/** Test used by {@link rankGenesGroups}. */
export type RankGenesMethod = "t-test" | "t-test_overestim_var" | "wilcoxon" | "logreg";
/** Multiple-testing correction. */
export type CorrMethod = "benjamini-hochberg" | "bonferroni";

/** Options of {@link rankGenesGroupsMatrix} / {@link rankGenesGroups}. */
export interface RankGenesGroupsOptions extends LongTaskOptions {
  /** Default `"t-test"` (scanpy's default). */
  method?: RankGenesMethod;
  /** Groups to test; default all categories. */
  groups?: string[];
  /** `"rest"` (default: every cell outside the group) or a group name to compare against. */
  reference?: string;
  /** Keep this many top genes per group. Default: all genes. */
  nGenes?: number;
  /** Rank by |score| instead of score. Default false. */
  rankbyAbs?: boolean;
  /** Wilcoxon: apply the tie correction to the variance. Default false (as scanpy). */
  tieCorrect?: boolean;
  /** Default `"benjamini-hochberg"`. */
  corrMethod?: CorrMethod;
  /** Log base of the data (for fold changes); default natural log (the AnnData wrapper reads `uns.log1p.base`). */
  logBase?: number;
  /** `logreg`: inverse L2 strength `C` of scikit-learn's `LogisticRegression` (scanpy passes it through `**kwds`). Default 1. */
  logregC?: number;
}

/** Result of a DE run: per tested group, genes in rank order with their statistics. */
export interface RankGenesGroupsResult {
  params: {
    groupby: string;
    reference: string;
    method: RankGenesMethod;
    corrMethod: CorrMethod;
    tieCorrect: boolean;
    layer: string | null;
  };
  /** Tested groups, in category order (the reference excluded). */
  groups: string[];
  /** Ranked gene names per group. */
  names: Record<string, string[]>;
  /** Ranked gene positions (into var) per group. */
  indices: Record<string, Int32Array>;
  /** t statistic or Wilcoxon z-score. */
  scores: Record<string, Float64Array>;
  pvals: Record<string, Float64Array>;
  pvalsAdj: Record<string, Float64Array>;
  /** log2((expm1(mean_group) + 1e-9) / (expm1(mean_rest) + 1e-9)). */
  logfoldchanges: Record<string, Float64Array>;
  /** Fraction of cells of the group with a non-zero value, and the same for the rest/reference. */
  pts: Record<string, Float64Array>;
  ptsRest: Record<string, Float64Array>;
}

/** Group labels: plain strings (null = no group) or categorical codes with categories. */
export type GroupLabels = ArrayLike<string | null> | { codes: ArrayLike<number>; categories: ArrayLike<string | number> };

function toCodes(labels: GroupLabels, n: number): { codes: Int32Array; categories: string[] } {
  if ("codes" in labels && "categories" in labels) {
    const cats = Array.from(labels.categories, String);
    if (labels.codes.length !== n) throw new HypedError("SHAPE_MISMATCH", `${labels.codes.length} labels for ${n} cells`, {});
    return { codes: Int32Array.from(labels.codes), categories: cats };
  }
  const arr = labels as ArrayLike<string | null>;
  if (arr.length !== n) throw new HypedError("SHAPE_MISMATCH", `${arr.length} labels for ${n} cells`, {});
  const cats = [...new Set(Array.from(arr).filter((v): v is string => v !== null))].sort();
  const at = new Map(cats.map((c, i) => [c, i]));
  return { codes: Int32Array.from(arr, (v) => (v === null ? -1 : (at.get(v) ?? -1))), categories: cats };
}

/** Benjamini–Hochberg adjusted p-values (statsmodels `multipletests(method="fdr_bh")`). NaN counts as 1. */
export function benjaminiHochberg(p: ArrayLike<number>): Float64Array {
  const n = p.length;
  const vals = Float64Array.from(p, (v) => (Number.isNaN(v) ? 1 : v));
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (vals[a] as number) - (vals[b] as number) || a - b);
  const out = new Float64Array(n);
  let running = Number.POSITIVE_INFINITY;
  for (let r = n - 1; r >= 0; r--) {
    const i = order[r] as number;
    running = Math.min(running, ((vals[i] as number) * n) / (r + 1));
    out[i] = Math.min(1, running);
  }
  return out;
}

/** Per-category sums over a matrix: counts, means, variances (ddof 1), non-zero counts. */
function groupStats(X: Matrix, codes: Int32Array, nCats: number) {
  const [n, g] = shapeOf(X);
  // slot nCats holds the cells without a label
  const k = nCats + 1;
  const slot = (i: number) => {
    const c = codes[i] as number;
    return c < 0 ? nCats : c;
  };
  const count = new Float64Array(k);
  for (let i = 0; i < n; i++) count[slot(i)]! += 1;
  const sum = new Float64Array(k * g);
  const nnz = new Float64Array(k * g);
  const ss = new Float64Array(k * g);
  const visit = (f: (s: number, j: number, v: number) => void) => {
    if (isSparse(X)) {
      const d = numbers(X.data);
      const csr = X.format === "csr";
      const major = csr ? n : g;
      for (let a = 0; a < major; a++) {
        for (let p = Number(X.indptr[a]); p < Number(X.indptr[a + 1]); p++) {
          const b = X.indices[p] as number;
          if (csr) f(slot(a), b, d[p] as number);
          else f(slot(b), a, d[p] as number);
        }
      }
    } else {
      const d = denseValues(X);
      for (let i = 0; i < n; i++) {
        const s = slot(i);
        for (let j = 0; j < g; j++) f(s, j, d[i * g + j] as number);
      }
    }
  };
  const stored = new Float64Array(k * g);
  visit((s, j, v) => {
    sum[s * g + j]! += v;
    stored[s * g + j]! += 1;
    if (v !== 0) nnz[s * g + j]! += 1;
  });
  const mean = new Float64Array(k * g);
  for (let s = 0; s < k; s++)
    for (let j = 0; j < g; j++) mean[s * g + j] = (count[s] as number) > 0 ? (sum[s * g + j] as number) / (count[s] as number) : 0;
  visit((s, j, v) => {
    const e = v - (mean[s * g + j] as number);
    ss[s * g + j]! += e * e;
  });
  // implicit zeros of sparse input: each contributes mean² (dense input visited every entry already)
  for (let s = 0; s < k; s++) {
    for (let j = 0; j < g; j++) {
      const m = mean[s * g + j] as number;
      ss[s * g + j]! += ((count[s] as number) - (stored[s * g + j] as number)) * m * m;
    }
  }
  return { count, mean, sum, ss, nnz, k, g };
}

/** Throws UNSUPPORTED for a test or a p-value correction {@link rankGenesGroupsMatrix} does not know. */
function checkMethods(method: string, corrMethod: string): void {
  if (!["t-test", "t-test_overestim_var", "wilcoxon", "logreg"].includes(method)) {
    throw new HypedError(
      "UNSUPPORTED",
      `rank_genes_groups method '${method}' (supported: t-test, t-test_overestim_var, wilcoxon, logreg)`,
      {
        method,
      },
    );
  }
  if (corrMethod !== "benjamini-hochberg" && corrMethod !== "bonferroni") {
    throw new HypedError("UNSUPPORTED", `correction '${corrMethod}' (supported: benjamini-hochberg, bonferroni)`, { corrMethod });
  }
}

/**
 * Rank genes for each group (matches `scanpy.tl.rank_genes_groups`, 1.9–1.11, on `X` as given):
 *
 * - `t-test`: Welch's t (scipy `ttest_ind_from_stats(equal_var=False)`) of the group against the rest or the
 *   reference; `t-test_overestim_var` uses the group size for the rest's n too. NaN scores → 0, p → 1.
 * - `wilcoxon`: rank-sum z-score `(R − n₁(N+1)/2) / sqrt(T·n₁n₂(N+1)/12)` with average ranks over the group and
 *   the rest/reference; T is the tie correction `1 − Σ(t³−t)/(N³−N)` when `tieCorrect`, else 1. Two-sided normal
 *   p-values (equal to scipy `mannwhitneyu(use_continuity=False, method="asymptotic")` with ties corrected).
 * - p-values are adjusted per group over all genes (BH as statsmodels `fdr_bh`, or Bonferroni capped at 1).
 * - log fold changes as scanpy: `log2((expm1(μ_g) + 1e-9)/(expm1(μ_rest) + 1e-9))`, expm1 in the data's log base.
 * - `logreg`: coefficients of an L2 logistic regression (see `logregScores`); no p-values or fold changes (NaN),
 *   as scanpy stores none.
 * - genes are ordered by score (or |score|) descending; ties keep gene order.
 */
export function rankGenesGroupsMatrix(
  X: Matrix,
  labels: GroupLabels,
  varNames: string[],
  options: RankGenesGroupsOptions & { groupby?: string; layer?: string } = {},
): RankGenesGroupsResult {
  const { method = "t-test", reference = "rest", rankbyAbs = false, tieCorrect = false, corrMethod = "benjamini-hochberg" } = options;
  checkMethods(method, corrMethod);
  const [n, g] = shapeOf(X);
  if (varNames.length !== g) throw new HypedError("SHAPE_MISMATCH", `${varNames.length} gene names for ${g} genes`, {});
  const { codes, categories } = toCodes(labels, n);
  const wanted = options.groups ?? categories;
  for (const w of wanted)
    if (!categories.includes(w)) throw new HypedError("NOT_FOUND", `no group '${w}' (have: ${categories.join(", ")})`, { group: w });
  const iref = reference === "rest" ? -1 : categories.indexOf(reference);
  if (reference !== "rest" && iref < 0)
    throw new HypedError("NOT_FOUND", `reference group '${reference}' not found (have: ${categories.join(", ")})`, { reference });
  let tested = categories.map((c, i) => ({ c, i })).filter(({ c, i }) => wanted.includes(c) && i !== iref);
  const logreg = method === "logreg" ? logregScores(X, codes, categories, wanted, iref, options) : null;
  if (logreg) tested = tested.filter(({ i }) => logreg.has(i));
  const nTop = Math.min(options.nGenes ?? g, g);
  if (!(nTop > 0)) throw new HypedError("INVALID_ARGUMENT", `nGenes must be ≥ 1, got ${options.nGenes}`, {});
  const base = options.logBase;
  const expm1 = base === undefined ? Math.expm1 : (v: number) => Math.expm1(v * Math.log(base));

  throwIfAborted(options.signal, "rank_genes_groups");
  const st = groupStats(X, codes, categories.length);

  // statistics of each tested group and its comparison set
  const progress = progressReporter(options.onProgress, "groups", tested.length, "rank_genes_groups");
  const wilcox =
    method === "wilcoxon"
      ? wilcoxonAll(
          X,
          codes,
          categories.length,
          tested.map((t) => t.i),
          iref,
          tieCorrect,
          options.signal,
        )
      : null;
  const result: RankGenesGroupsResult = {
    params: { groupby: options.groupby ?? "", reference, method, corrMethod, tieCorrect, layer: options.layer ?? null },
    groups: tested.map((t) => t.c),
    names: {},
    indices: {},
    scores: {},
    pvals: {},
    pvalsAdj: {},
    logfoldchanges: {},
    pts: {},
    ptsRest: {},
  };
  tested.forEach(({ c, i }) => {
    throwIfAborted(options.signal, "rank_genes_groups");
    const { scores, pv, lfc, pts, ptsRest } = compareGroup(st, i, iref, n, g, method, expm1, !wilcox && !logreg);
    if (wilcox) {
      const z = wilcox.get(i) as Float64Array;
      for (let j = 0; j < g; j++) {
        scores[j] = z[j] as number;
        pv[j] = 2 * normSf(Math.abs(z[j] as number));
      }
    }
    if (logreg) {
      // scanpy stores neither p-values nor fold changes for logreg
      scores.set(logreg.get(i) as Float64Array);
      pv.fill(Number.NaN);
      lfc.fill(Number.NaN);
    }
    const adj = logreg ? pv : corrMethod === "benjamini-hochberg" ? benjaminiHochberg(pv) : pv.map((p) => Math.min(1, p * g));
    const key = rankbyAbs ? scores.map(Math.abs) : scores;
    const order = Int32Array.from({ length: g }, (_, j) => j)
      .sort((a, b) => (key[b] as number) - (key[a] as number) || a - b)
      .subarray(0, nTop);
    const pick = (a: Float64Array) => Float64Array.from(order, (j) => a[j] as number);
    result.indices[c] = Int32Array.from(order);
    result.names[c] = Array.from(order, (j) => varNames[j] as string);
    result.scores[c] = pick(scores);
    result.pvals[c] = pick(pv);
    result.pvalsAdj[c] = pick(adj);
    result.logfoldchanges[c] = pick(lfc);
    result.pts[c] = pick(pts);
    result.ptsRest[c] = pick(ptsRest);
    progress.tick();
  });
  progress.finish();
  return result;
}

/**
 * Tested group `i` against the rest (`iref` < 0) or the reference group, gene by gene: the fraction of cells
 * expressing in each, scanpy's log2 fold change and, when `withTest`, Welch's t and its two-sided p-value (NaN t
 * → 0, NaN p → 1; `t-test_overestim_var` uses the group's size for the other side's n).
 */
function compareGroup(
  st: ReturnType<typeof groupStats>,
  i: number,
  iref: number,
  n: number,
  g: number,
  method: RankGenesMethod,
  expm1: (v: number) => number,
  withTest: boolean,
) {
  const { count, mean, sum, ss, nnz, k } = st;
  const total = (arr: Float64Array, j: number, skip: number) => {
    let s = 0;
    for (let q = 0; q < k; q++) if (q !== skip) s += arr[q * g + j] as number;
    return s;
  };
  const n1 = count[i] as number;
  const scores = new Float64Array(g);
  const pv = new Float64Array(g);
  const lfc = new Float64Array(g);
  const pts = new Float64Array(g);
  const ptsRest = new Float64Array(g);
  for (let j = 0; j < g; j++) {
    const m1 = mean[i * g + j] as number;
    const v1 = n1 > 1 ? (ss[i * g + j] as number) / (n1 - 1) : Number.NaN;
    let m2: number;
    let v2: number;
    let n2: number;
    let nz2: number;
    if (iref >= 0) {
      n2 = count[iref] as number;
      m2 = mean[iref * g + j] as number;
      v2 = n2 > 1 ? (ss[iref * g + j] as number) / (n2 - 1) : Number.NaN;
      nz2 = nnz[iref * g + j] as number;
    } else {
      n2 = n - n1;
      const s2 = total(sum, j, i);
      m2 = n2 > 0 ? s2 / n2 : 0;
      // pooled sum of squares of the rest about its mean (parallel-axis theorem, no cancellation)
      let ssr = 0;
      for (let q = 0; q < k; q++) {
        if (q === i) continue;
        const cq = count[q] as number;
        if (cq === 0) continue;
        const dm = (mean[q * g + j] as number) - m2;
        ssr += (ss[q * g + j] as number) + cq * dm * dm;
      }
      v2 = n2 > 1 ? ssr / (n2 - 1) : Number.NaN;
      nz2 = total(nnz, j, i);
    }
    pts[j] = n1 > 0 ? (nnz[i * g + j] as number) / n1 : Number.NaN;
    ptsRest[j] = n2 > 0 ? nz2 / n2 : Number.NaN;
    lfc[j] = Math.log2((expm1(m1) + 1e-9) / (expm1(m2) + 1e-9));
    if (!withTest) continue;
    const nRest = method === "t-test" ? n2 : n1;
    const vn1 = v1 / n1;
    const vn2 = v2 / nRest;
    const denom = Math.sqrt(vn1 + vn2);
    let df = ((vn1 + vn2) * (vn1 + vn2)) / ((vn1 * vn1) / (n1 - 1) + (vn2 * vn2) / (nRest - 1));
    if (Number.isNaN(df)) df = 1;
    const t = (m1 - m2) / denom;
    const p = studentTTwoSided(t, df);
    scores[j] = Number.isNaN(t) ? 0 : t;
    pv[j] = Number.isNaN(p) ? 1 : p;
  }
  return { scores, pv, lfc, pts, ptsRest };
}

/**
 * scanpy's `logreg`: one logistic regression over the cells of the tested groups (and the reference when one is
 * named), labelled by their position among those groups in category order. With more than two groups each group's
 * score is its multinomial coefficient row; with two, scanpy reports only the first group, scored with
 * scikit-learn's single coefficient row, which belongs to the second group (a scanpy quirk we keep so that
 * rankings match). Returns scores by category index.
 */
function logregScores(
  X: Matrix,
  codes: Int32Array,
  categories: string[],
  wanted: string[],
  iref: number,
  options: RankGenesGroupsOptions,
): Map<number, Float64Array> {
  const order = categories.flatMap((c, i) => (wanted.includes(c) || i === iref ? [i] : []));
  if (order.length < 2)
    throw new HypedError("INVALID_ARGUMENT", "cannot perform logistic regression on a single group", { groups: wanted });
  const pos = new Map(order.map((c, k) => [c, k]));
  const y = Int32Array.from(codes, (c) => pos.get(c) ?? -1);
  const fit = logisticRegression(X, y, order.length, { C: options.logregC, signal: options.signal });
  const g = shapeOf(X)[1];
  const out = new Map<number, Float64Array>();
  if (order.length === 2) out.set(order[0] as number, fit.coef.slice(0, g));
  else
    order.forEach((c, k) => {
      out.set(c, fit.coef.slice(k * g, (k + 1) * g));
    });
  return out;
}

/** Options of {@link rankGenesGroups} (the AnnData wrapper). */
export interface RankGenesGroupsAnnDataOptions extends RankGenesGroupsOptions {
  /** Layer to test instead of X (cannot be combined with `useRaw: true`). */
  layer?: string;
  /** Key in `uns` for the result. Default `"rank_genes_groups"`. */
  keyAdded?: string;
  /**
   * Test `adata.raw` (its X and var names) instead of X. Default: `true` when `adata.raw` exists and no `layer`
   * is given, as scanpy's `use_raw=None`.
   */
  useRaw?: boolean;
  /**
   * Genes to test, as scanpy's `mask_var`: a boolean var column name or a 0/1 mask (over raw's genes when `.raw` is
   * used). Default `null`: every gene (scanpy's default; unlike `pca`, no automatic `highly_variable`).
   */
  maskVar?: string | ArrayLike<number | boolean> | null;
  /**
   * `"float32"` rounds the stored `scores` and `logfoldchanges` to float32 as scanpy stores them (p-values stay
   * float64, as scanpy's). Ranking uses the float64 scores either way. Default `"float64"`.
   */
  dtype?: "float64" | "float32";
}

/**
 * {@link rankGenesGroupsMatrix} on an AnnData grouped by the obs column `groupby` (categorical or string);
 * stores the result in `adata.uns[keyAdded]` (default `"rank_genes_groups"`) and returns it. Tests `adata.raw`
 * when it exists (scanpy's `use_raw=None`), else X or `layer`. The log base for fold changes is read from
 * `uns.log1p.base`.
 */
export function rankGenesGroups(adata: AnnData, groupby: string, options: RankGenesGroupsAnnDataOptions = {}): RankGenesGroupsResult {
  const col = adata.obs.column(groupby);
  if (!col) throw new HypedError("NOT_FOUND", `no obs column '${groupby}'`, { groupby });
  const labels: GroupLabels =
    col.kind === "categorical"
      ? { codes: col.codes, categories: col.categories }
      : Array.from(adata.obs.get(groupby).values(), (v) => (v === null ? null : String(v)));
  const src = rawOrX(adata, options.useRaw, options.layer);
  let X = src.X;
  let varNames = src.varNames;
  const mask = options.maskVar == null ? null : resolveMaskVar(src.raw ? rawView(adata) : adata, options.maskVar);
  if (mask) {
    X = subsetColumns(X, mask);
    varNames = Array.from(mask, (j) => varNames[j] as string);
  }
  const r = rankGenesGroupsMatrix(X, labels, varNames, {
    ...options,
    groupby,
    logBase: options.logBase ?? log1pBase(adata),
  });
  if (mask) for (const grp of r.groups) r.indices[grp] = Int32Array.from(r.indices[grp] as Int32Array, (q) => mask[q] as number);
  if (options.dtype === "float32") {
    for (const grp of r.groups) {
      r.scores[grp] = (r.scores[grp] as Float64Array).map(Math.fround);
      r.logfoldchanges[grp] = (r.logfoldchanges[grp] as Float64Array).map(Math.fround);
    }
  } else if (options.dtype !== undefined && options.dtype !== "float64")
    throw new HypedError("INVALID_ARGUMENT", `dtype must be 'float32' or 'float64', got '${String(options.dtype)}'`, {});
  adata.uns[options.keyAdded ?? "rank_genes_groups"] = r;
  return r;
}

/** An AnnData view of `adata.raw` (its X and var) for resolving a var mask. */
function rawView(adata: AnnData): AnnData {
  return new AnnData({ X: adata.raw?.X ?? null, obs: adata.obs, var: adata.raw?.var });
}

/** The columns `cols` of a matrix (via an AnnData, which subsets every layout). */
function subsetColumns(X: Matrix, cols: Int32Array): Matrix {
  return new AnnData({ X }).varSubset(cols).X as Matrix;
}

/** One tidy row per (group, gene) of a DE result, like scanpy's `get.rank_genes_groups_df`. */
export interface RankGenesRow {
  group: string;
  rank: number;
  names: string;
  scores: number;
  logfoldchanges: number;
  pvals: number;
  pvals_adj: number;
  pct_nz_group: number;
  pct_nz_reference: number;
}

/** Tidy rows of a {@link RankGenesGroupsResult}, optionally for one group and the top `n` genes. */
export function rankGenesGroupsRows(result: RankGenesGroupsResult, options: { group?: string; n?: number } = {}): RankGenesRow[] {
  const groups = options.group ? [options.group] : result.groups;
  const rows: RankGenesRow[] = [];
  for (const grp of groups) {
    const names = result.names[grp];
    if (!names) throw new HypedError("NOT_FOUND", `group '${grp}' was not tested (have: ${result.groups.join(", ")})`, { group: grp });
    const n = Math.min(options.n ?? names.length, names.length);
    for (let r = 0; r < n; r++) {
      rows.push({
        group: grp,
        rank: r,
        names: names[r] as string,
        scores: result.scores[grp]![r] as number,
        logfoldchanges: result.logfoldchanges[grp]![r] as number,
        pvals: result.pvals[grp]![r] as number,
        pvals_adj: result.pvalsAdj[grp]![r] as number,
        pct_nz_group: result.pts[grp]![r] as number,
        pct_nz_reference: result.ptsRest[grp]![r] as number,
      });
    }
  }
  return rows;
}

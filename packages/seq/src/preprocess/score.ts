/**
 * Gene-set scores, as scanpy's `tl.score_genes` and `tl.score_genes_cell_cycle` (Tirosh et al. 2016; Satija et
 * al. 2015): the mean expression of a gene set minus the mean of control genes drawn from the same expression
 * bins.
 */
import { HypedError, isSparse, Random } from "@hyped/core";
import type { AnnData, Matrix } from "../anndata/index.js";
import { rawOrX, setNumeric } from "./adata.js";
import { asCsr, denseValues, numbers, shapeOf } from "./matrix.js";

/** Options of {@link scoreGenes}. Names and defaults are scanpy's. */
export interface ScoreGenesOptions {
  /** Allow genes of the list to be drawn as controls before they are removed again. Default true (scanpy < 2.0). */
  ctrlAsRef?: boolean;
  /** Control genes drawn from each expression bin. Default 50. */
  ctrlSize?: number;
  /** Genes controls are drawn from. Default every gene. */
  genePool?: readonly string[] | null;
  /** Number of expression bins. Default 25. */
  nBins?: number;
  /** obs column for the score. Default `"score"`. */
  scoreName?: string;
  /**
   * Seed of the control-gene sampling. Default 0. scanpy seeds numpy's global generator with it; ours is a
   * seeded mulberry32 stream, so when a bin has more than `ctrlSize` genes the chosen controls differ from
   * scanpy's (the rule, bins and sizes are the same). Bins with at most `ctrlSize` genes are taken whole, exactly.
   */
  randomState?: number;
  /** Use `adata.raw`. Default: when `.raw` exists and no `layer` is given (scanpy's `use_raw=None`). */
  useRaw?: boolean;
  /** Layer instead of X. */
  layer?: string;
}

/** Result of {@link scoreGenes}. */
export interface ScoreGenesResult {
  /** The score of each cell (also written to `obs[scoreName]`). */
  score: Float64Array;
  /** The genes of the list that were scored (present in var). */
  genes: string[];
  /** Genes of the list not found in var (ignored, as scanpy warns). */
  ignored: string[];
  /** The control genes used. */
  controlGenes: string[];
}

/** Column means ignoring NaN (scanpy's `_nan_means(axis=0)`); NaN when a column is all NaN. */
function colNanMeans(X: Matrix): Float64Array {
  const [n, d] = shapeOf(X);
  const sum = new Float64Array(d);
  const cnt = new Float64Array(d).fill(n);
  const add = (j: number, v: number) => {
    if (Number.isNaN(v)) cnt[j]! -= 1;
    else sum[j]! += v;
  };
  if (isSparse(X)) {
    const data = numbers(X.data);
    if (X.format === "csr") for (let p = 0; p < data.length; p++) add(X.indices[p] as number, data[p] as number);
    else for (let j = 0; j < d; j++) for (let p = Number(X.indptr[j]); p < Number(X.indptr[j + 1]); p++) add(j, data[p] as number);
  } else {
    const v = denseValues(X);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) add(j, v[i * d + j] as number);
  }
  return sum.map((s, j) => (cnt[j] === 0 ? Number.NaN : s / (cnt[j] as number)));
}

/** Row means over the columns `cols`, ignoring NaN (scanpy's `_nan_means(X[:, cols], axis=1)`). */
function rowNanMeans(X: Matrix, cols: Int32Array): Float64Array {
  const [n, d] = shapeOf(X);
  const out = new Float64Array(n);
  const weight = new Float64Array(d);
  for (const j of cols) weight[j]! += 1; // a gene listed twice counts twice, as X[:, idx] repeats it
  const k = cols.length;
  if (isSparse(X)) {
    const m = asCsr(X);
    const data = numbers(m.data);
    for (let i = 0; i < n; i++) {
      let s = 0;
      let c = k;
      for (let p = Number(m.indptr[i]); p < Number(m.indptr[i + 1]); p++) {
        const w = weight[m.indices[p] as number] as number;
        if (w === 0) continue;
        const v = data[p] as number;
        if (Number.isNaN(v)) c -= w;
        else s += w * v;
      }
      out[i] = c === 0 ? Number.NaN : s / c;
    }
    return out;
  }
  const v = denseValues(X);
  for (let i = 0; i < n; i++) {
    let s = 0;
    let c = k;
    for (const j of cols) {
      const x = v[i * d + j] as number;
      if (Number.isNaN(x)) c--;
      else s += x;
    }
    out[i] = c === 0 ? Number.NaN : s / c;
  }
  return out;
}

/** Options of {@link scoreGenesControls}. */
export interface ScoreControlsOptions {
  ctrlAsRef?: boolean;
  ctrlSize?: number;
  nBins?: number;
  /** Seed of the sampling. Default 0. */
  seed?: number;
}

/**
 * The control genes of scanpy's `_score_genes_bins`, from the mean expression of each gene of the pool.
 *
 * Genes with a non-finite mean are dropped; with `m` genes left, `nItems = round(m / (nBins − 1))` (half to
 * even, as numpy) and each gene's bin is `floor(rank_min / nItems)`, where `rank_min` is its 1-based rank with
 * ties given the lowest rank (pandas `rank(method="min")`). For each bin holding a gene of the list (in
 * ascending order), the candidates are that bin's genes (without the list's genes when `ctrlAsRef` is false);
 * when there are more than `ctrlSize`, `ctrlSize` of them are drawn without replacement; the list's genes are then
 * removed. Returns pool positions (sorted) and each pool gene's bin (NaN for dropped genes).
 */
export function scoreGenesControls(
  poolMeans: ArrayLike<number>,
  isListed: ArrayLike<number | boolean>,
  options: ScoreControlsOptions = {},
): { controls: Int32Array; bins: Float64Array } {
  const { ctrlAsRef = true, ctrlSize = 50, nBins = 25, seed = 0 } = options;
  if (!(Number.isInteger(nBins) && nBins >= 2))
    throw new HypedError("INVALID_ARGUMENT", `nBins must be an integer ≥ 2, got ${nBins}`, { nBins });
  if (!(Number.isInteger(ctrlSize) && ctrlSize >= 0))
    throw new HypedError("INVALID_ARGUMENT", `ctrlSize must be a non-negative integer, got ${ctrlSize}`, { ctrlSize });
  const m = poolMeans.length;
  const finite: number[] = [];
  for (let q = 0; q < m; q++) if (Number.isFinite(poolMeans[q] as number)) finite.push(q);
  const ratio = finite.length / (nBins - 1);
  const nItems = roundHalfEven(ratio);
  if (nItems < 1)
    throw new HypedError("INVALID_ARGUMENT", `${finite.length} pool genes are too few for ${nBins} bins (scanpy divides by zero)`, {
      nPool: finite.length,
      nBins,
    });
  // rank with ties at their minimum (1-based)
  const order = finite.slice().sort((a, b) => (poolMeans[a] as number) - (poolMeans[b] as number) || a - b);
  const bins = new Float64Array(m).fill(Number.NaN);
  for (let r = 0; r < order.length; ) {
    let e = r;
    while (e + 1 < order.length && poolMeans[order[e + 1] as number] === poolMeans[order[r] as number]) e++;
    for (let t = r; t <= e; t++) bins[order[t] as number] = Math.floor((r + 1) / nItems);
    r = e + 1;
  }
  const wanted = [...new Set(finite.filter((q) => isListed[q]).map((q) => bins[q] as number))].sort((a, b) => a - b);
  const rng = Random.mulberry32(seed);
  const chosen = new Set<number>();
  for (const b of wanted) {
    const cand = finite.filter((q) => bins[q] === b && (ctrlAsRef || !isListed[q]));
    if (ctrlSize < cand.length) {
      // partial Fisher–Yates: the first ctrlSize entries are a uniform sample without replacement
      for (let t = 0; t < ctrlSize; t++) {
        const u = t + rng.int(cand.length - t);
        [cand[t], cand[u]] = [cand[u] as number, cand[t] as number];
      }
      cand.length = ctrlSize;
    }
    for (const q of cand) if (!isListed[q]) chosen.add(q);
  }
  return { controls: Int32Array.from([...chosen].sort((a, b) => a - b)), bins };
}

/** numpy's `round` (half to even). */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Score a gene set per cell (scanpy's `tl.score_genes`): mean expression of the listed genes (those present in
 * var; the rest are ignored) minus the mean of the control genes from {@link scoreGenesControls}. Writes
 * `obs[scoreName]` (float64) and returns the score with the genes used. Expects log-normalised data, as scanpy.
 * `INVALID_ARGUMENT` when no listed gene is present or no control gene is found (scanpy raises too).
 */
export function scoreGenes(adata: AnnData, geneList: readonly string[], options: ScoreGenesOptions = {}): ScoreGenesResult {
  const { scoreName = "score" } = options;
  const { X, varNames } = rawOrX(adata, options.useRaw, options.layer);
  const at = new Map<string, number>();
  varNames.forEach((g, j) => {
    if (!at.has(g)) at.set(g, j);
  });
  const genes = [...new Set(geneList)].filter((g) => at.has(g));
  const ignored = [...new Set(geneList)].filter((g) => !at.has(g));
  if (genes.length === 0)
    throw new HypedError("INVALID_ARGUMENT", "no gene of the list is in var_names", { ignored: ignored.slice(0, 10) });
  const pool =
    options.genePool == null
      ? varNames.map((_, j) => j)
      : [...new Set(options.genePool)].flatMap((g) => (at.has(g) ? [at.get(g) as number] : []));
  if (pool.length === 0) throw new HypedError("INVALID_ARGUMENT", "no gene of genePool is in var_names", {});
  const listed = new Set(genes.map((g) => at.get(g) as number));
  const means = colNanMeans(X);
  const { controls } = scoreGenesControls(
    pool.map((j) => means[j] as number),
    pool.map((j) => listed.has(j)),
    { ctrlAsRef: options.ctrlAsRef, ctrlSize: options.ctrlSize, nBins: options.nBins, seed: options.randomState },
  );
  if (controls.length === 0)
    throw new HypedError(
      "INVALID_ARGUMENT",
      `no control genes found in any bin${(options.ctrlAsRef ?? true) ? "" : " (try ctrlAsRef: true)"}`,
      {},
    );
  const ctrlCols = Int32Array.from(controls, (q) => pool[q] as number);
  const a = rowNanMeans(
    X,
    Int32Array.from(genes, (g) => at.get(g) as number),
  );
  const b = rowNanMeans(X, ctrlCols);
  const score = a.map((v, i) => v - (b[i] as number));
  setNumeric(adata.obs, scoreName, score);
  return { score, genes, ignored, controlGenes: Array.from(ctrlCols, (j) => varNames[j] as string) };
}

/** Options of {@link scoreGenesCellCycle}: those of {@link scoreGenes} but `ctrlSize` and `scoreName`. */
export interface ScoreCellCycleOptions extends Omit<ScoreGenesOptions, "ctrlSize" | "scoreName"> {
  /** Genes of the S phase. Required. */
  sGenes: readonly string[];
  /** Genes of G2/M. Required. */
  g2mGenes: readonly string[];
}

/** Result of {@link scoreGenesCellCycle}. */
export interface CellCycleScores {
  sScore: Float64Array;
  g2mScore: Float64Array;
  /** `"G1"`, `"S"` or `"G2M"` per cell. */
  phase: Array<"G1" | "S" | "G2M">;
}

/**
 * Cell-cycle scores and phases (scanpy's `tl.score_genes_cell_cycle`): {@link scoreGenes} for the S and the
 * G2M genes with `ctrlSize = min(len(sGenes), len(g2mGenes))` (the lists as given, missing genes included), each
 * seeded with `randomState`; the phase is G2M when `G2M_score > S_score`, else S, and G1 when both are negative.
 * Writes obs `S_score`, `G2M_score` and `phase` (strings, as scanpy's object column).
 */
export function scoreGenesCellCycle(adata: AnnData, options: ScoreCellCycleOptions): CellCycleScores {
  const { sGenes, g2mGenes, ...rest } = options;
  if (!sGenes?.length || !g2mGenes?.length) throw new HypedError("INVALID_ARGUMENT", "sGenes and g2mGenes must both be non-empty", {});
  const ctrlSize = Math.min(sGenes.length, g2mGenes.length);
  const s = scoreGenes(adata, sGenes, { ...rest, ctrlSize, scoreName: "S_score" }).score;
  const g = scoreGenes(adata, g2mGenes, { ...rest, ctrlSize, scoreName: "G2M_score" }).score;
  const phase = Array.from(s, (sv, i) => {
    const gv = g[i] as number;
    if (sv < 0 && gv < 0) return "G1" as const;
    return gv > sv ? ("G2M" as const) : ("S" as const);
  });
  adata.obs.set("phase", { kind: "string", values: phase.slice() });
  return { sScore: s, g2mScore: g, phase };
}

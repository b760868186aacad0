/**
 * Cell-hashing (HTO) demultiplexing, following Seurat's `HTODemux`.
 */
import { type DenseMatrix, HypedError, isSparse, sparseToDense } from "@hyped/core";
import { type AnnData, categoricalFrom, type Matrix } from "../anndata/index.js";
import { fitGmm2, gmmPosteriorHigh, kmeans } from "./cluster.js";
import { fitNegBinomial, logNegBinomialPmf, type NegBinomialFit, negBinomialQuantile } from "./nbinom.js";

/** Hashtag counts: a cells × hashtags matrix (dense or sparse), or one row of counts per cell. */
export type HashtagCounts = Matrix | ArrayLike<number>[];

/** Options of {@link demultiplexHashtags}. */
export interface DemuxOptions {
  /**
   * `"clr-kmeans"` (default): Seurat's HTODemux — CLR, k-means with k = hashtags + 1, per hashtag a negative
   * binomial fitted to the cells of the cluster with the lowest average, positive above its `positiveQuantile`.
   * `"gmm"`: per hashtag a two-component Gaussian mixture on the CLR values; positive when the posterior of the
   * high component is ≥ 0.5.
   */
  method?: "clr-kmeans" | "gmm";
  /** Hashtag names, in column order. Default `HTO1`, `HTO2`, … */
  hashtags?: string[];
  /**
   * Quantile(s) of the background negative binomial used as cutoff. A number is Seurat's `positive.quantile`
   * (Seurat's default is 0.99: pass `0.99` for classic HTODemux). A list is a `positive.quantile.range`: for each
   * hashtag the cutoff is picked from these quantiles so that the number of singlets is largest (the
   * "maximum singlet recovery" variant of HTODemux found in community demultiplexing wrappers; ties go to the
   * first combination with the first hashtag varying fastest, as R's `expand.grid` + `which.max`). Default
   * `[0.99, 0.995, 0.999, 0.9995, 0.9999]`: at a single 0.99 about (hashtags − 1) × 1 % of true singlets
   * are called doublets by construction.
   */
  positiveQuantile?: number | readonly number[];
  /** Number of k-means clusters. Default hashtags + 1 (Seurat's `init`). */
  nClusters?: number;
  /** k-means restarts (seeded). Default 10. */
  nStart?: number;
  /** Seed of the k-means starts. Default 1. */
  seed?: number;
  /** CLR direction: `"hashtag"` (default; Seurat's `NormalizeData(margin = 1)`, each hashtag across cells) or `"cell"`. */
  clrMargin?: "hashtag" | "cell";
}

/** Global class of a cell. */
export type HashtagClass = "Singlet" | "Doublet" | "Negative";

/** Result of {@link demultiplexHashtags}: column arrays, one entry per cell (see {@link demuxRows}). */
export interface DemuxResult {
  method: "clr-kmeans" | "gmm";
  hashtags: string[];
  /** The hashtag of a singlet (the hashtag with the highest CLR value, as Seurat's `hash.ID`), or `"Doublet"` / `"Negative"`. */
  assignment: string[];
  /** Singlet / Doublet / Negative (`HTO_classification.global`). */
  classification: HashtagClass[];
  /** Hashtag with the highest and second-highest CLR value (`HTO_maxID`, `HTO_secondID`). */
  maxId: Int32Array;
  secondId: Int32Array;
  /** CLR(first) − CLR(second) (`HTO_margin`), natural-log units. */
  margin: Float64Array;
  /**
   * Probability that the cell's positive/negative pattern is right: the product over hashtags of the posterior of
   * the state it was called in. For `clr-kmeans` the posterior compares the fitted background negative binomial with
   * a negative binomial fitted to the cells above the cutoff (prior = fraction above); for `gmm` it is the mixture
   * posterior. In [0, 1].
   */
  confidence: Float64Array;
  /** Number of positive hashtags per cell. */
  nPositive: Int32Array;
  /** cells × hashtags positive calls (1 = positive), row-major. */
  positive: Uint8Array;
  /** Per hashtag cutoff: raw counts for `clr-kmeans` (positive when count > cutoff), CLR units for `gmm` (posterior 0.5). */
  cutoffs: Float64Array;
  /** Per hashtag background negative-binomial fit (`clr-kmeans` only). */
  background?: NegBinomialFit[];
  /** CLR-normalised counts, cells × hashtags, row-major. */
  clr: Float64Array;
}

/** Default quantile range of {@link DemuxOptions.positiveQuantile}. */
export const DEFAULT_QUANTILE_RANGE: readonly number[] = [0.99, 0.995, 0.999, 0.9995, 0.9999];

/**
 * Pick one cutoff per hashtag from its candidates to maximise the number of cells with exactly one count above
 * its cutoff. Exhaustive (first hashtag varying fastest) unless grid size × distinct count patterns exceeds 2·10⁸,
 * then coordinate ascent from the first candidates.
 */
function chooseCutoffs(x: Float64Array, n: number, h: number, candidates: number[][]): number[] {
  const sizes = candidates.map((c) => c.length);
  // Each cell only matters through, per hashtag, the set of candidate cutoffs its count exceeds (a bit mask);
  // cells with equal masks are counted together, so the search costs grid size × distinct patterns.
  if (sizes.some((z) => z > 30)) throw new HypedError("INVALID_ARGUMENT", "at most 30 candidate quantiles per hashtag", {});
  const tuples = new Map<string, { lv: Int32Array; count: number }>();
  const lv = new Int32Array(h);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < h; j++) {
      const c = candidates[j] as number[];
      const v = x[i * h + j] as number;
      let mask = 0;
      for (let k = 0; k < c.length; k++) if (v > (c[k] as number)) mask |= 1 << k;
      lv[j] = mask;
    }
    const key = lv.join(",");
    const t = tuples.get(key);
    if (t) t.count++;
    else tuples.set(key, { lv: Int32Array.from(lv), count: 1 });
  }
  const groups = [...tuples.values()];
  const singlets = (idx: number[]) => {
    let s = 0;
    for (const g of groups) {
      let np = 0;
      for (let j = 0; j < h && np < 2; j++) if (((g.lv[j] as number) >> (idx[j] as number)) & 1) np++;
      if (np === 1) s += g.count;
    }
    return s;
  };
  const total = sizes.reduce((a, b) => a * b, 1);
  const pick = (idx: number[]) => idx.map((k, j) => (candidates[j] as number[])[k] as number);
  if (total * groups.length <= 2e8) {
    const idx = new Array(h).fill(0);
    let best = -1;
    let bestIdx = idx.slice();
    for (let c = 0; c < total; c++) {
      const s = singlets(idx);
      if (s > best) {
        best = s;
        bestIdx = idx.slice();
      }
      for (let j = 0; j < h; j++) {
        idx[j]++;
        if (idx[j] < (sizes[j] as number)) break;
        idx[j] = 0;
      }
    }
    return pick(bestIdx);
  }
  const idx = new Array(h).fill(0);
  let best = singlets(idx);
  for (let changed = true; changed; ) {
    changed = false;
    for (let j = 0; j < h; j++) {
      for (let k = 0; k < (sizes[j] as number); k++) {
        const trial = idx.slice();
        trial[j] = k;
        const s = singlets(trial);
        if (s > best) {
          best = s;
          idx[j] = k;
          changed = true;
        }
      }
    }
  }
  return pick(idx);
}

/** Dense row-major float64 copy of the counts, with their shape. */
function toRowMajor(counts: HashtagCounts): { x: Float64Array; n: number; h: number } {
  if (Array.isArray(counts)) {
    const n = counts.length;
    const h = n ? (counts[0] as ArrayLike<number>).length : 0;
    const x = new Float64Array(n * h);
    counts.forEach((row, i) => {
      if (row.length !== h) throw new HypedError("SHAPE_MISMATCH", `row ${i} has ${row.length} hashtags, row 0 has ${h}`, { row: i });
      for (let j = 0; j < h; j++) x[i * h + j] = Number(row[j]);
    });
    return { x, n, h };
  }
  const m = counts as Matrix;
  const d = (isSparse(m) ? sparseToDense(m) : m) as DenseMatrix;
  const [n, h] = [d.shape[0] as number, d.shape[1] as number];
  const x = new Float64Array(n * h);
  for (let i = 0; i < n; i++) for (let j = 0; j < h; j++) x[i * h + j] = Number(d.get(i, j));
  return { x, n, h };
}

/**
 * Seurat's CLR: for each vector v (a hashtag across cells, or a cell across hashtags),
 * `log1p(v / exp(Σ_{v>0} log1p(v) / length(v)))` — the sum runs over positive entries but divides by the full length.
 */
export function clrNormalize(x: Float64Array, n: number, h: number, margin: "hashtag" | "cell" = "hashtag"): Float64Array {
  const out = new Float64Array(n * h);
  const outer = margin === "hashtag" ? h : n;
  const inner = margin === "hashtag" ? n : h;
  const at = (o: number, k: number) => (margin === "hashtag" ? k * h + o : o * h + k);
  for (let o = 0; o < outer; o++) {
    let s = 0;
    for (let k = 0; k < inner; k++) {
      const v = x[at(o, k)] as number;
      if (v > 0) s += Math.log1p(v);
    }
    const g = Math.exp(s / inner);
    for (let k = 0; k < inner; k++) out[at(o, k)] = Math.log1p((x[at(o, k)] as number) / g);
  }
  return out;
}

/**
 * Demultiplex cell hashing: assign each cell a hashtag, or call it a Doublet or Negative.
 * The default method follows Seurat's `HTODemux` (CLR → clustering → per-hashtag negative-binomial cutoff at the
 * 0.99 quantile of the background cluster); singlets take the hashtag of highest CLR (`hash.maxID`), as Seurat does.
 * The background cluster of a hashtag is the one with the lowest mean of `expm1(CLR)` (Seurat's `AverageExpression`);
 * if every one of its cells has zero counts, the next-lowest clusters are added until some are non-zero.
 */
export function demultiplexHashtags(counts: HashtagCounts, options: DemuxOptions = {}): DemuxResult {
  const { method = "clr-kmeans", positiveQuantile = DEFAULT_QUANTILE_RANGE, clrMargin = "hashtag" } = options;
  const { x, n, h } = toRowMajor(counts);
  if (h < 2) throw new HypedError("INVALID_ARGUMENT", `demultiplexing needs at least 2 hashtags, got ${h}`, { hashtags: h });
  if (n < h + 1) throw new HypedError("INVALID_ARGUMENT", `too few cells (${n}) for ${h} hashtags`, { cells: n });
  for (let k = 0; k < x.length; k++) {
    if (!((x[k] as number) >= 0))
      throw new HypedError("INVALID_ARGUMENT", `hashtag counts must be non-negative numbers (cell ${Math.floor(k / h)})`, {});
  }
  const hashtags = options.hashtags ?? Array.from({ length: h }, (_, j) => `HTO${j + 1}`);
  if (hashtags.length !== h) throw new HypedError("SHAPE_MISMATCH", `${hashtags.length} hashtag names for ${h} columns`, {});
  const quantiles = typeof positiveQuantile === "number" ? [positiveQuantile] : [...positiveQuantile];
  if (!quantiles.length || !quantiles.every((q) => q > 0 && q < 1)) {
    throw new HypedError("INVALID_ARGUMENT", "positiveQuantile must be in (0, 1) (or a non-empty list of such)", { positiveQuantile });
  }
  const clr = clrNormalize(x, n, h, clrMargin);

  const positive = new Uint8Array(n * h);
  const post = new Float64Array(n * h); // P(positive) per cell and hashtag
  const cutoffs = new Float64Array(h);
  let background: NegBinomialFit[] | undefined;

  if (method === "clr-kmeans") background = clrKmeansCalls(x, clr, n, h, quantiles, options, { positive, post, cutoffs });
  else if (method === "gmm") gmmCalls(clr, n, h, { positive, post, cutoffs });
  else throw new HypedError("UNSUPPORTED", `demultiplexing method '${String(method)}' (use 'clr-kmeans' or 'gmm')`, { method });

  const calls = classifyCells(clr, post, positive, n, h, hashtags);
  return {
    method,
    hashtags,
    ...calls,
    positive,
    cutoffs,
    background,
    clr,
  };
}

/** Per cell and hashtag: above the cutoff (`positive`), P(positive) (`post`); per hashtag its `cutoffs`. Filled by the callers. */
interface HashtagCalls {
  positive: Uint8Array;
  post: Float64Array;
  cutoffs: Float64Array;
}

/**
 * The `clr-kmeans` calls (Seurat's `HTODemux`): k-means on the CLR, a negative binomial fitted to each hashtag's
 * background clusters, the cutoff chosen among its quantiles, and the posterior against a NB fitted to the cells
 * above it. Returns the background fits.
 */
function clrKmeansCalls(
  x: Float64Array,
  clr: Float64Array,
  n: number,
  h: number,
  quantiles: number[],
  options: DemuxOptions,
  { positive, post, cutoffs }: HashtagCalls,
): NegBinomialFit[] {
  const { nStart = 10, seed = 1 } = options;
  const k = options.nClusters ?? h + 1;
  const km = kmeans(clr, n, h, k, { nStart, seed });
  const background: NegBinomialFit[] = [];
  const candidates: number[][] = [];
  for (let j = 0; j < h; j++) {
    const avg = new Float64Array(k);
    const cnt = new Float64Array(k);
    const raw = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      const c = km.labels[i] as number;
      avg[c] = (avg[c] as number) + Math.expm1(clr[i * h + j] as number);
      raw[c] = (raw[c] as number) + (x[i * h + j] as number);
      cnt[c] = (cnt[c] as number) + 1;
    }
    const order = Array.from({ length: k }, (_, c) => c)
      .filter((c) => (cnt[c] as number) > 0)
      .sort((a, b) => (avg[a] as number) / (cnt[a] as number) - (avg[b] as number) / (cnt[b] as number));
    const bg = new Set<number>();
    for (const c of order) {
      bg.add(c);
      if ((raw[c] as number) > 0) break;
    }
    const values: number[] = [];
    for (let i = 0; i < n; i++) if (bg.has(km.labels[i] as number)) values.push(x[i * h + j] as number);
    const fit = fitNegBinomial(values);
    background.push(fit);
    candidates.push(quantiles.map((q) => negBinomialQuantile(q, fit)));
  }
  const chosen = chooseCutoffs(x, n, h, candidates);
  for (let j = 0; j < h; j++) {
    const fit = background[j] as NegBinomialFit;
    const cutoff = chosen[j] as number;
    cutoffs[j] = cutoff;
    const fg: number[] = [];
    for (let i = 0; i < n; i++) {
      if ((x[i * h + j] as number) > cutoff) {
        positive[i * h + j] = 1;
        fg.push(x[i * h + j] as number);
      }
    }
    // posterior of "positive" under background NB vs a NB fitted to the cells above the cutoff
    const prior = Math.min(1 - 1e-6, Math.max(1e-6, fg.length / n));
    const fgFit = fg.length >= 2 ? fitNegBinomial(fg) : null;
    for (let i = 0; i < n; i++) {
      const v = Math.round(x[i * h + j] as number);
      if (!fgFit) {
        post[i * h + j] = positive[i * h + j] ? 1 : 0;
        continue;
      }
      const l0 = Math.log(1 - prior) + logNegBinomialPmf(v, fit);
      const l1 = Math.log(prior) + logNegBinomialPmf(v, fgFit);
      post[i * h + j] =
        l1 === Number.NEGATIVE_INFINITY && l0 === Number.NEGATIVE_INFINITY ? (v > cutoff ? 1 : 0) : 1 / (1 + Math.exp(l0 - l1));
    }
  }
  return background;
}

/** The `gmm` calls: a two-component Gaussian mixture on each hashtag's CLR, cut where the posteriors are equal. */
function gmmCalls(clr: Float64Array, n: number, h: number, { positive, post, cutoffs }: HashtagCalls): void {
  const col = new Float64Array(n);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < n; i++) col[i] = clr[i * h + j] as number;
    const g = fitGmm2(col);
    let lo = g.mean[0];
    let hi = g.mean[1];
    for (let it = 0; it < 100; it++) {
      const mid = 0.5 * (lo + hi);
      if (gmmPosteriorHigh(g, mid) >= 0.5) hi = mid;
      else lo = mid;
    }
    cutoffs[j] = 0.5 * (lo + hi);
    for (let i = 0; i < n; i++) {
      const p = gmmPosteriorHigh(g, col[i] as number);
      post[i * h + j] = p;
      positive[i * h + j] = p >= 0.5 ? 1 : 0;
    }
  }
}

/** Per cell: the top two hashtags by CLR, their margin, the number of positive hashtags and the call they imply. */
function classifyCells(clr: Float64Array, post: Float64Array, positive: Uint8Array, n: number, h: number, hashtags: string[]) {
  const assignment = new Array<string>(n);
  const classification = new Array<HashtagClass>(n);
  const maxId = new Int32Array(n);
  const secondId = new Int32Array(n);
  const margin = new Float64Array(n);
  const confidence = new Float64Array(n);
  const nPositive = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let a = 0;
    let b = -1;
    for (let j = 1; j < h; j++) {
      const v = clr[i * h + j] as number;
      if (v > (clr[i * h + a] as number)) {
        b = a;
        a = j;
      } else if (b < 0 || v > (clr[i * h + b] as number)) b = j;
    }
    if (b < 0) b = a === 0 ? 1 : 0;
    maxId[i] = a;
    secondId[i] = b;
    margin[i] = (clr[i * h + a] as number) - (clr[i * h + b] as number);
    let np = 0;
    let conf = 1;
    for (let j = 0; j < h; j++) {
      const p = post[i * h + j] as number;
      if (positive[i * h + j]) {
        np++;
        conf *= p;
      } else conf *= 1 - p;
    }
    nPositive[i] = np;
    confidence[i] = conf;
    classification[i] = np === 0 ? "Negative" : np === 1 ? "Singlet" : "Doublet";
    assignment[i] = np === 1 ? (hashtags[a] as string) : (classification[i] as string);
  }
  return { assignment, classification, maxId, secondId, margin, confidence, nPositive };
}

/** One plain object per cell (for printing or CSV): `{ cell, assignment, classification, maxId, secondId, margin, confidence }`. */
export function demuxRows(r: DemuxResult, cellNames?: string[]): Record<string, string | number>[] {
  return r.assignment.map((a, i) => ({
    cell: cellNames?.[i] ?? i,
    assignment: a,
    classification: r.classification[i] as string,
    maxId: r.hashtags[r.maxId[i] as number] as string,
    secondId: r.hashtags[r.secondId[i] as number] as string,
    margin: r.margin[i] as number,
    confidence: r.confidence[i] as number,
  }));
}

/**
 * Map hashtags to conditions and write them to `adata.obs`: `assigned_condition` (categorical: the condition of a
 * singlet's hashtag, or `Doublet` / `Negative`), plus `hto_classification`, `hto_margin` and `hto_confidence`.
 * Every hashtag must be in `hashtagToCondition` (`NOT_FOUND` otherwise). Returns the AnnData for chaining.
 */
export function assignConditions(
  adata: AnnData,
  result: DemuxResult,
  hashtagToCondition: Record<string, string> | Map<string, string>,
  { column = "assigned_condition" } = {},
): AnnData {
  if (result.assignment.length !== adata.nObs) {
    throw new HypedError("SHAPE_MISMATCH", `demultiplexing has ${result.assignment.length} cells, the AnnData ${adata.nObs}`, {});
  }
  const map = hashtagToCondition instanceof Map ? hashtagToCondition : new Map(Object.entries(hashtagToCondition));
  for (const ht of result.hashtags)
    if (!map.has(ht)) throw new HypedError("NOT_FOUND", `no condition given for hashtag '${ht}'`, { hashtag: ht });
  const conds = result.assignment.map((a) => (a === "Doublet" || a === "Negative" ? a : (map.get(a) as string)));
  const cats = [...new Set([...[...map.values()].sort(), "Doublet", "Negative"])];
  adata.obs.set(column, categoricalFrom(conds, cats));
  adata.obs.set("hto_classification", categoricalFrom(result.classification, ["Singlet", "Doublet", "Negative"]));
  adata.obs.set("hto_margin", { kind: "numeric", values: result.margin });
  adata.obs.set("hto_confidence", { kind: "numeric", values: result.confidence });
  return adata;
}

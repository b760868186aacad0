/**
 * Highly variable genes of one batch, as scanpy's `pp.highly_variable_genes` (flavours `seurat`, `cell_ranger`,
 * `seurat_v3`, `seurat_v3_paper`); per batch in hvg-batch.ts, on an AnnData in hvg-adata.ts.
 */
import { HypedError, isSparse } from "@hyped/core";
import type { Matrix } from "../anndata/index.js";
import { loessFit } from "./loess.js";
import { colMeanVar, csrColMeanVarOnePass, denseValues, numbers, shapeOf } from "./matrix.js";
import { ScalarMemo } from "./memo.js";
import { median } from "./normalize.js";

/** HVG flavours. */
export type HvgFlavor = "seurat" | "cell_ranger" | "seurat_v3" | "seurat_v3_paper";

/** Options of {@link highlyVariableGenesMatrix} / {@link highlyVariableGenes}. */
export interface HvgOptions {
  /** Default `"seurat"` (expects log1p data); `cell_ranger` expects log data too; `seurat_v3` expects counts. */
  flavor?: HvgFlavor;
  /** Keep this many genes. Required for `seurat_v3`; when given for the other flavours the cutoffs are ignored. */
  nTopGenes?: number;
  /** Cutoffs (seurat / cell_ranger without `nTopGenes`): mean in (minMean, maxMean), normalised dispersion in (minDisp, maxDisp). Defaults 0.0125, 3, 0.5, ∞. */
  minMean?: number;
  maxMean?: number;
  minDisp?: number;
  maxDisp?: number;
  /** Number of mean bins for `seurat`. Default 20. */
  nBins?: number;
  /** LOESS span for `seurat_v3`. Default 0.3. */
  span?: number;
  /** LOESS evaluation for `seurat_v3`: `"interpolate"` (default; scikit-misc's default, so scanpy's numbers) or `"direct"`. */
  loessSurface?: "interpolate" | "direct";
  /** Log base of the data for `seurat` (scanpy reads `uns.log1p.base`); default natural log. */
  logBase?: number;
}

/** Per-gene HVG statistics. `seurat`/`cell_ranger` fill `dispersions*`; `seurat_v3` fills `variances*` and `highlyVariableRank`. */
export interface HvgResult {
  flavor: HvgFlavor;
  means: Float64Array;
  dispersions?: Float64Array;
  dispersionsNorm?: Float64Array;
  variances?: Float64Array;
  variancesNorm?: Float64Array;
  /** seurat_v3: rank by normalised variance (0 = most variable), NaN outside the top genes. */
  highlyVariableRank?: Float64Array;
  /** 1 for selected genes. */
  highlyVariable: Uint8Array;
}

/**
 * Highly variable genes on a cells × genes matrix (matches `scanpy.pp.highly_variable_genes`, 1.9–1.11,
 * without `batch_key`).
 *
 * - `seurat`: on `expm1(X)`, dispersion = var/mean (var with ddof 1; mean 0 → 1e-12), then log(dispersion)
 *   (0 → NaN) and log1p(mean); genes are put in `nBins` equal-width bins of mean (`pandas.cut`) and the
 *   dispersion is z-scored within its bin (mean, sample std; a bin with one gene gets avg 0, dev = its value).
 * - `cell_ranger`: on `X` as is, bins at the 10th, 15th, …, 100th percentiles of the mean, normalised by the
 *   bin median and the normal-consistent MAD (`statsmodels.robust.mad`).
 * - `seurat_v3`: on counts, LOESS (degree 2, `span`) of log10 variance on log10 mean over genes with
 *   variance > 0, values clipped at `mean + sqrt(n)·σ_reg`, normalised variance
 *   `Σ(clip(x) − mean)² / ((n−1)·σ_reg²)`; the top `nTopGenes` by it are selected.
 *   The LOESS is netlib's (as scikit-misc runs it for scanpy): k-d tree vertices with cubic Hermite
 *   blending by default, or exact evaluation with `loessSurface: "direct"`.
 */
export function highlyVariableGenesMatrix(X: Matrix, options: HvgOptions = {}): HvgResult {
  const flavor = options.flavor ?? "seurat";
  if (flavor === "seurat_v3" || flavor === "seurat_v3_paper") return seuratV3(X, options, flavor);
  if (flavor !== "seurat" && flavor !== "cell_ranger") {
    throw new HypedError(
      "UNSUPPORTED",
      `highly variable genes flavor '${flavor}' (supported: seurat, cell_ranger, seurat_v3, seurat_v3_paper)`,
      { flavor },
    );
  }
  const { minMean = 0.0125, maxMean = 3, minDisp = 0.5, maxDisp = Number.POSITIVE_INFINITY, nBins = 20 } = options;
  // seurat: statistics of expm1(X), computed on the fly from the stored values (no copy); float32 data gives
  // float32 expm1 values, as scanpy's `X.expm1()` (after `X *= log(base)` in float32); sums are float64
  const memo = flavor === "seurat" ? expm1Memo(X, options.logBase) : undefined;
  const { mean, var: variance } = isSparse(X) && X.format === "csr" ? csrColMeanVarOnePass(X, 1, memo) : colMeanVar(X, 1, memo);
  const g = mean.length;
  const means = new Float64Array(g);
  const disp = new Float64Array(g);
  for (let j = 0; j < g; j++) {
    const m = (mean[j] as number) === 0 ? 1e-12 : (mean[j] as number);
    let d = (variance[j] as number) / m;
    if (flavor === "seurat") {
      if (d === 0) d = Number.NaN;
      d = Math.log(d);
      means[j] = Math.log1p(m);
    } else means[j] = m;
    disp[j] = d;
  }
  const bins = flavor === "seurat" ? cutEqualWidth(means, nBins) : cutPercentiles(means);
  let nb = 1;
  for (const b of bins) if (b + 1 > nb) nb = b + 1;
  const groups: number[][] = Array.from({ length: nb }, () => []);
  bins.forEach((b, j) => {
    if (b >= 0 && !Number.isNaN(disp[j] as number)) (groups[b] as number[]).push(disp[j] as number);
  });
  const avg = new Float64Array(nb).fill(Number.NaN);
  const dev = new Float64Array(nb).fill(Number.NaN);
  groups.forEach((vals, b) => {
    if (vals.length === 0) return;
    if (flavor === "seurat") {
      const mu = vals.reduce((s, v) => s + v, 0) / vals.length;
      avg[b] = mu;
      if (vals.length > 1) dev[b] = Math.sqrt(vals.reduce((s, v) => s + (v - mu) * (v - mu), 0) / (vals.length - 1));
      else {
        // one gene in the bin: scanpy sets dev = avg and avg = 0
        dev[b] = mu;
        avg[b] = 0;
      }
    } else {
      const med = median(vals);
      avg[b] = med;
      dev[b] = median(vals.map((v) => Math.abs(v - med))) / 0.6744897501960817;
    }
  });
  const norm = new Float64Array(g);
  for (let j = 0; j < g; j++) {
    const b = bins[j] as number;
    norm[j] = b < 0 ? Number.NaN : ((disp[j] as number) - (avg[b] as number)) / (dev[b] as number);
  }
  const hv = new Uint8Array(g);
  if (options.nTopGenes !== undefined) {
    const n = Math.min(checkTop(options.nTopGenes), g);
    const finite = norm.filter((v) => !Number.isNaN(v)).sort(); // ascending: the n-th largest is at length − n
    const cut = finite.length ? (finite[finite.length - Math.min(n, finite.length)] as number) : Number.POSITIVE_INFINITY;
    for (let j = 0; j < g; j++) hv[j] = (Number.isNaN(norm[j] as number) ? Number.NEGATIVE_INFINITY : (norm[j] as number)) >= cut ? 1 : 0;
  } else {
    for (let j = 0; j < g; j++) {
      const dn = Number.isNaN(norm[j] as number) ? 0 : (norm[j] as number);
      const m = means[j] as number;
      hv[j] = m > minMean && m < maxMean && dn > minDisp && dn < maxDisp ? 1 : 0;
    }
  }
  return { flavor, means, dispersions: disp, dispersionsNorm: norm, highlyVariable: hv };
}

/** The memoised `expm1(v · ln base)` of HVG seurat, rounded to float32 for float32 data. */
function expm1Memo(X: Matrix, logBase: number | undefined): ScalarMemo {
  const k = logBase === undefined ? 1 : Math.log(logBase);
  const f32 = (isSparse(X) ? X.data : X.data) instanceof Float32Array;
  if (!f32) return new ScalarMemo(k === 1 ? Math.expm1 : (v) => Math.expm1(v * k));
  return new ScalarMemo(k === 1 ? (v) => Math.fround(Math.expm1(v)) : (v) => Math.fround(Math.expm1(Math.fround(v * k))));
}

function checkTop(n: number): number {
  if (!(Number.isInteger(n) && n > 0))
    throw new HypedError("INVALID_ARGUMENT", `nTopGenes must be a positive integer, got ${n}`, { nTopGenes: n });
  return n;
}

/** Bin index per value like `pandas.cut(x, bins=n)` (equal width, right-closed, lowest edge moved down 0.1%). */
export function cutEqualWidth(x: Float64Array, n: number): Int32Array {
  let mn = Number.POSITIVE_INFINITY;
  let mx = Number.NEGATIVE_INFINITY;
  for (const v of x) {
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  const edges = new Float64Array(n + 1);
  if (mn === mx) {
    // pandas widens a zero range by 0.1% on each side
    const lo = mn - (mn !== 0 ? Math.abs(mn) * 0.001 : 0.001);
    const hi = mx + (mx !== 0 ? Math.abs(mx) * 0.001 : 0.001);
    const step = (hi - lo) / n;
    for (let i = 0; i <= n; i++) edges[i] = lo + i * step;
    edges[n] = hi;
  } else {
    const step = (mx - mn) / n;
    for (let i = 0; i < n; i++) edges[i] = i * step + mn;
    edges[n] = mx;
    edges[0] = (edges[0] as number) - (mx - mn) * 0.001;
  }
  return binRightClosed(x, edges);
}

/** cell_ranger bins: `[-inf, percentiles 10, 15, …, 100 of x, +inf]`, right-closed. Duplicate edges are an error (scanpy fails too). */
export function cutPercentiles(x: Float64Array): Int32Array {
  const s = Float64Array.from(x).sort();
  const pct = (q: number) => {
    const pos = (q / 100) * (s.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, s.length - 1);
    return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (pos - lo);
  };
  const edges = [Number.NEGATIVE_INFINITY];
  for (let q = 10; q <= 100; q += 5) edges.push(pct(q));
  edges.push(Number.POSITIVE_INFINITY);
  for (let i = 1; i < edges.length; i++) {
    if ((edges[i] as number) <= (edges[i - 1] as number)) {
      throw new HypedError(
        "INVALID_ARGUMENT",
        `cell_ranger: mean-bin edges are not unique (percentile edge ${edges[i]} repeats); filter out genes with zero counts first`,
        { edge: edges[i] },
      );
    }
  }
  return binRightClosed(x, Float64Array.from(edges));
}

function binRightClosed(x: Float64Array, edges: Float64Array): Int32Array {
  const out = new Int32Array(x.length);
  const nb = edges.length - 1;
  x.forEach((v, j) => {
    if (Number.isNaN(v) || v <= (edges[0] as number) || v > (edges[nb] as number)) {
      out[j] = -1;
      return;
    }
    // first edge >= v (searchsorted left), bin = that index - 1
    let lo = 0;
    let hi = nb;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((edges[mid] as number) < v) lo = mid + 1;
      else hi = mid;
    }
    out[j] = lo - 1;
  });
  return out;
}

/**
 * seurat_v3's normalised variance of each gene: LOESS of log10 variance on log10 mean (genes with variance > 0),
 * values clipped at `mean + sqrt(n)·σ_reg`, then `Σ(clip(x) − mean)² / ((n−1)·σ_reg²)`.
 */
export function seuratV3NormVar(
  X: Matrix,
  span: number,
  surface: "interpolate" | "direct",
): { mean: Float64Array; variance: Float64Array; normVar: Float64Array } {
  const [n, g] = shapeOf(X);
  const { mean, var: variance } = colMeanVar(X, 1);
  const keep: number[] = [];
  for (let j = 0; j < g; j++) if ((variance[j] as number) > 0) keep.push(j);
  const fit = loessFit(
    keep.map((j) => Math.log10(mean[j] as number)),
    keep.map((j) => Math.log10(variance[j] as number)),
    { span, degree: 2, surface },
  );
  const est = new Float64Array(g);
  keep.forEach((j, k) => {
    est[j] = fit[k] as number;
  });
  const regStd = est.map((e) => Math.sqrt(10 ** e));
  const vmax = Math.sqrt(n);
  const clip = regStd.map((s, j) => s * vmax + (mean[j] as number));
  const sum = new Float64Array(g);
  const sumSq = new Float64Array(g);
  if (isSparse(X)) {
    const d = numbers(X.data);
    const major = X.format === "csr" ? n : g;
    for (let a = 0; a < major; a++) {
      for (let k = Number(X.indptr[a]); k < Number(X.indptr[a + 1]); k++) {
        const j = X.format === "csr" ? (X.indices[k] as number) : a;
        const v = Math.min(d[k] as number, clip[j] as number);
        sum[j]! += v;
        sumSq[j]! += v * v;
      }
    }
  } else {
    const d = denseValues(X);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < g; j++) {
        const v = Math.min(d[i * g + j] as number, clip[j] as number);
        sum[j]! += v;
        sumSq[j]! += v * v;
      }
    }
  }
  const normVar = new Float64Array(g);
  for (let j = 0; j < g; j++) {
    const m = mean[j] as number;
    const s = regStd[j] as number;
    normVar[j] = (1 / ((n - 1) * s * s)) * (n * m * m + (sumSq[j] as number) - 2 * (sum[j] as number) * m);
  }
  return { mean, variance, normVar };
}

/** Ranks of `v` descending (0 = largest); ties keep gene order (numpy's argsort of −v is not stable, see docs). */
export function descendingRanks(v: Float64Array): Float64Array {
  const order = Array.from({ length: v.length }, (_, j) => j).sort((a, b) => (v[b] as number) - (v[a] as number) || a - b);
  const rank = new Float64Array(v.length);
  order.forEach((j, r) => {
    rank[j] = r;
  });
  return rank;
}

function seuratV3(X: Matrix, options: HvgOptions, flavor: "seurat_v3" | "seurat_v3_paper"): HvgResult {
  if (options.nTopGenes === undefined) throw new HypedError("INVALID_ARGUMENT", `flavor ${flavor} needs nTopGenes`, {});
  const nTop = checkTop(options.nTopGenes);
  const { mean, variance, normVar } = seuratV3NormVar(X, options.span ?? 0.3, options.loessSurface ?? "interpolate");
  // one batch: both flavours select the nTop genes of smallest rank
  const rank = descendingRanks(normVar);
  const hv = new Uint8Array(rank.length);
  rank.forEach((r, j) => {
    if (r < nTop) hv[j] = 1;
    else rank[j] = Number.NaN;
  });
  return { flavor, means: mean, variances: variance, variancesNorm: normVar, highlyVariableRank: rank, highlyVariable: hv };
}

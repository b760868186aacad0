/**
 * Set-level distances between cells: the energy distance of scPerturb and cell-eval, and cell-eval's
 * perturbation discrimination score and DE overlap.
 */
import { HypedError } from "@hyped/core";

/** Options of {@link eDistance}. */
export interface EDistanceOptions {
  /**
   * Pairwise metric: `"sqeuclidean"` (default; scPerturb's `edist` default) or `"euclidean"` (cell-eval's default).
   */
  metric?: "sqeuclidean" | "euclidean";
  /** For `"euclidean"`, subsample each set to at most this many cells (evenly spaced rows). Default 1000. */
  maxCells?: number;
}

/**
 * E-distance between two sets of cells X (nx × d) and Y (ny × d), row-major:
 * `E = 2·δ − σ_X − σ_Y` with δ the mean pairwise distance between the sets and σ the mean pairwise distance within
 * a set, means over all n² pairs including i = j (scPerturb `edist`; cell-eval `edistance`'s `_edistance`).
 * With the squared Euclidean metric this equals `2·‖x̄ − ȳ‖²` exactly, which is how it is computed (O(n·d));
 * the Euclidean metric is computed pairwise.
 */
export function eDistance(x: Float64Array, nx: number, y: Float64Array, ny: number, d: number, options: EDistanceOptions = {}): number {
  const { metric = "sqeuclidean", maxCells = 1000 } = options;
  if (x.length !== nx * d || y.length !== ny * d)
    throw new HypedError("SHAPE_MISMATCH", `E-distance inputs are not ${nx}×${d} and ${ny}×${d}`, {});
  if (nx === 0 || ny === 0) throw new HypedError("INVALID_ARGUMENT", "E-distance needs at least one cell in each set", { nx, ny });
  if (metric === "sqeuclidean") {
    let s = 0;
    for (let j = 0; j < d; j++) {
      let mx = 0;
      let my = 0;
      for (let i = 0; i < nx; i++) mx += x[i * d + j] as number;
      for (let i = 0; i < ny; i++) my += y[i * d + j] as number;
      s += (mx / nx - my / ny) ** 2;
    }
    return 2 * s;
  }
  if (metric !== "euclidean") throw new HypedError("UNSUPPORTED", `E-distance metric '${String(metric)}'`, { metric });
  const pick = (n: number) => {
    const k = Math.min(n, maxCells);
    return Int32Array.from({ length: k }, (_, i) => Math.floor((i * n) / k));
  };
  const ix = pick(nx);
  const iy = pick(ny);
  const meanDist = (a: Float64Array, ia: Int32Array, b: Float64Array, ib: Int32Array) => {
    let s = 0;
    for (const p of ia)
      for (const q of ib) {
        let t = 0;
        for (let j = 0; j < d; j++) t += ((a[p * d + j] as number) - (b[q * d + j] as number)) ** 2;
        s += Math.sqrt(t);
      }
    return s / (ia.length * ib.length);
  };
  return 2 * meanDist(x, ix, y, iy) - meanDist(x, ix, x, ix) - meanDist(y, iy, y, iy);
}

/**
 * cell-eval's perturbation discrimination score for each perturbation: the L1 (default) or L2 distance between its
 * predicted effect and every real effect (effects = profile − control), with the perturbation's own target genes
 * left out; the real perturbations are sorted by distance and the score is `1 − rank / nPerturbations` (1 = the
 * true perturbation is the closest; ties keep input order, as numpy's argsort on equal distances usually does).
 * Matches `cell_eval.metrics.discrimination_score(metric="l1", exclude_target_gene=True)` when `excludeGenes`
 * comes from {@link discriminationExcludes}.
 */
export function discriminationScores(
  realEffects: Float64Array[],
  predEffects: Float64Array[],
  excludeGenes: number[][] = [],
  metric: "l1" | "l2" = "l1",
): Float64Array {
  const n = realEffects.length;
  if (predEffects.length !== n) throw new HypedError("SHAPE_MISMATCH", `${n} real and ${predEffects.length} predicted effects`, {});
  const out = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const skip = new Set(excludeGenes[p] ?? []);
    const pred = predEffects[p] as Float64Array;
    const dist = realEffects.map((r) => {
      let s = 0;
      for (let j = 0; j < r.length; j++) {
        if (skip.has(j)) continue;
        const t = (r[j] as number) - (pred[j] as number);
        s += metric === "l1" ? Math.abs(t) : t * t;
      }
      return metric === "l1" ? s : Math.sqrt(s);
    });
    const order = dist.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const rank = order.findIndex(([, i]) => i === p);
    out[p] = 1 - rank / n;
  }
  return out;
}

/**
 * The genes cell-eval's `exclude_target_gene=True` leaves out of each perturbation's distances: only a gene whose
 * name equals the whole perturbation name (`var_names != pert`). A combination such as `"A+B"` drops nothing,
 * and neither does a condition named after its construct (`"mmMYOD1"`) rather than a gene.
 */
export function discriminationExcludes(perturbations: readonly string[], geneNames: readonly string[]): number[][] {
  return perturbations.map((p) => geneNames.flatMap((g, j) => (g === p ? [j] : [])));
}

/** Indices of the `n` largest `|v|`, ties by index (the ranking used for DE genes when none are given). */
export function topAbs(v: ArrayLike<number>, n: number): Int32Array {
  if (n > 64) {
    const idx = Array.from({ length: v.length }, (_, i) => i).filter((i) => !Number.isNaN(v[i] as number));
    idx.sort((a, b) => Math.abs(v[b] as number) - Math.abs(v[a] as number) || a - b);
    return Int32Array.from(idx.slice(0, n));
  }
  // a small top-n: one scan with a sorted insertion list instead of sorting every gene. Indices arrive in
  // increasing order, so a value tied with the list's last one ranks after it (ties by index, as the sort).
  const top = new Int32Array(Math.max(n, 0));
  const key = new Float64Array(Math.max(n, 0));
  let k = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i] as number);
    if (Number.isNaN(a) || (k === n && !(a > key[k - 1]!))) continue;
    let p = k === n ? k - 1 : k++;
    while (p > 0 && a > key[p - 1]!) {
      key[p] = key[p - 1]!;
      top[p] = top[p - 1]!;
      p--;
    }
    key[p] = a;
    top[p] = i;
  }
  return top.slice(0, k);
}

/**
 * cell-eval's `overlap_at_N`: the fraction of the real top-N DE genes that are also among the predicted top-N,
 * `|real_N ∩ pred_N| / |real_N|`.
 */
export function overlapAtN(realTop: ArrayLike<number>, predTop: ArrayLike<number>): number {
  if (realTop.length === 0) return Number.NaN;
  const s = new Set(Array.from(predTop));
  let k = 0;
  for (let i = 0; i < realTop.length; i++) if (s.has(realTop[i] as number)) k++;
  return k / realTop.length;
}

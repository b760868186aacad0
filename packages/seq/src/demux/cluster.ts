/** Seeded k-means (k-means++ start, Lloyd iterations, best of `nStart`) and a 1-D two-component Gaussian mixture. */
import { Random } from "@hyped/core";

/** Result of {@link kmeans}. */
export interface KMeansResult {
  /** Cluster of each row. */
  labels: Int32Array;
  /** `k × d` centres, row-major. */
  centers: Float64Array;
  /** Sum of squared distances to the assigned centre. */
  inertia: number;
}

/**
 * k-means on `n × d` row-major data (like R's `kmeans(x, centers = k, nstart)` that HTODemux's `kfunc = "kmeans"` uses).
 * Starts by k-means++ from a seeded generator, so results are reproducible; the best of `nStart` runs is kept.
 */
export function kmeans(data: Float64Array, n: number, d: number, k: number, { nStart = 10, maxIter = 100, seed = 1 } = {}): KMeansResult {
  const rng = Random.mulberry32(seed);
  let best: KMeansResult | null = null;
  for (let run = 0; run < nStart; run++) {
    const centers = new Float64Array(k * d);
    const dist = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    let first = rng.int(n);
    for (let c = 0; c < k; c++) {
      if (c > 0) {
        let total = 0;
        for (let i = 0; i < n; i++) total += dist[i] as number;
        let u = rng.next() * total;
        first = n - 1;
        for (let i = 0; i < n; i++) {
          u -= dist[i] as number;
          if (u <= 0) {
            first = i;
            break;
          }
        }
      }
      for (let j = 0; j < d; j++) centers[c * d + j] = data[first * d + j] as number;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += ((data[i * d + j] as number) - (centers[c * d + j] as number)) ** 2;
        if (s < (dist[i] as number)) dist[i] = s;
      }
    }
    const labels = new Int32Array(n).fill(-1);
    let inertia = 0;
    for (let it = 0; it < maxIter; it++) {
      let changed = false;
      inertia = 0;
      for (let i = 0; i < n; i++) {
        let bc = 0;
        let bd = Number.POSITIVE_INFINITY;
        for (let c = 0; c < k; c++) {
          let s = 0;
          for (let j = 0; j < d; j++) s += ((data[i * d + j] as number) - (centers[c * d + j] as number)) ** 2;
          if (s < bd) {
            bd = s;
            bc = c;
          }
        }
        if (labels[i] !== bc) changed = true;
        labels[i] = bc;
        inertia += bd;
      }
      if (!changed && it > 0) break;
      const counts = new Float64Array(k);
      centers.fill(0);
      for (let i = 0; i < n; i++) {
        const c = labels[i] as number;
        counts[c] = (counts[c] as number) + 1;
        for (let j = 0; j < d; j++) centers[c * d + j] = (centers[c * d + j] as number) + (data[i * d + j] as number);
      }
      for (let c = 0; c < k; c++) {
        if (counts[c] === 0) {
          // empty cluster: restart it at the point farthest from its centre
          let far = 0;
          let fd = -1;
          for (let i = 0; i < n; i++) {
            let s = 0;
            const l = labels[i] as number;
            for (let j = 0; j < d; j++)
              s += ((data[i * d + j] as number) - (centers[l * d + j] as number) / Math.max(1, counts[l] as number)) ** 2;
            if (s > fd) {
              fd = s;
              far = i;
            }
          }
          for (let j = 0; j < d; j++) centers[c * d + j] = data[far * d + j] as number;
          counts[c] = 1;
        } else for (let j = 0; j < d; j++) centers[c * d + j] = (centers[c * d + j] as number) / (counts[c] as number);
      }
    }
    if (!best || inertia < best.inertia) best = { labels, centers, inertia };
  }
  return best as KMeansResult;
}

/** A fitted 1-D two-component Gaussian mixture; component 1 has the larger mean. */
export interface Gmm2 {
  weight: [number, number];
  mean: [number, number];
  sd: [number, number];
}

/** Posterior probability of component 1 (the high one) at `x`. */
export function gmmPosteriorHigh(g: Gmm2, x: number): number {
  const l0 = Math.log(g.weight[0]) - Math.log(g.sd[0]) - 0.5 * ((x - g.mean[0]) / g.sd[0]) ** 2;
  const l1 = Math.log(g.weight[1]) - Math.log(g.sd[1]) - 0.5 * ((x - g.mean[1]) / g.sd[1]) ** 2;
  return 1 / (1 + Math.exp(l0 - l1));
}

/** EM for a two-component 1-D Gaussian mixture, started from the 2-means split. Variances are floored at 1e-6·var(x). */
export function fitGmm2(x: ArrayLike<number>, { maxIter = 200, tol = 1e-8 } = {}): Gmm2 {
  const n = x.length;
  const km = kmeans(Float64Array.from(x), n, 1, 2, { nStart: 3, seed: 7 });
  const hiC = (km.centers[1] as number) > (km.centers[0] as number) ? 1 : 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i] as number;
  mean /= n;
  let tv = 0;
  for (let i = 0; i < n; i++) tv += ((x[i] as number) - mean) ** 2;
  const floor = Math.max(1e-12, (1e-6 * tv) / n);
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = km.labels[i] === hiC ? 1 : 0;
  let g: Gmm2 = { weight: [0.5, 0.5], mean: [0, 1], sd: [1, 1] };
  let prevLl = Number.NEGATIVE_INFINITY;
  for (let it = 0; it < maxIter; it++) {
    // M step
    let w1 = 0;
    let m0 = 0;
    let m1 = 0;
    for (let i = 0; i < n; i++) {
      w1 += r[i] as number;
      m1 += (r[i] as number) * (x[i] as number);
      m0 += (1 - (r[i] as number)) * (x[i] as number);
    }
    const w0 = n - w1;
    m0 = w0 > 0 ? m0 / w0 : mean;
    m1 = w1 > 0 ? m1 / w1 : mean;
    let v0 = 0;
    let v1 = 0;
    for (let i = 0; i < n; i++) {
      v1 += (r[i] as number) * ((x[i] as number) - m1) ** 2;
      v0 += (1 - (r[i] as number)) * ((x[i] as number) - m0) ** 2;
    }
    v0 = Math.max(floor, w0 > 0 ? v0 / w0 : floor);
    v1 = Math.max(floor, w1 > 0 ? v1 / w1 : floor);
    g = { weight: [Math.max(w0 / n, 1e-12), Math.max(w1 / n, 1e-12)], mean: [m0, m1], sd: [Math.sqrt(v0), Math.sqrt(v1)] };
    // E step
    let ll = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[i] as number;
      const a = (g.weight[0] * Math.exp(-0.5 * ((xi - m0) / g.sd[0]) ** 2)) / g.sd[0];
      const b = (g.weight[1] * Math.exp(-0.5 * ((xi - m1) / g.sd[1]) ** 2)) / g.sd[1];
      r[i] = a + b > 0 ? b / (a + b) : xi > (m0 + m1) / 2 ? 1 : 0;
      ll += Math.log(a + b + 1e-300);
    }
    if (Math.abs(ll - prevLl) < tol * Math.abs(ll)) break;
    prevLl = ll;
  }
  if (g.mean[1] < g.mean[0]) g = { weight: [g.weight[1], g.weight[0]], mean: [g.mean[1], g.mean[0]], sd: [g.sd[1], g.sd[0]] };
  return g;
}

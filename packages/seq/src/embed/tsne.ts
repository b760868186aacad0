/**
 * Barnes–Hut t-SNE (van der Maaten 2014), following scikit-learn's `TSNE(method="barnes_hut")` as scanpy's
 * `tl.tsne` calls it: sparse input affinities on the 3·perplexity nearest neighbours, early exaggeration,
 * momentum with per-coordinate gains, a quadtree for the repulsive forces. Deterministic: PCA initialisation
 * (or a seeded random one) and no other randomness.
 */
import { HypedError, type LongTaskOptions, progressReporter, throwIfAborted } from "@hyped/core";
import type { AnnData } from "../anndata/index.js";
import { denseFrom } from "../preprocess/matrix.js";
import { type KnnResult, knn, representation } from "./neighbors.js";
import { pcaMatrix } from "./pca.js";

/** Options of {@link tsneEmbed} / {@link tsne}. */
export interface TsneOptions extends LongTaskOptions {
  /** Perplexity. Default 30. */
  perplexity?: number;
  /** Early exaggeration factor. Default 12. */
  earlyExaggeration?: number;
  /** Learning rate, or `"auto"` = max(n / earlyExaggeration / 4, 50) (scikit-learn ≥ 1.2). Default "auto". */
  learningRate?: number | "auto";
  /** Total iterations. Default 1000. */
  nIter?: number;
  /** Iterations with exaggeration and momentum 0.5. Default 250. */
  exaggerationIter?: number;
  /** Barnes–Hut opening angle θ. Default 0.5. */
  theta?: number;
  /** `"pca"` (default, scaled to std 1e-4 on the first axis) or `"random"` (seeded, std 1e-4). */
  init?: "pca" | "random";
  /** Seed for `init: "random"`. Default 0. */
  seed?: number;
  /** Precomputed neighbours (self first), e.g. from {@link knn}; computed when absent. */
  knn?: KnnResult;
}

/** Conditional affinities by bisection on the precision, then symmetrised and normalised (sklearn `_joint_probabilities_nn`). */
function jointProbabilities(nn: KnnResult, perplexity: number): { rows: Int32Array; cols: Int32Array; vals: Float64Array } {
  const { n, k } = nn;
  const m = k - 1;
  const cond = new Float64Array(n * m);
  const desired = Math.log(perplexity);
  for (let i = 0; i < n; i++) {
    let beta = 1;
    let lo = Number.NEGATIVE_INFINITY;
    let hi = Number.POSITIVE_INFINITY;
    const base = i * k + 1;
    for (let it = 0; it < 100; it++) {
      let sumP = 0;
      for (let c = 0; c < m; c++) {
        const d2 = (nn.distances[base + c] as number) ** 2;
        const p = Math.exp(-d2 * beta);
        cond[i * m + c] = p;
        sumP += p;
      }
      if (sumP === 0) sumP = 1e-8;
      let sumDP = 0;
      for (let c = 0; c < m; c++) {
        const p = (cond[i * m + c] as number) / sumP;
        cond[i * m + c] = p;
        sumDP += (nn.distances[base + c] as number) ** 2 * p;
      }
      const entropy = Math.log(sumP) + beta * sumDP;
      const diff = entropy - desired;
      if (Math.abs(diff) <= 1e-5) break;
      if (diff > 0) {
        lo = beta;
        beta = hi === Number.POSITIVE_INFINITY ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = lo === Number.NEGATIVE_INFINITY ? beta / 2 : (beta + lo) / 2;
      }
    }
  }
  // P + Pᵀ, normalised to sum 1
  const map = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < m; c++) {
      const j = nn.indices[i * k + 1 + c] as number;
      const p = cond[i * m + c] as number;
      const a = i * n + j;
      const b = j * n + i;
      map.set(a, (map.get(a) ?? 0) + p);
      map.set(b, (map.get(b) ?? 0) + p);
    }
  }
  let total = 0;
  for (const v of map.values()) total += v;
  total = Math.max(total, Number.EPSILON);
  const keys = Float64Array.from(map.keys()).sort();
  const rows = new Int32Array(keys.length);
  const cols = new Int32Array(keys.length);
  const vals = new Float64Array(keys.length);
  keys.forEach((key, p) => {
    const i = Math.floor(key / n);
    rows[p] = i;
    cols[p] = key - i * n;
    vals[p] = (map.get(key) as number) / total;
  });
  return { rows, cols, vals };
}

/**
 * A 2-D quadtree in flat typed arrays, rebuilt each iteration. The four children of a node are allocated
 * together (`first[nd]` … `first[nd] + 3`); `first[nd] = -1` marks a leaf holding at most one point
 * (or several coincident points below the depth limit).
 */
class QuadTree {
  cx = new Float64Array(0);
  cy = new Float64Array(0);
  hw = new Float64Array(0);
  w2 = new Float64Array(0);
  mx = new Float64Array(0);
  my = new Float64Array(0);
  cnt = new Float64Array(0);
  first = new Int32Array(0);
  point = new Int32Array(0);
  size = 0;
  stack: Int32Array<ArrayBuffer> = new Int32Array(1024);
  constructor(cap: number) {
    this.alloc(cap);
  }
  private alloc(cap: number): void {
    const copy = <T extends Float64Array | Int32Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a.subarray(0, Math.min(a.length, cap)) as never);
      return b;
    };
    this.cx = copy(this.cx);
    this.cy = copy(this.cy);
    this.hw = copy(this.hw);
    this.w2 = copy(this.w2);
    this.mx = copy(this.mx);
    this.my = copy(this.my);
    this.cnt = copy(this.cnt);
    this.first = copy(this.first);
    this.point = copy(this.point);
  }
  private init(id: number, cx: number, cy: number, hw: number): void {
    this.cx[id] = cx;
    this.cy[id] = cy;
    this.hw[id] = hw;
    this.w2[id] = 4 * hw * hw;
    this.mx[id] = 0;
    this.my[id] = 0;
    this.cnt[id] = 0;
    this.first[id] = -1;
    this.point[id] = -1;
  }
  private split(nd: number): number {
    if (this.size + 4 > this.cx.length) this.alloc(this.cx.length * 2);
    const f = this.size;
    this.size += 4;
    const h = (this.hw[nd] as number) / 2;
    const cx = this.cx[nd] as number;
    const cy = this.cy[nd] as number;
    this.init(f, cx - h, cy - h, h);
    this.init(f + 1, cx + h, cy - h, h);
    this.init(f + 2, cx - h, cy + h, h);
    this.init(f + 3, cx + h, cy + h, h);
    this.first[nd] = f;
    return f;
  }
  build(Y: Float64Array, n: number): void {
    let minX = Number.POSITIVE_INFINITY;
    let minY = Number.POSITIVE_INFINITY;
    let maxX = Number.NEGATIVE_INFINITY;
    let maxY = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const x = Y[2 * i] as number;
      const y = Y[2 * i + 1] as number;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    this.size = 1;
    this.init(0, (minX + maxX) / 2, (minY + maxY) / 2, Math.max(maxX - minX, maxY - minY) / 2 + 1e-5);
    for (let i = 0; i < n; i++) this.insert(Y, i);
  }
  private insert(Y: Float64Array, i: number): void {
    const x = Y[2 * i] as number;
    const y = Y[2 * i + 1] as number;
    let nd = 0;
    for (let depth = 0; ; depth++) {
      const c = this.cnt[nd] as number;
      this.mx[nd] = ((this.mx[nd] as number) * c + x) / (c + 1);
      this.my[nd] = ((this.my[nd] as number) * c + y) / (c + 1);
      this.cnt[nd] = c + 1;
      let f = this.first[nd] as number;
      if (f < 0) {
        if (c === 0) {
          this.point[nd] = i;
          return;
        }
        if (depth > 48) return; // coincident points stay aggregated in this leaf
        // move the resident point into a child, then continue with i
        const old = this.point[nd] as number;
        this.point[nd] = -1;
        f = this.split(nd);
        if (old >= 0) {
          const ox = Y[2 * old] as number;
          const oy = Y[2 * old + 1] as number;
          const q = f + (ox > (this.cx[nd] as number) ? 1 : 0) + (oy > (this.cy[nd] as number) ? 2 : 0);
          this.mx[q] = ox;
          this.my[q] = oy;
          this.cnt[q] = 1;
          this.point[q] = old;
        }
      }
      nd = f + (x > (this.cx[nd] as number) ? 1 : 0) + (y > (this.cy[nd] as number) ? 2 : 0);
    }
  }

  /** Repulsive force on point i: adds Σ q²·(yᵢ − y_cell)·count into f, returns Σ q·count (Z contribution). */
  repulse(i: number, x: number, y: number, theta2: number, f: Float64Array): number {
    let sumQ = 0;
    let fx = 0;
    let fy = 0;
    let stack = this.stack;
    const { mx, my, cnt, w2, first, point } = this;
    let top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const nd = stack[--top] as number;
      let c = cnt[nd] as number;
      const dx = x - (mx[nd] as number);
      const dy = y - (my[nd] as number);
      const d2 = dx * dx + dy * dy;
      const fc = first[nd] as number;
      if (fc < 0 || (w2[nd] as number) < theta2 * d2) {
        if (fc < 0 && point[nd] === i) c -= 1;
        if (c <= 0) continue;
        const q = 1 / (1 + d2);
        sumQ += c * q;
        const qq = c * q * q;
        fx += qq * dx;
        fy += qq * dy;
      } else {
        if (top + 4 > stack.length) {
          const b = new Int32Array(stack.length * 2);
          b.set(stack);
          this.stack = stack = b;
        }
        for (let ch = fc; ch < fc + 4; ch++) if ((cnt[ch] as number) > 0) stack[top++] = ch;
      }
    }
    f[0] = fx;
    f[1] = fy;
    return sumQ;
  }
}

/**
 * t-SNE of the rows of `data` (n × dim, row-major) into 2-D. Returns n × 2 row-major coordinates.
 * Deterministic for given inputs and options.
 */
export function tsneEmbed(data: Float64Array, n: number, dim: number, options: TsneOptions = {}): Float64Array {
  const {
    perplexity = 30,
    earlyExaggeration = 12,
    nIter = 1000,
    exaggerationIter = 250,
    theta = 0.5,
    init = "pca",
    seed = 0,
    signal,
  } = options;
  if (n < 3) throw new HypedError("INVALID_ARGUMENT", `t-SNE needs at least 3 cells, got ${n}`, { n });
  if (!(perplexity > 0 && perplexity < n))
    throw new HypedError("INVALID_ARGUMENT", `perplexity must be in (0, ${n}), got ${perplexity}`, { perplexity });
  const lr =
    options.learningRate === undefined || options.learningRate === "auto" ? Math.max(n / earlyExaggeration / 4, 50) : options.learningRate;
  const progress = progressReporter(options.onProgress, "iterations", nIter, "t-SNE");
  const k = Math.min(n - 1, Math.floor(3 * perplexity + 1)) + 1;
  const nn = options.knn && options.knn.k >= k ? options.knn : knn(data, n, dim, k, { signal });
  const P = jointProbabilities(nn.k === k ? nn : truncateKnn(nn, k), perplexity);
  // initial layout
  const Y = new Float64Array(2 * n);
  if (init === "pca") {
    const r = pcaMatrix(denseFrom(data, n, dim), { nComps: 2 });
    let s = 0;
    let m = 0;
    for (let i = 0; i < n; i++) m += r.scores[2 * i] as number;
    m /= n;
    for (let i = 0; i < n; i++) s += ((r.scores[2 * i] as number) - m) ** 2;
    const sd = Math.sqrt(s / n) || 1;
    for (let i = 0; i < 2 * n; i++) Y[i] = ((r.scores[i] as number) / sd) * 1e-4;
  } else {
    let st = (seed ^ 0x5bd1e995) >>> 0;
    const u = () => {
      st = (Math.imul(1664525, st) + 1013904223) >>> 0;
      return (st + 0.5) / 4294967296;
    };
    for (let i = 0; i < 2 * n; i += 2) {
      const r = Math.sqrt(-2 * Math.log(u()));
      const a = 2 * Math.PI * u();
      Y[i] = 1e-4 * r * Math.cos(a);
      Y[i + 1] = 1e-4 * r * Math.sin(a);
    }
  }
  const update = new Float64Array(2 * n);
  const gains = new Float64Array(2 * n).fill(1);
  const grad = new Float64Array(2 * n);
  const tree = new QuadTree(4 * n + 16);
  const f = new Float64Array(2);
  const theta2 = theta * theta;
  const nnzP = P.vals.length;
  for (let it = 0; it < nIter; it++) {
    if ((it & 7) === 0) throwIfAborted(signal, "t-SNE");
    const exag = it < exaggerationIter ? earlyExaggeration : 1;
    const momentum = it < exaggerationIter ? 0.5 : 0.8;
    // repulsive forces
    tree.build(Y, n);
    let sumQ = 0;
    for (let i = 0; i < n; i++) {
      f[0] = 0;
      f[1] = 0;
      sumQ += tree.repulse(i, Y[2 * i] as number, Y[2 * i + 1] as number, theta2, f);
      grad[2 * i] = -(f[0] as number);
      grad[2 * i + 1] = -(f[1] as number);
    }
    const invQ = 1 / Math.max(sumQ, Number.MIN_VALUE);
    for (let p = 0; p < 2 * n; p++) grad[p] = (grad[p] as number) * invQ;
    // attractive forces (P is sorted by row)
    for (let p = 0; p < nnzP; ) {
      const i = P.rows[p] as number;
      const xi = Y[2 * i] as number;
      const yi = Y[2 * i + 1] as number;
      let gx = 0;
      let gy = 0;
      for (; p < nnzP && P.rows[p] === i; p++) {
        const j = P.cols[p] as number;
        const dx = xi - (Y[2 * j] as number);
        const dy = yi - (Y[2 * j + 1] as number);
        const a = (P.vals[p] as number) / (1 + dx * dx + dy * dy);
        gx += a * dx;
        gy += a * dy;
      }
      grad[2 * i]! += exag * gx;
      grad[2 * i + 1]! += exag * gy;
    }
    for (let p = 0; p < 2 * n; p++) {
      const g = 4 * (grad[p] as number);
      const u = update[p] as number;
      let gain = gains[p] as number;
      gain = u * g < 0 ? gain + 0.2 : gain * 0.8;
      if (gain < 0.01) gain = 0.01;
      gains[p] = gain;
      const nu = momentum * u - lr * gain * g;
      update[p] = nu;
      Y[p] = (Y[p] as number) + nu;
    }
    progress.tick();
  }
  progress.finish();
  return Y;
}

function truncateKnn(nn: KnnResult, k: number): KnnResult {
  const indices = new Int32Array(nn.n * k);
  const distances = new Float64Array(nn.n * k);
  for (let i = 0; i < nn.n; i++) {
    indices.set(nn.indices.subarray(i * nn.k, i * nn.k + k), i * k);
    distances.set(nn.distances.subarray(i * nn.k, i * nn.k + k), i * k);
  }
  return { n: nn.n, k, indices, distances };
}

/**
 * t-SNE on an AnnData (scanpy `tl.tsne`): uses `obsm.X_pca` (or `useRep`, or `X` when it has ≤ 50 genes),
 * writes `obsm.X_tsne` (n × 2) and `uns.tsne.params`. Returns `adata`.
 */
export function tsne(adata: AnnData, options: TsneOptions & { useRep?: string; nPcs?: number } = {}): AnnData {
  const { data, dim, rep } = representation(adata, options.useRep, options.nPcs);
  const Y = tsneEmbed(data, adata.nObs, dim, options);
  adata.obsm.set("X_tsne", denseFrom(Y, adata.nObs, 2));
  adata.uns.tsne = {
    params: {
      perplexity: options.perplexity ?? 30,
      early_exaggeration: options.earlyExaggeration ?? 12,
      learning_rate: options.learningRate ?? "auto",
      use_rep: rep,
    },
  };
  return adata;
}

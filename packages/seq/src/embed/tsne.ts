/**
 * t-SNE following scikit-learn's `TSNE` as scanpy's `tl.tsne` calls it: sparse input affinities on the
 * 3·perplexity nearest neighbours, early exaggeration, momentum with per-coordinate gains. The repulsive forces
 * come from a Barnes–Hut quadtree (van der Maaten 2014, scikit-learn's `method="barnes_hut"`) or from
 * FFT-accelerated interpolation (FIt-SNE / openTSNE's `"fft"`, see `tsne-fft.ts`); by default Barnes–Hut below
 * {@link TSNE_FFT_MIN_CELLS} cells and FFT from there on.
 * Deterministic: PCA initialisation (or a seeded random one) and no other randomness.
 */
import { HypedError, Lcg32, type LongTaskOptions, progressReporter, throwIfAborted } from "@hyped/core";
import type { AnnData } from "../anndata/index.js";
import { denseFrom } from "../preprocess/matrix.js";
import { type KnnResult, knn, representation } from "./neighbors.js";
import { pcaMatrix } from "./pca.js";
import { FftRepulsion } from "./tsne-fft.js";

/** scanpy's default t-SNE learning rate (`tl.tsne(learning_rate=1000)`). */
export const TSNE_LEARNING_RATE = 1000;

/**
 * `method: "auto"` uses the FFT method from this many cells on, Barnes–Hut below. Measured on the 2-core machine
 * with scanpy's learning rate (package docs/scanpy.md, "t-SNE performance"): the FFT method's cost follows the
 * embedding's extent (≈ 110 units after 1,000 iterations from 5,000 to 20,000 cells), Barnes–Hut's grows as
 * n log n; FFT is 6× slower at 5,000 cells, 1.6× at 10,000, and 0.7× (faster) at 20,000, where its
 * trustworthiness (k = 10) is 0.0007 lower (0.9931 against 0.9938, 3 seeds each, seed spread ≤ 0.0001). The
 * cause, measured: the grid's interpolation error of the near-field forces (median 0.76%, 99th percentile 13% per
 * point against Barnes–Hut's 0.34% and 2.1%), not Z; only a grid more accurate than Barnes–Hut through the whole
 * run (5 nodes per 1-unit box) matched its trustworthiness, at twice its CPU time. The
 * issue asked for FFT only at no loss of trustworthiness, so Barnes–Hut stays the choice through the measured
 * range (it embeds 20,000 cells in ≈ 40 s of CPU); from 50,000 cells, where Barnes–Hut's n log n cost would
 * reach ≈ 2 minutes, speed wins.
 */
export const TSNE_FFT_MIN_CELLS = 50000;

/** Options of {@link tsneEmbed} / {@link tsne}. */
export interface TsneOptions extends LongTaskOptions {
  /** Perplexity. Default 30. */
  perplexity?: number;
  /** Early exaggeration factor. Default 12. */
  earlyExaggeration?: number;
  /**
   * Learning rate, or `"auto"` = max(n / earlyExaggeration / 4, 50) (scikit-learn ≥ 1.2's default). Default 1000,
   * scanpy's `tl.tsne(learning_rate=1000)`.
   */
  learningRate?: number | "auto";
  /** Total iterations. Default 1000. */
  nIter?: number;
  /** Iterations with exaggeration and momentum 0.5. Default 250. */
  exaggerationIter?: number;
  /**
   * How the repulsive forces are computed: `"barnes_hut"` (a quadtree with opening angle `theta`,
   * scikit-learn's and so scanpy's method; `theta: 0` is the exact O(n²) gradient), `"fft"` (FFT-accelerated
   * interpolation, FIt-SNE / openTSNE's method and grid defaults), or `"auto"` (default): `"fft"` from
   * {@link TSNE_FFT_MIN_CELLS} (50,000) cells on, `"barnes_hut"` below. scikit-learn (so scanpy's `tl.tsne`) always uses Barnes–Hut; openTSNE's
   * `TSNE` defaults to FFT (`negative_gradient_method="fft"`) at any size. Ours is a deliberate difference from
   * scanpy, for speed: the FFT method's cost per iteration is O(n) plus an FFT whose size follows the
   * embedding's extent (about 3 grid nodes per embedding unit and axis), not n, so it wins for large n; with
   * scanpy's learning rate of 1000 it is slower than Barnes–Hut at 5,000 and 10,000 cells and faster at 20,000,
   * where its trustworthiness is slightly lower ({@link TSNE_FFT_MIN_CELLS} has the figures).
   */
  method?: "auto" | "barnes_hut" | "fft";
  /** Barnes–Hut opening angle θ (`method: "barnes_hut"`). Default 0.5. */
  theta?: number;
  /** `method: "fft"`: interpolation nodes per box and axis (openTSNE `n_interpolation_points`). Default 3. */
  nInterpolationPoints?: number;
  /** `method: "fft"`: minimum number of boxes per axis (openTSNE `min_num_intervals`). Default 50. */
  minNumIntervals?: number;
  /** `method: "fft"`: largest box width in embedding units (openTSNE `ints_in_interval`). Default 1. */
  intsInInterval?: number;
  /** `"pca"` (default, scaled to std 1e-4 on the first axis) or `"random"` (seeded, std 1e-4). */
  init?: "pca" | "random";
  /** Seed for `init: "random"`. Default 0. */
  seed?: number;
  /** Precomputed neighbours (self first), e.g. from {@link knn}; computed when absent. */
  knn?: KnnResult;
}

/** The repulsion method that `method` means for n cells (`"auto"`: FFT from {@link TSNE_FFT_MIN_CELLS} on). */
export function resolveMethod(method: "auto" | "barnes_hut" | "fft", n: number): "barnes_hut" | "fft" {
  if (method !== "auto") return method;
  return n >= TSNE_FFT_MIN_CELLS ? "fft" : "barnes_hut";
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
  // P + Pᵀ, normalised to sum 1: bucket both orientations by row, sort each row by column, merge duplicates
  const counts = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    counts[i + 1]! += m;
    for (let c = 0; c < m; c++) counts[(nn.indices[i * k + 1 + c] as number) + 1]! += 1;
  }
  for (let i = 0; i < n; i++) counts[i + 1]! += counts[i] as number;
  const total2 = counts[n] as number;
  const bc = new Int32Array(total2);
  const bv = new Float64Array(total2);
  const fill = Int32Array.from(counts.subarray(0, n));
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < m; c++) {
      const j = nn.indices[i * k + 1 + c] as number;
      const p = cond[i * m + c] as number;
      let at = fill[i]!++;
      bc[at] = j;
      bv[at] = p;
      at = fill[j]!++;
      bc[at] = i;
      bv[at] = p;
    }
  }
  const rows = new Int32Array(total2);
  const cols = new Int32Array(total2);
  const vals = new Float64Array(total2);
  let keys = new Float64Array(64);
  let out = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const a = counts[i] as number;
    const len = (counts[i + 1] as number) - a;
    if (keys.length < len) keys = new Float64Array(2 * len);
    for (let t = 0; t < len; t++) keys[t] = (bc[a + t] as number) * 4194304 + t; // column, then bucket position
    const seg = keys.subarray(0, len).sort();
    for (let t = 0; t < len; t++) {
      const key = seg[t] as number;
      const col = Math.floor(key / 4194304);
      const v = bv[a + (key - col * 4194304)] as number;
      total += v;
      if (out > 0 && rows[out - 1] === i && cols[out - 1] === col) vals[out - 1]! += v;
      else {
        rows[out] = i;
        cols[out] = col;
        vals[out++] = v;
      }
    }
  }
  total = Math.max(total, Number.EPSILON);
  for (let p = 0; p < out; p++) vals[p] = (vals[p] as number) / total;
  return { rows: rows.slice(0, out), cols: cols.slice(0, out), vals: vals.slice(0, out) };
}

/**
 * A 2-D quadtree in flat typed arrays, rebuilt each iteration without allocating. Per node, the fields read by
 * the force traversal sit together (`node[4·nd ..]` = centre of mass x, y, point count, squared cell width) so a
 * visit touches one cache line; `kid[nd]` is the first of the four children (allocated together), −1 for a leaf,
 * and `pt[nd]` the point a single-point leaf holds. Coincident points below the depth limit share a leaf.
 */
class QuadTree {
  node = new Float64Array(0);
  kid = new Int32Array(0);
  pt = new Int32Array(0);
  cx = new Float64Array(0);
  cy = new Float64Array(0);
  hw = new Float64Array(0);
  size = 0;
  stack: Int32Array<ArrayBuffer> = new Int32Array(1024);
  sub = new Int32Array(0);
  flat = new Float64Array(0);
  skip = new Int32Array(0);
  leafPt = new Int32Array(0);
  flatSize = 0;
  /** Points in leaf (spatial) order, rebuilt with the tree. */
  order: Int32Array;
  private seen: Uint8Array;
  constructor(cap: number, n: number) {
    this.alloc(cap);
    this.order = new Int32Array(n);
    this.seen = new Uint8Array(n);
  }
  private alloc(cap: number): void {
    const grow = <T extends Float64Array | Int32Array>(a: T, len: number): T => {
      const b = new (a.constructor as new (n: number) => T)(len);
      b.set(a.subarray(0, Math.min(a.length, len)) as never);
      return b;
    };
    this.node = grow(this.node, 4 * cap);
    this.kid = grow(this.kid, cap);
    this.pt = grow(this.pt, cap);
    this.cx = grow(this.cx, cap);
    this.cy = grow(this.cy, cap);
    this.hw = grow(this.hw, cap);
  }
  private init(id: number, cx: number, cy: number, hw: number): void {
    this.cx[id] = cx;
    this.cy[id] = cy;
    this.hw[id] = hw;
    const o = 4 * id;
    this.node[o] = 0;
    this.node[o + 1] = 0;
    this.node[o + 2] = 0;
    this.node[o + 3] = 4 * hw * hw;
    this.kid[id] = -1;
    this.pt[id] = -1;
  }
  private split(nd: number): number {
    if (this.size + 4 > this.kid.length) this.alloc(this.kid.length * 2);
    const f = this.size;
    this.size += 4;
    const h = (this.hw[nd] as number) / 2;
    const cx = this.cx[nd] as number;
    const cy = this.cy[nd] as number;
    this.init(f, cx - h, cy - h, h);
    this.init(f + 1, cx + h, cy - h, h);
    this.init(f + 2, cx - h, cy + h, h);
    this.init(f + 3, cx + h, cy + h, h);
    this.kid[nd] = f;
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
    this.layout(n);
  }

  /**
   * Copy the non-empty nodes in depth-first pre-order into `flat` (x, y, count, width² per node) with
   * `skip[m]` = the pre-order index just past m's subtree, so the force traversal is a forward scan with jumps
   * (no stack, sequential memory); `order` lists the points leaf by leaf (spatially coherent visiting order).
   */
  private layout(n: number): void {
    const { node, kid, pt } = this;
    const size = this.size;
    if (this.sub.length < size) {
      this.sub = new Int32Array(2 * size);
      this.flat = new Float64Array(8 * size);
      this.skip = new Int32Array(2 * size);
      this.leafPt = new Int32Array(2 * size);
    }
    const sub = this.sub;
    // subtree sizes (children always come after their parent)
    for (let nd = size - 1; nd >= 0; nd--) {
      let t = 1;
      const f = kid[nd] as number;
      if (f >= 0) for (let ch = f; ch < f + 4; ch++) if ((node[4 * ch + 2] as number) > 0) t += sub[ch] as number;
      sub[nd] = t;
    }
    const { flat, skip, leafPt, order, seen } = this;
    seen.fill(0);
    let stack = this.stack;
    let top = 0;
    stack[top++] = 0;
    let m = 0;
    let nOrd = 0;
    while (top > 0) {
      const nd = stack[--top] as number;
      const c = node[4 * nd + 2] as number;
      const o = 4 * m;
      flat[o] = (node[4 * nd] as number) / c;
      flat[o + 1] = (node[4 * nd + 1] as number) / c;
      flat[o + 2] = c;
      flat[o + 3] = node[4 * nd + 3] as number;
      skip[m] = m + (sub[nd] as number);
      const f = kid[nd] as number;
      leafPt[m] = f < 0 ? (pt[nd] as number) : -1;
      if (f < 0 && (pt[nd] as number) >= 0) {
        order[nOrd++] = pt[nd] as number;
        seen[pt[nd] as number] = 1;
      }
      m++;
      if (f >= 0) {
        if (top + 4 > stack.length) {
          const b = new Int32Array(stack.length * 2);
          b.set(stack);
          this.stack = stack = b;
        }
        for (let ch = f + 3; ch >= f; ch--) if ((node[4 * ch + 2] as number) > 0) stack[top++] = ch;
      }
    }
    // coincident points aggregated below the depth limit are not leaf residents: visit them last
    for (let i = 0; i < n && nOrd < n; i++) if (!seen[i]) order[nOrd++] = i;
    this.flatSize = m;
  }
  private insert(Y: Float64Array, i: number): void {
    const x = Y[2 * i] as number;
    const y = Y[2 * i + 1] as number;
    let nd = 0;
    for (let depth = 0; ; depth++) {
      const o = 4 * nd;
      const c = this.node[o + 2] as number;
      this.node[o]! += x;
      this.node[o + 1]! += y;
      this.node[o + 2] = c + 1;
      let f = this.kid[nd] as number;
      if (f < 0) {
        if (c === 0) {
          this.pt[nd] = i;
          return;
        }
        if (depth > 48) return; // coincident points stay aggregated in this leaf
        // move the resident point into a child, then continue with i
        const old = this.pt[nd] as number;
        this.pt[nd] = -1;
        f = this.split(nd);
        if (old >= 0) {
          const ox = Y[2 * old] as number;
          const oy = Y[2 * old + 1] as number;
          const q = f + (ox > (this.cx[nd] as number) ? 1 : 0) + (oy > (this.cy[nd] as number) ? 2 : 0);
          this.node[4 * q] = ox;
          this.node[4 * q + 1] = oy;
          this.node[4 * q + 2] = 1;
          this.pt[q] = old;
        }
      }
      nd = f + (x > (this.cx[nd] as number) ? 1 : 0) + (y > (this.cy[nd] as number) ? 2 : 0);
    }
  }

  /** Repulsive force on point i: writes Σ q²·(yᵢ − y_cell)·count into f[0..1], returns Σ q·count (Z contribution). */
  repulse(i: number, x: number, y: number, theta2: number, f: Float64Array): number {
    let sumQ = 0;
    let fx = 0;
    let fy = 0;
    const { flat, skip, leafPt } = this;
    const m = this.flatSize;
    let nd = 0;
    while (nd < m) {
      const o = 4 * nd;
      const dx = x - (flat[o] as number);
      const dy = y - (flat[o + 1] as number);
      const d2 = dx * dx + dy * dy;
      const s = skip[nd] as number;
      const leaf = s === nd + 1;
      if (leaf || (flat[o + 3] as number) < theta2 * d2) {
        let c = flat[o + 2] as number;
        if (leaf && leafPt[nd] === i) c -= 1;
        if (c > 0) {
          const q = 1 / (1 + d2);
          sumQ += c * q;
          const qq = c * q * q;
          fx += qq * dx;
          fy += qq * dy;
        }
        nd = s;
      } else nd++;
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
    method: methodOption = "auto",
    init = "pca",
    seed = 0,
    signal,
  } = options;
  if (n < 3) throw new HypedError("INVALID_ARGUMENT", `t-SNE needs at least 3 cells, got ${n}`, { n });
  if (methodOption !== "auto" && methodOption !== "barnes_hut" && methodOption !== "fft")
    throw new HypedError("INVALID_ARGUMENT", `t-SNE method must be "auto", "barnes_hut" or "fft", got ${String(methodOption)}`, {
      method: methodOption,
    });
  const method = resolveMethod(methodOption, n);
  if (!(perplexity > 0 && perplexity < n))
    throw new HypedError("INVALID_ARGUMENT", `perplexity must be in (0, ${n}), got ${perplexity}`, { perplexity });
  const lr = options.learningRate === "auto" ? Math.max(n / earlyExaggeration / 4, 50) : (options.learningRate ?? TSNE_LEARNING_RATE);
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
    const lcg = new Lcg32(seed ^ 0x5bd1e995);
    const u = () => (lcg.nextUint32() + 0.5) / 4294967296;
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
  const repulse = repulsion(method, n, theta, options);
  // row starts of P (sorted by row), so the attractive loop needs no per-entry row test
  const rowStart = new Int32Array(n + 1);
  for (let p = 0; p < P.rows.length; p++) rowStart[(P.rows[p] as number) + 1]! += 1;
  for (let i = 0; i < n; i++) rowStart[i + 1]! += rowStart[i] as number;
  for (let it = 0; it < nIter; it++) {
    if ((it & 7) === 0) throwIfAborted(signal, "t-SNE");
    const exag = it < exaggerationIter ? earlyExaggeration : 1;
    const momentum = it < exaggerationIter ? 0.5 : 0.8;
    // repulsive forces: grad = −Σⱼ q̃ᵢⱼ²·(yᵢ − yⱼ) / Z
    const sumQ = repulse(Y, grad);
    const invQ = -1 / Math.max(sumQ, Number.MIN_VALUE);
    for (let p = 0; p < 2 * n; p++) grad[p] = (grad[p] as number) * invQ;
    // attractive forces
    const { cols, vals } = P;
    for (let i = 0; i < n; i++) {
      const xi = Y[2 * i] as number;
      const yi = Y[2 * i + 1] as number;
      let gx = 0;
      let gy = 0;
      const end = rowStart[i + 1] as number;
      for (let p = rowStart[i] as number; p < end; p++) {
        const j = cols[p] as number;
        const dx = xi - (Y[2 * j] as number);
        const dy = yi - (Y[2 * j + 1] as number);
        const a = (vals[p] as number) / (1 + dx * dx + dy * dy);
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

/**
 * The repulsion step of the chosen method (exported for the force-accuracy diagnostic, bench/tsne-forces.ts; not
 * part of the package's API): writes Σⱼ q̃ᵢⱼ²·(yᵢ − yⱼ) (q̃ = 1 / (1 + d²)) into `out` and returns
 * Z = Σ_{i≠j} q̃ᵢⱼ.
 */
export function repulsion(
  method: "barnes_hut" | "fft",
  n: number,
  theta: number,
  options: TsneOptions,
): (Y: Float64Array, out: Float64Array) => number {
  if (method === "fft") {
    const fft = new FftRepulsion(n, options);
    return (Y, out) => fft.repulse(Y, n, out);
  }
  const tree = new QuadTree(4 * n + 16, n);
  const f = new Float64Array(2);
  const theta2 = theta * theta;
  return (Y, out) => {
    tree.build(Y, n);
    let sumQ = 0;
    const order = tree.order;
    for (let t = 0; t < n; t++) {
      const i = order[t] as number;
      sumQ += tree.repulse(i, Y[2 * i] as number, Y[2 * i + 1] as number, theta2, f);
      out[2 * i] = f[0] as number;
      out[2 * i + 1] = f[1] as number;
    }
    return sumQ;
  };
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
      learning_rate: options.learningRate ?? TSNE_LEARNING_RATE,
      use_rep: rep,
    },
  };
  return adata;
}

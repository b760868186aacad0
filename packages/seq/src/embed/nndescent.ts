/**
 * Approximate Euclidean kNN by NN-descent (Dong, Moses & Li 2011), the method of pynndescent, which scanpy uses
 * for `pp.neighbors` from 8,192 cells on: start from random neighbours, then repeatedly let each point's
 * neighbours meet ("a neighbour of my neighbour is likely my neighbour"), keeping the k best per point, until an
 * iteration improves fewer than `delta·n·k` entries. Differences from pynndescent: random initialisation instead
 * of random-projection trees (so a few more iterations), and our own seeded stream (results are reproducible per
 * seed, not equal to pynndescent's).
 */
import { HypedError, type LongTaskOptions, progressReporter, Random, throwIfAborted } from "@hyped/core";
import type { KnnResult } from "./knn-result.js";

/** Options of {@link nnDescent}. */
export interface NnDescentOptions extends LongTaskOptions {
  /** Seed. Default 0. */
  seed?: number;
  /** Iteration cap. Default max(5, round(log2 n)) (pynndescent's). */
  maxIterations?: number;
  /** Random-projection trees for the initial neighbours. Default min(32, 5 + round(n^¼)) (pynndescent's). */
  nTrees?: number;
  /** Stop when an iteration changes fewer than delta·n·k entries. Default 0.001 (pynndescent's). */
  delta?: number;
  /** Candidates sampled per point and iteration. Default min(60, k) (pynndescent's `max_candidates`). */
  maxCandidates?: number;
}

/**
 * NN-descent kNN of the rows of `data` (n × dim, row-major), in the same layout as the exact `knn`: each row lists
 * the point itself first (distance 0), then its approximate k − 1 nearest neighbours by increasing distance.
 */
export function nnDescent(data: Float64Array, n: number, dim: number, k: number, options: NnDescentOptions = {}): KnnResult {
  if (data.length !== n * dim) throw new HypedError("SHAPE_MISMATCH", `data has ${data.length} values, expected ${n}×${dim}`, {});
  if (!(Number.isInteger(k) && k >= 1 && k <= n)) throw new HypedError("INVALID_ARGUMENT", `k must be in 1..${n}, got ${k}`, { k });
  const K = k - 1; // neighbours besides the point itself
  const { seed = 0, delta = 0.001 } = options;
  const maxIter = options.maxIterations ?? Math.max(5, Math.round(Math.log2(Math.max(n, 2))));
  const maxCand = options.maxCandidates ?? Math.min(60, k);
  const rng = Random.mulberry32(seed);
  const heaps = neighbourHeaps(data, n, dim, K);
  const { idx, isNew, d2, push } = heaps;
  if (K > 0) seedNeighbours(data, n, dim, k, K, heaps, rng, options);
  const progress = progressReporter(options.onProgress, "iterations", maxIter, "nn-descent");
  // candidate lists: flat buffers of maxCand per point, filled by reservoir sampling
  const newC = new Int32Array(n * maxCand);
  const oldC = new Int32Array(n * maxCand);
  const newN = new Int32Array(n);
  const oldN = new Int32Array(n);
  const newSeen = new Int32Array(n);
  const oldSeen = new Int32Array(n);
  const offer = (buf: Int32Array, cnt: Int32Array, seen: Int32Array, i: number, j: number): void => {
    const o = i * maxCand;
    const c = cnt[i] as number;
    for (let q = 0; q < c; q++) if (buf[o + q] === j) return;
    const s2 = (seen[i] as number) + 1;
    seen[i] = s2;
    if (c < maxCand) {
      buf[o + c] = j;
      cnt[i] = c + 1;
    } else {
      const r = rng.int(s2);
      if (r < maxCand) buf[o + r] = j;
    }
  };
  for (let it = 0; it < maxIter && K > 0; it++) {
    throwIfAborted(options.signal, "nn-descent");
    newN.fill(0);
    oldN.fill(0);
    newSeen.fill(0);
    oldSeen.fill(0);
    for (let i = 0; i < n; i++) {
      for (let q = 0; q < K; q++) {
        const j = idx[i * K + q] as number;
        if (j < 0) continue;
        if (isNew[i * K + q]) {
          offer(newC, newN, newSeen, i, j);
          offer(newC, newN, newSeen, j, i);
          isNew[i * K + q] = 0;
        } else {
          offer(oldC, oldN, oldSeen, i, j);
          offer(oldC, oldN, oldSeen, j, i);
        }
      }
    }
    let changes = 0;
    for (let i = 0; i < n; i++) {
      if ((i & 1023) === 0) throwIfAborted(options.signal, "nn-descent");
      const o = i * maxCand;
      const nn = newN[i] as number;
      const no = oldN[i] as number;
      for (let a = 0; a < nn; a++) {
        const p = newC[o + a] as number;
        for (let b = a + 1; b < nn; b++) {
          const q = newC[o + b] as number;
          const dd = d2(p, q);
          changes += push(p, q, dd) + push(q, p, dd);
        }
        for (let b = 0; b < no; b++) {
          const q = oldC[o + b] as number;
          if (p === q) continue;
          const dd = d2(p, q);
          changes += push(p, q, dd) + push(q, p, dd);
        }
      }
    }
    progress.tick();
    if (changes <= delta * n * K) break;
  }
  progress.finish();
  return sortedWithSelf(heaps, n, k);
}

/** NN-descent's state: per point a max-heap of its K best neighbours (`idx`, squared `dist`, `isNew` flags; root = worst). */
interface NeighbourHeaps {
  idx: Int32Array;
  dist: Float64Array;
  isNew: Uint8Array;
  /** Squared Euclidean distance of rows a and b. */
  d2: (a: number, b: number) => number;
  /** Offer j to i's heap at squared distance dd; 1 when it entered. */
  push: (i: number, j: number, dd: number) => number;
}

/** Empty heaps (index −1, distance ∞) of K neighbours for each of the n rows of `data`. */
function neighbourHeaps(data: Float64Array, n: number, dim: number, K: number): NeighbourHeaps {
  const idx = new Int32Array(n * Math.max(K, 1)).fill(-1);
  const dist = new Float64Array(n * Math.max(K, 1)).fill(Number.POSITIVE_INFINITY);
  const isNew = new Uint8Array(n * Math.max(K, 1));
  const d2 = (a: number, b: number): number => {
    let s = 0;
    const oa = a * dim;
    const ob = b * dim;
    for (let c = 0; c < dim; c++) {
      const t = (data[oa + c] as number) - (data[ob + c] as number);
      s += t * t;
    }
    return s;
  };
  /** Offer j to i's max-heap (root = worst); 1 when it entered. */
  const push = (i: number, j: number, dd: number): number => {
    const o = i * K;
    if (dd >= (dist[o] as number)) return 0;
    for (let q = 0; q < K; q++) if (idx[o + q] === j) return 0;
    let p = 0;
    for (;;) {
      const l = 2 * p + 1;
      const r = l + 1;
      let m = p;
      let md = dd;
      if (l < K && (dist[o + l] as number) > md) {
        m = l;
        md = dist[o + l] as number;
      }
      if (r < K && (dist[o + r] as number) > md) m = r;
      if (m === p) break;
      dist[o + p] = dist[o + m] as number;
      idx[o + p] = idx[o + m] as number;
      isNew[o + p] = isNew[o + m] as number;
      p = m;
    }
    dist[o + p] = dd;
    idx[o + p] = j;
    isNew[o + p] = 1;
    return 1;
  };
  return { idx, dist, isNew, d2, push };
}

/** The starting neighbours: the points of each random-projection tree leaf meet, then short heaps are filled at random. */
function seedNeighbours(
  data: Float64Array,
  n: number,
  dim: number,
  k: number,
  K: number,
  heaps: NeighbourHeaps,
  rng: Random,
  options: NnDescentOptions,
): void {
  const { idx, d2, push } = heaps;
  // random-projection trees: the points of each leaf start as each other's neighbours
  const nTrees = options.nTrees ?? Math.min(32, 5 + Math.round(n ** 0.25));
  const leafSize = Math.max(10, k);
  for (let t = 0; t < nTrees; t++) {
    throwIfAborted(options.signal, "nn-descent");
    for (const leaf of rpTreeLeaves(data, n, dim, leafSize, rng)) {
      for (let a = 0; a < leaf.length; a++) {
        for (let b = a + 1; b < leaf.length; b++) {
          const p = leaf[a] as number;
          const q = leaf[b] as number;
          const dd = d2(p, q);
          push(p, q, dd);
          push(q, p, dd);
        }
      }
    }
  }
  // fill any heap the trees left short with random points
  for (let i = 0; i < n; i++) {
    let filled = 0;
    for (let q = 0; q < K; q++) if ((idx[i * K + q] as number) >= 0) filled++;
    while (filled < K) {
      let j = rng.int(n - 1);
      if (j >= i) j++;
      filled += push(i, j, d2(i, j));
    }
  }
}

/** The heaps as a {@link KnnResult}: each row the point itself (distance 0), then its neighbours by increasing distance. */
function sortedWithSelf(heaps: NeighbourHeaps, n: number, k: number): KnnResult {
  const K = k - 1;
  const { idx, dist } = heaps;
  const indices = new Int32Array(n * k);
  const distances = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: K }, (_, q) => q)
      .filter((q) => (idx[i * K + q] as number) >= 0)
      .map((q) => ({ j: idx[i * K + q] as number, d: dist[i * K + q] as number }))
      .sort((a, b) => a.d - b.d || a.j - b.j);
    indices[i * k] = i;
    distances[i * k] = 0;
    for (let q = 0; q < K; q++) {
      const e = row[q];
      indices[i * k + 1 + q] = e ? e.j : -1;
      distances[i * k + 1 + q] = e ? Math.sqrt(e.d) : Number.POSITIVE_INFINITY;
    }
  }
  return { indices, distances, n, k };
}

/**
 * Leaves of one random-projection tree: split by the hyperplane halfway between two random points of the node
 * (ties and degenerate splits fall back to a random half) until a node has at most `leafSize` points.
 */
function rpTreeLeaves(data: Float64Array, n: number, dim: number, leafSize: number, rng: Random): Int32Array[] {
  const leaves: Int32Array[] = [];
  const stack: Int32Array[] = [Int32Array.from({ length: n }, (_, i) => i)];
  const normal = new Float64Array(dim);
  while (stack.length) {
    const node = stack.pop() as Int32Array;
    if (node.length <= leafSize) {
      leaves.push(node);
      continue;
    }
    const a = node[rng.int(node.length)] as number;
    let b = node[rng.int(node.length)] as number;
    if (b === a) b = node[(node.indexOf(a) + 1) % node.length] as number;
    let offset = 0;
    for (let c = 0; c < dim; c++) {
      const x = data[a * dim + c] as number;
      const y = data[b * dim + c] as number;
      normal[c] = x - y;
      offset -= (x - y) * ((x + y) / 2);
    }
    const left: number[] = [];
    const right: number[] = [];
    for (const i of node) {
      let m = offset;
      for (let c = 0; c < dim; c++) m += (normal[c] as number) * (data[i * dim + c] as number);
      if (m > 0 || (m === 0 && rng.next() < 0.5)) left.push(i);
      else right.push(i);
    }
    if (left.length === 0 || right.length === 0) {
      // all on one side (duplicates): split at random
      const all = [...left, ...right];
      const half = all.length >> 1;
      stack.push(Int32Array.from(all.slice(0, half)), Int32Array.from(all.slice(half)));
      continue;
    }
    stack.push(Int32Array.from(left), Int32Array.from(right));
  }
  return leaves;
}

/**
 * The Leiden algorithm (Traag, Waltman & van Eck 2019) for modularity with a resolution γ, as scanpy's
 * `tl.leiden` runs it through leidenalg / igraph: fast local moving of nodes, refinement of each community into
 * well-connected sub-communities (randomised merges with randomness θ), aggregation of the refined partition with
 * the unrefined one as its start, repeated until every community is a single aggregate node.
 *
 * No maintained npm package implements Leiden (graphology has Louvain only), so it is written here; its moves
 * and quality use the same graph helpers as {@link louvainGraph}.
 */
import { HypedError, type LongTaskOptions, progressReporter, Random, throwIfAborted } from "@hyped/core";
import { aggregate, renumberBySize, type WeightedGraph } from "./graph.js";

/** Options of {@link leidenGraph}. */
export interface LeidenGraphOptions extends LongTaskOptions {
  /** Resolution γ of the modularity. Default 1. */
  resolution?: number;
  /** Seed. Default 0 (scanpy's `random_state=0`). */
  seed?: number;
  /** Passes of the algorithm; a negative value repeats until a pass changes nothing (leidenalg's −1). Default −1. */
  nIterations?: number;
  /** Randomness θ of the refinement merges (leidenalg/igraph `beta`). Default 0.01. */
  theta?: number;
}

/** Fisher–Yates permutation of 0..n−1. */
function permutation(n: number, rng: Random): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i] as number;
    p[i] = p[j] as number;
    p[j] = t;
  }
  return p;
}

/** Relabel to 0..k−1 in order of first appearance. */
function compact(m: Int32Array): number {
  const to = new Map<number, number>();
  for (let i = 0; i < m.length; i++) {
    const c = m[i] as number;
    let r = to.get(c);
    if (r === undefined) {
      r = to.size;
      to.set(c, r);
    }
    m[i] = r;
  }
  return to.size;
}

/**
 * Fast local moving: visit nodes from a queue (random order), move each to the community of largest gain
 * `w(v, C) − γ·k_v·K_C / 2m` (an empty community has gain 0; ties keep the current one), and queue the neighbours
 * left outside the new community. Modifies `memb` (labels < n).
 */
function moveNodes(g: WeightedGraph, memb: Int32Array, gamma: number, rng: Random): void {
  const { n, indptr, indices, weights, degree, total } = g;
  const K = new Float64Array(n);
  const size = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    K[memb[i] as number]! += degree[i] as number;
    size[memb[i] as number]! += 1;
  }
  const empty: number[] = [];
  for (let c = n - 1; c >= 0; c--) if (size[c] === 0) empty.push(c);
  const queue = new Int32Array(n);
  const inQueue = new Uint8Array(n).fill(1);
  queue.set(permutation(n, rng));
  let head = 0;
  let count = n;
  const w = new Float64Array(n);
  const touched: number[] = [];
  while (count > 0) {
    const v = queue[head] as number;
    head = (head + 1) % n;
    count--;
    inQueue[v] = 0;
    const old = memb[v] as number;
    const kv = degree[v] as number;
    for (let p = indptr[v] as number; p < (indptr[v + 1] as number); p++) {
      const j = indices[p] as number;
      if (j === v) continue;
      const c = memb[j] as number;
      if (w[c] === 0) touched.push(c);
      w[c]! += weights[p] as number;
    }
    K[old]! -= kv;
    size[old]! -= 1;
    let best = old;
    let bestGain = (w[old] as number) - (gamma * kv * (K[old] as number)) / total;
    for (const c of touched) {
      const gain = (w[c] as number) - (gamma * kv * (K[c] as number)) / total;
      if (gain > bestGain) {
        bestGain = gain;
        best = c;
      }
    }
    if (bestGain < 0 && size[old]! > 0) {
      // alone is better: an empty community
      best = empty.pop() as number;
    }
    for (const c of touched) w[c] = 0;
    touched.length = 0;
    K[best]! += kv;
    size[best]! += 1;
    if (size[old] === 0 && best !== old) empty.push(old);
    if (best !== old) {
      memb[v] = best;
      for (let p = indptr[v] as number; p < (indptr[v + 1] as number); p++) {
        const j = indices[p] as number;
        if (inQueue[j] || memb[j] === best) continue;
        inQueue[j] = 1;
        queue[(head + count) % n] = j;
        count++;
      }
    }
  }
}

/**
 * Refinement: within each community C of `memb`, start from singletons and merge each well-connected singleton
 * v (`w(v, C−v) ≥ γ·k_v·(K_C − k_v)/2m`) into a well-connected sub-community S of C with non-negative gain,
 * chosen with probability ∝ exp(gain / θ). Returns the refined labels (0..r−1) and r.
 */
function refine(g: WeightedGraph, memb: Int32Array, gamma: number, theta: number, rng: Random): { refined: Int32Array; r: number } {
  const { n, indptr, indices, weights, degree, total } = g;
  const refined = Int32Array.from({ length: n }, (_, i) => i);
  const Kr = Float64Array.from(degree);
  const sizeR = new Int32Array(n).fill(1);
  const ext = new Float64Array(n); // w(S, C − S) for each refined community S (by label)
  const KC = new Float64Array(n);
  for (let i = 0; i < n; i++) KC[memb[i] as number]! += degree[i] as number;
  for (let i = 0; i < n; i++) {
    const c = memb[i] as number;
    for (let p = indptr[i] as number; p < (indptr[i + 1] as number); p++) {
      const j = indices[p] as number;
      if (j !== i && memb[j] === c) ext[i]! += weights[p] as number;
    }
  }
  const w = new Float64Array(n);
  const touched: number[] = [];
  for (const v of permutation(n, rng)) {
    if (sizeR[refined[v] as number] !== 1) continue;
    const c = memb[v] as number;
    const kv = degree[v] as number;
    const Kc = KC[c] as number;
    if ((ext[v] as number) < (gamma * kv * (Kc - kv)) / total) continue;
    for (let p = indptr[v] as number; p < (indptr[v + 1] as number); p++) {
      const j = indices[p] as number;
      if (j === v || memb[j] !== c) continue;
      const s = refined[j] as number;
      if (w[s] === 0) touched.push(s);
      w[s]! += weights[p] as number;
    }
    const cand: number[] = [];
    const gains: number[] = [];
    let maxGain = 0;
    for (const s of touched) {
      const Ks = Kr[s] as number;
      if ((ext[s] as number) < (gamma * Ks * (Kc - Ks)) / total) continue;
      const gain = (w[s] as number) - (gamma * kv * Ks) / total;
      if (gain < 0) continue;
      cand.push(s);
      gains.push(gain);
      if (gain > maxGain) maxGain = gain;
    }
    if (cand.length) {
      // staying alone (gain 0) is a candidate too
      let sum = Math.exp(-maxGain / theta);
      const pr = gains.map((x) => Math.exp((x - maxGain) / theta));
      for (const x of pr) sum += x;
      let u = rng.next() * sum - Math.exp(-maxGain / theta);
      let pick = -1;
      for (let q = 0; q < cand.length && u >= 0; q++) {
        u -= pr[q] as number;
        if (u < 0) pick = q;
      }
      if (pick >= 0) {
        const s = cand[pick] as number;
        const old = refined[v] as number;
        ext[s] = (ext[s] as number) + (ext[v] as number) - 2 * (w[s] as number);
        Kr[s]! += kv;
        sizeR[s]! += 1;
        sizeR[old] = 0;
        refined[v] = s;
      }
    }
    for (const s of touched) w[s] = 0;
    touched.length = 0;
  }
  const r = compact(refined);
  return { refined, r };
}

/** One pass of Leiden from `start` (labels < n) on `g`; returns the flat partition. */
function leidenPass(g0: WeightedGraph, start: Int32Array, gamma: number, theta: number, rng: Random, signal?: AbortSignal): Int32Array {
  let g = g0;
  let part = Int32Array.from(start);
  const nodeOf = Int32Array.from({ length: g0.n }, (_, i) => i);
  for (;;) {
    throwIfAborted(signal, "leiden");
    moveNodes(g, part, gamma, rng);
    const k = compact(part);
    if (k === g.n) break;
    const { refined, r } = refine(g, part, gamma, theta, rng);
    const aggPart = new Int32Array(r);
    for (let i = 0; i < g.n; i++) aggPart[refined[i] as number] = part[i] as number;
    for (let v = 0; v < nodeOf.length; v++) nodeOf[v] = refined[nodeOf[v] as number] as number;
    if (r === g.n) {
      // nothing merged in the refinement: aggregation would not shrink the graph
      part = aggPart;
      break;
    }
    g = aggregate(g, refined, r);
    part = aggPart;
  }
  return Int32Array.from(nodeOf, (a) => part[a] as number);
}

/**
 * Leiden communities of a weighted graph (see module docs). Returns labels 0..k−1 numbered by size, largest
 * first (as leidenalg numbers them and scanpy stores them).
 */
export function leidenGraph(g: WeightedGraph, options: LeidenGraphOptions = {}): { labels: Int32Array; k: number } {
  const { resolution = 1, seed = 0, nIterations = -1, theta = 0.01 } = options;
  if (!(resolution >= 0 && Number.isFinite(resolution)))
    throw new HypedError("INVALID_ARGUMENT", `resolution must be a finite number ≥ 0, got ${resolution}`, { resolution });
  if (!(theta > 0)) throw new HypedError("INVALID_ARGUMENT", `theta must be > 0, got ${theta}`, { theta });
  if (!Number.isInteger(nIterations)) throw new HypedError("INVALID_ARGUMENT", `nIterations must be an integer, got ${nIterations}`, {});
  if (g.n === 0) return { labels: new Int32Array(0), k: 0 };
  if (g.total === 0) return renumberBySize(Int32Array.from({ length: g.n }, (_, i) => i));
  const rng = Random.mulberry32(seed);
  let part: Int32Array = Int32Array.from({ length: g.n }, (_, i) => i);
  const maxPasses = nIterations < 0 ? 1000 : nIterations;
  const progress = progressReporter(options.onProgress, "passes", nIterations < 0 ? undefined : nIterations, "leiden");
  for (let it = 0; it < maxPasses; it++) {
    const next = leidenPass(g, part, resolution, theta, rng, options.signal);
    progress.tick();
    compact(next);
    const same = next.every((c, i) => c === part[i]);
    part = next;
    if (same && nIterations < 0) break;
  }
  progress.finish();
  return renumberBySize(part);
}

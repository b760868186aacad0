/**
 * Weighted undirected graphs for community detection: built from a sparse adjacency (e.g. `obsp.connectivities`),
 * aggregated by a partition, and scored by modularity with a resolution γ (the RB-configuration quality that
 * leidenalg, igraph and scanpy's `tl.leiden` / `tl.louvain` optimise).
 */
import { HypedError, isSparse, type SparseMatrix } from "@hyped/core";
import type { AnnData, Matrix } from "../anndata/index.js";
import { asCsr, numbers, shapeOf } from "../preprocess/matrix.js";

/**
 * A symmetric weighted adjacency A in CSR form (self-loops allowed, stored once on the diagonal). `degree[i]` is
 * Σⱼ A_ij and `total` is Σᵢⱼ A_ij (= 2m).
 */
export interface WeightedGraph {
  n: number;
  indptr: Int32Array;
  indices: Int32Array;
  weights: Float64Array;
  degree: Float64Array;
  total: number;
}

/**
 * The undirected graph of an n × n sparse adjacency: A = (M + Mᵀ) / 2, so a symmetric matrix such as scanpy's
 * connectivities is used as it is. `useWeights: false` gives every stored non-zero weight 1 (scanpy's
 * `use_weights=False`). Negative or non-finite weights are `INVALID_ARGUMENT`.
 */
export function graphFromAdjacency(adjacency: Matrix, options: { useWeights?: boolean } = {}): WeightedGraph {
  const { useWeights = true } = options;
  const [n, n2] = shapeOf(adjacency);
  if (n !== n2) throw new HypedError("SHAPE_MISMATCH", `adjacency must be square, got ${n}×${n2}`, { shape: [n, n2] });
  if (!isSparse(adjacency)) throw new HypedError("UNSUPPORTED", "adjacency must be a sparse matrix (CSR or CSC)", {});
  const m = asCsr(adjacency);
  const data = numbers(m.data);
  const nnz = Number(m.indptr[n]);
  // transpose by counting sort, so that row i of A merges row i of M and row i of Mᵀ
  const tPtr = new Int32Array(n + 1);
  for (let p = 0; p < nnz; p++) tPtr[(m.indices[p] as number) + 1]! += 1;
  for (let i = 0; i < n; i++) tPtr[i + 1]! += tPtr[i] as number;
  const tIdx = new Int32Array(nnz);
  const tVal = new Float64Array(nnz);
  const fill = tPtr.slice(0, n);
  for (let i = 0; i < n; i++) {
    for (let p = Number(m.indptr[i]); p < Number(m.indptr[i + 1]); p++) {
      const raw = data[p] as number;
      if (!(Number.isFinite(raw) && raw >= 0))
        throw new HypedError("INVALID_ARGUMENT", `adjacency weights must be finite and ≥ 0, got ${raw} at (${i}, ${m.indices[p]})`, {});
      const j = m.indices[p] as number;
      const q = fill[j]!++;
      tIdx[q] = i;
      tVal[q] = useWeights ? raw : raw === 0 ? 0 : 1;
    }
  }
  const acc = new Float64Array(n);
  const seen = new Uint8Array(n);
  const indptr = new Int32Array(n + 1);
  const outIdx: number[] = [];
  const outW: number[] = [];
  const degree = new Float64Array(n);
  let total = 0;
  const touched: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let p = Number(m.indptr[i]); p < Number(m.indptr[i + 1]); p++) {
      const raw = data[p] as number;
      const w = useWeights ? raw : raw === 0 ? 0 : 1;
      const j = m.indices[p] as number;
      if (!seen[j]) {
        seen[j] = 1;
        touched.push(j);
      }
      acc[j]! += w / 2;
    }
    for (let p = tPtr[i] as number; p < (tPtr[i + 1] as number); p++) {
      const j = tIdx[p] as number;
      if (!seen[j]) {
        seen[j] = 1;
        touched.push(j);
      }
      acc[j]! += (tVal[p] as number) / 2;
    }
    touched.sort((a, b) => a - b);
    for (const j of touched) {
      const w = acc[j] as number;
      if (w > 0) {
        outIdx.push(j);
        outW.push(w);
        degree[i]! += w;
      }
      acc[j] = 0;
      seen[j] = 0;
    }
    touched.length = 0;
    total += degree[i] as number;
    indptr[i + 1] = outIdx.length;
  }
  return { n, indptr, indices: Int32Array.from(outIdx), weights: Float64Array.from(outW), degree, total };
}

/** CSR graph from per-row maps (column → weight). */
export function fromRows(rows: Array<Map<number, number>>): WeightedGraph {
  const n = rows.length;
  const indptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) indptr[i + 1] = (indptr[i] as number) + (rows[i] as Map<number, number>).size;
  const nnz = indptr[n] as number;
  const indices = new Int32Array(nnz);
  const weights = new Float64Array(nnz);
  const degree = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    let p = indptr[i] as number;
    const sorted = [...(rows[i] as Map<number, number>)].sort((a, b) => a[0] - b[0]);
    for (const [j, w] of sorted) {
      indices[p] = j;
      weights[p++] = w;
      degree[i]! += w;
    }
    total += degree[i] as number;
  }
  return { n, indptr, indices, weights, degree, total };
}

/** The graph whose nodes are the communities of `membership` (labels 0..k−1), weights summed (self-loops kept). */
export function aggregate(g: WeightedGraph, membership: Int32Array, k: number): WeightedGraph {
  const rows: Array<Map<number, number>> = Array.from({ length: k }, () => new Map());
  for (let i = 0; i < g.n; i++) {
    const ci = membership[i] as number;
    const r = rows[ci] as Map<number, number>;
    for (let p = g.indptr[i] as number; p < (g.indptr[i + 1] as number); p++) {
      const cj = membership[g.indices[p] as number] as number;
      r.set(cj, (r.get(cj) ?? 0) + (g.weights[p] as number));
    }
  }
  return fromRows(rows);
}

/**
 * Modularity with resolution γ: Q = (1/2m) Σ_c [Σ_{i,j∈c} A_ij − γ K_c² / 2m], K_c the summed degree of community
 * c (igraph's `Graph.modularity(membership, weights, resolution)` on the same undirected graph).
 */
export function modularity(g: WeightedGraph, membership: ArrayLike<number>, resolution = 1): number {
  if (membership.length !== g.n) throw new HypedError("SHAPE_MISMATCH", `${membership.length} labels for ${g.n} nodes`, {});
  if (g.total === 0) return Number.NaN;
  const K = new Map<number, number>();
  let inside = 0;
  for (let i = 0; i < g.n; i++) {
    const c = membership[i] as number;
    K.set(c, (K.get(c) ?? 0) + (g.degree[i] as number));
    for (let p = g.indptr[i] as number; p < (g.indptr[i + 1] as number); p++)
      if (membership[g.indices[p] as number] === c) inside += g.weights[p] as number;
  }
  let expected = 0;
  for (const v of K.values()) expected += v * v;
  return (inside - (resolution * expected) / g.total) / g.total;
}

/**
 * Labels renumbered 0..k−1 by community size, largest first (ties by first member), as leidenalg and louvain
 * number them and scanpy stores them.
 */
export function renumberBySize(membership: ArrayLike<number>): { labels: Int32Array; k: number } {
  const size = new Map<number, number>();
  const first = new Map<number, number>();
  for (let i = 0; i < membership.length; i++) {
    const c = membership[i] as number;
    size.set(c, (size.get(c) ?? 0) + 1);
    if (!first.has(c)) first.set(c, i);
  }
  const order = [...size.keys()].sort(
    (a, b) => (size.get(b) as number) - (size.get(a) as number) || (first.get(a) as number) - (first.get(b) as number),
  );
  const to = new Map(order.map((c, r) => [c, r]));
  return { labels: Int32Array.from(membership, (c) => to.get(c) as number), k: order.length };
}

/** Options naming the graph of an AnnData, as scanpy's `adjacency` / `neighbors_key` / `obsp`. */
export interface GraphSource {
  /** An explicit n × n adjacency. */
  adjacency?: SparseMatrix;
  /** obsp key of the adjacency. */
  obsp?: string;
  /** Key of a `neighbors` result in `uns` (default `"neighbors"`): its `connectivities_key` is used. */
  neighborsKey?: string;
}

/** The adjacency scanpy's clustering would use: `adjacency`, `obsp[key]`, or the neighbors' connectivities. */
export function adjacencyOf(adata: AnnData, src: GraphSource): SparseMatrix {
  if (src.adjacency) return src.adjacency;
  let key = src.obsp;
  if (key === undefined) {
    const nk = src.neighborsKey ?? "neighbors";
    const info = adata.uns[nk] as { connectivities_key?: string } | undefined;
    key = info?.connectivities_key ?? (nk === "neighbors" ? "connectivities" : `${nk}_connectivities`);
  }
  const m = adata.obsp.get(key);
  if (!m) throw new HypedError("NOT_FOUND", `no obsp '${key}': run neighbors first or pass an adjacency`, { obsp: key });
  if (!isSparse(m)) throw new HypedError("UNSUPPORTED", `obsp '${key}' is dense; clustering expects a sparse graph`, { obsp: key });
  return m;
}

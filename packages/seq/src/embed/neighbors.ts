/**
 * Exact k-nearest neighbours (Euclidean) and UMAP's fuzzy connectivities, as scanpy's `pp.neighbors`
 * (`method="umap"`).
 */
import { HypedError, type LongTaskOptions, progressReporter, type SparseMatrix, throwIfAborted } from "@hyped/core";
import type { AnnData, Matrix } from "../anndata/index.js";
import { denseFrom, shapeOf, toDenseF64 } from "../preprocess/matrix.js";
import type { KnnResult } from "./knn-result.js";
import { nnDescent } from "./nndescent.js";
import { pcaMatrix } from "./pca.js";

export type { KnnResult } from "./knn-result.js";

/**
 * Exact Euclidean kNN of the rows of `data` (n × dim, row-major), each point counted as its own first
 * neighbour (matches `sklearn.neighbors.NearestNeighbors(n_neighbors=k).kneighbors(X)` up to the order of
 * exactly tied distances). Blocked brute force over the upper triangle of the distance matrix (each pair is
 * computed once and offered to both points' bounded max-heaps; four rows per pass of the inner product):
 * O(n²·dim / 2) time, O(n·k) memory. Candidates are ranked by ‖a‖² + ‖b‖² − 2a·b, then the chosen neighbours'
 * distances are recomputed exactly and sorted (ties by index).
 */
export function knn(data: Float64Array, n: number, dim: number, k: number, options: LongTaskOptions = {}): KnnResult {
  if (data.length !== n * dim) throw new HypedError("SHAPE_MISMATCH", `data has ${data.length} values, expected ${n}×${dim}`, {});
  if (!(Number.isInteger(k) && k >= 1 && k <= n)) throw new HypedError("INVALID_ARGUMENT", `k must be in 1..${n}, got ${k}`, { k });
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < dim; c++) s += (data[i * dim + c] as number) ** 2;
    norms[i] = s;
  }
  // one bounded max-heap per point: heapD[i·k ..], heapI[i·k ..], size[i]; root[i] = current worst (∞ until full)
  const heapD = new Float64Array(n * k);
  const heapI = new Int32Array(n * k);
  const size = new Int32Array(n);
  const root = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const offer = (i: number, j: number, d2: number): void => {
    const o = i * k;
    const s = size[i] as number;
    if (s < k) {
      let p = s;
      size[i] = s + 1;
      while (p > 0) {
        const parent = (p - 1) >> 1;
        if ((heapD[o + parent] as number) >= d2) break;
        heapD[o + p] = heapD[o + parent] as number;
        heapI[o + p] = heapI[o + parent] as number;
        p = parent;
      }
      heapD[o + p] = d2;
      heapI[o + p] = j;
      if (s + 1 === k) root[i] = heapD[o] as number;
      return;
    }
    let p = 0;
    for (;;) {
      const l = 2 * p + 1;
      if (l >= k) break;
      const r = l + 1;
      const c = r < k && (heapD[o + r] as number) > (heapD[o + l] as number) ? r : l;
      if ((heapD[o + c] as number) <= d2) break;
      heapD[o + p] = heapD[o + c] as number;
      heapI[o + p] = heapI[o + c] as number;
      p = c;
    }
    heapD[o + p] = d2;
    heapI[o + p] = j;
    root[i] = heapD[o] as number;
  };
  const pair = (i: number, j: number, d2: number): void => {
    if (d2 < (root[i] as number)) offer(i, j, d2);
    if (d2 < (root[j] as number)) offer(j, i, d2);
  };
  const tile = 128;
  const progress = progressReporter(options.onProgress, "cells", n, "kNN");
  for (let i0 = 0; i0 < n; i0 += tile) {
    throwIfAborted(options.signal, "kNN");
    const i1 = Math.min(n, i0 + tile);
    for (let j0 = i0; j0 < n; j0 += tile) {
      const j1 = Math.min(n, j0 + tile);
      for (let i = i0; i < i1; i++) {
        const oi = i * dim;
        const ni = norms[i] as number;
        let j = j0;
        if (j0 === i0) {
          offer(i, i, -1); // self first, always
          j = i + 1;
        }
        for (; j + 3 < j1; j += 4) {
          const o0 = j * dim;
          const o1 = o0 + dim;
          const o2 = o1 + dim;
          const o3 = o2 + dim;
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          for (let c = 0; c < dim; c++) {
            const a = data[oi + c] as number;
            s0 += a * (data[o0 + c] as number);
            s1 += a * (data[o1 + c] as number);
            s2 += a * (data[o2 + c] as number);
            s3 += a * (data[o3 + c] as number);
          }
          pair(i, j, ni + (norms[j] as number) - 2 * s0);
          pair(i, j + 1, ni + (norms[j + 1] as number) - 2 * s1);
          pair(i, j + 2, ni + (norms[j + 2] as number) - 2 * s2);
          pair(i, j + 3, ni + (norms[j + 3] as number) - 2 * s3);
        }
        for (; j < j1; j++) {
          const oj = j * dim;
          let s = 0;
          for (let c = 0; c < dim; c++) s += (data[oi + c] as number) * (data[oj + c] as number);
          pair(i, j, ni + (norms[j] as number) - 2 * s);
        }
      }
    }
    progress.tick(i1 - i0);
  }
  progress.finish();
  return exactSortedNeighbours(data, dim, heapI, size, n, k);
}

/**
 * The last stage of {@link knn}: the exact distances of the neighbours each point's heap kept (`heapI[i·k ..]`,
 * `size[i]` of them; the point itself stands at distance 0), sorted by distance, ties by index.
 */
function exactSortedNeighbours(data: Float64Array, dim: number, heapI: Int32Array, size: Int32Array, n: number, k: number): KnnResult {
  const indices = new Int32Array(n * k);
  const distances = new Float64Array(n * k);
  const candJ = new Int32Array(k);
  const candD = new Float64Array(k);
  const order = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const oi = i * dim;
    const s = size[i] as number;
    for (let r = 0; r < s; r++) {
      const j = heapI[i * k + r] as number;
      candJ[r] = j;
      if (j === i) {
        candD[r] = -1;
        continue;
      }
      let acc = 0;
      const oj = j * dim;
      for (let c = 0; c < dim; c++) {
        const t = (data[oi + c] as number) - (data[oj + c] as number);
        acc += t * t;
      }
      candD[r] = Math.sqrt(acc);
    }
    for (let r = 0; r < s; r++) order[r] = r;
    order.subarray(0, s).sort((a, b) => (candD[a] as number) - (candD[b] as number) || (candJ[a] as number) - (candJ[b] as number));
    for (let r = 0; r < s; r++) {
      const q = order[r] as number;
      indices[i * k + r] = candJ[q] as number;
      distances[i * k + r] = Math.max(candD[q] as number, 0);
    }
  }
  return { indices, distances, n, k };
}

/**
 * UMAP's fuzzy simplicial set on a kNN table (umap-learn `fuzzy_simplicial_set` with local_connectivity 1 and
 * set_op_mix_ratio 1, as scanpy uses): per cell ρ = distance to the nearest other cell, σ by bisection so that
 * Σⱼ exp(−max(0, dᵢⱼ − ρ)/σ) = log2(k), weights wᵢⱼ = exp(−max(0, dᵢⱼ − ρ)/σ), then the fuzzy union
 * P = W + Wᵀ − W∘Wᵀ. Returns CSR n × n.
 */
export function fuzzyConnectivities(nn: KnnResult): SparseMatrix<Float64Array> {
  const { n, k, indices, distances } = nn;
  const target = Math.log2(k);
  let meanAll = 0;
  for (const d of distances) meanAll += d;
  meanAll /= distances.length;
  // W in CSR: row i holds the weights of i's neighbours (itself excluded)
  const wPtr = new Int32Array(n + 1);
  const wIdx = new Int32Array(n * k);
  const wVal = new Float64Array(n * k);
  let nw = 0;
  for (let i = 0; i < n; i++) {
    const row = distances.subarray(i * k, i * k + k);
    let rho = 0;
    for (let c = 1; c < k; c++) {
      if ((row[c] as number) > 0) {
        rho = row[c] as number;
        break;
      }
    }
    let lo = 0;
    let hi = Number.POSITIVE_INFINITY;
    let mid = 1;
    for (let it = 0; it < 64; it++) {
      let psum = 0;
      for (let c = 1; c < k; c++) {
        const d = (row[c] as number) - rho;
        psum += d > 0 ? Math.exp(-(d / mid)) : 1;
      }
      if (Math.abs(psum - target) < 1e-5) break;
      if (psum > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = hi === Number.POSITIVE_INFINITY ? mid * 2 : (lo + hi) / 2;
      }
    }
    let sigma = mid;
    let meanRow = 0;
    for (let c = 0; c < k; c++) meanRow += row[c] as number;
    meanRow /= k;
    if (rho > 0) sigma = Math.max(sigma, 1e-3 * meanRow);
    else sigma = Math.max(sigma, 1e-3 * meanAll);
    for (let c = 0; c < k; c++) {
      const j = indices[i * k + c] as number;
      if (j === i) continue;
      const d = (row[c] as number) - rho;
      const val = d <= 0 || sigma === 0 ? 1 : Math.exp(-(d / sigma));
      wIdx[nw] = j;
      wVal[nw++] = val;
    }
    wPtr[i + 1] = nw;
  }
  return fuzzyUnion(n, wPtr, wIdx, wVal);
}

/**
 * The fuzzy union A + Aᵀ − A∘Aᵀ of a CSR matrix (rows without duplicate columns), as CSR with sorted columns;
 * entries of either side are kept even when their value is 0.
 */
function fuzzyUnion(n: number, ptr: Int32Array, idx: Int32Array, val: Float64Array): SparseMatrix<Float64Array> {
  const nnz = ptr[n] as number;
  const tPtr = new Int32Array(n + 1);
  for (let p = 0; p < nnz; p++) tPtr[(idx[p] as number) + 1]! += 1;
  for (let i = 0; i < n; i++) tPtr[i + 1]! += tPtr[i] as number;
  const tIdx = new Int32Array(nnz);
  const tVal = new Float64Array(nnz);
  const fill = tPtr.slice(0, n);
  for (let i = 0; i < n; i++) {
    for (let p = ptr[i] as number; p < (ptr[i + 1] as number); p++) {
      const q = fill[idx[p] as number]!++;
      tIdx[q] = i;
      tVal[q] = val[p] as number;
    }
  }
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const seen = new Uint8Array(n);
  const touched: number[] = [];
  const indptr = new Int32Array(n + 1);
  const indices = new Int32Array(2 * nnz);
  const data = new Float64Array(2 * nnz);
  let out = 0;
  for (let i = 0; i < n; i++) {
    for (let p = ptr[i] as number; p < (ptr[i + 1] as number); p++) {
      const j = idx[p] as number;
      if (!seen[j]) {
        seen[j] = 1;
        touched.push(j);
      }
      a[j] = val[p] as number;
    }
    for (let p = tPtr[i] as number; p < (tPtr[i + 1] as number); p++) {
      const j = tIdx[p] as number;
      if (!seen[j]) {
        seen[j] = 1;
        touched.push(j);
      }
      b[j] = tVal[p] as number;
    }
    touched.sort((x, y) => x - y);
    for (const j of touched) {
      const x = a[j] as number;
      const y = b[j] as number;
      indices[out] = j;
      data[out++] = x + y - x * y;
      a[j] = 0;
      b[j] = 0;
      seen[j] = 0;
    }
    touched.length = 0;
    indptr[i + 1] = out;
  }
  return { format: "csr", shape: [n, n], data: data.slice(0, out), indices: indices.slice(0, out), indptr };
}

/** The kNN distances (self excluded) as CSR n × n, as scanpy's `obsp["distances"]`. */
export function knnDistanceMatrix(nn: KnnResult): SparseMatrix<Float64Array> {
  const { n, k } = nn;
  const indptr = new Int32Array(n + 1);
  const indices = new Int32Array(n * k);
  const data = new Float64Array(n * k);
  let out = 0;
  const row: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    row.length = 0;
    for (let c = 0; c < k; c++) {
      const j = nn.indices[i * k + c] as number;
      if (j !== i) row.push([j, nn.distances[i * k + c] as number]);
    }
    row.sort((x, y) => x[0] - y[0]);
    for (const [j, d] of row) {
      indices[out] = j;
      data[out++] = d;
    }
    indptr[i + 1] = out;
  }
  return { format: "csr", shape: [n, n], data: data.slice(0, out), indices: indices.slice(0, out), indptr };
}

/** Options of {@link neighbors}. */
export interface NeighborsOptions extends LongTaskOptions {
  /** Neighbours per cell including itself. Default 15. */
  nNeighbors?: number;
  /** obsm key to use (default `X_pca` when present; else `X` when it has ≤ 50 genes, else PCA is computed). */
  useRep?: string;
  /** Use only the first `nPcs` columns of the representation. */
  nPcs?: number;
  /** Key prefix in uns/obsp. Default `neighbors` (obsp `distances`, `connectivities`). */
  keyAdded?: string;
  /**
   * kNN search: `"exact"` (brute force, scikit-learn's answer), `"nndescent"` (approximate, as pynndescent) or
   * `"auto"` (default): exact below {@link KNN_EXACT_MAX_CELLS} cells, NN-descent from there on, as scanpy chooses.
   */
  knnMethod?: "auto" | "exact" | "nndescent";
  /** Seed of NN-descent. Default 0 (scanpy's `random_state=0`). */
  randomState?: number;
}

/** scanpy computes exact neighbours below this many cells and uses pynndescent from it on. */
export const KNN_EXACT_MAX_CELLS = 8192;

/** The representation matrix (cells × dims, row-major float64) scanpy would use for neighbours/embeddings. */
export function representation(adata: AnnData, useRep?: string, nPcs?: number): { data: Float64Array; dim: number; rep: string } {
  let rep = useRep;
  let m: Matrix | undefined;
  if (rep === undefined) {
    if (adata.obsm.has("X_pca")) rep = "X_pca";
    else if (adata.nVars <= 50) rep = "X";
    else {
      const X = adata.X;
      if (!X) throw new HypedError("NOT_FOUND", "adata.X is empty", {});
      const r = pcaMatrix(X, { nComps: 50 });
      adata.obsm.set("X_pca", denseFrom(r.scores, r.nObs, r.nComps));
      rep = "X_pca";
    }
  }
  if (rep === "X") m = adata.X ?? undefined;
  else m = adata.obsm.get(rep);
  if (!m)
    throw new HypedError("NOT_FOUND", `no representation '${rep}' (obsm keys: ${[...adata.obsm.keys()].join(", ") || "none"})`, {
      useRep: rep,
    });
  const [n, d] = shapeOf(m);
  const full = toDenseF64(m);
  if (nPcs === undefined || nPcs >= d) return { data: full, dim: d, rep };
  const out = new Float64Array(n * nPcs);
  for (let i = 0; i < n; i++) for (let c = 0; c < nPcs; c++) out[i * nPcs + c] = full[i * d + c] as number;
  return { data: out, dim: nPcs, rep };
}

/**
 * Build the kNN graph on an AnnData (scanpy `pp.neighbors`, method umap, Euclidean; exact kNN below 8,192 cells,
 * NN-descent from there on, as scanpy; see `knnMethod`): writes
 * `obsp.distances`, `obsp.connectivities` and `uns.neighbors = { params, distances_key, connectivities_key }`,
 * and returns the kNN table.
 */
export function neighbors(adata: AnnData, options: NeighborsOptions = {}): KnnResult {
  const k = options.nNeighbors ?? 15;
  const { data, dim, rep } = representation(adata, options.useRep, options.nPcs);
  const method = options.knnMethod ?? "auto";
  if (method !== "auto" && method !== "exact" && method !== "nndescent")
    throw new HypedError("INVALID_ARGUMENT", `knnMethod must be auto, exact or nndescent, got '${String(method)}'`, {});
  const approximate = method === "nndescent" || (method === "auto" && adata.nObs >= KNN_EXACT_MAX_CELLS);
  const kk = Math.min(k, adata.nObs);
  const nn = approximate
    ? nnDescent(data, adata.nObs, dim, kk, { ...options, seed: options.randomState ?? 0 })
    : knn(data, adata.nObs, dim, kk, options);
  const key = options.keyAdded ?? "neighbors";
  const dKey = key === "neighbors" ? "distances" : `${key}_distances`;
  const cKey = key === "neighbors" ? "connectivities" : `${key}_connectivities`;
  adata.obsp.set(dKey, knnDistanceMatrix(nn));
  adata.obsp.set(cKey, fuzzyConnectivities(nn));
  adata.uns[key] = {
    params: {
      n_neighbors: k,
      method: "umap",
      metric: "euclidean",
      use_rep: rep,
      knn: approximate ? "nndescent" : "exact",
      random_state: options.randomState ?? 0,
      ...(options.nPcs ? { n_pcs: options.nPcs } : {}),
    },
    distances_key: dKey,
    connectivities_key: cKey,
  };
  return nn;
}

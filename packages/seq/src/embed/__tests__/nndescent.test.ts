/** NN-descent against the exact kNN, and scanpy's exact/approximate threshold (parity.json defaults). */
import { describe, expect, it } from "vitest";
import { AnnData, DataFrame } from "../../anndata/index.js";
import { loadParity } from "../../preprocess/__tests__/helpers.js";
import { KNN_EXACT_MAX_CELLS, knn, neighbors, nnDescent } from "../index.js";

function clustered(n: number, dim: number, seed: number): Float64Array {
  let s = seed;
  const u = () => {
    s = (Math.imul(1664525, s) + 1013904223) >>> 0;
    return (s >>> 8) / 2 ** 24;
  };
  const centres = Array.from({ length: 12 }, () => Float64Array.from({ length: dim }, () => 10 * u()));
  const out = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = centres[i % 12] as Float64Array;
    for (let d = 0; d < dim; d++) out[i * dim + d] = (c[d] as number) + (u() + u() + u() - 1.5);
  }
  return out;
}

describe("nnDescent", () => {
  const n = 3000;
  const dim = 20;
  const k = 15;
  const data = clustered(n, dim, 3);
  const exact = knn(data, n, dim, k);
  const approx = nnDescent(data, n, dim, k, { seed: 1 });
  it("recalls at least 95 % of the exact neighbours; self first, sorted, true distances", () => {
    let hit = 0;
    for (let i = 0; i < n; i++) {
      const truth = new Set(exact.indices.subarray(i * k, i * k + k));
      for (let q = 0; q < k; q++) if (truth.has(approx.indices[i * k + q] as number)) hit++;
      expect(approx.indices[i * k]).toBe(i);
      expect(approx.distances[i * k]).toBe(0);
      for (let q = 1; q < k; q++) {
        expect(approx.distances[i * k + q]! >= approx.distances[i * k + q - 1]!).toBe(true);
        const j = approx.indices[i * k + q] as number;
        let s = 0;
        for (let d = 0; d < dim; d++) s += (data[i * dim + d]! - data[j * dim + d]!) ** 2;
        expect(approx.distances[i * k + q]).toBeCloseTo(Math.sqrt(s), 12);
      }
    }
    expect(hit / (n * k)).toBeGreaterThan(0.95); // 3,000 points in 12 clusters of 20-D: see docs/preprocess.md
  });
  it("is reproducible per seed; arguments are checked; cancellation", () => {
    expect(Array.from(nnDescent(data, n, dim, k, { seed: 1 }).indices)).toEqual(Array.from(approx.indices));
    expect(() => nnDescent(data, n, dim, 0)).toThrow(/k must/);
    expect(() => nnDescent(data.subarray(1), n, dim, 5)).toThrow(/values/);
    const ac = new AbortController();
    ac.abort();
    expect(() => nnDescent(data, n, dim, k, { signal: ac.signal })).toThrow(/cancel/);
    expect(Array.from(nnDescent(data.subarray(0, 4), 4, 1, 1).indices)).toEqual([0, 1, 2, 3]);
  });
});

describe("neighbors: exact below scanpy's 8,192 cells, NN-descent from there", () => {
  it("the threshold is scanpy's, and auto switches at it", () => {
    expect(KNN_EXACT_MAX_CELLS).toBe(loadParity<{ defaults: { knn_exact_max_cells: number } }>().defaults.knn_exact_max_cells);
    const make = (m: number) => {
      const ad = new AnnData({ X: null, obs: new DataFrame(Array.from({ length: m }, (_, i) => `c${i}`)), var: new DataFrame([]) });
      ad.obsm.set("X_pca", { data: clustered(m, 2, 9), shape: [m, 2], stride: [2, 1], offset: 0 } as never);
      return ad;
    };
    const small = make(300);
    neighbors(small);
    expect((small.uns.neighbors as { params: { knn: string } }).params.knn).toBe("exact");
    const forced = make(300);
    neighbors(forced, { knnMethod: "nndescent" });
    expect((forced.uns.neighbors as { params: { knn: string } }).params.knn).toBe("nndescent");
    const big = make(KNN_EXACT_MAX_CELLS);
    neighbors(big, { nNeighbors: 5 });
    expect((big.uns.neighbors as { params: { knn: string } }).params.knn).toBe("nndescent");
    expect(big.obsp.get("connectivities")!.shape).toEqual([KNN_EXACT_MAX_CELLS, KNN_EXACT_MAX_CELLS]);
    expect(() => neighbors(small, { knnMethod: "bogus" as never })).toThrow(/knnMethod/);
  });
});

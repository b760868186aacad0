import type { DenseMatrix, SparseMatrix } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { AnnData, categoricalFrom, DataFrame } from "../../anndata/index.js";
import { expectClose, flat, loadRef } from "../../preprocess/__tests__/helpers.js";
import { fuzzyConnectivities, knn, neighbors, tsne, tsneEmbed, umap, umapEmbed } from "../index.js";

const ref = loadRef<{ scores: number[][]; knn_indices: number[][]; knn_distances: number[][] }>("pca.json");

/** Gaussian blobs from an integer LCG: `nGroups` clusters in `dim` dimensions, cluster c shifted by 8 on axis c. */
function blobs(n: number, dim: number, nGroups: number, seed = 7) {
  let s = seed;
  const u = () => {
    s = (Math.imul(1664525, s) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  const data = new Float64Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % nGroups;
    for (let c = 0; c < dim; c++)
      data[i * dim + c] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()) + (c === labels[i] ? 8 : 0);
  }
  return { data, labels };
}

/** Fraction of points whose nearest other point in the embedding has the same label. */
function oneNnAccuracy(Y: Float64Array, labels: Int32Array, d = 2): number {
  const n = labels.length;
  let ok = 0;
  for (let i = 0; i < n; i++) {
    let best = Number.POSITIVE_INFINITY;
    let bj = -1;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let c = 0; c < d; c++) s += (Y[i * d + c]! - Y[j * d + c]!) ** 2;
      if (s < best) {
        best = s;
        bj = j;
      }
    }
    if (labels[bj] === labels[i]) ok++;
  }
  return ok / n;
}

describe("knn against scikit-learn NearestNeighbors", () => {
  it("indices and distances of the 15 nearest neighbours (self first) on the PCA scores", () => {
    const scores = flat(ref.scores);
    const r = knn(scores, 200, 20, 15);
    expect(Array.from(r.indices)).toEqual(ref.knn_indices.flat());
    // scikit-learn computes distances as sqrt(|x|² + |y|² − 2x·y), accurate to ~1e-7 only (its self distances are not 0)
    expectClose(r.distances, flat(ref.knn_distances), 1e-7, 1e-6, "distances");
  });
  it("fuzzy connectivities are symmetric, in (0, 1], with no self loops", () => {
    const r = knn(flat(ref.scores), 200, 20, 15);
    const C = fuzzyConnectivities(r);
    const get = (i: number, j: number) => {
      for (let p = C.indptr[i]!; p < C.indptr[i + 1]!; p++) if (C.indices[p] === j) return C.data[p]!;
      return 0;
    };
    for (let i = 0; i < 200; i++) {
      expect(get(i, i)).toBe(0);
      for (let p = C.indptr[i]!; p < C.indptr[i + 1]!; p++) {
        const j = C.indices[p]!;
        expect(C.data[p]! > 0 && C.data[p]! <= 1).toBe(true);
        expect(get(j, i)).toBeCloseTo(C.data[p]!, 15);
      }
    }
    // every cell's nearest neighbour gets weight 1 (distance = ρ)
    for (let i = 0; i < 200; i++) expect(get(i, r.indices[i * 15 + 1]!)).toBeCloseTo(1, 12);
  });
  it("neighbors() writes obsp and uns like scanpy", () => {
    const { data } = blobs(200, 5, 4);
    const ad2 = new AnnData({ X: { data, shape: [200, 5], stride: [5, 1], offset: 0 } as unknown as DenseMatrix });
    neighbors(ad2, { nNeighbors: 10 });
    const D = ad2.obsp.get("distances") as SparseMatrix;
    expect(D.indptr[1]).toBe(9);
    expect((ad2.uns.neighbors as { params: { use_rep: string } }).params.use_rep).toBe("X");
  });
});

describe("t-SNE (Barnes–Hut)", () => {
  const { data, labels } = blobs(300, 6, 4);
  it("is deterministic and separates well-separated clusters", () => {
    // scikit-learn's "auto" rate suits 300 points better than scanpy's default of 1000
    const a = tsneEmbed(data, 300, 6, { nIter: 500, learningRate: "auto" });
    const b = tsneEmbed(data, 300, 6, { nIter: 500, learningRate: "auto" });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(oneNnAccuracy(a, labels)).toBeGreaterThan(0.97);
    const c = tsneEmbed(data, 300, 6, { nIter: 300, init: "random", seed: 3, learningRate: "auto" });
    expect(oneNnAccuracy(c, labels)).toBeGreaterThan(0.9);
  });
  it("AnnData wrapper writes obsm.X_tsne; cancellation", () => {
    const ad = new AnnData({
      X: null,
      obs: new DataFrame(
        Array.from({ length: 300 }, (_, i) => `c${i}`),
        { g: categoricalFrom(Array.from(labels, String)) },
      ),
      var: new DataFrame([]),
    });
    ad.obsm.set("X_pca", { data, shape: [300, 6], stride: [6, 1], offset: 0 } as unknown as DenseMatrix);
    tsne(ad, { nIter: 100 });
    expect(ad.obsm.get("X_tsne")!.shape).toEqual([300, 2]);
    const ac = new AbortController();
    ac.abort();
    expect(() => tsneEmbed(data, 300, 6, { signal: ac.signal })).toThrow(/cancelled/);
  });
});

describe("UMAP (umap-js, seeded)", () => {
  const { data, labels } = blobs(240, 6, 4);
  it("is repeatable with a seed and separates clusters", async () => {
    const a = await umapEmbed(data, 240, 6, { nEpochs: 150, seed: 1 });
    const b = await umapEmbed(data, 240, 6, { nEpochs: 150, seed: 1 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(oneNnAccuracy(a, labels)).toBeGreaterThan(0.97);
  });
  it("AnnData wrapper writes obsm.X_umap", async () => {
    const ad = new AnnData({ X: { data, shape: [240, 6], stride: [6, 1], offset: 0 } as unknown as DenseMatrix });
    await umap(ad, { nEpochs: 50 });
    expect(ad.obsm.get("X_umap")!.shape).toEqual([240, 2]);
  });
});

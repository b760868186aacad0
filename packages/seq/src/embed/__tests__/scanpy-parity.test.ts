/** Issue #18 rows for embeddings: PCA sign rule (scikit-learn ≥ 1.5), zeroCenter: false variances, t-SNE defaults. */
import { fromTyped } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { AnnData } from "../../anndata/index.js";
import { expectClose, flat, loadParity } from "../../preprocess/__tests__/helpers.js";
import { log1pMatrix, normalizeTotalMatrix } from "../../preprocess/index.js";
import { toDenseF64 } from "../../preprocess/matrix.js";
import { lcgCounts } from "../../preprocess/synthetic.js";
import { fuzzyConnectivities, knn, knnDistanceMatrix, pca, pcaMatrix, TSNE_LEARNING_RATE, tsne, tsneEmbed } from "../index.js";

interface PcaSide {
  scores: number[][];
  components: number[][];
  variance: number[];
  variance_ratio: number[];
}
const ref = loadParity<{
  pca: PcaSide & { n_flipped_vs_score_rule: number; uncentered: PcaSide; input: { nComps: number } };
  defaults: { tsne_learning_rate: number };
  connectivities: Record<"indptr" | "indices" | "data" | "dist_indptr" | "dist_indices" | "dist_data", number[]>;
}>();

function input() {
  const { X } = lcgCounts({ nCells: 120, nGenes: 60, seed: 5 });
  return log1pMatrix(normalizeTotalMatrix(X, { targetSum: 1e4 }).X);
}

describe("pca against scikit-learn ≥ 1.5 / TruncatedSVD (parity.json)", () => {
  it("each component's largest-magnitude loading is positive, as scikit-learn ≥ 1.5", () => {
    // the reference has components where the old score-based rule disagrees, so the signs are really tested
    expect(ref.pca.n_flipped_vs_score_rule).toBeGreaterThan(0);
    const r = pcaMatrix(input(), { nComps: ref.pca.input.nComps });
    expectClose(r.components, flat(ref.pca.components), 1e-6, 1e-7, "components");
    expectClose(r.scores, flat(ref.pca.scores), 1e-6, 1e-7, "scores");
    expectClose(r.variance, ref.pca.variance, 1e-9, 0, "variance");
    expectClose(r.varianceRatio, ref.pca.variance_ratio, 1e-9, 0, "variance ratio");
  });
  it("zeroCenter: false has TruncatedSVD's variance (ddof 0 of the scores) and a ratio below 1", () => {
    const r = pcaMatrix(input(), { nComps: ref.pca.input.nComps, zeroCenter: false });
    const u = ref.pca.uncentered;
    expectClose(r.components, flat(u.components), 1e-6, 1e-7, "components");
    expectClose(r.scores, flat(u.scores), 1e-6, 1e-7, "scores");
    expectClose(r.variance, u.variance, 1e-8, 0, "variance");
    expectClose(r.varianceRatio, u.variance_ratio, 1e-8, 0, "variance ratio");
    expect(r.varianceRatio.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1);
  });
  it('dtype: "float32" stores float32 values (scanpy\'s default precision) equal to the rounded float64 ones', () => {
    const a = new AnnData({ X: input() });
    const b = new AnnData({ X: input() });
    pca(a, { nComps: 5 });
    pca(b, { nComps: 5, dtype: "float32" });
    const xa = toDenseF64(a.obsm.get("X_pca")!);
    const xb = b.obsm.get("X_pca")!;
    expect((xb as { data: unknown }).data).toBeInstanceOf(Float32Array);
    expect(Array.from(toDenseF64(xb))).toEqual(Array.from(xa, (v) => Math.fround(v)));
    expect(() => pca(a, { dtype: "float16" as never })).toThrow(/dtype/);
  });
  it("maskVar selects genes by a var column or a mask; null uses every gene", () => {
    const a = new AnnData({ X: input() });
    const mask = Uint8Array.from({ length: 60 }, (_, j) => (j % 3 === 0 ? 1 : 0));
    a.var.set("keep", { kind: "boolean", values: mask });
    pca(a, { nComps: 4, maskVar: "keep" });
    const pcs = toDenseF64(a.varm.get("PCs")!);
    for (let j = 0; j < 60; j++) if (!mask[j]) for (let c = 0; c < 4; c++) expect(pcs[j * 4 + c]).toBe(0);
    const b = new AnnData({ X: input() });
    pca(b, { nComps: 4, maskVar: mask });
    expect(Array.from(toDenseF64(b.obsm.get("X_pca")!))).toEqual(Array.from(toDenseF64(a.obsm.get("X_pca")!)));
    expect(() => pca(b, { maskVar: "nope" })).toThrow(/nope/);
    expect(() => pca(b, { maskVar: [1, 0] })).toThrow(/2 entries/);
  });
});

describe("tsne defaults", () => {
  it("learning rate defaults to scanpy's 1000 (not scikit-learn's 'auto')", () => {
    expect(TSNE_LEARNING_RATE).toBe(ref.defaults.tsne_learning_rate);
    let s = 7;
    const data = Float64Array.from({ length: 60 * 3 }, () => {
      s = (Math.imul(1664525, s) + 1013904223) >>> 0;
      return (s >>> 8) / 2 ** 24;
    });
    const opts = { perplexity: 10, nIter: 300, seed: 2 };
    const byDefault = tsneEmbed(data, 60, 3, opts);
    expect(Array.from(byDefault)).toEqual(Array.from(tsneEmbed(data, 60, 3, { ...opts, learningRate: 1000 })));
    expect(Array.from(byDefault)).not.toEqual(Array.from(tsneEmbed(data, 60, 3, { ...opts, learningRate: "auto" })));
    const ad = new AnnData({ X: fromTyped(data, [60, 3]) as never });
    tsne(ad, { ...opts, useRep: "X" });
    expect((ad.uns.tsne as { params: { learning_rate: number } }).params.learning_rate).toBe(1000);
  });
});

describe("neighbors' UMAP connectivities (umap-learn's rules written out in numpy)", () => {
  it("distances and connectivities equal the reference CSR", () => {
    const X = toDenseF64(input());
    const nn = knn(X, 120, 60, 10);
    const c = ref.connectivities;
    const C = fuzzyConnectivities(nn);
    expect(Array.from(C.indptr)).toEqual(c.indptr);
    expect(Array.from(C.indices)).toEqual(c.indices);
    expectClose(C.data, c.data, 1e-12, 1e-14, "connectivities");
    const D = knnDistanceMatrix(nn);
    expect(Array.from(D.indptr)).toEqual(c.dist_indptr);
    expect(Array.from(D.indices)).toEqual(c.dist_indices);
    expectClose(D.data, c.dist_data, 1e-12, 1e-14, "distances");
  });
});

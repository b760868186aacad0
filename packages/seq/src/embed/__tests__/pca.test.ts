import { type DenseMatrix, type SparseMatrix, sparseToDense } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { AnnData } from "../../anndata/index.js";
import { expectClose, flat, loadRef } from "../../preprocess/__tests__/helpers.js";
import { highlyVariableGenes, log1pMatrix, normalizeTotalMatrix } from "../../preprocess/index.js";
import { lcgCounts } from "../../preprocess/synthetic.js";
import { pca, pcaMatrix } from "../index.js";

interface PcaRef {
  scores: number[][];
  components: number[][];
  explained_variance: number[];
  explained_variance_ratio: number[];
  knn_indices: number[][];
  knn_distances: number[][];
}
const ref = loadRef<PcaRef>("pca.json");

/** The PCA reference input: log1p(normalize_total(counts, 1e4)). */
export function pcaInput(): SparseMatrix {
  const { X } = lcgCounts({ nCells: 200, nGenes: 60, seed: 5 });
  return log1pMatrix(normalizeTotalMatrix(X, { targetSum: 1e4 }).X) as SparseMatrix;
}

describe("pcaMatrix against scikit-learn PCA(svd_solver='full')", () => {
  const solvers = [
    ["auto", {}],
    ["exact covariance", { solver: "gram" }],
    ["Lanczos, implicit operator", { solver: "lanczos", lanczosOperator: "implicit" }],
    ["Lanczos, covariance operator", { solver: "lanczos", lanczosOperator: "gram" }],
  ] as const;
  for (const [layout, X, [solverName, solverOptions]] of [
    ["sparse CSR (implicit centring)", pcaInput()],
    ["dense", sparseToDense(pcaInput())],
  ].flatMap(([l, x]) => solvers.map((s) => [l, x, s] as const))) {
    it(`${layout}, ${solverName}: scores, components and variances agree to 1e-6 (signs made deterministic)`, () => {
      const r = pcaMatrix(X as SparseMatrix, { nComps: 20, ...solverOptions });
      expect(r.nComps).toBe(20);
      expectClose(r.scores, flat(ref.scores), 1e-6, 1e-6, "scores");
      expectClose(r.components, flat(ref.components), 1e-6, 1e-6, "components");
      expectClose(r.variance, ref.explained_variance, 1e-9, 0, "variance");
      expectClose(r.varianceRatio, ref.explained_variance_ratio, 1e-9, 0, "variance ratio");
    });
  }
  it("is deterministic and independent of the seed", () => {
    const a = pcaMatrix(pcaInput(), { nComps: 10 });
    const b = pcaMatrix(pcaInput(), { nComps: 10, seed: 123 });
    expectClose(a.scores, b.scores, 1e-8, 1e-8, "seed independence");
  });
  it("caps nComps at min(n, d) − 1 and writes obsm/varm/uns through the AnnData wrapper", () => {
    const ad = new AnnData({ X: pcaInput() });
    pca(ad);
    expect(ad.obsm.get("X_pca")!.shape).toEqual([200, 50]);
    expect(ad.varm.get("PCs")!.shape).toEqual([60, 50]);
    const tiny = pcaMatrix(sparseToDense(pcaInput()).hi(5, 60) as never, { nComps: 50 });
    expect(tiny.nComps).toBe(4);
  });
  it("uses var.highly_variable when present", () => {
    const ad = new AnnData({ X: pcaInput() });
    ad.uns.log1p = { base: null };
    highlyVariableGenes(ad, { nTopGenes: 25 });
    pca(ad, { nComps: 5 });
    const pcs = ad.varm.get("PCs") as DenseMatrix;
    const hv = ad.var.get("highly_variable").toFloat64();
    for (let j = 0; j < 60; j++) if (!hv[j]) for (let c = 0; c < 5; c++) expect(pcs.get(j, c)).toBe(0);
  });
});

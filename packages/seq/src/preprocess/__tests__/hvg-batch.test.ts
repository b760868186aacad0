/** highlyVariableGenes({ batchKey }) and seurat_v3_paper against scanpy's batched rules (parity.json). */
import { denseToCsr, sparseToDense } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { AnnData, categoricalFrom, DataFrame } from "../../anndata/index.js";
import { highlyVariableGenes, highlyVariableGenesBatchedMatrix, log1pMatrix, normalizeTotalMatrix } from "../index.js";
import { lcgCounts } from "../synthetic.js";
import { expectClose, loadParity } from "./helpers.js";

type Cols = Record<string, Array<number | boolean>>;
const ref = loadParity<{ hvg_batch: Record<string, Record<string, Cols>> }>().hvg_batch;
const names = Array.from({ length: 80 }, (_, j) => `g${String(j).padStart(2, "0")}`);
const batch = Array.from({ length: 120 }, (_, i) => `b${Math.floor(i / 40)}`);

function counts() {
  const { X } = lcgCounts({ nCells: 120, nGenes: 80, seed: 21 });
  const d = sparseToDense(X);
  for (let i = 40; i < 80; i++) d.set(i, 5, 0);
  return denseToCsr(d);
}
const nums = (a: Array<number | boolean>) => Float64Array.from(a, Number);

describe("highlyVariableGenes with batchKey (seurat, cell_ranger)", () => {
  for (const flavor of ["seurat", "cell_ranger"] as const) {
    for (const mode of ["top20", "cutoffs"] as const) {
      it(`${flavor}, ${mode === "top20" ? "nTopGenes 20" : "cutoffs"}: means, dispersions, nbatches, intersection, selection`, () => {
        const ad = new AnnData({
          X: log1pMatrix(normalizeTotalMatrix(counts(), { targetSum: 1e4 }).X),
          obs: new DataFrame(
            batch.map((_, i) => `c${i}`),
            { batch: categoricalFrom(batch) },
          ),
          var: new DataFrame(names),
        });
        highlyVariableGenes(ad, { flavor, batchKey: "batch", ...(mode === "top20" ? { nTopGenes: 20 } : {}) });
        const r = ref[flavor]![mode]!;
        expectClose(ad.var.get("means").toFloat64(), nums(r.means!), 1e-12, 1e-14, "means");
        expectClose(ad.var.get("dispersions").toFloat64(), nums(r.dispersions!), 1e-10, 1e-12, "dispersions");
        expectClose(ad.var.get("dispersions_norm").toFloat64(), nums(r.dispersions_norm!), 1e-9, 1e-11, "dispersions_norm");
        expect(Array.from(ad.var.get("highly_variable_nbatches").toFloat64())).toEqual(r.highly_variable_nbatches!.map(Number));
        expect(Array.from(ad.var.get("highly_variable_intersection").toFloat64())).toEqual(r.highly_variable_intersection!.map(Number));
        expect(Array.from(ad.var.get("highly_variable").toFloat64())).toEqual(r.highly_variable!.map(Number));
      });
    }
  }
});

describe("seurat_v3 / seurat_v3_paper per batch", () => {
  for (const flavor of ["seurat_v3", "seurat_v3_paper"] as const) {
    it(`${flavor}: median rank, nbatches, mean normalised variance and the selection order`, () => {
      const r = highlyVariableGenesBatchedMatrix(counts(), batch, names, { flavor, nTopGenes: 20 });
      const e = ref[flavor]!.batched!;
      expectClose(r.highlyVariableRank!, nums(e.highly_variable_rank!), 0, 0, "rank");
      expect(Array.from(r.highlyVariableNbatches)).toEqual(e.highly_variable_nbatches!.map(Number));
      expectClose(r.variancesNorm!, nums(e.variances_norm!), 1e-9, 1e-12, "variances_norm");
      expect(Array.from(r.highlyVariable)).toEqual(e.highly_variable!.map(Number));
      expectClose(r.means, nums(e.means!), 1e-13, 0, "means");
    });
    it(`${flavor} without a batch key selects the top genes by normalised variance`, () => {
      const ad = new AnnData({ X: counts(), var: new DataFrame(names) });
      highlyVariableGenes(ad, { flavor, nTopGenes: 20 });
      expect(Array.from(ad.var.get("highly_variable").toFloat64())).toEqual(ref[flavor]!.single!.highly_variable!.map(Number));
      expectClose(ad.var.get("highly_variable_rank").toFloat64(), nums(ref[flavor]!.single!.highly_variable_rank!), 0, 0, "rank");
    });
  }
  it("the two flavours differ with batches (paper: nbatches first)", () => {
    const a = highlyVariableGenesBatchedMatrix(counts(), batch, names, { flavor: "seurat_v3", nTopGenes: 20 });
    const b = highlyVariableGenesBatchedMatrix(counts(), batch, names, { flavor: "seurat_v3_paper", nTopGenes: 20 });
    expect(Array.from(a.highlyVariable)).not.toEqual(Array.from(b.highlyVariable));
  });
  it("errors and dtype", () => {
    const ad = new AnnData({ X: counts(), var: new DataFrame(names) });
    expect(() => highlyVariableGenes(ad, { batchKey: "nope" })).toThrow(/nope/);
    expect(() => highlyVariableGenesBatchedMatrix(counts(), batch, names, { flavor: "seurat_v3" })).toThrow(/nTopGenes/);
    expect(() => highlyVariableGenesBatchedMatrix(counts(), batch.slice(1), names)).toThrow(/batch labels/);
    const l = new AnnData({ X: log1pMatrix(normalizeTotalMatrix(counts(), { targetSum: 1e4 }).X), var: new DataFrame(names) });
    highlyVariableGenes(l, { nTopGenes: 10, dtype: "float32" });
    expect((l.var.column("dispersions_norm") as { values: unknown }).values).toBeInstanceOf(Float32Array);
  });
});

/** Issue #18 rows for preprocessing, against scripts/make_scanpy_parity_reference.py (parity.json). */
import { convertSparse, denseToCsr, isHypedError, sparseToDense } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { AnnData } from "../../anndata/index.js";
import { filterCells, filterCellsMatrix, filterGenes, filterGenesMatrix, normalizeTotal } from "../index.js";
import { lcgCounts } from "../synthetic.js";
import { expectClose, loadParity } from "./helpers.js";

interface FilterRef {
  cells: Record<string, number[]>;
  genes: Record<string, number[]>;
}
const ref = loadParity<{ normalize_total: { norm_factor_target_1e4: number[]; norm_factor_median: number[] }; filter: FilterRef }>();

describe("normalizeTotal keyAdded (scanpy ≥ 1.11.2)", () => {
  it("stores total / targetSum, with and without a target, zero cells 0", () => {
    const { X } = lcgCounts({ nCells: 30, nGenes: 20, seed: 3 });
    const d = sparseToDense(X);
    for (let j = 0; j < 20; j++) d.set(4, j, 0);
    const a = new AnnData({ X: denseToCsr(d) });
    normalizeTotal(a, { targetSum: 1e4, keyAdded: "norm_factor" });
    expectClose(a.obs.get("norm_factor").toFloat64(), ref.normalize_total.norm_factor_target_1e4, 1e-15, 0, "target 1e4");
    const b = new AnnData({ X: denseToCsr(d) });
    normalizeTotal(b, { keyAdded: "norm_factor" });
    expectClose(b.obs.get("norm_factor").toFloat64(), ref.normalize_total.norm_factor_median, 1e-15, 0, "median target");
  });
});

describe("filterCells / filterGenes (scanpy pp.filter_cells / pp.filter_genes)", () => {
  function counts() {
    const { X } = lcgCounts({ nCells: 40, nGenes: 30, seed: 12 });
    const d = sparseToDense(X);
    for (let j = 0; j < 30; j++) d.set(7, j, 0);
    for (let i = 0; i < 40; i++) d.set(i, 11, 0);
    return denseToCsr(d);
  }
  const kept = (m: Uint8Array) => Array.from(m).flatMap((v, i) => (v ? [i] : []));
  const layouts = { csr: counts, csc: () => convertSparse(counts(), "csc"), dense: () => sparseToDense(counts()) };
  for (const [name, make] of Object.entries(layouts)) {
    it(`${name}: each bound keeps the reference's cells and genes`, () => {
      const c = ref.filter.cells;
      const g = ref.filter.genes;
      expect(kept(filterCellsMatrix(make(), { minCounts: 60 }).subset)).toEqual(c.min_counts_60);
      expect(kept(filterCellsMatrix(make(), { maxCounts: 80 }).subset)).toEqual(c.max_counts_80);
      expect(kept(filterCellsMatrix(make(), { minGenes: 14 }).subset)).toEqual(c.min_genes_14);
      expect(kept(filterCellsMatrix(make(), { maxGenes: 16 }).subset)).toEqual(c.max_genes_16);
      expect(kept(filterGenesMatrix(make(), { minCounts: 90 }).subset)).toEqual(g.min_counts_90);
      expect(kept(filterGenesMatrix(make(), { maxCounts: 100 }).subset)).toEqual(g.max_counts_100);
      expect(kept(filterGenesMatrix(make(), { minCells: 22 }).subset)).toEqual(g.min_cells_22);
      expect(kept(filterGenesMatrix(make(), { maxCells: 24 }).subset)).toEqual(g.max_cells_24);
    });
  }
  it("the AnnData wrappers return the subset with scanpy's columns, leaving the input whole", () => {
    const ad = new AnnData({ X: counts() });
    const a = filterCells(ad, { minGenes: 14 });
    expect(ad.nObs).toBe(40);
    expect(a.nObs).toBe(ref.filter.cells.min_genes_14!.length);
    expect(Array.from(a.obs.get("n_genes").toFloat64())).toEqual(ref.filter.cells.min_genes_14!.map((i) => ref.filter.cells.n_genes![i]));
    const b = filterCells(ad, { minCounts: 1 });
    expect(b.nObs).toBe(39);
    expectClose(
      b.obs.get("n_counts").toFloat64(),
      ref.filter.cells.n_counts!.filter((_, i) => i !== 7),
      0,
      0,
      "n_counts",
    );
    const g = filterGenes(ad, { minCells: 1 });
    expect(g.nVars).toBe(29);
    expect(Array.from(g.var.get("n_cells").toFloat64())).toEqual(ref.filter.genes.n_cells!.filter((_, j) => j !== 11));
    expect(filterGenes(ad, { maxCounts: 100 }).var.has("n_counts")).toBe(true);
  });
  it("exactly one bound per call, as scanpy", () => {
    const ad = new AnnData({ X: counts() });
    for (const bad of [{}, { minCounts: 1, minGenes: 2 }, { minGenes: Number.NaN }]) {
      try {
        filterCells(ad, bad);
        expect.unreachable();
      } catch (e) {
        expect(isHypedError(e, "INVALID_ARGUMENT")).toBe(true);
      }
    }
    expect(() => filterGenes(ad, { minCells: 1, maxCells: 3 })).toThrow(/exactly one/);
  });
});

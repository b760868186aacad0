import { existsSync } from "node:fs";
import path from "node:path";
import { denseToCsr, isHypedError, type SparseMatrix, sparseToDense } from "@hyped/core";
import { H5File } from "@hyped/core/hdf5";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AnnData } from "../../anndata/index.js";
import {
  calculateQcMetrics,
  colMeanVar,
  highlyVariableGenes,
  highlyVariableGenesMatrix,
  loessFit,
  log1p,
  log1pMatrix,
  normalizeTotal,
  normalizeTotalMatrix,
  scale,
  scaleMatrix,
} from "../index.js";
import { denseValues, toDenseF64 } from "../matrix.js";
import { lcgCounts } from "../synthetic.js";
import { expectClose, fixturesDir, flat, loadRef } from "./helpers.js";

interface BasicRef {
  targetSum: number;
  normalized: number[][];
  log1p: number[][];
  log1p_base2: number[][];
  scaled_max2_5: number[][];
  scale_mean: number[];
  scale_std: number[];
  qc: Record<string, number[]>;
}
const basic = loadRef<BasicRef>("basic.json");

function basicCounts(): SparseMatrix {
  const { X } = lcgCounts({ nCells: 40, nGenes: 30, seed: 3 });
  const d = sparseToDense(X);
  for (let j = 0; j < 30; j++) d.set(5, j, 0);
  return denseToCsr(d);
}

const layouts = {
  csr: (m: SparseMatrix) => m,
  csc: (m: SparseMatrix) => ({ ...m, ...convertCsc(m) }),
  dense: (m: SparseMatrix) => sparseToDense(m),
};
function convertCsc(m: SparseMatrix): SparseMatrix {
  // via core
  return (globalThis as unknown as { __csc: (m: SparseMatrix) => SparseMatrix }).__csc(m);
}

import { convertSparse } from "@hyped/core";

(globalThis as unknown as { __csc: (m: SparseMatrix) => SparseMatrix }).__csc = (m) => convertSparse(m, "csc");

describe("normalizeTotal / log1p / scale / QC against numpy formulas", () => {
  for (const [name, make] of Object.entries(layouts)) {
    it(`${name}: normalizeTotal uses the median of non-zero totals and leaves zero cells at zero`, () => {
      const r = normalizeTotalMatrix(make(basicCounts()));
      expect(r.targetSum).toBe(basic.targetSum);
      expectClose(toDenseF64(r.X), flat(basic.normalized), 1e-14, 0, "normalized");
      expect(r.countsPerCell[5]).toBe(0);
    });
    it(`${name}: log1p (natural and base 2)`, () => {
      const n = normalizeTotalMatrix(make(basicCounts())).X;
      expectClose(toDenseF64(log1pMatrix(n)), flat(basic.log1p), 1e-14, 0, "log1p");
      expectClose(toDenseF64(log1pMatrix(n, { base: 2 })), flat(basic.log1p_base2), 1e-14, 0, "log1p base 2");
    });
    it(`${name}: scale with ddof-1 std and clipping`, () => {
      const l = log1pMatrix(normalizeTotalMatrix(make(basicCounts())).X);
      const s = scaleMatrix(l, { maxValue: 2.5 });
      expectClose(toDenseF64(s.X), flat(basic.scaled_max2_5), 1e-12, 1e-13, "scaled");
      expectClose(s.std, basic.scale_std, 1e-13, 0, "std");
    });
    it(`${name}: QC metrics`, () => {
      const ad = new AnnData({ X: make(basicCounts()) });
      const mt = Uint8Array.from({ length: 30 }, (_, j) => (j % 7 === 0 ? 1 : 0));
      calculateQcMetrics(ad, { qcVars: [["mt", mt]], percentTop: [20, 5, 10] });
      for (const k of [
        "n_genes_by_counts",
        "total_counts",
        "pct_counts_in_top_5_genes",
        "pct_counts_in_top_10_genes",
        "pct_counts_in_top_20_genes",
        "total_counts_mt",
        "pct_counts_mt",
      ]) {
        expectClose(ad.obs.get(k).toFloat64(), basic.qc[k] as number[], 1e-13, 0, k);
      }
      for (const k of ["n_cells_by_counts", "mean_counts", "pct_dropout_by_counts"]) {
        expectClose(ad.var.get(k).toFloat64(), basic.qc[k] as number[], 1e-13, 0, k);
      }
      expectClose(ad.var.get("total_counts").toFloat64(), basic.qc.var_total_counts as number[], 0, 0, "var total");
      expectClose(
        ad.obs.get("log1p_total_counts").toFloat64(),
        (basic.qc.total_counts as number[]).map(Math.log1p),
        1e-15,
        0,
        "log1p total",
      );
    });
  }

  it("AnnData wrappers write X, obs and uns like scanpy", () => {
    const ad = new AnnData({ X: basicCounts() });
    normalizeTotal(ad, { targetSum: 1e4, keyAdded: "n_counts" });
    log1p(ad, { base: 2 });
    expect(ad.uns.log1p).toEqual({ base: 2 });
    expect(ad.obs.get("n_counts").toFloat64()[5]).toBe(0);
    const rowSum = denseValues(sparseToDense(ad.X as SparseMatrix));
    expect(Number.isFinite(rowSum[0] as number)).toBe(true);
    scale(ad, { zeroCenter: false });
    expect(ad.var.has("std")).toBe(true);
  });

  it("errors are typed", () => {
    expect(() => calculateQcMetrics(new AnnData({ X: basicCounts() }))).toThrow(/percentTop 50/);
    try {
      normalizeTotalMatrix(basicCounts(), { targetSum: -1 });
    } catch (e) {
      expect(isHypedError(e, "INVALID_ARGUMENT")).toBe(true);
    }
  });

  it("property: normalised non-zero rows sum to the target; column variance is shift-invariant", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 2, max: 12 }),
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        (seed, n, target) => {
          const { X } = lcgCounts({ nCells: n, nGenes: 7, seed });
          const r = normalizeTotalMatrix(X, { targetSum: target });
          const d = toDenseF64(r.X);
          for (let i = 0; i < n; i++) {
            let s = 0;
            for (let j = 0; j < 7; j++) s += d[i * 7 + j] as number;
            if (r.countsPerCell[i]! > 0) expect(Math.abs(s - target)).toBeLessThan(1e-9 * target);
            else expect(s).toBe(0);
          }
          const v1 = colMeanVar(r.X).var;
          const shifted = sparseToDense(r.X as SparseMatrix);
          for (let k = 0; k < shifted.data.length; k++) (shifted.data as Float64Array)[k]! += 3;
          expectClose(colMeanVar(shifted).var, v1, 1e-8, 1e-9, "var");
        },
      ),
      { numRuns: 40 },
    );
  });
});

interface HvgFlavorRef {
  means: number[];
  dispersions: number[];
  dispersions_norm: number[];
  highly_variable: boolean[];
}
const pbmc = path.join(fixturesDir, "h5ad/scanpy/10x_pbmc68k_reduced.h5ad");

describe.skipIf(!existsSync(pbmc))("highlyVariableGenes on scanpy's pbmc68k_reduced raw.X (scanpy test_compare_to_upstream input)", () => {
  const ref = loadRef<{ genes: string[]; seurat: HvgFlavorRef; cell_ranger: HvgFlavorRef }>("hvg_pbmc68k.json");
  async function load(): Promise<SparseMatrix> {
    const f = await H5File.open(pbmc);
    try {
      const shape = f.attr("raw/X", "shape") as ArrayLike<number | bigint>;
      return {
        format: "csr",
        shape: [Number(shape[0]), Number(shape[1])],
        data: f.read("raw/X/data").data as Float32Array,
        indices: f.read("raw/X/indices").data as Int32Array,
        indptr: f.read("raw/X/indptr").data as Int32Array,
      };
    } finally {
      f.close();
    }
  }
  for (const flavor of ["seurat", "cell_ranger"] as const) {
    it(`${flavor}: means, dispersions, normalised dispersions and the selection`, async () => {
      const raw = await load();
      const X64: SparseMatrix = { ...raw, data: Float64Array.from(raw.data as Float32Array) };
      const ad = new AnnData({ X: X64 });
      normalizeTotal(ad, { targetSum: 1e4 });
      log1p(ad);
      const r = highlyVariableGenesMatrix(ad.X!, flavor === "seurat" ? { flavor } : { flavor, nTopGenes: 100 });
      const want = ref[flavor];
      expectClose(r.means, want.means, 1e-12, 1e-14, "means");
      expectClose(r.dispersions!, want.dispersions, 1e-10, 1e-12, "dispersions");
      expectClose(r.dispersionsNorm!, want.dispersions_norm, 1e-9, 1e-11, "dispersions_norm");
      expect(Array.from(r.highlyVariable, (v) => v === 1)).toEqual(want.highly_variable);
      // the same on dense input, through the AnnData wrapper
      const dense = new AnnData({ X: sparseToDense(ad.X as SparseMatrix) });
      dense.uns.log1p = { base: null };
      highlyVariableGenes(dense, flavor === "seurat" ? { flavor } : { flavor, nTopGenes: 100 });
      expect(Array.from(dense.var.get("highly_variable").values())).toEqual(want.highly_variable);
    });
  }
});

describe("highlyVariableGenes seurat_v3 (LOESS from scikit-misc)", () => {
  interface V3 {
    means: number[];
    variances: number[];
    variances_norm: number[];
    highly_variable_rank: number[];
    highly_variable: boolean[];
  }
  const ref = loadRef<{ nTopGenes: number; direct: V3; interpolate: V3 }>("hvg_v3.json");
  for (const surface of ["interpolate", "direct"] as const)
    it(`matches scanpy's formula with skmisc's ${surface} LOESS to 1e-10`, () => {
      const { X } = lcgCounts({ nCells: 300, nGenes: 400, seed: 11 });
      for (const m of [X, sparseToDense(X)]) {
        const r = highlyVariableGenesMatrix(m, { flavor: "seurat_v3", nTopGenes: ref.nTopGenes, loessSurface: surface });
        const want = ref[surface];
        expectClose(r.means, want.means, 1e-13, 0, "means");
        expectClose(r.variances!, want.variances, 1e-12, 0, "variances");
        expectClose(r.variancesNorm!, want.variances_norm, 1e-10, 0, "variances_norm");
        expect(Array.from(r.highlyVariable, (v) => v === 1)).toEqual(want.highly_variable);
        // ranks agree up to swaps of values equal to 1e-12 (numpy and we round the last digit differently)
        const v = want.variances_norm;
        r.highlyVariableRank!.forEach((rk, j) => {
          if (Number.isNaN(rk)) return;
          const above = v.filter((x) => x > v[j]! * (1 + 1e-12)).length;
          const within = v.filter((x) => Math.abs(x - v[j]!) <= Math.abs(v[j]!) * 1e-12).length;
          expect(rk >= above && rk < above + within, `rank of gene ${j}`).toBe(true);
        });
      }
    });
  it("needs nTopGenes and rejects unknown flavours", () => {
    const { X } = lcgCounts({ nCells: 10, nGenes: 10 });
    expect(() => highlyVariableGenesMatrix(X, { flavor: "seurat_v3" })).toThrow(/nTopGenes/);
    expect(() => highlyVariableGenesMatrix(X, { flavor: "pearson" as never })).toThrow(/flavor 'pearson'/);
  });
});

describe("loessFit (netlib loess as scikit-misc runs it)", () => {
  it("interpolating and direct surfaces agree with skmisc to 1e-12", () => {
    const ref = loadRef<{ cases: Array<{ x: number[]; y: number[]; span: number; direct: number[]; interpolate: number[] }> }>(
      "loess.json",
    );
    for (const c of ref.cases) {
      expectClose(loessFit(c.x, c.y, { span: c.span }), c.interpolate, 1e-12, 1e-12, `interpolate n=${c.x.length}`);
      expectClose(loessFit(c.x, c.y, { span: c.span, surface: "direct" }), c.direct, 1e-12, 1e-12, `direct n=${c.x.length}`);
    }
  });
});

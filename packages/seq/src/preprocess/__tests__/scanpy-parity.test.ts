/** Issue #18 rows for preprocessing, against scripts/make_scanpy_parity_reference.py (parity.json). */
import { denseToCsr, sparseToDense } from "@hyped/core";
import { describe, it } from "vitest";
import { AnnData } from "../../anndata/index.js";
import { normalizeTotal } from "../index.js";
import { lcgCounts } from "../synthetic.js";
import { expectClose, loadParity } from "./helpers.js";

const ref = loadParity<{ normalize_total: { norm_factor_target_1e4: number[]; norm_factor_median: number[] } }>();

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

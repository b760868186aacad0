/** Issue #18: rankGenesGroups tests `.raw` when it exists (scanpy's use_raw=None), reference from parity.json. */
import { fromTyped } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { AnnData, DataFrame } from "../../anndata/index.js";
import { expectClose, loadParity } from "../../preprocess/__tests__/helpers.js";
import { log1pMatrix, normalizeTotalMatrix, scaleMatrix } from "../../preprocess/index.js";
import { toDenseF64 } from "../../preprocess/matrix.js";
import { lcgCounts } from "../../preprocess/synthetic.js";
import { rankGenesGroups } from "../index.js";

type Side = { scores_raw: number[]; lfc_raw: number[]; scores_X: number[] };
const ref = loadParity<{ rank_genes_groups_raw: Record<string, Side> }>().rank_genes_groups_raw;

function build(withRaw: boolean): AnnData {
  const { X, groups } = lcgCounts({ nCells: 60, nGenes: 25, seed: 8 });
  const L = log1pMatrix(normalizeTotalMatrix(X, { targetSum: 1e4 }).X);
  const Z = scaleMatrix(L, { maxValue: 10 }).X;
  const names = Array.from({ length: 25 }, (_, j) => `g${j}`);
  return new AnnData({
    X: fromTyped(toDenseF64(Z), [60, 25]) as never,
    obs: new DataFrame(
      Array.from({ length: 60 }, (_, i) => `c${i}`),
      { g: { kind: "string", values: Array.from(groups, String) } },
    ),
    var: new DataFrame(names),
    raw: withRaw ? { X: L, var: new DataFrame(names) } : null,
  });
}

/** Per-gene values of a ranked field, back in var order. */
function unrank(idx: Int32Array, v: Float64Array): Float64Array {
  const out = new Float64Array(idx.length);
  idx.forEach((j, r) => {
    out[j] = v[r] as number;
  });
  return out;
}

describe("rankGenesGroups and adata.raw", () => {
  it("tests .raw by default when it exists (scores and fold changes of the log data)", () => {
    const r = rankGenesGroups(build(true), "g");
    for (const g of ["0", "1", "2"]) {
      const s = ref[g] as Side;
      expectClose(unrank(r.indices[g]!, r.scores[g]!), s.scores_raw, 1e-10, 1e-12, `scores ${g}`);
      expectClose(unrank(r.indices[g]!, r.logfoldchanges[g]!), s.lfc_raw, 1e-10, 1e-12, `lfc ${g}`);
    }
  });
  it("useRaw: false (or no .raw) tests X", () => {
    for (const ad of [build(true), build(false)]) {
      const r = rankGenesGroups(ad, "g", ad.raw ? { useRaw: false } : {});
      const s = ref["1"] as Side;
      expectClose(unrank(r.indices["1"]!, r.scores["1"]!), s.scores_X, 1e-9, 1e-12, "scores of X");
    }
  });
  it("a layer disables the raw default; useRaw with a layer, or without raw.X, is an error", () => {
    const ad = build(true);
    ad.layers.set("L", ad.raw!.X!);
    const r = rankGenesGroups(ad, "g", { layer: "L" });
    expectClose(unrank(r.indices["0"]!, r.scores["0"]!), (ref["0"] as Side).scores_raw, 1e-10, 1e-12, "layer");
    expect(() => rankGenesGroups(ad, "g", { layer: "L", useRaw: true })).toThrow(/useRaw and layer/);
    expect(() => rankGenesGroups(build(false), "g", { useRaw: true })).toThrow(/raw/);
  });
});

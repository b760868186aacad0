/** rankGenesGroups({ method: "logreg" }) and maskVar against scikit-learn / numpy (parity.json). */
import { describe, expect, it } from "vitest";
import { AnnData, DataFrame } from "../../anndata/index.js";
import { expectClose, flat, loadParity } from "../../preprocess/__tests__/helpers.js";
import { log1pMatrix, normalizeTotalMatrix } from "../../preprocess/index.js";
import { lcgCounts } from "../../preprocess/synthetic.js";
import { logisticRegression, rankGenesGroups, rankGenesGroupsMatrix } from "../index.js";

interface LogregRef {
  multinomial: { coef: number[][]; intercept: number[]; coef_sklearn_default: number[][] };
  binary_0_1: { coef: number[] };
  ref_2: { coef: number[] };
  mask_var: { mask: boolean[]; scores_group0: number[] };
}
const ref = loadParity<{ logreg: LogregRef }>().logreg;

function data() {
  const { X, groups } = lcgCounts({ nCells: 90, nGenes: 30, seed: 14 });
  return { X: log1pMatrix(normalizeTotalMatrix(X, { targetSum: 1e4 }).X), labels: Array.from(groups, String) };
}
const names = Array.from({ length: 30 }, (_, j) => `g${j}`);

/** Per-gene scores of a group back in var order. */
function byGene(r: { indices: Record<string, Int32Array>; scores: Record<string, Float64Array> }, grp: string, g = 30): Float64Array {
  const out = new Float64Array(g).fill(Number.NaN);
  r.indices[grp]!.forEach((j, k) => {
    out[j] = r.scores[grp]![k] as number;
  });
  return out;
}

describe("logistic regression (scikit-learn LogisticRegression at its optimum)", () => {
  it("multinomial coefficients and intercepts", () => {
    const { X, labels } = data();
    const fit = logisticRegression(
      X,
      labels.map((v) => Number(v)),
      3,
    );
    expectClose(fit.coef, flat(ref.multinomial.coef), 1e-5, 1e-6, "coef");
    expectClose(fit.intercept, ref.multinomial.intercept, 1e-5, 1e-6, "intercept");
    // scikit-learn's default stopping (tol 1e-4, 100 iterations) is only near the optimum
    expectClose(fit.coef, flat(ref.multinomial.coef_sklearn_default), 0, 0.01, "default sklearn");
  });
  it("rankGenesGroups logreg: every group of a multinomial fit; binary cases as scanpy reports them", () => {
    const { X, labels } = data();
    const all = rankGenesGroupsMatrix(X, labels, names, { method: "logreg" });
    expect(all.groups).toEqual(["0", "1", "2"]);
    for (const g of all.groups) expectClose(byGene(all, g), ref.multinomial.coef[Number(g)]!, 1e-5, 1e-6, `group ${g}`);
    expect(Number.isNaN(all.pvals["0"]![0] as number)).toBe(true);
    expect(Number.isNaN(all.logfoldchanges["0"]![0] as number)).toBe(true);
    const two = rankGenesGroupsMatrix(X, labels, names, { method: "logreg", groups: ["0", "1"] });
    expect(two.groups).toEqual(["0"]);
    expectClose(byGene(two, "0"), ref.binary_0_1.coef, 1e-5, 1e-6, "binary 0/1");
    const vsRef = rankGenesGroupsMatrix(X, labels, names, { method: "logreg", groups: ["0"], reference: "2" });
    expectClose(byGene(vsRef, "0"), ref.ref_2.coef, 1e-5, 1e-6, "0 vs reference 2");
    expect(() => rankGenesGroupsMatrix(X, labels, names, { method: "logreg", groups: ["1"] })).toThrow(/single group/);
  });
});

describe("rankGenesGroups maskVar and dtype", () => {
  function adata() {
    const { X, labels } = data();
    const ad = new AnnData({
      X,
      obs: new DataFrame(
        labels.map((_, i) => `c${i}`),
        { g: { kind: "string", values: labels } },
      ),
      var: new DataFrame(names),
    });
    ad.var.set("m", { kind: "boolean", values: Uint8Array.from(ref.mask_var.mask, Number) });
    return ad;
  }
  it("tests only the masked genes; indices point into var", () => {
    const r = rankGenesGroups(adata(), "g", { maskVar: "m" });
    const kept = names.filter((_, j) => ref.mask_var.mask[j]);
    expect(r.names["0"]!.length).toBe(kept.length);
    expect([...r.names["0"]!].sort()).toEqual([...kept].sort());
    r.indices["0"]!.forEach((j, k) => {
      expect(names[j]).toBe(r.names["0"]![k]);
    });
    const got = kept.map((g) => r.scores["0"]![r.names["0"]!.indexOf(g)] as number);
    expectClose(got, ref.mask_var.scores_group0, 1e-10, 1e-12, "masked t-test");
    const viaArray = rankGenesGroups(adata(), "g", { maskVar: ref.mask_var.mask });
    expect(viaArray.names["0"]).toEqual(r.names["0"]);
  });
  it('dtype: "float32" rounds scores and fold changes, keeps p-values', () => {
    const a = rankGenesGroups(adata(), "g");
    const b = rankGenesGroups(adata(), "g", { dtype: "float32" });
    expect(Array.from(b.scores["1"]!)).toEqual(Array.from(a.scores["1"]!, Math.fround));
    expect(Array.from(b.logfoldchanges["1"]!)).toEqual(Array.from(a.logfoldchanges["1"]!, Math.fround));
    expect(Array.from(b.pvals["1"]!)).toEqual(Array.from(a.pvals["1"]!));
    expect(() => rankGenesGroups(adata(), "g", { dtype: "int8" as never })).toThrow(/dtype/);
  });
});

import { isHypedError, type SparseMatrix, sparseToDense } from "@hyped/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AnnData, categoricalFrom, DataFrame } from "../../anndata/index.js";
import { expectClose, loadRef } from "../../preprocess/__tests__/helpers.js";
import { log1pMatrix } from "../../preprocess/index.js";
import { lcgCounts } from "../../preprocess/synthetic.js";
import { benjaminiHochberg, type RankGenesMethod, rankGenesGroups, rankGenesGroupsMatrix, rankGenesGroupsRows } from "../index.js";

interface CaseRef {
  scores: number[];
  pvals: number[];
  pvals_adj: number[];
  logfoldchanges: number[];
}
const ref = loadRef<{ cases: Record<string, Record<string, CaseRef>> }>("rank_genes_groups.json");

function input() {
  const { X, groups } = lcgCounts({ nCells: 90, nGenes: 40, seed: 7 });
  const L = log1pMatrix(X) as SparseMatrix;
  const labels = Array.from(groups, (g) => `g${g}`);
  const names = Array.from({ length: 40 }, (_, j) => `gene${j}`);
  return { L, labels, names };
}

describe("rankGenesGroups against scipy ttest_ind / mannwhitneyu and statsmodels fdr_bh (1e-9)", () => {
  const { L, labels, names } = input();
  for (const [key, groupsRef] of Object.entries(ref.cases)) {
    const [m, reference] = key.split("|") as [string, string];
    const method = (m === "wilcoxon_tie" ? "wilcoxon" : m) as RankGenesMethod;
    const tieCorrect = m === "wilcoxon_tie";
    for (const [layout, X] of [
      ["csr", L],
      ["dense", sparseToDense(L)],
    ] as const) {
      it(`${m} vs ${reference} (${layout})`, () => {
        const r = rankGenesGroupsMatrix(X, labels, names, { method, reference, tieCorrect });
        expect(r.groups).toEqual(Object.keys(groupsRef));
        for (const [grp, want] of Object.entries(groupsRef)) {
          const idx = r.indices[grp]!;
          const back = (a: Float64Array) => {
            const out = new Float64Array(40);
            idx.forEach((j, k) => {
              out[j] = a[k] as number;
            });
            return out;
          };
          expectClose(back(r.scores[grp]!), want.scores, 1e-9, 1e-12, `${grp} scores`);
          expectClose(back(r.pvals[grp]!), want.pvals, 1e-9, 1e-300, `${grp} pvals`);
          expectClose(back(r.pvalsAdj[grp]!), want.pvals_adj, 1e-9, 1e-300, `${grp} pvals_adj`);
          expectClose(back(r.logfoldchanges[grp]!), want.logfoldchanges, 1e-9, 1e-12, `${grp} logfoldchanges`);
          // ranked by score, descending
          const s = r.scores[grp]!;
          for (let k = 1; k < s.length; k++) expect(s[k - 1]! >= s[k]!).toBe(true);
        }
      });
    }
  }

  it("rankbyAbs, nGenes, bonferroni and tidy rows", () => {
    const r = rankGenesGroupsMatrix(L, labels, names, { rankbyAbs: true, nGenes: 5, corrMethod: "bonferroni" });
    const s = r.scores.g1!;
    expect(s.length).toBe(5);
    for (let k = 1; k < 5; k++) expect(Math.abs(s[k - 1]!) >= Math.abs(s[k]!)).toBe(true);
    const rows = rankGenesGroupsRows(r, { group: "g1", n: 3 });
    expect(rows.map((x) => x.rank)).toEqual([0, 1, 2]);
    expect(rows[0]!.names).toBe(r.names.g1![0]);
    const full = rankGenesGroupsMatrix(L, labels, names, { corrMethod: "bonferroni" });
    full.pvals.g0!.forEach((p, k) => {
      expect(full.pvalsAdj.g0![k]).toBeCloseTo(Math.min(1, p * 40), 14);
    });
  });

  it("AnnData wrapper reads a categorical obs column and writes uns", () => {
    const obs = new DataFrame(
      labels.map((_, i) => `c${i}`),
      { cluster: categoricalFrom(labels) },
    );
    const ad = new AnnData({ X: L, obs, var: new DataFrame(names) });
    ad.uns.log1p = { base: null };
    const r = rankGenesGroups(ad, "cluster", { method: "wilcoxon", groups: ["g1"], reference: "g0" });
    expect(ad.uns.rank_genes_groups).toBe(r);
    expect(r.groups).toEqual(["g1"]);
    expect(() => rankGenesGroups(ad, "nope")).toThrow(/no obs column/);
    try {
      rankGenesGroups(ad, "cluster", { method: "logreg" as never });
    } catch (e) {
      expect(isHypedError(e, "UNSUPPORTED")).toBe(true);
    }
    expect(() => rankGenesGroups(ad, "cluster", { reference: "zz" })).toThrow(/reference group 'zz'/);
  });

  it("cancellation", () => {
    const ac = new AbortController();
    ac.abort();
    expect(() => rankGenesGroupsMatrix(L, labels, names, { method: "wilcoxon", signal: ac.signal })).toThrow(/cancelled/);
  });
});

describe("benjaminiHochberg", () => {
  it("is monotone in p, ≤ 1, ≥ p (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 60 }), (p) => {
        const a = benjaminiHochberg(p);
        const order = p.map((_, i) => i).sort((x, y) => p[x]! - p[y]!);
        for (let k = 1; k < order.length; k++) expect(a[order[k]!]! >= a[order[k - 1]!]! - 1e-15).toBe(true);
        a.forEach((v, i) => {
          expect(v <= 1 && v >= p[i]! - 1e-15).toBe(true);
        });
      }),
    );
  });
});

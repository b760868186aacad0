/** scoreGenes / scoreGenesCellCycle against scanpy's binned control-gene method (parity.json), and the sampling rule. */
import { describe, expect, it } from "vitest";
import { AnnData, DataFrame } from "../../anndata/index.js";
import { log1pMatrix, normalizeTotalMatrix, scoreGenes, scoreGenesCellCycle, scoreGenesControls } from "../index.js";
import { lcgCounts } from "../synthetic.js";
import { expectClose, loadParity } from "./helpers.js";

interface ScoreRef {
  gene_list: string[];
  ctrl_as_ref: { score: number[]; control: number[] };
  no_ctrl_as_ref: { score: number[]; control: number[] };
  cut: number[];
  cell_cycle: { s_genes: string[]; g2m_genes: string[]; S_score: number[]; G2M_score: number[]; phase: string[] };
}
const ref = loadParity<{ score_genes: ScoreRef }>().score_genes;

function adata(): AnnData {
  const { X } = lcgCounts({ nCells: 80, nGenes: 200, seed: 9 });
  return new AnnData({
    X: log1pMatrix(normalizeTotalMatrix(X, { targetSum: 1e4 }).X),
    var: new DataFrame(Array.from({ length: 200 }, (_, j) => `g${j}`)),
  });
}

describe("scoreGenes where every gene of a bin is taken (exactly scanpy's)", () => {
  it("default options: same control genes and scores", () => {
    const ad = adata();
    const r = scoreGenes(ad, ref.gene_list);
    expect(r.ignored).toEqual(["nope"]);
    expect(r.controlGenes).toEqual(ref.ctrl_as_ref.control.map((j) => `g${j}`));
    expectClose(r.score, ref.ctrl_as_ref.score, 1e-12, 1e-14, "score");
    expectClose(ad.obs.get("score").toFloat64(), ref.ctrl_as_ref.score, 1e-12, 1e-14, "obs.score");
  });
  it("ctrlAsRef: false and the bins (pandas rank min // round(n / (nBins − 1)))", () => {
    const ad = adata();
    const r = scoreGenes(ad, ref.gene_list, { ctrlAsRef: false, scoreName: "s2" });
    expect(r.controlGenes).toEqual(ref.no_ctrl_as_ref.control.map((j) => `g${j}`));
    expectClose(ad.obs.get("s2").toFloat64(), ref.no_ctrl_as_ref.score, 1e-12, 1e-14, "score");
  });
  it("scoreGenesCellCycle: S_score, G2M_score and phase", () => {
    const ad = adata();
    const c = ref.cell_cycle;
    const r = scoreGenesCellCycle(ad, { sGenes: c.s_genes, g2mGenes: c.g2m_genes });
    expectClose(r.sScore, c.S_score, 1e-12, 1e-14, "S");
    expectClose(r.g2mScore, c.G2M_score, 1e-12, 1e-14, "G2M");
    expect(r.phase).toEqual(c.phase);
    expect(ad.obs.get("phase").values()).toEqual(c.phase);
    expect(new Set(c.phase).size).toBe(3);
  });
  it("typed errors", () => {
    expect(() => scoreGenes(adata(), ["x", "y"])).toThrow(/no gene of the list/);
    expect(() => scoreGenes(adata(), ["g1"], { genePool: ["zz"] })).toThrow(/genePool/);
    expect(() => scoreGenes(adata(), ["g1"], { nBins: 1 })).toThrow(/nBins/);
    expect(() => scoreGenesControls([1, 2, 3], [1, 0, 0], { nBins: 25 })).toThrow(/too few/);
    expect(() => scoreGenesCellCycle(adata(), { sGenes: [], g2mGenes: ["g1"] })).toThrow(/non-empty/);
  });
});

describe("scoreGenesControls sampling (scanpy's rule, our seeded stream)", () => {
  // 2,400 pool genes with distinct means → bins of round(2400 / 24) = 100 genes
  const means = Float64Array.from({ length: 2400 }, (_, q) => ((q * 7919) % 2400) / 10);
  const listed = Uint8Array.from({ length: 2400 }, (_, q) => (q % 500 === 3 ? 1 : 0));
  it("draws ctrlSize genes from each listed gene's bin, never a listed gene, deterministic per seed", () => {
    const a = scoreGenesControls(means, listed, { ctrlSize: 10, seed: 1 });
    const listedBins = new Set(
      Array.from({ length: 2400 }, (_, q) => q)
        .filter((q) => listed[q])
        .map((q) => a.bins[q]),
    );
    const perBin = new Map<number, number>();
    for (const q of a.controls) {
      expect(listed[q]).toBe(0);
      expect(listedBins.has(a.bins[q])).toBe(true);
      perBin.set(a.bins[q] as number, (perBin.get(a.bins[q] as number) ?? 0) + 1);
    }
    // ctrlAsRef: the listed gene may be drawn and then removed, so a bin keeps ctrlSize or ctrlSize − 1
    for (const b of listedBins) expect([9, 10]).toContain(perBin.get(b as number));
    expect(Array.from(scoreGenesControls(means, listed, { ctrlSize: 10, seed: 1 }).controls)).toEqual(Array.from(a.controls));
    expect(Array.from(scoreGenesControls(means, listed, { ctrlSize: 10, seed: 2 }).controls)).not.toEqual(Array.from(a.controls));
    const b = scoreGenesControls(means, listed, { ctrlSize: 10, seed: 1, ctrlAsRef: false });
    expect(b.controls.length).toBe(10 * listedBins.size);
  });
  it("is uniform over a bin's genes (chi-square over 400 seeds)", () => {
    const one = Uint8Array.from({ length: 2400 }, (_, q) => (q === 3 ? 1 : 0));
    const { bins } = scoreGenesControls(means, one, { ctrlSize: 5 });
    const members = Array.from({ length: 2400 }, (_, q) => q).filter((q) => q !== 3 && bins[q] === bins[3]);
    const hits = new Map<number, number>(members.map((q) => [q, 0]));
    let draws = 0;
    for (let seed = 0; seed < 400; seed++) {
      for (const q of scoreGenesControls(means, one, { ctrlSize: 5, seed }).controls) {
        hits.set(q, (hits.get(q) as number) + 1);
        draws++;
      }
    }
    const expected = draws / members.length;
    let chi2 = 0;
    for (const h of hits.values()) chi2 += (h - expected) ** 2 / expected;
    // 98 degrees of freedom: the 99.9th percentile is ≈ 148
    expect(chi2).toBeLessThan(148);
  });
});

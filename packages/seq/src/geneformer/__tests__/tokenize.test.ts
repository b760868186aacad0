import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fromTyped, isHypedError } from "@hyped/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AnnData, DataFrame } from "../../anndata/index.js";
import {
  buildTokenDictionary,
  computeGeneMedians,
  deleteGene,
  geneToken,
  overexpress,
  perturbEncodings,
  stableArgsortDesc,
  tokenizeRankValue,
} from "../index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../../../..");
const fixtures = path.resolve(root, "../shared/fixtures/geneformer");
const haveFixtures = existsSync(path.join(fixtures, "token_dictionary_gc30M.json"));
const load = (f: string) => JSON.parse(readFileSync(path.join(fixtures, f), "utf8"));

function lcgMatrix(nObs: number, nVar: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const x = new Float64Array(nObs * nVar);
  for (let k = 0; k < x.length; k++) {
    s = (Math.imul(1664525, s) + 1013904223) >>> 0;
    if (s % 100 >= 70) x[k] = ((s >>> 8) % 50) + 1;
  }
  return x;
}

function makeAdata(x: Float64Array, nObs: number, ids: string[], nCounts = true): AnnData {
  const n = new Float64Array(nObs);
  for (let i = 0; i < nObs; i++) for (let j = 0; j < ids.length; j++) n[i] = (n[i] as number) + (x[i * ids.length + j] as number);
  return new AnnData({
    X: fromTyped(x, [nObs, ids.length]),
    obs: new DataFrame(
      Array.from({ length: nObs }, (_, i) => `c${i}`),
      nCounts ? { n_counts: { kind: "numeric", values: n } } : {},
    ),
    var: new DataFrame(
      ids.map((_, j) => `g${j}`),
      { ensembl_id: { kind: "string", values: ids } },
    ),
  });
}

describe("stableArgsortDesc", () => {
  it("sorts descending and keeps tie order (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 300 }), (arr) => {
        const keys = Float64Array.from(arr);
        const idx = Int32Array.from(arr, (_, i) => i);
        const got = Array.from(stableArgsortDesc(keys, idx, new Int32Array(arr.length), arr.length));
        const want = arr.map((_, i) => i).sort((a, b) => (arr[b] as number) - (arr[a] as number) || a - b);
        expect(got).toEqual(want);
        // the key-carrying variant used by the tokenizer
        const keys2 = Float64Array.from(arr);
        const idx2 = Int32Array.from(arr, (_, i) => i);
        const got2 = stableArgsortDesc(keys2, idx2, new Int32Array(arr.length), arr.length, new Float64Array(arr.length));
        expect(Array.from(got2)).toEqual(want);
      }),
    );
  });
});

describe("tokenizeRankValue: small dictionaries", () => {
  const tokenDictionary = { "<pad>": 0, "<mask>": 1, A: 2, B: 3, C: 4, D: 5, "<cls>": 6, "<eos>": 7 };
  const geneMedians = new Map([
    ["A", 1],
    ["B", 2],
    ["C", 1],
    ["D", 0.5],
  ]);
  // counts: A=4 B=8 C=4 D=0 X(not in dict)=4 → A,B,C normalised equal → tie in column order
  const ad = makeAdata(Float64Array.from([4, 8, 4, 0, 4, 0, 1, 0, 3, 0]), 2, ["A", "B", "C", "D", "X"]);

  it("keeps dictionary genes, drops zeros, breaks ties by var order", () => {
    const r = tokenizeRankValue(ad, { tokenDictionary, geneMedians });
    expect(Array.from(r.inputIds[0] as Int32Array)).toEqual([2, 3, 4]);
    // cell 2: B=1/2, D=3/0.5 → D first
    expect(Array.from(r.inputIds[1] as Int32Array)).toEqual([5, 3]);
    expect(r.nGenesKept).toBe(4);
  });

  it("V2 wraps in <cls> … <eos> and truncates to modelInputSize − 2 genes", () => {
    const r = tokenizeRankValue(ad, { tokenDictionary, geneMedians, modelVersion: "V2", modelInputSize: 4 });
    expect(Array.from(r.inputIds[0] as Int32Array)).toEqual([6, 2, 3, 7]);
    const v1 = tokenizeRankValue(ad, { tokenDictionary, geneMedians, modelInputSize: 2 });
    expect(Array.from(v1.inputIds[0] as Int32Array)).toEqual([2, 3]);
  });

  it("filter_pass, sparse input and computed n_counts give the same tokens", () => {
    const sparse = makeAdata(Float64Array.from([4, 8, 4, 0, 4, 0, 1, 0, 3, 0]), 2, ["A", "B", "C", "D", "X"], false);
    const csr = {
      format: "csr" as const,
      shape: [2, 5] as const,
      data: Float64Array.from([4, 8, 4, 4, 1, 3]),
      indices: Int32Array.from([0, 1, 2, 4, 1, 3]),
      indptr: Int32Array.from([0, 4, 6]),
    };
    sparse.X = csr;
    sparse.obs.set("filter_pass", { kind: "numeric", values: Int8Array.from([0, 1]) });
    const r = tokenizeRankValue(sparse, { tokenDictionary, geneMedians, nCountsColumn: null });
    expect(Array.from(r.cellIndex)).toEqual([1]);
    expect(Array.from(r.inputIds[0] as Int32Array)).toEqual([5, 3]);
  });

  it("is cancellable and reports progress", () => {
    const ac = new AbortController();
    ac.abort();
    try {
      tokenizeRankValue(ad, { tokenDictionary, geneMedians, signal: ac.signal });
      expect.unreachable();
    } catch (e) {
      expect(isHypedError(e, "ABORTED")).toBe(true);
    }
    const events: number[] = [];
    tokenizeRankValue(ad, { tokenDictionary, geneMedians, onProgress: (e) => events.push(e.done) });
    expect(events[events.length - 1]).toBe(2);
  });

  it("typed errors: V2 without <cls>, missing column", () => {
    const noCls = { A: 2, B: 3 };
    expect(() => tokenizeRankValue(ad, { tokenDictionary: noCls, geneMedians, modelVersion: "V2" })).toThrow(/<cls>/);
    try {
      tokenizeRankValue(ad, { tokenDictionary, geneMedians, nCountsColumn: "total" });
      expect.unreachable();
    } catch (e) {
      expect(isHypedError(e, "NOT_FOUND")).toBe(true);
    }
  });

  it("skips a token-dictionary gene without a median, as Geneformer (reference: parity.json)", () => {
    const ref = JSON.parse(readFileSync(path.join(root, "packages/seq/reference/scanpy/parity.json"), "utf8")).tokenize as {
      token: Record<string, number>;
      median: Record<string, number>;
      tokens: number[][];
    };
    const ids = Array.from({ length: 8 }, (_, j) => `E${j}`);
    const t = tokenizeRankValue(makeAdata(lcgMatrix(6, 8, 7), 6, ids), { tokenDictionary: ref.token, geneMedians: ref.median });
    const cells = t.inputIds.map((a) => Array.from(a));
    expect(cells).toEqual(ref.tokens);
    expect(cells.flat()).not.toContain(ref.token.E3);
  });
});

describe("buildTokenDictionary / computeGeneMedians", () => {
  it("build V2-ready dictionaries from data (numpy median of non-zero normalised values)", () => {
    const ad = makeAdata(Float64Array.from([4, 8, 0, 2, 0, 6, 1, 1, 1]), 3, ["B", "A", "B"]);
    const tok = buildTokenDictionary(["B", "A", "B"]);
    expect(tok).toEqual({ "<pad>": 0, "<mask>": 1, "<cls>": 2, "<eos>": 3, A: 4, B: 5 });
    const med = computeGeneMedians(ad);
    // gene column 0 ("B"): cells 0,1,2 → 4/12, 2/8, 1/3 (×1e4) → median 3333.33…; column 1 ("A"): 8/12, 1/3 → mean of both
    expect(med.B).toBeCloseTo((1 / 3) * 1e4, 9);
    expect(med.A).toBeCloseTo(((8 / 12 + 1 / 3) / 2) * 1e4, 9);
    const r = tokenizeRankValue(ad, { tokenDictionary: tok, geneMedians: med, modelVersion: "V2", collapseGeneIds: false });
    expect(r.inputIds[0]?.[0]).toBe(2);
    expect(r.inputIds[0]?.[r.inputIds[0].length - 1]).toBe(3);
  });
});

describe("overexpress / deleteGene", () => {
  it("V1: moves the gene first, inserts absent genes, truncates", () => {
    const t = Int32Array.from([10, 11, 12, 13]);
    expect(Array.from(overexpress(t, 12))).toEqual([12, 10, 11, 13]);
    expect(Array.from(overexpress(t, 99, { modelInputSize: 4 }))).toEqual([99, 10, 11, 12]);
    expect(Array.from(deleteGene(t, 11))).toEqual([10, 12, 13]);
    expect(Array.from(deleteGene(t, 42))).toEqual([10, 11, 12, 13]);
  });
  it("V2: inserts after <cls>, keeps <eos> when truncating", () => {
    const t = Int32Array.from([6, 10, 11, 12, 7]);
    const o = { modelVersion: "V2" as const, modelInputSize: 5, specialTokens: { cls: 6, eos: 7 } };
    expect(Array.from(overexpress(t, 12, o))).toEqual([6, 12, 10, 11, 7]);
    expect(Array.from(overexpress(t, 99, o))).toEqual([6, 99, 10, 11, 7]);
    expect(Array.from(deleteGene(t, 10, o))).toEqual([6, 11, 12, 7]);
    expect(() => overexpress(Int32Array.from([10, 11]), 12, o)).toThrow(/cls/);
  });
});

describe.skipIf(!haveFixtures)("tokenizeRankValue against Geneformer gc30M dictionaries (../shared/fixtures/geneformer)", () => {
  if (!haveFixtures) console.warn(`skipping: ${fixtures} is absent`);
  it("matches the numpy reference and resolves MYOD1 → 6076, PRRX1 → 4525", () => {
    const tokenDictionary = load("token_dictionary_gc30M.json") as Record<string, number>;
    const geneMedians = load("gene_median_dictionary_gc30M.json") as Record<string, number>;
    const geneNameToId = load("gene_name_id_dict_gc30M.json") as Record<string, string>;
    expect(geneToken("MYOD1", { tokenDictionary, geneNameToId })).toBe(6076);
    expect(geneToken("PRRX1", { tokenDictionary, geneNameToId })).toBe(4525);
    expect(geneMedians.ENSG00000129152).toBeCloseTo(3.08053, 5);

    const ref = JSON.parse(readFileSync(path.join(root, "packages/seq/reference/perturb/geneformer_tokens.json"), "utf8"));
    const ids = ref.var_ids as string[];
    const ad = makeAdata(lcgMatrix(ref.n_obs, ids.length, ref.lcg.seed), ref.n_obs, ids);
    const asMap = new Map(Object.entries(tokenDictionary));
    const collapsed = tokenizeRankValue(ad, { tokenDictionary: asMap, geneMedians });
    expect(collapsed.inputIds.map((a) => Array.from(a))).toEqual(ref.collapsed_v1_2048);
    const plain = tokenizeRankValue(ad, { tokenDictionary, geneMedians, collapseGeneIds: false });
    expect(plain.inputIds.map((a) => Array.from(a))).toEqual(ref.uncollapsed_v1_2048);
    const short = tokenizeRankValue(ad, { tokenDictionary, geneMedians, modelInputSize: 32 });
    expect(short.inputIds.map((a) => Array.from(a))).toEqual(ref.collapsed_v1_32);

    // MYOD1 up, PRRX1 deleted, by symbol
    const pert = perturbEncodings(collapsed.inputIds, { overexpress: ["MYOD1"], delete: ["PRRX1"] }, { tokenDictionary, geneNameToId });
    for (const t of pert) {
      expect(t[0]).toBe(6076);
      expect(Array.from(t)).not.toContain(4525);
    }
  });
});

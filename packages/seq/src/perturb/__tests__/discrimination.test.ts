/** Issue #18: cell-eval's discrimination_score drops only a gene named like the whole perturbation (parity.json). */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { discriminationExcludes, discriminationScores } from "../index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../..");
const ref = JSON.parse(readFileSync(path.join(root, "packages/seq/reference/scanpy/parity.json"), "utf8")).discrimination as {
  perts: string[];
  genes: string[];
  real: number[][];
  pred: number[][];
  scores: Record<string, number>;
};

describe("discrimination score target exclusion (cell-eval exclude_target_gene=True)", () => {
  it("excludes only the gene whose name is the perturbation", () => {
    expect(discriminationExcludes(ref.perts, ref.genes)).toEqual([[1], [2], [], []]);
    expect(discriminationExcludes(["mmMYOD1", "MYOD1"], ["MYOD1", "PRRX1"])).toEqual([[], [0]]);
  });
  it("scores match cell-eval's rule, and a combination condition keeps its target genes", () => {
    const real = ref.real.map((r) => Float64Array.from(r));
    const pred = ref.pred.map((r) => Float64Array.from(r));
    const got = discriminationScores(real, pred, discriminationExcludes(ref.perts, ref.genes));
    expect(Array.from(got)).toEqual(ref.perts.map((p) => ref.scores[p]));
    // dropping each target of "G1+G2" (the old rule) scores the combination differently
    const old = discriminationScores(real, pred, [[1], [2], [1, 2], []]);
    expect(old[2]).not.toBe(got[2]);
  });
});

import type { SparseMatrix } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { demultiplexHashtags } from "../../demux/demultiplex.js";
import { CONDITIONS, ENSEMBL, MYOGENIC_TARGETS, synthSeq } from "../index.js";

describe("synthSeq", () => {
  const { adata, effects, hashtagDesign } = synthSeq({ nCells: 1500, nGenes: 600, seed: 3 });
  const cond = adata.obs.get("true_condition").values() as string[];
  const meanOf = (gene: string, c: string) => {
    const v = adata.obsVector(gene);
    const tot = new Float64Array(adata.nObs);
    const X = adata.X as SparseMatrix;
    for (let i = 0; i < adata.nObs; i++)
      for (let k = Number(X.indptr[i]); k < Number(X.indptr[i + 1]); k++) tot[i] = (tot[i] as number) + Number(X.data[k]);
    let s = 0;
    let n = 0;
    cond.forEach((x, i) => {
      if (x === c) {
        s += ((v[i] as number) / (tot[i] as number)) * 1e4;
        n++;
      }
    });
    return s / n;
  };
  it("has the layout the pipeline expects", () => {
    expect(adata.shape).toEqual([1500, 600]);
    expect(adata.var.get("gene_ids").values()[adata.varIndex("MYOD1")]).toBe(ENSEMBL.MYOD1);
    expect(adata.obsm.get("hto_counts")?.shape).toEqual([1500, 6]);
    for (const c of CONDITIONS) expect(cond.filter((x) => x === c).length).toBeGreaterThan(150);
    const phases = adata.obs.get("true_phase").values();
    const ctrlPhases = new Set(phases.filter((_, i) => cond[i] === "control"));
    expect([...ctrlPhases].sort()).toEqual(["G1", "G2M", "S"]);
    expect(Object.keys(hashtagDesign)).toHaveLength(6);
    expect(new Set(adata.obsNames).size).toBe(1500);
  });
  it("is deterministic for a seed", () => {
    const again = synthSeq({ nCells: 1500, nGenes: 600, seed: 3 });
    expect(Array.from((again.adata.X as SparseMatrix<Float32Array>).data.subarray(0, 500))).toEqual(
      Array.from((adata.X as SparseMatrix<Float32Array>).data.subarray(0, 500)),
    );
  });
  it("plants MYOD1 up, PRRX1 down, and a non-additive double perturbation", () => {
    expect(meanOf("MYOD1", "mmMYOD1")).toBeGreaterThan(20 * meanOf("MYOD1", "control"));
    expect(meanOf("PRRX1", "siPRRX1")).toBeLessThan(0.3 * meanOf("PRRX1", "control"));
    const g = MYOGENIC_TARGETS[0];
    const c = meanOf(g, "control");
    const additive = c + (meanOf(g, "mmMYOD1") - c) + (meanOf(g, "siPRRX1") - c);
    expect(meanOf(g, "siPRRX1+mmMYOD1")).toBeGreaterThan(1.4 * additive);
    expect(effects.some((e) => e.gene === "MYOG" && e.condition === "mmMYOD1" && e.factor > 4)).toBe(true);
  });
  it("hashtags demultiplex back to the true condition", () => {
    const res = demultiplexHashtags(adata.obsm.get("hto_counts") as never, { hashtags: adata.uns.hto_names as string[] });
    const design = hashtagDesign as Record<string, { condition: string }>;
    let n = 0;
    let ok = 0;
    res.assignment.forEach((a, i) => {
      if (cond[i] === "Doublet" || cond[i] === "Negative") return;
      n++;
      if (design[a]?.condition === cond[i]) ok++;
    });
    expect(ok / n).toBeGreaterThan(0.95);
  });
});

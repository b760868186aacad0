import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SparseMatrix } from "@hyped/core";
import { afterAll, describe, expect, it } from "vitest";
import { demultiplexHashtags } from "../../demux/demultiplex.js";
import { simulateHashtags } from "../../demux/simulate.js";
import { assembleRuns, writeMex } from "../index.js";

const tmp = mkdtempSync(join(tmpdir(), "hyped-assemble-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Write one run: genes + hashtag features (Antibody Capture) in one MEX, plus a transcript matrix. */
async function writeRun(dir: string, seed: number, nCells: number) {
  const sim = simulateHashtags({ nCells, nHashtags: 4, seed });
  const nGenes = 6;
  const nFeat = nGenes + 4;
  const indptr = new Int32Array(nCells + 1);
  const idx: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < nCells; i++) {
    for (let j = 0; j < nGenes; j++) {
      const v = (i * 13 + j * 7) % 5;
      if (v) {
        idx.push(j);
        val.push(v);
      }
    }
    for (let h = 0; h < 4; h++) {
      const v = Number(sim.counts.get(i, h));
      if (v) {
        idx.push(nGenes + h);
        val.push(v);
      }
    }
    indptr[i + 1] = idx.length;
  }
  const X: SparseMatrix = { format: "csr", shape: [nCells, nFeat], data: Float32Array.from(val), indices: Int32Array.from(idx), indptr };
  const barcodes = Array.from({ length: nCells }, (_, i) => `BC${i}-1`);
  await writeMex(join(dir, "gene_processed_feature_bc_matrix"), {
    X,
    barcodes,
    featureIds: [...Array.from({ length: nGenes }, (_, j) => `ENSG${j}`), ...sim.hashtags],
    featureNames: [...["MYOD1", "PRRX1", "DES", "MYOG", "CDH15", "MKI67"], ...sim.hashtags],
    featureTypes: [...new Array(nGenes).fill("Gene Expression"), ...new Array(4).fill("Antibody Capture")],
  });
  const tx: SparseMatrix = {
    format: "csr",
    shape: [nCells, 2],
    data: new Float32Array(0),
    indices: new Int32Array(0),
    indptr: new Int32Array(nCells + 1),
  };
  await writeMex(join(dir, "transcript_processed_feature_bc_matrix"), {
    X: tx,
    barcodes,
    featureIds: ["ENST1", "ENST2"],
    featureNames: ["MYOD1", "DES"],
  });
  return sim;
}

describe("assembleRuns", () => {
  it("reads runs, demultiplexes hashtags into assigned_condition and combines them", async () => {
    const simA = await writeRun(join(tmp, "runA"), 3, 600);
    const simB = await writeRun(join(tmp, "runB"), 4, 500);
    const hashtags = {
      HTO1: { condition: "control", phase: "G1" },
      HTO2: "mmMYOD1",
      HTO3: "siPRRX1",
      HTO4: "siPRRX1+mmMYOD1",
    };
    const progress: number[] = [];
    const { adata, transcripts } = await assembleRuns([join(tmp, "runA"), join(tmp, "runB")], {
      hashtags,
      onProgress: (e) => progress.push(e.done),
    });
    expect(adata.shape).toEqual([1100, 6]);
    expect(adata.obsNames[0]).toBe("BC0-1-runA");
    expect(adata.obs.get("sample").values().slice(598, 602)).toEqual(["runA", "runA", "runB", "runB"]);
    // the wiring must give exactly what demultiplexing each run's counts directly gives
    const names: Record<string, string> = { HTO1: "control", HTO2: "mmMYOD1", HTO3: "siPRRX1", HTO4: "siPRRX1+mmMYOD1" };
    const direct = [simA, simB].flatMap((s) =>
      demultiplexHashtags(s.counts, { hashtags: s.hashtags }).assignment.map((a) => names[a] ?? a),
    );
    const got = adata.obs.get("assigned_condition").values();
    expect(got).toEqual(direct);
    // and demultiplexing recovers the truth for most singlets
    const truth = [...simA.truth, ...simB.truth];
    const singlets = truth.flatMap((t, i) => (t === "Doublet" || t === "Negative" ? [] : [i]));
    const right = singlets.filter((i) => got[i] === names[truth[i] as string]).length;
    expect(right / singlets.length).toBeGreaterThan(0.9);
    const phases = adata.obs.get("facs_phase").values();
    expect(phases.filter((p) => p === "G1").length).toBeGreaterThan(100);
    expect(transcripts?.shape).toEqual([1100, 2]);
    expect(transcripts?.obs.get("assigned_condition").values()).toEqual(got);
    expect(progress.at(-1)).toBe(2);
  });
  it("names a hashtag missing from the map", async () => {
    await writeRun(join(tmp, "runC"), 5, 200);
    await expect(assembleRuns([join(tmp, "runC")], { hashtags: { HTO1: "a", HTO2: "b", HTO3: "c" } })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cosine, loadGeneformer, meanEmbedding, perturbCells, randomBertCheckpoint } from "../index.js";

const REF = join(import.meta.dirname, "../../../../reference/geneformer-model");

describe("perturbCells (InSilicoPerturber, emb_mode cell)", () => {
  it("compares each perturbed cell with its original, per cell and per group, and the shift towards a target", async () => {
    const model = await loadGeneformer(join(REF, "relu-f32"));
    const cells = [Int32Array.from([10, 11, 12, 13]), Int32Array.from([20, 10, 21]), Int32Array.from([30, 31, 32, 33, 34])];
    const target = meanEmbedding(await model.embedCells([Int32Array.from([12, 99, 98])]));
    const r = await perturbCells(model, cells, { overexpress: [12], delete: [10], groups: ["G1", "S", "G1"], targetState: target });
    // the perturbed encodings, embedded directly
    const direct = await model.embedCells([
      Int32Array.from([12, 11, 13]),
      Int32Array.from([12, 20, 21]),
      Int32Array.from([12, 30, 31, 32, 33, 34]),
    ]);
    expect(r.perturbed.data).toEqual(direct.data);
    const orig = await model.embedCells(cells);
    expect(r.original.data).toEqual(orig.data);
    for (let i = 0; i < 3; i++) {
      const c = cosine(direct.data, orig.data, i * 8, i * 8, 8);
      expect(r.cosine[i]).toBeCloseTo(c, 12);
      const s = cosine(direct.data, target, i * 8, 0, 8) - cosine(orig.data, target, i * 8, 0, 8);
      expect(r.shift?.[i]).toBeCloseTo(s, 12);
    }
    expect(r.groups.map((g) => [g.group, g.nCells])).toEqual([
      ["G1", 2],
      ["S", 1],
      ["all", 3],
    ]);
    expect(r.groups[0]?.meanCosine).toBeCloseTo(((r.cosine[0] as number) + (r.cosine[2] as number)) / 2, 12);
    expect(r.groups[1]?.medianShift).toBeCloseTo(r.shift?.[1] as number, 12);
  });

  it("truncates the original as InSilicoPerturber does when overexpression overflows the input size", async () => {
    const model = await loadGeneformer(join(REF, "relu-f32"));
    const full = Int32Array.from({ length: 2048 }, (_, i) => 4 + (i % 290));
    const r = await perturbCells(model, [full], { overexpress: [299] });
    const truncated = await model.embedCells([full.slice(0, 2047)]);
    expect(r.original.data).toEqual(truncated.data);
    const moved = await model.embedCells([Int32Array.from([299, ...full.slice(0, 2047)])]);
    expect(r.perturbed.data).toEqual(moved.data);
  });

  it("needs a perturbation and matching labels/target", async () => {
    const model = await loadGeneformer(join(REF, "relu-f32"));
    const cells = [Int32Array.from([10, 11])];
    await expect(perturbCells(model, cells, {})).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(perturbCells(model, cells, { delete: [10], groups: ["a", "b"] })).rejects.toMatchObject({ code: "SHAPE_MISMATCH" });
    await expect(perturbCells(model, cells, { delete: [10], targetState: [1, 2] })).rejects.toMatchObject({ code: "SHAPE_MISMATCH" });
  });
});

describe("randomBertCheckpoint", () => {
  it("writes a Hugging Face layout checkpoint that loads, in every stored dtype, to nearly the same embeddings", async () => {
    const opts = { vocabSize: 50, hidden: 16, layers: 2, heads: 2, intermediate: 32, maxPositions: 64, hiddenAct: "gelu", seed: 3 };
    const cells = [Int32Array.from([5, 9, 2, 7]), Int32Array.from([11])];
    const a = await loadGeneformer(randomBertCheckpoint(opts));
    const b = await loadGeneformer(randomBertCheckpoint({ ...opts, dtype: "F16" }));
    const ea = await a.embedCells(cells);
    const eb = await b.embedCells(cells);
    expect(a.config.hidden_act).toBe("gelu");
    expect(ea.shape).toEqual([2, 16]);
    expect(cosine(ea.data, eb.data)).toBeGreaterThan(0.999);
    expect(randomBertCheckpoint(opts).weights).toEqual(randomBertCheckpoint(opts).weights); // seeded
  });
});

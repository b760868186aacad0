import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readNpy } from "@hyped/core";
import { buildTokenDictionary, computeGeneMedians, synthSeq, tokenizeRankValue, writeH5ad } from "@hyped/seq";
import { loadGeneformer, randomBertCheckpoint } from "@hyped/seq/geneformer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "hyped-geneformer-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, "cells.h5ad");
const model = join(dir, "model");
let tokenDictionary: Record<string, number>;
let geneMedians: Record<string, number>;

beforeAll(async () => {
  const { adata } = synthSeq({ nCells: 80, nGenes: 150, seed: 5 });
  await writeH5ad(file, adata);
  geneMedians = computeGeneMedians(adata, { ensemblIdColumn: "gene_ids", nCountsColumn: null });
  tokenDictionary = buildTokenDictionary(Object.keys(geneMedians), { special: ["<pad>", "<mask>"] });
  const ck = randomBertCheckpoint({
    vocabSize: Object.keys(tokenDictionary).length,
    hidden: 16,
    layers: 2,
    heads: 2,
    intermediate: 32,
    maxPositions: 128,
  });
  mkdirSync(model);
  writeFileSync(join(model, "config.json"), JSON.stringify(ck.config));
  writeFileSync(join(model, "model.safetensors"), ck.weights);
  writeFileSync(join(model, "token_dictionary.json"), JSON.stringify(tokenDictionary));
  writeFileSync(join(model, "gene_median_dictionary.json"), JSON.stringify(geneMedians));
});

describe("hyped embed / hyped perturb", () => {
  it("embed writes the same embeddings as loadGeneformer + tokenizeRankValue", async () => {
    const out = join(dir, "emb.npy");
    const r = await runCli(["embed", file, "--model", model, "--out", out, "--obs-out", join(dir, "obs.txt")]);
    expect(r.code, r.err).toBe(0);
    const a = readNpy(readFileSync(out));
    const { readH5ad } = await import("@hyped/seq");
    const adata = await readH5ad(file);
    const t = tokenizeRankValue(adata, {
      tokenDictionary,
      geneMedians,
      ensemblIdColumn: "gene_ids",
      nCountsColumn: null,
      modelInputSize: 128,
    });
    const m = await loadGeneformer(model);
    const e = await m.embedCells(t.inputIds);
    expect(a.shape).toEqual(e.shape);
    expect(Array.from(a.data as Float32Array)).toEqual(Array.from(e.data));
    expect(readFileSync(join(dir, "obs.txt"), "utf8").trim().split("\n")).toHaveLength(t.inputIds.length);
  });

  it("perturb writes per-cell and per-group shifts, with a target state", async () => {
    const out = join(dir, "pert");
    const r = await runCli([
      "perturb",
      file,
      "--model",
      model,
      "--overexpress",
      "MYOD1",
      "--delete",
      "PRRX1",
      "--cells",
      "true_condition=control",
      "--target",
      "true_condition=mmMYOD1",
      "--group-by",
      "true_phase",
      "--out",
      out,
    ]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^group\s+cells/m);
    const cells = readFileSync(join(out, "cells.csv"), "utf8").trim().split("\n");
    expect(cells[0]).toBe("obs_name,group,cosine,shift_to_target");
    const cos = cells.slice(1).map((l) => Number(l.split(",")[2]));
    expect(cos.every((c) => c > 0 && c <= 1 + 1e-12)).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(summary.groups.at(-1).group).toBe("all");
    expect(summary.groups.at(-1).nCells).toBe(cells.length - 1);
    expect(readNpy(readFileSync(join(out, "perturbed.npy"))).shape).toEqual([cells.length - 1, 16]);
  });

  it("usage errors: nothing to perturb, bad layer, missing dictionary", async () => {
    expect((await runCli(["perturb", file, "--model", model, "--out", join(dir, "x")])).code).toBe(2);
    expect((await runCli(["embed", file, "--model", model, "--out", join(dir, "x.npy"), "--layer", "2"])).code).toBe(2);
    expect((await runCli(["embed", file, "--model", dir, "--out", join(dir, "x.npy")])).code).toBe(2);
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readH5ad, scoreGenesCellCycle, synthSeq, writeH5ad } from "@hyped/seq";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
// the perturbation tests' LCG dataset (tests may share helpers across packages)
import { makeData } from "../../../seq/src/perturb/__tests__/make-data.js";
import { formatTable, scorePhases } from "../commands/evaluate.js";
import { run } from "../program.js";
import { captureOutput } from "./run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "hyped-cli-evaluate-"));
const h5ad = join(tmp, "cells.h5ad");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await writeH5ad(h5ad, makeData());
});

let out: string[] = [];
let err: string[] = [];
function capture() {
  ({ out, err } = captureOutput());
}
afterEach(() => vi.restoreAllMocks());

describe("hyped evaluate", () => {
  it("prints a table and writes CSV and JSON for the baselines and a GEARS CSV", async () => {
    const gears = join(tmp, "gears.csv");
    const genes = Array.from({ length: 12 }, (_, j) => `g${j}`);
    writeFileSync(gears, `condition,${genes.join(",")}\ng1_g2,${genes.map((_, j) => 5 + j / 10).join(",")}\n`);
    const csv = join(tmp, "rows.csv");
    const json = join(tmp, "rows.json");
    capture();
    const code = await run([
      "evaluate",
      h5ad,
      "--condition-column",
      "condition",
      "--control",
      "ctrl",
      "--group-by",
      "phase",
      "--train",
      "g1,g2",
      "--conditions",
      "g1+g2",
      "--top-n",
      "4",
      "--gears",
      gears,
      "--csv",
      csv,
      "--out",
      json,
    ]);
    vi.restoreAllMocks();
    expect(err.join("")).toBe("");
    expect(code).toBe(0);
    const table = out.join("");
    expect(table).toMatch(/^model\s+condition\s+group/);
    for (const m of ["no-change", "mean-perturbation", "additive", "linear", "gears:gears.csv"]) expect(table).toContain(m);
    const rows = JSON.parse(readFileSync(json, "utf8"));
    expect(rows.length).toBe(5 * 4); // 5 models × (3 phases + all)
    const lines = readFileSync(csv, "utf8").trim().split("\n");
    expect(lines.length).toBe(21);
    expect(lines[0]).toContain("pearsonDelta");
    const noChange = rows.find((r: { model: string; group: string }) => r.model === "no-change" && r.group === "all");
    expect(noChange.pearsonDelta).toBe("NaN"); // a zero predicted change has no correlation
  });

  it("--json prints rows; unpredictable conditions are reported and skipped", async () => {
    capture();
    const code = await run([
      "evaluate",
      h5ad,
      "--condition-column",
      "condition",
      "--control",
      "ctrl",
      "--models",
      "additive",
      "--train",
      "g1",
      "--json",
    ]);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    const rows = JSON.parse(out.join(""));
    expect(rows.map((r: { condition: string }) => r.condition)).toEqual(["g1"]);
    expect(err.join("")).toMatch(/cannot predict 'g2'/);
  });

  it("usage and data errors give exit codes 2 and 1", async () => {
    capture();
    expect(await run(["evaluate", h5ad, "--models", "bogus"])).toBe(2);
    expect(await run(["evaluate", h5ad, "--condition-column", "condition", "--control", "nope"])).toBe(1);
    expect(await run(["evaluate", join(tmp, "missing.h5ad"), "--condition-column", "condition", "--control", "ctrl"])).toBe(1);
    vi.restoreAllMocks();
    expect(err.join("")).toMatch(/nope/);
  });

  it("--group-by phase without obs.phase scores phases with scoreGenesCellCycle", async () => {
    const { adata } = synthSeq({ nCells: 300, nGenes: 400, seed: 3 });
    const cells = adata.obsSubset(adata.obs.get("true_condition").isIn(["control", "mmMYOD1", "siPRRX1"]));
    const file = join(tmp, "unphased.h5ad");
    await writeH5ad(file, cells);
    capture();
    const code = await run(
      ["evaluate", file, "--condition-column", "true_condition", "--control", "control", "--group-by", "phase"].concat([
        "--models",
        "mean",
        "--conditions",
        "mmMYOD1",
        "--train",
        "mmMYOD1,siPRRX1",
        "--json",
      ]),
    );
    vi.restoreAllMocks();
    expect(err.join("")).toMatch(/score_genes_cell_cycle/);
    expect(code).toBe(0);
    const rows = JSON.parse(out.join("")) as Array<{ group: string; nCells: number }>;
    // the groups and their sizes are those of the library function on normalize_total(1e4) + log1p
    const ref = await readH5ad(file);
    scorePhases(ref);
    const phase = ref.obs.get("phase").values() as string[];
    const cond = ref.obs.get("true_condition").values() as string[];
    for (const r of rows.filter((x) => x.group !== "all"))
      expect(r.nCells).toBe(phase.filter((p, i) => p === r.group && cond[i] === "mmMYOD1").length);
    expect(rows.map((r) => r.group).sort()).toEqual(["G1", "G2M", "S", "all"]);
    // scorePhases is scoreGenesCellCycle on the log-normalised copy
    const direct = await readH5ad(file);
    const { AnnData, log1p, normalizeTotal, S_GENES, G2M_GENES } = await import("@hyped/seq");
    const work = log1p(normalizeTotal(new AnnData({ X: direct.X, var: direct.var }), { targetSum: 1e4 }));
    expect(scoreGenesCellCycle(work, { sGenes: [...S_GENES], g2mGenes: [...G2M_GENES] }).phase).toEqual(phase);
  });

  it("formatTable aligns columns", () => {
    const t = formatTable([]);
    expect(t.split("\n")[0]).toMatch(/^model/);
  });
});

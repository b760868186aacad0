import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SparseMatrix } from "@hyped/core";
import { readH5ad, simulateHashtags, writeMex } from "@hyped/seq";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "hyped-assemble-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("hyped assemble", () => {
  it("combines runs into one .h5ad with assigned_condition, and names usage errors", async () => {
    const n = 300;
    const sim = simulateHashtags({ nCells: n, nHashtags: 2, seed: 9 });
    const indptr = new Int32Array(n + 1);
    const idx: number[] = [];
    const val: number[] = [];
    for (let i = 0; i < n; i++) {
      idx.push(0, 1, 2);
      val.push(1 + (i % 3), Number(sim.counts.get(i, 0)), Number(sim.counts.get(i, 1)));
      indptr[i + 1] = idx.length;
    }
    const X: SparseMatrix = { format: "csr", shape: [n, 3], data: Float32Array.from(val), indices: Int32Array.from(idx), indptr };
    await writeMex(join(tmp, "run1"), {
      X,
      barcodes: Array.from({ length: n }, (_, i) => `B${i}`),
      featureIds: ["ENSG1", "HTO1", "HTO2"],
      featureNames: ["MYOD1", "HTO1", "HTO2"],
      featureTypes: ["Gene Expression", "Antibody Capture", "Antibody Capture"],
    });
    const map = join(tmp, "map.json");
    writeFileSync(map, JSON.stringify({ HTO1: { condition: "control", phase: "G1" }, HTO2: "mmMYOD1" }));
    const out = join(tmp, "combined.h5ad");
    const r = await runCli(["assemble", join(tmp, "run1"), "--hashtags", map, "--out", out, "--json"]);
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(r.out) as { n_obs: number; assigned_condition: Record<string, number> };
    expect(summary.n_obs).toBe(n);
    expect(summary.assigned_condition.control).toBeGreaterThan(50);
    const a = await readH5ad(out);
    expect(a.varNames).toEqual(["MYOD1"]);
    expect(a.obs.columns).toContain("assigned_condition");
    expect(existsSync(out.replace(".h5ad", ".transcripts.h5ad"))).toBe(false);
    // an unreadable map is an IO error (exit 1), bad JSON a usage error (2)
    expect((await runCli(["assemble", join(tmp, "run1"), "--hashtags", join(tmp, "missing.json"), "--out", out])).code).toBe(1);
  });
});

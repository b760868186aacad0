import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

const out = mkdtempSync(join(tmpdir(), "hyped-demo-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("hyped demo (tiny synthetic dataset)", () => {
  it("runs every step end to end and writes the report, figures and tables", async () => {
    const first = await runCli(["demo", "--out", out, "--scale", "tiny", "--workers", "1"]);
    const stdout = first.out;
    expect(first.code, `${first.out}\n${first.err}`).toBe(0);
    const report = readFileSync(join(out, "report.md"), "utf8");
    for (const heading of [
      "Accuracy against the ground truth",
      "The raw CZI files",
      "SNR per channel",
      "Table 4: denoising benchmark",
      "Cell-hashing demultiplexing",
      "Top 10 DE genes per condition",
      "Rank-value encoding",
      "Algorithm 1",
      "Table 3: predicted vs observed",
    ]) {
      expect(report).toContain(heading);
    }
    for (const f of [
      "fig2a_phase_distribution.svg",
      "fig2b_tsne_phase.svg",
      "fig2c_tsne_condition.svg",
      "fig2d_de_genes.svg",
      "table4_denoising.svg",
    ]) {
      expect(existsSync(join(out, "figures", f)), f).toBe(true);
      expect(readFileSync(join(out, "figures", f), "utf8").startsWith("<svg")).toBe(true);
      // every figure also as PNG, and no SVG over 200 kB (dense point layers are rasterised)
      const png = readFileSync(join(out, "figures", f.replace(/\.svg$/, ".png")));
      expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(""), f).toBe("PNG");
      expect(statSync(join(out, "figures", f)).size, f).toBeLessThanOrEqual(200_000);
    }
    const tables = readdirSync(join(out, "tables"));
    expect(tables).toContain("table3_perturbation.csv");
    expect(tables).toContain("table4_denoising.json");
    const t3 = JSON.parse(readFileSync(join(out, "tables", "table3_perturbation.json"), "utf8")) as Array<{
      model: string;
      cosine: number;
    }>;
    expect(new Set(t3.map((r) => r.model)).size).toBeGreaterThanOrEqual(3);
    expect(t3.every((r) => typeof r.cosine === "number")).toBe(true);
    expect(stdout).toContain("== summary");
    // `hyped pipeline` on the demo's converted frames reproduces the demo's imaging tables and accuracy
    const p = join(out, "pipeline-cli");
    const pipe = await runCli([
      "pipeline",
      join(out, "frames"),
      "--out",
      p,
      "--clip-percentile",
      "99.5",
      "--truth",
      join(out, "data", "imaging", "truth"),
      "--workers",
      "1",
    ]);
    expect(pipe.code, pipe.err).toBe(0);
    for (const t of ["imaging_accuracy", "snr", "phase_distribution"])
      expect(readFileSync(join(p, "tables", `${t}.json`), "utf8"), t).toBe(readFileSync(join(out, "tables", `${t}.json`), "utf8"));
    expect(readFileSync(join(p, "figures", "fig2a_phase_distribution.svg"))).toEqual(
      readFileSync(join(out, "figures", "fig2a_phase_distribution.svg")),
    );
    // a second run reuses the generated data and the converted frames
    const second = await runCli(["demo", "--out", out, "--scale", "tiny", "--workers", "1", "--skip-seq"]);
    expect(second.code).toBe(0);
    const again = second.out;
    expect(again).toContain("using the synthetic tiny dataset");
    expect(again).toMatch(/0 frames written, \d+ already present/);
  }, 600_000);
});

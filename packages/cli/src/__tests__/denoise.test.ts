import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "hyped-denoise-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("hyped denoise-bench", () => {
  it("prints Table 4 rows as JSON and writes CSV/JSON/SVG", async () => {
    expect((await runCli(["synth", "--out", join(tmp, "data"), "--scale", "tiny", "--only", "imaging"])).code).toBe(0);
    const czi = join(tmp, "data", "imaging", "czi");
    const files = readdirSync(czi).map((f) => join(czi, f));
    expect((await runCli(["convert", ...files, "--out", join(tmp, "frames"), "--workers", "0"])).code).toBe(0);
    const r = await runCli([
      "denoise-bench",
      join(tmp, "frames"),
      "--denoisers",
      "gaussian,median",
      "--condition",
      "control",
      "--channels",
      "mKate,TagGFP",
      "--frames",
      "1",
      "--out",
      join(tmp, "bench"),
      "--json",
    ]);
    expect(r.code, r.err).toBe(0);
    const rows = JSON.parse(r.out) as Array<Record<string, number | string>>;
    expect(rows.map((x) => x.denoiser)).toEqual(["gaussian", "median"]);
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(["denoiser", "mse", "psnr", "snr_denoised", "snr_input", "ssim"]);
      expect(row.psnr as number).toBeGreaterThan(0);
    }
    for (const f of ["denoise-bench.csv", "denoise-bench.json", "denoise-bench.svg"]) expect(existsSync(join(tmp, "bench", f))).toBe(true);
    expect((await runCli(["denoise-bench", join(tmp, "frames"), "--denoisers", "bogus"])).code).toBe(2);
  }, 120_000);
});

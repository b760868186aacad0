/**
 * Runs every example program as a user would (`node --import tsx examples/<name>.ts ...`) on small data
 * generated here, and checks what it prints and writes.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { convertCziToFrames } from "@hyped/imaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIELD, FRAMES, makeExampleData, SCENES } from "./data.js";

const root = resolve(import.meta.dirname, "../..");
const exec = promisify(execFile);
async function example(name: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec(process.execPath, ["--conditions=@hyped/source", "--import", "tsx", `examples/${name}.ts`, ...args], {
    cwd: root,
    timeout: 90_000,
    maxBuffer: 16 * 2 ** 20,
  });
  return stdout;
}

describe.concurrent("examples", () => {
  let dir = "";
  let data: Awaited<ReturnType<typeof makeExampleData>>;
  let frames = "";
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "hyped-examples-"));
    data = await makeExampleData(dir);
    frames = join(dir, "frames");
    await convertCziToFrames([data.czi], frames, { workers: 0 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("load-h5ad prints the repr and counts cells per condition", async () => {
    const out = await example("load-h5ad", data.h5ad);
    expect(out).toContain("AnnData object with n_obs × n_vars = 900 × 400");
    expect(out).toMatch(/obsm: hto_counts/);
    const counts = [...out.matchAll(/^ {2}(\S+)\s+(\d+)$/gm)].map((m) => Number(m[2]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(900);
    expect(out).toMatch(/^ {2}siPRRX1\+mmMYOD1\s+\d+$/m);
  });

  it("stitch-czi stitches the mosaic and converts it to frames", async () => {
    const out = await example("stitch-czi", data.czi, join(dir, "frames-out"));
    expect(out).toContain("tiles per plane: 4");
    expect(out).toContain(`stitched plane S=0 T=0 C=1: ${FIELD}x${FIELD} px`);
    expect(out).toContain(`converted ${SCENES.length * FRAMES} frames; conditions: control, mmMYOD1`);
    expect(out).toContain(`shape ${FRAMES}x2x64x64 (uint16)`);
    expect(existsSync(join(dir, "frames-out", "dataset.json"))).toBe(true);
  });

  it("segment-and-track finds the nuclei and their divisions", async () => {
    const csv = join(dir, "tracks.csv");
    const out = await example("segment-and-track", frames, "control", csv);
    const first = Number(/t=0: (\d+) nuclei/.exec(out)?.[1]);
    expect(Math.abs(first - (data.cellsAtStart[0] as number))).toBeLessThanOrEqual(2);
    const divisions = Number(/divisions: (\d+)/.exec(out)?.[1]);
    expect(divisions).toBeGreaterThan(0);
    const rows = readFileSync(csv, "utf8").trim().split("\n");
    expect(rows[0]).toBe("track_id,frame,x,y,parent,generation");
    expect(rows.length - 1).toBeGreaterThan(FRAMES * first * 0.8);
  });

  it("phase-distribution writes the Figure 2a SVG and tidy CSV", async () => {
    const out = await example("phase-distribution", frames, join(dir, "pd"));
    expect(out).toMatch(/^control\s+[\d.]+%/m);
    expect(readFileSync(join(dir, "pd", "phase-distribution.svg"), "utf8")).toMatch(/^<svg/);
    const rows = readFileSync(join(dir, "pd", "phase-distribution.csv"), "utf8")
      .trim()
      .split("\n")
      .slice(1);
    expect(rows.length).toBe(SCENES.length * FRAMES * 4); // conditions x times x phases
    // fractions of each (condition, time) sum to 1
    const sums = new Map<string, number>();
    for (const r of rows) {
      const [c, t, , , f] = r.split(",");
      sums.set(`${c}|${t}`, (sums.get(`${c}|${t}`) ?? 0) + Number(f));
    }
    for (const s of sums.values()) expect(s).toBeCloseTo(1, 3);
  });

  it("perturbation-benchmark demultiplexes and scores the baselines (Table 3)", async () => {
    const csv = join(dir, "table3.csv");
    const out = await example("perturbation-benchmark", data.h5ad, csv);
    expect(Number(/demultiplexing: ([\d.]+)%/.exec(out)?.[1])).toBeGreaterThan(90);
    expect(Number(/phase calls: ([\d.]+)%/.exec(out)?.[1])).toBeGreaterThan(80);
    const lines = readFileSync(csv, "utf8").trim().split("\n");
    const header = (lines[0] as string).split(",");
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(",").map((v, i) => [header[i], v])));
    expect(new Set(rows.map((r) => r.model))).toEqual(new Set(["no-change", "mean-perturbation", "additive", "linear"]));
    const all = (m: string) => rows.find((r) => r.model === m && r.group === "all") as Record<string, string>;
    // the planted effects are roughly additive: the additive baseline beats no-change on the DE genes
    expect(Number(all("additive").mseDe)).toBeLessThan(Number(all("no-change").mseDe));
    expect(Number(all("additive").pearsonDelta)).toBeGreaterThan(0.5);
  });

  it("denoise-benchmark prints Table 4 for every denoiser", async () => {
    const csv = join(dir, "table4.csv");
    const out = await example("denoise-benchmark", frames, csv);
    expect(out).toContain("Table 4: control");
    const rows = readFileSync(csv, "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(","));
    expect(rows.map((r) => r[0])).toEqual(["gaussian", "median", "nlm", "tv", "fm2s"]);
    for (const r of rows) {
      expect(Number(r[3])).toBeGreaterThan(20); // PSNR dB vs the input
      expect(Number(r[4])).toBeGreaterThan(0.5); // SSIM
      expect(Number.isFinite(Number(r[5]))).toBe(true); // input SNR
    }
  });

  it("metrics-anywhere scores an unrelated benchmark", async () => {
    const out = await example("metrics-anywhere");
    const rmse = (m: string) => Number(new RegExp(`^${m}\\s+([\\d.]+)`, "m").exec(out)?.[1]);
    expect(rmse("good-model")).toBeLessThan(rmse("persistence"));
    expect(out).toMatch(/streamed RMSE of good-model: ([\d.]+) \(one-shot \1\)/);
    const psnrs = [...out.matchAll(/^(\d)\s+([\d.]+)\s+([\d.]+)$/gm)].map((m) => Number(m[2]));
    expect(psnrs).toHaveLength(3);
    expect(psnrs[0]).toBeGreaterThan(psnrs[1] as number);
    expect(psnrs[1]).toBeGreaterThan(psnrs[2] as number);
  });
});

import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
// the frame tests' CZI generator (tests may share helpers across packages)
import { makeCzi, sample } from "../../../imaging/src/frames/__tests__/make-czi.js";
import { parseShard } from "../commands/convert.js";
import { run } from "../program.js";
import { captureOutput } from "./run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "hyped-cli-frames-"));
const czi = join(tmp, "plate.czi");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await makeCzi(czi, {
    scenes: ["ctrl_1", "drug_1"],
    T: 2,
    channels: ["Cy5", "mKate", "TagGFP", "Oblique"],
    cols: 2,
    rows: 2,
    tileW: 24,
    tileH: 20,
    stepX: 20,
    stepY: 16,
  });
});

let out: string[] = [];
let err: string[] = [];
function capture() {
  ({ out, err } = captureOutput());
}
afterEach(() => vi.restoreAllMocks());

describe("hyped convert / frames / inspect", () => {
  it("converts, inspects a folder and a frame", async () => {
    const dir = join(tmp, "out");
    capture();
    expect(await run(["convert", czi, "--out", dir, "--workers", "0", "--json"])).toBe(0);
    const r = JSON.parse(out.join(""));
    expect(r).toMatchObject({ total: 4, converted: 4, skipped: 0, conditions: ["ctrl", "drug"], shape: [4, 36, 44] });
    capture();
    expect(await run(["convert", czi, "--out", dir, "--workers", "0"])).toBe(0);
    expect(out.join("")).toContain("0 frames converted, 4 already present");

    capture();
    expect(await run(["inspect", dir, "--json"])).toBe(0);
    expect(JSON.parse(out.join(""))).toMatchObject({
      kind: "frame store",
      manifest: true,
      frames: 4,
      times: { count: 2, first: 0, last: 1 },
      dtype: "uint16",
    });
    capture();
    expect(await run(["inspect", dir])).toBe(0);
    expect(out.join("")).toContain("conditions (replicates): ctrl (1); drug (1)");

    capture();
    expect(await run(["inspect", join(dir, "drug_r1_t00001.h5"), "--json"])).toBe(0);
    const f = JSON.parse(out.join(""));
    expect(f).toMatchObject({ kind: "frame", native: true, shape: [4, 36, 44], dtype: "uint16", axes: "CYX", condition: "drug", t: 1 });
    expect(f.channels).toHaveLength(4);
    // the maximum of channel 2 over the stitched image, from the generator's formula
    let max = 0;
    let sum = 0;
    for (let y = 0; y < 36; y++)
      for (let x = 0; x < 44; x++) {
        max = Math.max(max, sample(1, 1, 2, y, x));
        sum += sample(1, 1, 2, y, x);
      }
    expect(f.channels[2]).toMatchObject({ name: "TagGFP", max });
    expect(f.channels[2].mean).toBeCloseTo(sum / (36 * 44), 9);
    capture();
    expect(await run(["inspect", join(dir, "drug_r1_t00001.h5")])).toBe(0);
    expect(out.join("")).toMatch(/TagGFP: min \d+ max \d+ mean/);
  });

  it("converts shards and merges their manifests", async () => {
    const dir = join(tmp, "shards");
    capture();
    expect(await run(["convert", czi, "--out", dir, "--workers", "0", "--shard", "0/2", "--compression", "none", "--axes", "CXY"])).toBe(0);
    capture();
    expect(await run(["frames", "manifest", dir])).toBe(1);
    expect(err.join("")).toContain("shard(s) 1 of 2");
    capture();
    expect(await run(["convert", czi, "--out", dir, "--workers", "0", "--shard", "1/2", "--compression", "none", "--axes", "CXY"])).toBe(0);
    capture();
    expect(await run(["frames", "manifest", dir, "--json"])).toBe(0);
    expect(JSON.parse(out.join(""))).toMatchObject({ frames: 4, conditions: ["ctrl", "drug"] });
    expect(existsSync(join(dir, "dataset.json"))).toBe(true);
    capture();
    expect(await run(["frames", "verify", dir, "--json"])).toBe(0);
    expect(JSON.parse(out.join(""))).toEqual({ frames: 4, mismatched: [], missing: [] });
    const victim = readdirSync(dir).find((n) => n.endsWith(".h5")) as string;
    writeFileSync(join(dir, victim), "damaged");
    capture();
    expect(await run(["frames", "verify", dir])).toBe(1);
    expect(out.join("")).toContain(victim);
  });

  it("rejects bad flags and bad inputs with the right exit codes", async () => {
    capture();
    expect(await run(["convert", czi, "--out", join(tmp, "x"), "--shard", "2/2"])).toBe(2);
    expect(await run(["convert", czi, "--out", join(tmp, "x"), "--compression", "lz4"])).toBe(2);
    expect(await run(["convert", czi, "--out", join(tmp, "x"), "--workers", "-1"])).toBe(2);
    expect(await run(["convert", czi])).toBe(2);
    expect(await run(["convert", join(tmp, "absent.czi"), "--out", join(tmp, "x"), "--workers", "0"])).toBe(1);
    expect(err.join("")).toContain("absent.czi");
    expect(await run(["frames", "manifest", tmp])).toBe(1);
    expect(parseShard("3/8")).toEqual([3, 8]);
  });
});

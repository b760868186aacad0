/** `hyped inspect x.czi` and `hyped czi plane`: on a generated file always, on the fixtures when present. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { readNpy } from "@hyped/core";
import { encodeCzi } from "@hyped/imaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

const FIX = path.resolve(__dirname, "../../../..", "../shared/fixtures/czi");
const tmp = mkdtempSync(path.join(tmpdir(), "hyped-cli-czi-"));
const gen = path.join(tmp, "gen.czi");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const capture = runCli;

beforeAll(async () => {
  const tile = (v: number) => Uint16Array.from({ length: 40 * 30 }, (_, i) => v + (i % 40));
  const tiles = [];
  for (const s of [0, 1])
    for (const c of [0, 1])
      for (const m of [0, 1])
        tiles.push({
          data: tile(1000 * (c + 1) + 100 * m),
          width: 40,
          height: 30,
          x: s * 10000 + m * 35,
          y: -20,
          coords: { S: s, T: 0, C: c, M: m },
        });
  writeFileSync(
    gen,
    await encodeCzi(tiles, {
      compression: "zstd1",
      timestamps: [12.5],
      metadata: {
        channels: [{ name: "H2B", fluor: "mCherry", color: "#FFFF0000" }, { name: "PCNA" }],
        sceneNames: { 0: "B2", 1: "C7" },
        scalingM: { X: 3.45e-7, Y: 3.45e-7 },
        acquisitionTime: "2026-01-02T03:04:05Z",
      },
    }),
  );
});

describe("hyped czi", () => {
  it("inspect --json prints the documented fields", async () => {
    const { code, out } = await capture(["inspect", gen, "--json"]);
    expect(code).toBe(0);
    const j = JSON.parse(out);
    expect(j.version).toBe("1.0");
    expect(j.pixel_types).toEqual({ Gray16: 8 });
    expect(j.compressions).toEqual({ Zstd1: 8 });
    expect(j.dims).toMatchObject({ X: [0, 10075], Y: [-20, 30], C: [0, 2], M: [0, 2], S: [0, 2], T: [0, 1] });
    expect(j.bbox_layer0).toEqual([0, -20, 10075, 30]);
    expect(j.scenes).toEqual({ 0: { bbox: [0, -20, 75, 30], name: "B2" }, 1: { bbox: [10000, -20, 75, 30], name: "C7" } });
    expect(j.n_subblocks).toBe(8);
    expect(j.n_pyramid_subblocks).toBe(0);
    expect(j.channels).toEqual([
      { name: "H2B", fluor: "mCherry", color: "#FFFF0000" },
      { name: "PCNA", fluor: null, color: null },
    ]);
    expect(j.scaling_m).toEqual({ X: 3.45e-7, Y: 3.45e-7 });
    expect(j.acquisition_time).toBe("2026-01-02T03:04:05Z");
    expect(j.timestamps_s).toEqual([12.5]);
    expect(j.attachments).toEqual([{ name: "TimeStamps", type: "CZTIMS", size: 16 }]);
    const text = await capture(["inspect", gen]);
    expect(text.out).toContain("8 subblocks (0 pyramid)");
  });

  it("czi plane --out .npy / .tif writes the stitched plane and prints its summary", async () => {
    const npy = path.join(tmp, "p.npy");
    const { code, out } = await capture(["czi", "plane", gen, "--scene", "1", "--c", "1", "--out", npy, "--json"]);
    expect(code).toBe(0);
    const j = JSON.parse(out);
    expect(j.shape).toEqual([30, 75]);
    expect(j.origin).toEqual([10000, -20]);
    expect(j.first_row_first8).toEqual([2000, 2001, 2002, 2003, 2004, 2005, 2006, 2007]);
    const a = readNpy(new Uint8Array(readFileSync(npy)));
    expect(a.shape).toEqual([30, 75]);
    expect(a.get(0, 35)).toBe(2100);
    let sum = 0;
    for (const v of a.data as Uint16Array) sum += v;
    expect(j.sum).toBe(sum);
    const tif = path.join(tmp, "p.tif");
    expect((await capture(["czi", "plane", gen, "--scene", "1", "--c", "1", "--out", tif])).code).toBe(0);
    // A TIFF (geotiff.js writes big-endian "MM\0*") holding the 16-bit pixels; the pixel round trip through
    // geotiff.js's reader is tested in packages/imaging/src/czi/__tests__/tiff.test.ts.
    const t = readFileSync(tif);
    expect(Array.from(t.subarray(0, 4))).toEqual([0x4d, 0x4d, 0, 42]);
    expect(t.length).toBeGreaterThanOrEqual(75 * 30 * 2);
  });

  it("usage and data errors have the right exit codes", async () => {
    expect((await capture(["czi", "plane", gen, "--out", path.join(tmp, "x.png")])).code).toBe(2);
    expect((await capture(["czi", "plane", gen, "--c", "x"])).code).toBe(2);
    expect((await capture(["czi", "plane", gen, "--c", "9"])).code).toBe(1);
    const bad = path.join(tmp, "bad.czi");
    writeFileSync(bad, new Uint8Array(64));
    expect((await capture(["inspect", bad, "--json"])).code).toBe(1);
  });

  it.skipIf(!existsSync(FIX))("mosaic_test.czi fixture: the README's stitched numbers", async () => {
    const { code, out } = await capture(["czi", "plane", path.join(FIX, "mosaic_test.czi"), "--c", "0", "--json"]);
    expect(code).toBe(0);
    const j = JSON.parse(out);
    expect(j).toMatchObject({
      shape: [624, 1756],
      origin: [0, 0],
      sum: 7101695274,
      min: 364,
      max: 65535,
      first_row_first8: [428, 483, 443, 427, 414, 420, 415, 450],
    });
    const ins = JSON.parse((await capture(["inspect", path.join(FIX, "CellDivision_T3_Z5_CH2_X240_Y170.czi"), "--json"])).out);
    expect(ins.timestamps_s).toEqual([360.4196148, 420.3980454, 480.4104779]);
    expect(ins.application).toEqual({ name: "ZEN 3.2 (blue edition)", version: "3.2.0.00001" });
  });
});

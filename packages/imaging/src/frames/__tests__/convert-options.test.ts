/** convertCziToFrames checks every option (and the Z index against the file) before it creates anything. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeCzi } from "../../czi/index.js";
import { type ConvertOptions, convertCziToFrames } from "../convert.js";

const tmp = mkdtempSync(path.join(tmpdir(), "convert-options-"));
const czi = path.join(tmp, "z.czi");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  const tiles = [0, 1].map((z) => ({ data: new Uint16Array(8 * 6).fill(z + 1), width: 8, height: 6, coords: { C: 0, Z: z } }));
  writeFileSync(czi, await encodeCzi(tiles));
});

describe("convertCziToFrames option checks", () => {
  const bad: [ConvertOptions, string, RegExp][] = [
    [{ level: 10 }, "INVALID_ARGUMENT", /level/],
    [{ workers: -1 }, "INVALID_ARGUMENT", /workers/],
    [{ z: 0.5 }, "INVALID_ARGUMENT", /z must be an integer/],
    [{ tile: [0, 4] }, "INVALID_ARGUMENT", /tile/],
    [{ compression: "lz4" as "gzip" }, "INVALID_ARGUMENT", /compression/],
    [{ axes: "YXC" as "CYX" }, "INVALID_ARGUMENT", /axes/],
    [{ dtype: "int64" as "uint16" }, "INVALID_ARGUMENT", /dtype/],
    [{ channels: [] }, "INVALID_ARGUMENT", /channels/],
    [{ z: 2 }, "OUT_OF_RANGE", /Z index 2 is outside its Z range 0\.\.1/],
    [{ z: -1 }, "OUT_OF_RANGE", /Z range/],
  ];
  for (const [o, code, msg] of bad) {
    it(`${JSON.stringify(o)} → ${code}, no output folder`, async () => {
      const out = path.join(tmp, `out-${JSON.stringify(o).replace(/\W/g, "")}`);
      await expect(convertCziToFrames([czi], out, { workers: 0, ...o })).rejects.toMatchObject({
        code,
        message: expect.stringMatching(msg),
      });
      expect(existsSync(out)).toBe(false);
    });
  }

  it("warns through onWarning when Z planes are left out, and records Z in the manifest", async () => {
    const warnings: string[] = [];
    const r = await convertCziToFrames([czi], path.join(tmp, "ok"), { workers: 0, onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([expect.stringMatching(/has 2 Z planes; converting Z=0 only/)]);
    expect(r.manifest.created?.z).toEqual({ index: 0, size: 2 });
  });
});

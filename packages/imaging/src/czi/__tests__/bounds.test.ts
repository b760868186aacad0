/**
 * Issue #24 item 4: a dimension with no bound. One bit flip can make a subblock's T start 2,097,152 or its C
 * start 8.4 M; plane enumeration, `planes()` and conversion must follow the subblocks that exist, not the
 * first..last range such an entry implies.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { convertCziToFrames } from "../../frames/convert.js";
import { encodeCzi, openCzi } from "../index.js";

const tmp = mkdtempSync(path.join(tmpdir(), "czi-bounds-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Six planes (T 0..2 x C 0..1) of 8x6 Gray16, with the directory entry of one subblock flipped as given. */
async function file(flip: { letter: "T" | "C" | "Z"; value: number }): Promise<Uint8Array> {
  const tiles = [];
  for (let t = 0; t < 3; t++)
    for (let c = 0; c < 2; c++)
      tiles.push({ data: new Uint16Array(48).fill(10 * t + c), width: 8, height: 6, coords: { T: t, C: c, Z: 0 } });
  const bytes = await encodeCzi(tiles);
  // Patch the dimension entry in the directory (and in the segment: both hold a DV copy), as a bit flip would.
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dir = Number(v.getBigInt64(32 + 52, true)); // DirectoryPosition
  const first = dir + 32 + 128; // first DV entry
  const n = v.getInt32(first + 28, true);
  for (let k = 0; k < n; k++) {
    const p = first + 32 + 20 * k;
    if (String.fromCharCode(bytes[p] as number) === flip.letter) v.setInt32(p + 4, flip.value, true);
  }
  return bytes;
}

describe("CZI dimensions with no bound (#24 item 4)", () => {
  it("a T start of 2,097,152 lists the planes the subblocks hold, fast and lazily", async () => {
    const czi = await openCzi(await file({ letter: "T", value: 2_097_152 }));
    expect(czi.dims.T).toEqual({ start: 0, size: 2_097_153 });
    const t0 = performance.now();
    const coords = czi.planeCoords();
    expect(performance.now() - t0).toBeLessThan(500);
    expect(coords).toHaveLength(6);
    expect(coords.map((c) => c.T)).toEqual([0, 0, 1, 1, 2, 2].map((t, i) => (i === 0 ? 2_097_152 : t)).sort((a, b) => a - b));
    expect(czi.dimValues("T")).toEqual([0, 1, 2, 2_097_152]);
    let n = 0;
    for await (const p of czi.planes()) {
      expect(p.shape).toEqual([6, 8]);
      n++;
    }
    expect(n).toBe(6);
  });

  it("a C start of 8.4 M enumerates only backed planes; conversion refuses the unbacked C range with FORMAT", async () => {
    const bytes = await file({ letter: "C", value: 8_388_608 });
    const czi = await openCzi(bytes);
    expect(czi.dims.C?.size).toBe(8_388_609);
    expect(czi.planeCoords()).toHaveLength(6);
    const p = path.join(tmp, "c.czi");
    writeFileSync(p, bytes);
    const out = path.join(tmp, "c-out");
    await expect(convertCziToFrames([p], out, { workers: 0 })).rejects.toMatchObject({
      code: "FORMAT",
      message: expect.stringMatching(/C runs 0\.\.8388608/),
    });
  });

  it("conversion of a file with a far T start writes one frame per backed time point", async () => {
    const p = path.join(tmp, "t.czi");
    writeFileSync(p, await file({ letter: "T", value: 2_097_152 }));
    const r = await convertCziToFrames([p], path.join(tmp, "t-out"), { workers: 0, sourceChecksum: false });
    expect(r.manifest.times).toEqual([0, 1, 2, 2_097_152]);
  });

  it("a Z start of 2,097,152 converts the backed Z planes: the warning and the manifest count 2, not 2 million", async () => {
    const p = path.join(tmp, "z.czi");
    writeFileSync(p, await file({ letter: "Z", value: 2_097_152 }));
    const czi = await openCzi(p);
    expect(czi.dims.Z).toEqual({ start: 0, size: 2_097_153 });
    expect(czi.dimValues("Z")).toEqual([0, 2_097_152]);
    await czi.close();
    const warnings: string[] = [];
    const r = await convertCziToFrames([p], path.join(tmp, "z-out"), {
      workers: 0,
      sourceChecksum: false,
      onWarning: (m) => warnings.push(m),
    });
    expect(warnings).toEqual([expect.stringMatching(/has 2 Z planes/)]);
    expect(r.manifest.created?.z).toEqual({ index: 0, size: 2 });
    await expect(convertCziToFrames([p], path.join(tmp, "z-none"), { workers: 0, z: 5 })).rejects.toMatchObject({
      code: "OUT_OF_RANGE",
      message: expect.stringMatching(/Z index 5 has no subblock/),
    });
  });
});

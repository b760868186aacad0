import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { H5File } from "@hyped/core/hdf5";
import { afterAll, describe, expect, it } from "vitest";
import { openCzi } from "../../czi/index.js";
import { HYPED_CONDITIONS, HYPED_SCALES, mosaicTiles, synthImaging } from "../synth.js";

const tmp = mkdtempSync(join(tmpdir(), "hyped-synth-img-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("synthImaging", () => {
  it("tiles a 6x5 mosaic that covers the requested frame", () => {
    const g = mosaicTiles(600, 700, 12);
    expect(g.width).toBeGreaterThanOrEqual(600);
    expect(g.height).toBeGreaterThanOrEqual(700);
    expect(mosaicTiles(2826, 3245, 60)).toMatchObject({ width: 2826, height: 3245 });
  });
  it("writes one Zstd1 CZI per condition with replicates as scenes, and the truth beside it", async () => {
    // the tiny scale has the same layout (6 x 5 tiles, 4 channels, 14 bits) at a fraction of the rendering
    const res = await synthImaging(tmp, { scale: "tiny", frames: 2, seed: 2, workers: 2 });
    expect(res.scenes).toHaveLength(10);
    expect(res.channels).toEqual(["Cy5", "mKate", "TagGFP", "Oblique"]);
    for (const cond of HYPED_CONDITIONS) {
      const czi = await openCzi(join(tmp, "czi", `${cond.name}.czi`));
      try {
        expect(czi.dims.S?.size ?? 1).toBe(cond.replicates);
        expect(czi.dims.T?.size).toBe(2);
        expect(czi.dims.C?.size).toBe(4);
        expect(czi.dims.M?.size).toBe(30);
        expect(czi.metadata.channels.map((c) => c.name)).toEqual(["Cy5", "mKate", "TagGFP", "Oblique"]);
        expect(czi.metadata.componentBitCount).toBe(14);
        const plane = await czi.readPlane({ S: 0, T: 1, C: 1, Z: 0 });
        expect(plane.shape).toEqual([res.scenes[0]?.height, res.scenes[0]?.width]);
        let max = 0;
        for (const v of plane.data as Uint16Array) max = Math.max(max, v);
        expect(max).toBeGreaterThan(500);
        expect(max).toBeLessThan(16384);
      } finally {
        await czi.close?.();
      }
    }
    const truth = await H5File.open(join(tmp, "truth", "control_1.h5"));
    expect(truth.info("/labels").shape).toEqual([2, res.scenes[0]?.height, res.scenes[0]?.width]);
    expect(truth.attr("/", "condition")).toBe("control");
    expect(truth.read("/lineage/id").size).toBeGreaterThanOrEqual(HYPED_SCALES.tiny.cells);
    truth.close();
    // rendering on worker threads or in this thread gives the same files' contents
    const here = join(tmp, "in-thread");
    await synthImaging(here, { scale: "tiny", frames: 2, seed: 2, workers: 0 });
    for (const cond of ["control", "siPRRX1+mmMYOD1"]) {
      const [a, b] = [await openCzi(join(tmp, "czi", `${cond}.czi`)), await openCzi(join(here, "czi", `${cond}.czi`))];
      try {
        for (const [S, T, C] of [
          [0, 0, 1],
          [1, 1, 2],
          [2, 1, 3],
        ] as const) {
          const [pa, pb] = [await a.readPlane({ S, T, C, Z: 0 }), await b.readPlane({ S, T, C, Z: 0 })];
          expect(Buffer.from((pa.data as Uint16Array).buffer).equals(Buffer.from((pb.data as Uint16Array).buffer))).toBe(true);
        }
      } finally {
        await a.close?.();
        await b.close?.();
      }
      const [ta, tb] = [await H5File.open(join(tmp, "truth", `${cond}_1.h5`)), await H5File.open(join(here, "truth", `${cond}_1.h5`))];
      expect(Array.from(ta.read("/labels").data as Uint16Array)).toEqual(Array.from(tb.read("/labels").data as Uint16Array));
      ta.close();
      tb.close();
    }
  }, 60_000);
});

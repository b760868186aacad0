import { describe, expect, it } from "vitest";
import { ssim } from "../index.js";
import { checkCase, npy, ref } from "./cases.js";

describe("image metrics agree with scikit-image 0.19 (reference/image/cases.json)", () => {
  it("has at least 12 image pairs", () => {
    expect(ref.cases.length).toBeGreaterThanOrEqual(12);
  });
  for (const c of ref.cases.filter((c) => c.files)) {
    it(`${c.name} (${c.dtype} ${c.shape.join("x")})`, () => checkCase(c));
  }

  it("ssim full map equals skimage's map (box and Gaussian)", () => {
    const a = npy("u8_64x80_a.npy");
    const b = npy("u8_64x80_b.npy");
    for (const [file, o] of [
      ["u8_64x80_ssim_map.npy", {}],
      ["u8_64x80_ssim_map_gauss.npy", { gaussianWeights: true }],
    ] as const) {
      const want = npy(file).data as Float64Array;
      const { mssim, map } = ssim(a, b, { ...o, full: true });
      expect(map.shape).toEqual([64, 80]);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs((map.data[i] as number) - (want[i] as number)));
      expect(worst).toBeLessThan(1e-12);
      expect(mssim).toBeCloseTo(ssim(a, b, o), 15);
    }
  });

  // The 2826x3245 frames are checked in fullsize.test.ts.
});

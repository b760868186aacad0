import { type AnyNdArray, fromTyped } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { fastExp, fastExpWeight, type NlMeansOptions, nlMeans } from "../nlm.js";
import { nlMeansTwoLoops } from "./nlm-loops.js";

describe("fastExpWeight (NL-means weights) equals the bit-built fastExp on [-5, 0]", () => {
  it("on a dense grid, at the ends and at exponent boundaries", () => {
    const ys: number[] = [0, -0, -5, -Number.MIN_VALUE, -1e-300];
    for (let k = 0; k <= 200_000; k++) ys.push(-5 * (k / 200_000));
    for (let e = 0; e <= 8; e++) ys.push(-e * Math.LN2, -e * Math.LN2 + 1e-12, -e * Math.LN2 - 1e-12);
    for (const y of ys) expect(Object.is(fastExpWeight(y), fastExp(y)) || fastExpWeight(y) === fastExp(y)).toBe(true);
  });
});

describe("nlMeans (fused per-shift sweep) gives the bits of the two-loop transcription of skimage", () => {
  const cases: Array<[number, number, NlMeansOptions]> = [
    [40, 37, {}],
    [23, 31, { patchSize: 5, patchDistance: 6, h: 0.05, sigma: 0.02 }],
    [9, 12, { patchSize: 4, patchDistance: 3, h: 0.2 }],
    [3, 2, { patchSize: 7, patchDistance: 11 }],
    [1, 8, { patchSize: 3, patchDistance: 2, h: 0.01 }],
    [30, 30, { patchSize: 1, patchDistance: 4, h: 0.08, sigma: 0.05 }],
    [17, 16, { patchSize: 9, patchDistance: 0 }],
    [26, 19, { patchSize: 3, patchDistance: 5, h: 0.03 }],
    // h = 0: distances 0/0 (NaN) take skimage's path through the fast exponential, others are cut off
    [12, 14, { patchSize: 3, patchDistance: 4, h: 0 }],
    [29, 25, { patchSize: 5, patchDistance: 9, h: 0.12, sigma: 0.01 }],
  ];
  for (const [rows, cols, opts] of cases) {
    it(`${rows} x ${cols}, ${JSON.stringify(opts)}`, () => {
      // a smooth pattern plus hashed noise, so some patch distances fall past the cut-off and some do not
      const u16 = Uint16Array.from({ length: rows * cols }, (_, i) => {
        const r = Math.floor(i / cols);
        const c = i % cols;
        return Math.round(20000 + 15000 * Math.sin(r / 3) * Math.cos(c / 4) + ((i * 2654435761) % 4099));
      });
      const a = fromTyped(u16, [rows, cols]) as unknown as AnyNdArray;
      expect(Array.from(nlMeans(a, opts).data as Float64Array)).toEqual(Array.from(nlMeansTwoLoops(a, opts).data as Float64Array));
      const f32 = fromTyped(
        Float32Array.from(u16, (v) => v / 65535),
        [rows, cols],
      ) as unknown as AnyNdArray;
      const got = nlMeans(f32, opts).data;
      expect(got).toBeInstanceOf(Float32Array);
      expect(Array.from(got as Float32Array)).toEqual(Array.from(nlMeansTwoLoops(f32, opts).data as Float32Array));
    });
  }
});

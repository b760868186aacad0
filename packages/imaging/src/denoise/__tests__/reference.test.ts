import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type AnyNdArray, contiguous, readNpy } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { gaussianFilter } from "../../filters/gaussian.js";
import { medianFilter } from "../median.js";
import { nlMeans } from "../nlm.js";

const dir = join(__dirname, "../../../reference/denoise");
const index: Array<{ case: string; op: string; dtype: string; shape: number[] }> = JSON.parse(
  readFileSync(join(dir, "index.json"), "utf8"),
);
const load = (f: string) => readNpy(new Uint8Array(readFileSync(join(dir, f))));
const values = (a: AnyNdArray) => Array.from(contiguous(a).data as ArrayLike<number>, Number);

const ops: Record<string, (a: AnyNdArray) => AnyNdArray> = {
  median3: (a) => medianFilter(a, { size: 3 }),
  median5: (a) => medianFilter(a, { size: 5 }),
  median4_nearest: (a) => medianFilter(a, { size: 4, mode: "nearest" }),
  median3_constant: (a) => medianFilter(a, { size: 3, mode: "constant", cval: 0 }),
  gaussian1: (a) => gaussianFilter(a, 1) as unknown as AnyNdArray,
  nlm_default: (a) => nlMeans(a),
  nlm_small: (a) => nlMeans(a, { patchSize: 5, patchDistance: 6, h: 0.05, sigma: 0.02 }),
};

describe("denoisers agree with scipy / scikit-image 0.19.3 within 1e-5", () => {
  for (const ref of index) {
    it(`${ref.case} ${ref.op}`, () => {
      const input = load(`${ref.case}_input.npy`);
      const want = values(load(`${ref.case}_${ref.op}.npy`));
      const got = (ops[ref.op] as (a: AnyNdArray) => AnyNdArray)(input);
      expect(got.shape).toEqual(ref.shape);
      const g = values(got);
      let maxDiff = 0;
      for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs((g[i] as number) - (want[i] as number)));
      const range = Math.max(1, ...want.map(Math.abs));
      expect(maxDiff / (ref.op.startsWith("median") ? 1 : range)).toBeLessThanOrEqual(ref.op.startsWith("median") ? 0 : 1e-5);
    });
  }
});

import { fromTyped } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { type BoundaryMode, extendIndex, gaussianFilter, gaussianKernel1d } from "../gaussian.js";

/** scipy's correlate1d order, one pixel at a time: centre tap, then pairs from the outermost inwards. */
function naive(img: Float64Array, rows: number, cols: number, sigma: number, mode: BoundaryMode, f32: boolean): number[] {
  const r = Math.floor(4 * sigma + 0.5);
  const w = gaussianKernel1d(sigma, r);
  const rnd = f32 ? Math.fround : (x: number) => x;
  const mid = new Float64Array(rows * cols);
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++) {
      let s = img[y * cols + x]! * w[r]!;
      for (let j = r; j >= 1; j--)
        s += (img[extendIndex(y - j, rows, mode) * cols + x]! + img[extendIndex(y + j, rows, mode) * cols + x]!) * w[r - j]!;
      mid[y * cols + x] = rnd(s);
    }
  const out: number[] = [];
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++) {
      let s = mid[y * cols + x]! * w[r]!;
      for (let j = r; j >= 1; j--)
        s += (mid[y * cols + extendIndex(x - j, cols, mode)]! + mid[y * cols + extendIndex(x + j, cols, mode)]!) * w[r - j]!;
      out.push(rnd(s));
    }
  return out;
}

describe("gaussianFilter's unrolled radius-4 / radius-8 kernels give the bits of the plain loop", () => {
  const rows = 29;
  const cols = 41;
  const u16 = Uint16Array.from({ length: rows * cols }, (_, i) => (i * 2654435761) % 65536);
  for (const sigma of [1, 2, 1.3]) {
    for (const mode of ["nearest", "reflect", "mirror", "wrap"] as const) {
      it(`sigma ${sigma}, ${mode}: uint16 (converted on the fly), float64 and float32`, () => {
        const scaled = Float64Array.from(u16, (v) => v * (1 / 65535));
        expect(Array.from(gaussianFilter(fromTyped(u16, [rows, cols]), sigma, { mode }).data as Float64Array)).toEqual(
          naive(scaled, rows, cols, sigma, mode, false),
        );
        expect(Array.from(gaussianFilter(fromTyped(scaled, [rows, cols]), sigma, { mode }).data as Float64Array)).toEqual(
          naive(scaled, rows, cols, sigma, mode, false),
        );
        const f = Float32Array.from(scaled);
        expect(Array.from(gaussianFilter(fromTyped(f, [rows, cols]), sigma, { mode }).data as Float32Array)).toEqual(
          naive(Float64Array.from(f), rows, cols, sigma, mode, true),
        );
      });
    }
  }
});

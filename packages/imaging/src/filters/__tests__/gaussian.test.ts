import { fromTyped, markBool } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { type BoundaryMode, extendIndex, gaussianFilter, gaussianKernel1d } from "../gaussian.js";

/**
 * scipy's correlate1d order, one pixel at a time: centre tap, then pairs from the outermost inwards; taps past
 * the edge follow `mode` (`constant`: `cval`). `sigma` per axis; an axis with sigma 0 is left as it is.
 */
function naive(
  img: Float64Array,
  rows: number,
  cols: number,
  sigma: number | [number, number],
  mode: BoundaryMode,
  f32: boolean,
  cval = 0,
): number[] {
  const [s0, s1] = typeof sigma === "number" ? [sigma, sigma] : sigma;
  const rnd = f32 ? Math.fround : (x: number) => x;
  const pass = (src: Float64Array, sig: number, n: number, at: (k: number, i: number) => number): Float64Array => {
    const dst = Float64Array.from(src);
    if (sig === 0) return dst;
    const r = Math.floor(4 * sig + 0.5);
    const w = gaussianKernel1d(sig, r);
    const tap = (k: number, i: number) => {
      const e = extendIndex(i, n, mode);
      return e < 0 ? cval : src[at(k, e)]!;
    };
    for (let k = 0; k < rows * cols; k++) {
      const i = n === rows ? Math.floor(k / cols) : k % cols;
      let s = src[k]! * w[r]!;
      for (let j = r; j >= 1; j--) s += (tap(k, i - j) + tap(k, i + j)) * w[r - j]!;
      dst[k] = rnd(s);
    }
    return dst;
  };
  const mid = pass(img, s0, rows, (k, e) => e * cols + (k % cols));
  return Array.from(pass(mid, s1, cols, (k, e) => k - (k % cols) + e));
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

describe("gaussianFilter gives the bits of the plain loop for every layout of its row source", () => {
  // image heights around the ring size (2 * radius + 2), widths 1 / odd / even, every mode, and the dtypes
  // whose conversion differs (scaled unsigned, clamped signed, bool, preserveRange, float32, float64)
  const sizes: Array<[number, number]> = [
    [1, 1],
    [1, 7],
    [7, 1],
    [2, 3],
    [5, 9],
    [17, 6],
    [18, 11],
    [19, 10],
    [20, 13],
    [33, 8],
  ];
  const sigmas: Array<number | [number, number]> = [2, 1, 0.3, 1.7, [2, 0], [0, 1], [0, 0], [1, 2]];
  const modes = ["nearest", "reflect", "mirror", "wrap", "constant"] as const;
  for (const [rows, cols] of sizes) {
    it(`${rows} x ${cols}`, () => {
      const n = rows * cols;
      const u16 = Uint16Array.from({ length: n }, (_, i) => (i * 2654435761 + rows) % 65536);
      const i16 = Int16Array.from(u16, (v, i) => (i === n - 1 ? -32768 : v - 32768));
      const u8 = Uint8Array.from(u16, (v) => v >> 8);
      const bool = Uint8Array.from(u16, (v) => v & 1);
      for (const sigma of sigmas) {
        for (const mode of modes) {
          const cval = mode === "constant" ? 0.25 : 0;
          const opts = { mode, cval };
          const check = (got: ArrayLike<number>, scaled: Float64Array, f32 = false) =>
            expect(Array.from(got)).toEqual(naive(scaled, rows, cols, sigma, mode, f32, cval));
          check(
            gaussianFilter(fromTyped(u16, [rows, cols]), sigma, opts).data,
            Float64Array.from(u16, (v) => v * (1 / 65535)),
          );
          check(
            gaussianFilter(fromTyped(u8, [rows, cols]), sigma, opts).data,
            Float64Array.from(u8, (v) => v * (1 / 255)),
          );
          check(
            gaussianFilter(fromTyped(i16, [rows, cols]), sigma, opts).data,
            Float64Array.from(i16, (v) => Math.max(v * (1 / 32767), -1)),
          );
          check(gaussianFilter(markBool(fromTyped(bool, [rows, cols])), sigma, opts).data, Float64Array.from(bool));
          check(gaussianFilter(fromTyped(u16, [rows, cols]), sigma, { ...opts, preserveRange: true }).data, Float64Array.from(u16));
          const f64 = Float64Array.from(u16, (v) => v / 4096 - 3);
          check(gaussianFilter(fromTyped(f64, [rows, cols]), sigma, opts).data, f64);
          const f32 = Float32Array.from(f64);
          const g32 = gaussianFilter(fromTyped(f32, [rows, cols]), sigma, opts);
          expect(g32.data).toBeInstanceOf(Float32Array);
          check(g32.data, Float64Array.from(f32), true);
        }
      }
    });
  }
});

import { fromTyped, lcgUniform } from "@hyped/core";
import { setSimdEnabled, simdInstance } from "@hyped/core/simd";
import { afterEach, describe, expect, it } from "vitest";
import { type SsimOptions, ssim } from "../index.js";
import { SSIM_GAUSS_WASM_BASE64 } from "../ssim-gauss-wasm.js";

afterEach(() => {
  setSimdEnabled(true);
});

/** Both paths of `ssim` on the same input: the WebAssembly SIMD kernel and the JavaScript one. */
function bothPaths(a: ReturnType<typeof fromTyped>, b: ReturnType<typeof fromTyped>, o: SsimOptions) {
  setSimdEnabled(true);
  const simd = ssim(a, b, { ...o, full: true });
  setSimdEnabled(false);
  const js = ssim(a, b, { ...o, full: true });
  setSimdEnabled(true);
  return { simd, js };
}

/** The first index where two float64 arrays differ in their bits (NaN payloads included), or -1. */
function firstBitDifference(p: Float64Array, q: Float64Array): number {
  const u = new BigUint64Array(p.buffer, p.byteOffset, p.length);
  const v = new BigUint64Array(q.buffer, q.byteOffset, q.length);
  if (u.length !== v.length) return 0;
  for (let i = 0; i < u.length; i++) if (u[i] !== v[i]) return i;
  return -1;
}

describe("SSIM Gaussian window: the WebAssembly SIMD kernel gives the JavaScript kernel's bits", () => {
  it("the kernel loads on this engine (else the property below compares the JavaScript path with itself)", () => {
    expect(simdInstance(SSIM_GAUSS_WASM_BASE64)).toBeDefined();
  });

  it("frame-wide rows (3,245 columns, 700 rows: three sub-bands) run in the kernel's 16 MiB without growing it", () => {
    const inst = simdInstance(SSIM_GAUSS_WASM_BASE64);
    if (!inst) throw new Error("the SIMD kernel did not load");
    const memory = (inst.exports as { memory: WebAssembly.Memory }).memory;
    const before = memory.buffer;
    expect(before.byteLength).toBe(16 * 2 ** 20);
    const H = 700;
    const W = 3245;
    const a = fromTyped(Float32Array.from(lcgUniform(31, H * W)), [H, W]);
    const b = fromTyped(Float32Array.from(lcgUniform(32, H * W)), [H, W]);
    const { simd, js } = bothPaths(a, b, { dataRange: 1, gaussianWeights: true, useSampleCovariance: false });
    expect(firstBitDifference(simd.map.data as Float64Array, js.map.data as Float64Array)).toBe(-1);
    // the same ArrayBuffer, not detached: growing would have replaced it
    expect(memory.buffer).toBe(before);
    expect(before.byteLength).toBe(16 * 2 ** 20);
  });

  // odd and even widths (the odd one ends with a half-used lane pair), radius 0, images narrower than the radius of a
  // wide Gaussian (reflect wraps more than once), every
  // input storage the kernel copies from, sample covariance on and off, and a non-default sigma
  const shapes: [number, number][] = [
    [11, 11],
    [12, 13],
    [37, 64],
    [70, 91],
    [130, 33],
  ];
  let seed = 1;
  for (const [H, W] of shapes) {
    for (const dtype of ["float32", "float64", "uint16", "int16"] as const) {
      it(`${H}x${W} ${dtype}: map and mean bit-identical`, () => {
        const u = lcgUniform(seed++, H * W);
        const v = lcgUniform(seed++, H * W);
        const mk = (f: (i: number) => number) => {
          const n = H * W;
          if (dtype === "float32") return Float32Array.from({ length: n }, (_, i) => f(i));
          if (dtype === "float64") return Float64Array.from({ length: n }, (_, i) => f(i));
          if (dtype === "uint16") return Uint16Array.from({ length: n }, (_, i) => Math.floor(f(i) * 65535));
          return Int16Array.from({ length: n }, (_, i) => Math.floor(f(i) * 65535) - 32768);
        };
        // a smooth structure plus noise, so means and variances span several magnitudes
        const base = (i: number) => 0.5 + 0.4 * Math.sin((i % W) / 7) * Math.cos(Math.floor(i / W) / 5);
        const a = fromTyped(
          mk((i) => base(i) * 0.9 + 0.1 * (u[i] as number)),
          [H, W],
        );
        const b = fromTyped(
          mk((i) => Math.min(1, Math.max(0, base(i) * 0.9 + 0.1 * (v[i] as number)))),
          [H, W],
        );
        const range = dtype === "float32" || dtype === "float64" ? { dataRange: 1 } : {};
        for (const o of [
          { ...range, gaussianWeights: true, useSampleCovariance: false },
          { ...range, gaussianWeights: true },
          { ...range, gaussianWeights: true, sigma: 0.8, winSize: 7 },
          { ...range, gaussianWeights: true, sigma: 0.1, winSize: 3 }, // radius 0: a one-tap filter
          ...(Math.min(H, W) >= 25 ? [{ ...range, gaussianWeights: true, sigma: 3.3 }] : []),
        ]) {
          const { simd, js } = bothPaths(a, b, o);
          expect(firstBitDifference(simd.map.data as Float64Array, js.map.data as Float64Array)).toBe(-1);
          expect(Object.is(simd.mssim, js.mssim)).toBe(true);
          // and the mean-only call (no map) agrees with the full one
          expect(Object.is(ssim(a, b, o), simd.mssim)).toBe(true);
        }
      });
    }
  }

  it("a Gaussian radius wider than the image (sigma 3, winSize 3 on 5x9) reflects like the JavaScript kernel", () => {
    const a = fromTyped(Float64Array.from(lcgUniform(77, 45)), [5, 9]);
    const b = fromTyped(Float64Array.from(lcgUniform(78, 45)), [5, 9]);
    const { simd, js } = bothPaths(a, b, { dataRange: 1, gaussianWeights: true, sigma: 3, winSize: 3 });
    expect(firstBitDifference(simd.map.data as Float64Array, js.map.data as Float64Array)).toBe(-1);
  });

  // The kernel's memory is 16 MiB: 60,000 columns split a band into sub-bands of 4 rows in place; 80,700 columns
  // leave room for less than one output row, so sub-bands of 1 row and a grown memory.
  it.each([60_000, 80_700])("rows of %i columns (bands split into sub-bands) give the same bits", (W) => {
    const H = 12;
    const a = fromTyped(Float32Array.from(lcgUniform(91, H * W)), [H, W]);
    const b = fromTyped(
      Float32Array.from(lcgUniform(92, H * W), (v, i) => 0.7 * v + 0.3 * (a.data[i] as number)),
      [H, W],
    );
    const { simd, js } = bothPaths(a, b, { dataRange: 1, gaussianWeights: true, useSampleCovariance: false });
    expect(firstBitDifference(simd.map.data as Float64Array, js.map.data as Float64Array)).toBe(-1);
    expect(Object.is(simd.mssim, js.mssim)).toBe(true);
  });

  it("a non-finite pixel still throws INVALID_ARGUMENT on the SIMD path", () => {
    const d = Float32Array.from(lcgUniform(5, 400));
    d[123] = Number.NaN;
    const a = fromTyped(d, [20, 20]);
    const b = fromTyped(Float32Array.from(lcgUniform(6, 400)), [20, 20]);
    expect(() => ssim(a, b, { dataRange: 1, gaussianWeights: true })).toThrow(/a\[123\] is NaN/);
  });
});

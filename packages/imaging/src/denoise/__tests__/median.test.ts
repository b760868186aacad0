import { type AnyNdArray, fromTyped } from "@hyped/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BoundaryMode } from "../../filters/gaussian.js";
import { medianFilter } from "../median.js";

/** scipy's median_filter by brute force: sort each window, take rank floor(size²/2). */
function bruteMedian(data: ArrayLike<number>, rows: number, cols: number, size: number, mode: BoundaryMode, cval = 0): number[] {
  const ext = (i: number, n: number) => {
    if (i >= 0 && i < n) return i;
    if (mode === "nearest") return i < 0 ? 0 : n - 1;
    if (mode === "constant") return -1;
    if (mode === "wrap") return ((i % n) + n) % n;
    if (mode === "reflect") {
      const p = 2 * n;
      let k = ((i % p) + p) % p;
      if (k >= n) k = p - 1 - k;
      return k;
    }
    const p = 2 * (n - 1) || 1;
    let k = ((i % p) + p) % p;
    if (k >= n) k = p - k;
    return k;
  };
  const o = Math.floor(size / 2);
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const w: number[] = [];
      for (let a = 0; a < size; a++) {
        for (let b = 0; b < size; b++) {
          const rr = ext(r - o + a, rows);
          const cc = ext(c - o + b, cols);
          w.push(rr < 0 || cc < 0 ? cval : (data[rr * cols + cc] as number));
        }
      }
      w.sort((x, y) => x - y);
      out.push(w[Math.floor((size * size) / 2)] as number);
    }
  }
  return out;
}

describe("medianFilter histogram paths (windows ≥ 6) equal the order statistic", () => {
  const cases: Array<[string, (n: number, seed: number) => ArrayLike<number> & { length: number }]> = [
    ["uint8 (constant-time column histograms)", (n, s) => Uint8Array.from({ length: n }, (_, i) => (i * 2654435761 + s * 97) % 256)],
    ["uint16 (two-level sliding histogram)", (n, s) => Uint16Array.from({ length: n }, (_, i) => (i * 2246822519 + s * 31) % 16384)],
    ["int16", (n, s) => Int16Array.from({ length: n }, (_, i) => ((i * 3266489917 + s) % 4000) - 2000)],
  ];
  for (const [name, make] of cases) {
    it(name, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 6, max: 9 }),
          fc.integer({ min: 1, max: 23 }),
          fc.integer({ min: 1, max: 19 }),
          fc.constantFrom<BoundaryMode>("reflect", "nearest", "mirror", "wrap", "constant"),
          fc.nat(1000),
          (size, rows, cols, mode, seed) => {
            const data = make(rows * cols, seed);
            const got = medianFilter(fromTyped(data as never, [rows, cols]) as unknown as AnyNdArray, { size, mode });
            expect(Array.from(got.data as ArrayLike<number>)).toEqual(bruteMedian(data, rows, cols, size, mode));
          },
        ),
        { numRuns: 60, seed: 7 },
      );
    });
  }
});

describe("medianFilter 3 × 3 integer path (sorted column triples) equals the order statistic", () => {
  it("uint16, uint8, int16 and bool in every boundary mode, sizes down to 1 × 1", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 17 }),
        fc.integer({ min: 1, max: 17 }),
        fc.constantFrom<BoundaryMode>("reflect", "nearest", "mirror", "wrap"),
        fc.constantFrom("uint16", "uint8", "int16", "bool"),
        fc.nat(1000),
        (rows, cols, mode, dtype, seed) => {
          const n = rows * cols;
          const v = (i: number) => (i * 2246822519 + seed * 31) % 16384;
          const data =
            dtype === "uint16"
              ? Uint16Array.from({ length: n }, (_, i) => v(i))
              : dtype === "uint8"
                ? Uint8Array.from({ length: n }, (_, i) => v(i) % 256)
                : dtype === "int16"
                  ? Int16Array.from({ length: n }, (_, i) => v(i) - 8000)
                  : Uint8Array.from({ length: n }, (_, i) => v(i) % 2);
          const got = medianFilter(fromTyped(data as never, [rows, cols]) as unknown as AnyNdArray, { size: 3, mode });
          expect(Array.from(got.data as ArrayLike<number>)).toEqual(bruteMedian(data, rows, cols, 3, mode));
        },
      ),
      { numRuns: 80, seed: 11 },
    );
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { topAbs } from "../distances.js";

/** The specification: every non-NaN index sorted by |v| descending, ties by index, first n. */
function bySort(v: number[], n: number): number[] {
  const idx = v.map((_, i) => i).filter((i) => !Number.isNaN(v[i]));
  idx.sort((a, b) => Math.abs(v[b]!) - Math.abs(v[a]!) || a - b);
  return idx.slice(0, n);
}

describe("topAbs (one scan for a small n) equals sorting every gene", () => {
  it("with ties, NaN, ±0 and ±Infinity, n from 0 past the length", () => {
    const value = fc.oneof(
      fc.integer({ min: -5, max: 5 }),
      fc.constantFrom(Number.NaN, 0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.5, -0.5),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 80 }), fc.integer({ min: 0, max: 90 }), (v, n) => {
        expect(Array.from(topAbs(v, n))).toEqual(bySort(v, n));
      }),
      { numRuns: 400, seed: 5 },
    );
  });
});

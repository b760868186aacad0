import fc from "fast-check";

/**
 * A rectangle `{ x, y, w, h }` with its corner in `[lo, hi]` on both axes and sides of 1 to `maxW` by 1 to
 * `maxH` (default `maxW`) pixels: the tiles and regions of the stitching property tests.
 */
export function rectArb(lo: number, hi: number, maxW: number, maxH = maxW): fc.Arbitrary<{ x: number; y: number; w: number; h: number }> {
  return fc.record({
    x: fc.integer({ min: lo, max: hi }),
    y: fc.integer({ min: lo, max: hi }),
    w: fc.integer({ min: 1, max: maxW }),
    h: fc.integer({ min: 1, max: maxH }),
  });
}

/**
 * The synthetic HYPED-scale CZI mosaic of the CZI benchmarks (czi.bench.ts, czi-jxr.bench.ts): a 6x5 grid of
 * 516x709 Gray16 tiles at 462/634-pixel steps (54/75-pixel overlaps), stitching to 2826x3245.
 */

/** Tile width and height (pixels). */
export const TW = 516;
export const TH = 709;
/** Step between tile origins along x and y (pixels). */
export const SX = 462;
export const SY = 634;
/** Tiles along x and y. */
export const NX = 6;
export const NY = 5;
/** Stitched plane width and height (pixels). */
export const W = (NX - 1) * SX + TW;
export const H = (NY - 1) * SY + TH;

/**
 * Deterministic 14-bit microscopy-like tile of time point `t`, channel `c`, mosaic index `m` at plane origin
 * (`x0`, `y0`): smooth background, a few bright nuclei, LCG noise.
 */
export function makeTile(t: number, c: number, m: number, x0: number, y0: number): Uint16Array {
  const a = new Uint16Array(TW * TH);
  let s = (t * 7919 + c * 104729 + m * 1299709 + 1) >>> 0;
  for (let y = 0; y < TH; y++) {
    for (let x = 0; x < TW; x++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const gx = x0 + x;
      const gy = y0 + y;
      const blob = (gx * 37 + gy * 91 + t * 13) % 977 < 60 ? 3000 + c * 500 : 0;
      a[y * TW + x] = Math.min(16383, 400 + ((gx + gy) >> 4) + blob + (s >>> 26));
    }
  }
  return a;
}

/** The decoder's view of one mosaic tile stored with `compression` (CZI code: 4 JPEG XR, 6 Zstd1, ...). */
export function tileInfo(compression: number) {
  return {
    subblock: 0,
    filePosition: 0,
    compression,
    pixelType: "Gray16" as const,
    width: TW,
    height: TH,
    bytesPerPixel: 2,
    expectedBytes: TW * TH * 2,
  };
}

/**
 * What the SSIM band kernels share: the row data they read, their parameters and scipy's `reflect` index
 * (`kernel.ts`, the JavaScript kernel, and `ssim-simd.ts`, the WebAssembly SIMD one). @internal
 */
import type { NumTyped } from "../internal/input.js";

/** Numeric TypedArrays the kernel reads rows from (the metrics' one list, `internal/input.ts`). */
export type RowData = NumTyped;

/** The SSIM constants and the filter. */
export interface SsimKernelParams {
  /** Window side used for the border crop and the covariance factor (odd). */
  winSize: number;
  /** Filter radius: `(winSize − 1)/2` for the box window, `int(truncate·sigma + 0.5)` for the Gaussian. */
  radius: number;
  /** Gaussian taps (`2·radius + 1`, normalised), or `null` for the box (uniform) window. */
  weights: Float64Array | null;
  /** `NP/(NP − 1)` with `NP = winSize²`, or 1. */
  covNorm: number;
  /** `(K1·L)²`. */
  C1: number;
  /** `(K2·L)²`. */
  C2: number;
}

/** scipy.ndimage `reflect` index for `i` in an axis of length `n`. */
export function reflectIndex(i: number, n: number): number {
  if (i >= 0 && i < n) return i;
  if (n === 1) return 0;
  const p = 2 * n;
  let k = i % p;
  if (k < 0) k += p;
  return k < n ? k : p - 1 - k;
}

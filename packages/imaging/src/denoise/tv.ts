/**
 * Total-variation denoising by Chambolle's projection algorithm, as
 * `skimage.restoration.denoise_tv_chambolle(image, weight, eps, max_num_iter)` for 2-D images (0.19).
 */
import { type AnyNdArray, fromTyped, throwIfAborted } from "@hyped/core";
import { checkNumber, type Image2D } from "../filters/image.js";
import { asFloat } from "./float.js";

/** Options of {@link tvChambolle}. Defaults are scikit-image's. */
export interface TvOptions {
  /** Denoising weight (larger = smoother). Default 0.1. */
  weight?: number;
  /** Stop when the cost changes by less than `eps × E₀` between iterations. Default 2e-4. */
  eps?: number;
  /** Most iterations. Default 200. */
  maxIter?: number;
  signal?: AbortSignal;
}

/**
 * Rudin–Osher–Fatemi denoising of a 2-D image. Integer input is scaled like `img_as_float`; returns float32 for
 * float32 input (computed in float32 storage, as skimage), else float64.
 */
export function tvChambolle(image: Image2D, options: TvOptions = {}): AnyNdArray {
  const weight = checkNumber(options.weight ?? 0.1, "weight", { min: 0 });
  const eps = checkNumber(options.eps ?? 2e-4, "eps", { min: 0 });
  const maxIter = checkNumber(options.maxIter ?? 200, "maxIter", { min: 1, integer: true });
  const img = asFloat(image);
  const { rows, cols } = img;
  const n = rows * cols;
  const F = img.floatType === "float32" ? Float32Array : Float64Array;
  const im = new F(img.data);
  const p0 = new F(n);
  const p1 = new F(n);
  const out = new F(n);
  // every intermediate is rounded to the working precision where the unfused algorithm stores it in an
  // array (float32 images compute in float32, as scikit-image does)
  const rnd = img.floatType === "float32" ? Math.fround : (x: number) => x;
  const tau = 1 / 4;
  const k = tau / weight;
  let eInit = 0;
  let ePrev = 0;
  for (let it = 0; it < maxIter; it++) {
    if ((it & 7) === 0) throwIfAborted(options.signal, "TV denoising");
    let e = 0;
    if (it > 0) {
      // out = im + d with d = -div p: d = -(p0 + p1); d[1:, :] += p0[:-1, :]; d[:, 1:] += p1[:, :-1] (one pass)
      for (let r = 0; r < rows; r++) {
        const base = r * cols;
        for (let c = 0; c < cols; c++) {
          const i = base + c;
          let d = rnd(-(p0[i]! + p1[i]!));
          if (r > 0) d = rnd(d + p0[i - cols]!);
          if (c > 0) d = rnd(d + p1[i - 1]!);
          out[i] = im[i]! + d;
          e += d * d;
        }
      }
    } else {
      out.set(im);
    }
    // forward differences (last row/column zero) and the dual update, one pass
    let normSum = 0;
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      const lastRow = r === rows - 1;
      for (let c = 0; c < cols; c++) {
        const i = base + c;
        const o = out[i]!;
        const a = lastRow ? 0 : rnd(out[i + cols]! - o);
        const b = c < cols - 1 ? rnd(out[i + 1]! - o) : 0;
        const norm = Math.sqrt(a * a + b * b);
        normSum += norm;
        const den = 1 + k * norm;
        p0[i] = (p0[i]! - tau * a) / den;
        p1[i] = (p1[i]! - tau * b) / den;
      }
    }
    e = (e + weight * normSum) / n;
    if (it === 0) {
      eInit = e;
      ePrev = e;
    } else {
      if (Math.abs(ePrev - e) < eps * eInit) break;
      ePrev = e;
    }
  }
  return fromTyped(out, [rows, cols]) as unknown as AnyNdArray;
}

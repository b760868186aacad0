/**
 * Non-local means, equal to `skimage.restoration.denoise_nl_means(image, patch_size, patch_distance, h,
 * fast_mode=True, sigma)` for 2-D greyscale images (scikit-image 0.19): the Darbon et al. (2008) /
 * Froment (2014) algorithm with the outer loop over patch shifts and integral images of squared differences,
 * a uniform patch kernel, distances above 5 ignored, and skimage's fast exponential.
 */
import { type AnyNdArray, fromTyped, throwIfAborted } from "@hyped/core";
import { checkNumber, type Image2D } from "../filters/image.js";
import { asFloat } from "./float.js";

/** Options of {@link nlMeans}. Defaults are scikit-image's. */
export interface NlMeansOptions {
  /** Patch side in pixels (made odd). Default 7. */
  patchSize?: number;
  /** Largest shift searched, in pixels. Default 11. */
  patchDistance?: number;
  /** Cut-off distance in grey levels of the float image (higher = smoother). Default 0.1. */
  h?: number;
  /** Expected noise standard deviation (float units); subtracted from patch distances as 2σ². Default 0. */
  sigma?: number;
  /** Keep integer values unscaled (skimage's `preserve_range`). Default false (scale like `img_as_float`). */
  preserveRange?: boolean;
  signal?: AbortSignal;
}

const EXP_A = 1512775.3951951857; // 2^20 / ln 2, as skimage's fast_exp.h
const EXP_BC = 1072632447;
const expBuf = new ArrayBuffer(8);
const expF = new Float64Array(expBuf);
const expI = new Int32Array(expBuf);

/** scikit-image's Schraudolph-style fast exponential (the high word of a double set from `y`). */
export function fastExp(y: number): number {
  expI[0] = 0;
  expI[1] = Math.trunc(EXP_A * y) + EXP_BC;
  return expF[0] as number;
}

/** 2^(k - 1023) for every biased exponent k of a double. */
const POW2 = Float64Array.from({ length: 2047 }, (_, k) => 2 ** (k - 1023));

/**
 * {@link fastExp} for `y` in [-5, 0] (NL-means weights) computed arithmetically instead of through a typed-array
 * alias: the double with high word `hi` and low word 0 is `(1 + (hi & 0xfffff) / 2^20) * 2^((hi >>> 20) - 1023)`
 * when its exponent field is neither 0 nor 2047 (here 1015–1023), and both factors are exact, so the value is
 * the same bits.
 */
export function fastExpWeight(y: number): number {
  const hi = Math.trunc(EXP_A * y) + EXP_BC;
  return (1 + (hi & 0xfffff) * 9.5367431640625e-7) * POW2[hi >>> 20]!;
}

/** numpy's `np.pad(mode='reflect')` index (edge not repeated). */
function mirrorIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const p = 2 * (n - 1);
  let k = i % p;
  if (k < 0) k += p;
  return k < n ? k : p - k;
}

/**
 * Fast non-local means of a 2-D image. Returns float32 for float32 input, else float64 (integer input is
 * scaled to [0, 1] first unless `preserveRange`).
 */
export function nlMeans(image: Image2D, options: NlMeansOptions = {}): AnyNdArray {
  let s = checkNumber(options.patchSize ?? 7, "patchSize", { min: 1, integer: true });
  const d = checkNumber(options.patchDistance ?? 11, "patchDistance", { min: 0, integer: true });
  const h = checkNumber(options.h ?? 0.1, "h", { min: 0 });
  const sigma = checkNumber(options.sigma ?? 0, "sigma", { min: 0 });
  const img = asFloat(image, options.preserveRange ?? false);
  if (s % 2 === 0) s += 1;
  const offset = Math.floor(s / 2);
  const pad = offset + d + 1;
  const R = img.rows + 2 * pad;
  const C = img.cols + 2 * pad;
  const padded = new Float64Array(R * C);
  for (let r = 0; r < R; r++) {
    const sr = mirrorIndex(r - pad, img.rows);
    for (let c = 0; c < C; c++) padded[r * C + c] = img.data[sr * img.cols + mirrorIndex(c - pad, img.cols)] as number;
  }
  const weights = new Float64Array(R * C);
  const integral = new Float64Array(R * C);
  const result = new Float64Array(R * C);
  const h2s2 = h * h * s * s;
  const varDiff = 2 * sigma * sigma;
  for (let tr = -d; tr <= d; tr++) {
    throwIfAborted(options.signal, "non-local means");
    const rowStart = Math.max(offset, offset - tr);
    const rowEnd = Math.min(R - offset, R - offset - tr);
    for (let tc = 0; tc <= d; tc++) {
      const alpha = tc === 0 ? 0.5 : 1;
      // integral image of the squared difference between padded and padded shifted by (tr, tc)
      const iStart = Math.max(1, -tr);
      const iEnd = Math.min(R, R - tr);
      for (let r = iStart; r < iEnd; r++) {
        const base = r * C;
        const sh = (r + tr) * C + tc;
        for (let c = 1; c < C - tc; c++) {
          const t = (padded[base + c] as number) - (padded[sh + c] as number);
          integral[base + c] =
            t * t -
            varDiff +
            (integral[base - C + c] as number) +
            (integral[base + c - 1] as number) -
            (integral[base - C + c - 1] as number);
        }
      }
      for (let r = rowStart; r < rowEnd; r++) {
        const rs = r + tr;
        const top = (r - offset) * C;
        const bot = (r + offset) * C;
        for (let c = offset; c < C - offset - tc; c++) {
          let dist =
            (integral[bot + c + offset] as number) +
            (integral[top + c - offset] as number) -
            (integral[top + c + offset] as number) -
            (integral[bot + c - offset] as number);
          dist = (dist > 0 ? dist : 0) / h2s2;
          if (dist > 5) continue;
          const w = alpha * fastExpWeight(-dist);
          const p = r * C + c;
          const q = rs * C + c + tc;
          weights[p] = (weights[p] as number) + w;
          weights[q] = (weights[q] as number) + w;
          result[p] = (result[p] as number) + w * (padded[q] as number);
          result[q] = (result[q] as number) + w * (padded[p] as number);
        }
      }
    }
  }
  const n = img.rows * img.cols;
  const out = img.floatType === "float32" ? new Float32Array(n) : new Float64Array(n);
  for (let r = 0; r < img.rows; r++) {
    for (let c = 0; c < img.cols; c++) {
      const p = (r + pad) * C + c + pad;
      out[r * img.cols + c] = (result[p] as number) / (weights[p] as number);
    }
  }
  return fromTyped(out, [img.rows, img.cols]) as unknown as AnyNdArray;
}

/**
 * Test-only reference: `nlMeans` as it was before the per-shift loops were fused (a line-by-line transcription
 * of skimage 0.19's `_fast_nl_means_denoising_2d`: a full integral image per shift, then the pixel loop).
 * The fused implementation must give the same bits.
 */
import { type AnyNdArray, fromTyped, throwIfAborted } from "@hyped/core";
import { extendIndex } from "../../filters/gaussian.js";
import { checkNumber, type Image2D } from "../../filters/image.js";
import { asFloat } from "../float.js";
import { fastExpWeight, type NlMeansOptions } from "../nlm.js";

/** The pre-fusion `nlMeans` (skimage's two loops per shift, separate weight and sum arrays), kept as the reference. */
export function nlMeansTwoLoops(image: Image2D, options: NlMeansOptions = {}): AnyNdArray {
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
    const sr = extendIndex(r - pad, img.rows, "mirror");
    for (let c = 0; c < C; c++) padded[r * C + c] = img.data[sr * img.cols + extendIndex(c - pad, img.cols, "mirror")] as number;
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

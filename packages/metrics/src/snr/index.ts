/**
 * Signal-to-noise ratio of an image from a foreground mask (the paper's "Calculated SNR" and "Denoised SNR"
 * of Table 4). See docs/metrics.md for the two definitions and which one the paper's column uses.
 */
import { HypedError } from "@hyped/core";
import { CHUNK, flatPair, type MetricInput, SCRATCH_A, SCRATCH_B } from "../internal/input.js";
import { CompensatedSum } from "../internal/sum.js";

/**
 * - `'mean-fg/std-bg'` (default): `mean(foreground) / std(background)`, the classic contrast-free SNR;
 *   it counts a constant offset (camera bias, background autofluorescence) as signal.
 * - `'(mean-fg - mean-bg)/std-bg'`: `(mean(fg) − mean(bg)) / std(bg)`, the contrast-to-noise form; invariant
 *   under any offset and scaling of the intensities.
 */
export type SnrDefinition = "mean-fg/std-bg" | "(mean-fg - mean-bg)/std-bg";

/** Options of {@link snr}. */
export interface SnrOptions {
  /** Which SNR; default `'mean-fg/std-bg'`. */
  definition?: SnrDefinition;
  /** `'ratio'` (default, dimensionless) or `'dB'` = `20 · log10(ratio)` (an amplitude ratio). */
  unit?: "ratio" | "dB";
  /** Delta degrees of freedom of the background standard deviation; default 0 (numpy's `std`). */
  ddof?: number;
}

/** The pieces of an SNR: foreground/background pixel counts, means and the background standard deviation. */
export interface SnrStats {
  nForeground: number;
  nBackground: number;
  meanForeground: number;
  meanBackground: number;
  /** Standard deviation of the background pixels, with `ddof` (default 0). */
  stdBackground: number;
}

/**
 * Foreground/background statistics of `image` split by `mask` (any non-zero mask value is foreground).
 * Two-pass, compensated, float64. Equals numpy's `img[m].mean()`, `img[~m].mean()`, `img[~m].std(ddof=ddof)`.
 * Throws `SHAPE_MISMATCH` when the sizes differ, `INVALID_ARGUMENT` when either region is empty (or has no
 * more than `ddof` pixels) or holds NaN/±Infinity.
 */
export function snrStats(image: MetricInput, mask: MetricInput, options: { ddof?: number } = {}): SnrStats {
  const ddof = options.ddof ?? 0;
  if (!Number.isInteger(ddof) || ddof < 0)
    throw new HypedError("INVALID_ARGUMENT", `snr: ddof must be a non-negative integer, got ${ddof}`, { ddof });
  const [fi, fm] = flatPair(image, mask, ["image", "mask"]);
  const sf = new CompensatedSum();
  const sb = new CompensatedSum();
  let nf = 0;
  let nb = 0;
  const n = fi.length;
  for (let i = 0; i < n; i += CHUNK) {
    const k = Math.min(CHUNK, n - i);
    const v = fi.read(i, k, SCRATCH_A);
    const m = fm.read(i, k, SCRATCH_B);
    let tf = 0;
    let tb = 0;
    for (let j = 0; j < k; j++) {
      const x = v[j] as number;
      if (m[j] !== 0) {
        tf += x;
        nf++;
      } else {
        tb += x;
        nb++;
      }
    }
    sf.add(tf);
    sb.add(tb);
  }
  if (nf === 0) throw new HypedError("INVALID_ARGUMENT", "snr: the mask has no foreground pixels", { nForeground: 0 });
  if (nb <= ddof)
    throw new HypedError("INVALID_ARGUMENT", `snr: the mask leaves ${nb} background pixels, need more than ddof = ${ddof}`, {
      nBackground: nb,
    });
  const meanForeground = sf.value() / nf;
  const meanBackground = sb.value() / nb;
  if (!Number.isFinite(meanForeground) || !Number.isFinite(meanBackground)) {
    throw new HypedError("INVALID_ARGUMENT", "snr: the image holds NaN or ±Infinity", {});
  }
  const ss = new CompensatedSum();
  for (let i = 0; i < n; i += CHUNK) {
    const k = Math.min(CHUNK, n - i);
    const v = fi.read(i, k, SCRATCH_A);
    const m = fm.read(i, k, SCRATCH_B);
    let t = 0;
    for (let j = 0; j < k; j++) {
      if (m[j] === 0) {
        const d = (v[j] as number) - meanBackground;
        t += d * d;
      }
    }
    ss.add(t);
  }
  return { nForeground: nf, nBackground: nb, meanForeground, meanBackground, stdBackground: Math.sqrt(ss.value() / (nb - ddof)) };
}

/** The SNR from {@link SnrStats} with a definition and unit (see {@link snr}). */
export function snrFromStats(s: SnrStats, options: SnrOptions = {}): number {
  const { definition = "mean-fg/std-bg", unit = "ratio" } = options;
  let num: number;
  if (definition === "mean-fg/std-bg") num = s.meanForeground;
  else if (definition === "(mean-fg - mean-bg)/std-bg") num = s.meanForeground - s.meanBackground;
  else throw new HypedError("INVALID_ARGUMENT", `snr: unknown definition '${definition as string}'`, { definition });
  if (unit !== "ratio" && unit !== "dB") throw new HypedError("INVALID_ARGUMENT", `snr: unknown unit '${unit as string}'`, { unit });
  if (s.stdBackground === 0 && num === 0) {
    throw new HypedError("INVALID_ARGUMENT", "snr: 0/0, the background is constant and the signal is zero", { ...s });
  }
  const ratio = num / s.stdBackground;
  if (unit === "ratio") return ratio;
  if (ratio < 0) {
    throw new HypedError("INVALID_ARGUMENT", `snr: the ratio is negative (${ratio}); it has no value in dB`, { ratio, definition });
  }
  return 20 * Math.log10(ratio);
}

/**
 * Signal-to-noise ratio of `image` with `foregroundMask` (non-zero = foreground, e.g. the segmentation's
 * nuclei; everything else is background):
 * - `'mean-fg/std-bg'` (default): `μ_fg / σ_bg`;
 * - `'(mean-fg - mean-bg)/std-bg'`: `(μ_fg − μ_bg) / σ_bg`;
 *
 * with `σ_bg` the population standard deviation (`ddof` 0, numpy's default). `unit: 'dB'` gives
 * `20 · log10(ratio)` (amplitude ratio; a negative ratio throws `INVALID_ARGUMENT`). The default reproduces
 * the paper's "Calculated SNR" column as discussed in docs/metrics.md. Equivalent numpy:
 * `img[m].mean() / img[~m].std()`.
 */
export function snr(image: MetricInput, foregroundMask: MetricInput, options: SnrOptions = {}): number {
  return snrFromStats(snrStats(image, foregroundMask, { ddof: options.ddof ?? 0 }), options);
}

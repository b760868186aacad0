/**
 * The classical denoisers behind the {@link Denoiser} interface, each matching a reference function.
 */
import type { AnyNdArray } from "@hyped/core";
import { HypedError } from "@hyped/core";
import { type GaussianOptions, gaussianFilter } from "../filters/gaussian.js";
import { fm2sDenoiser } from "./fm2s.js";
import { type MedianOptions, medianFilter } from "./median.js";
import { type NlMeansOptions, nlMeans } from "./nlm.js";
import { type TvOptions, tvChambolle } from "./tv.js";
import type { Denoiser } from "./types.js";

/** Gaussian smoothing: `skimage.filters.gaussian(image, sigma)` (default sigma 1, mode `nearest`, truncate 4). */
export function gaussianDenoiser(options: GaussianOptions & { sigma?: number } = {}): Denoiser {
  const { sigma = 1, ...rest } = options;
  return { name: "gaussian", denoise: async (image: AnyNdArray) => gaussianFilter(image, sigma, rest) as unknown as AnyNdArray };
}

/** Median filter: `scipy.ndimage.median_filter(image, size)` (default size 3, mode `reflect`); keeps the dtype. */
export function medianDenoiser(options: Omit<MedianOptions, "signal"> = {}): Denoiser {
  return { name: "median", denoise: async (image, signal) => medianFilter(image, { ...options, ...(signal ? { signal } : {}) }) };
}

/** Non-local means: `skimage.restoration.denoise_nl_means(..., fast_mode=True)` (defaults 7, 11, h 0.1). */
export function nlmDenoiser(options: Omit<NlMeansOptions, "signal"> = {}): Denoiser {
  return { name: "nlm", denoise: async (image, signal) => nlMeans(image, { ...options, ...(signal ? { signal } : {}) }) };
}

/** Total variation: `skimage.restoration.denoise_tv_chambolle` (default weight 0.1). */
export function tvDenoiser(options: Omit<TvOptions, "signal"> = {}): Denoiser {
  return { name: "tv", denoise: async (image, signal) => tvChambolle(image, { ...options, ...(signal ? { signal } : {}) }) };
}

/** Names accepted by {@link denoiserByName}. */
export const DENOISER_NAMES = ["gaussian", "median", "nlm", "tv", "fm2s"] as const;

/**
 * A denoiser by name with options for its parameters (see each factory). For integer frames the float-based
 * denoisers work on `img_as_float` values; pass `bitDepth` to FM2S for 14-bit data.
 */
export function denoiserByName(name: string, options: Record<string, unknown> = {}): Denoiser {
  switch (name) {
    case "gaussian":
      return gaussianDenoiser(options);
    case "median":
      return medianDenoiser(options);
    case "nlm":
      return nlmDenoiser(options);
    case "tv":
      return tvDenoiser(options);
    case "fm2s":
      return fm2sDenoiser(options);
    default:
      throw new HypedError("UNSUPPORTED", `unknown denoiser '${name}' (known: ${DENOISER_NAMES.join(", ")})`, { name });
  }
}

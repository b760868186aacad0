/**
 * The denoiser interface shared by the classical filters, FM2S and users' own models.
 */
import type { AnyNdArray } from "@hyped/core";

/** A 2-D image denoiser. */
export interface Denoiser {
  /** Short name used in tables and on the command line (e.g. `median`, `fm2s`). */
  readonly name: string;
  /**
   * Denoise one 2-D image (any numeric dtype). Returns an image of the same shape; the dtype is documented per
   * denoiser. `signal` cancels long work with a `HypedError` of code `ABORTED`.
   */
  denoise(image: AnyNdArray, signal?: AbortSignal): Promise<AnyNdArray>;
}

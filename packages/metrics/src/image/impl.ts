/**
 * Image metrics: PSNR and SSIM as scikit-image computes them (`skimage.metrics`, 0.19–0.24), in float64.
 */
import {
  type AnyNdArray,
  assert2D,
  type DType,
  dtypeOf,
  HypedError,
  isNdArray,
  type LongTaskOptions,
  type NdArray,
  ndarray,
  ndDtype,
  progressReporter,
  throwIfAborted,
} from "@hyped/core";
import { CHUNK, type FlatInput, flat, flatPair, type MetricInput, SCRATCH_A } from "../internal/input.js";
import { mseFlat } from "../vector/impl.js";
import { gaussianWeights, type RowData, type SsimKernelParams, ssimRows } from "./kernel.js";

export { reflectIndex } from "./kernel.js";

/** The value range `[min, max]` scikit-image's `dtype_range` gives each integer dtype (bool: [0, 1]). */
export const DTYPE_RANGE: Readonly<Record<Exclude<DType, "float32" | "float64">, readonly [number, number]>> = {
  bool: [0, 1],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
  uint64: [0, 2 ** 64 - 1],
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  int64: [-(2 ** 63), 2 ** 63 - 1],
};

/** The toolkit dtype of an input, or `undefined` for plain arrays (treated as floating point). */
export function inputDtype(x: MetricInput): DType | undefined {
  if (isNdArray(x)) return ndDtype(x as AnyNdArray);
  if (ArrayBuffer.isView(x)) return dtypeOf(x as ArrayBufferView);
  return undefined;
}

function checkRange(dataRange: number, fn: string): number {
  if (typeof dataRange !== "number" || !Number.isFinite(dataRange) || dataRange <= 0) {
    throw new HypedError("INVALID_ARGUMENT", `${fn}: dataRange must be a positive finite number, got ${dataRange}`, { dataRange });
  }
  return dataRange;
}

function floatNeedsRange(fn: string, dtype: DType | undefined): never {
  throw new HypedError(
    "INVALID_ARGUMENT",
    `${fn}: floating-point input (${dtype ?? "plain array"}) needs an explicit dataRange (the span of values the image can take, e.g. 1 for images in [0, 1]); scikit-image 0.19 silently assumed 1 or 2`,
    { dtype: dtype ?? "plain" },
  );
}

/** Options of {@link psnr}. */
export interface PsnrOptions {
  /**
   * The data range `L` (max − min possible value) in the image's units. Default for integer images, as
   * `skimage.metrics.peak_signal_noise_ratio`: the dtype maximum when the reference image has no negative
   * values (255 for uint8, 65535 for uint16, even for 14-bit data: pass 16383 there), else max − min of the
   * dtype. Floating-point images have no default and throw `INVALID_ARGUMENT`.
   */
  dataRange?: number;
}

/** The data range PSNR uses by default for `reference` (see {@link PsnrOptions.dataRange}). */
export function psnrDefaultRange(reference: MetricInput, f: FlatInput = flat(reference, "reference")): number {
  const dtype = inputDtype(reference);
  if (dtype === undefined || dtype === "float32" || dtype === "float64") floatNeedsRange("psnr", dtype);
  const [lo, hi] = DTYPE_RANGE[dtype];
  if (lo === 0) return hi;
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < f.length; i += CHUNK) {
    const m = Math.min(CHUNK, f.length - i);
    const c = f.read(i, m, SCRATCH_A);
    for (let j = 0; j < m; j++) if ((c[j] as number) < min) min = c[j] as number;
  }
  return min >= 0 ? hi : hi - lo;
}

/**
 * Peak signal-to-noise ratio in decibels, `10 · log10(L² / MSE)`, with MSE the mean of the squared
 * differences in float64 and `L` the data range. Matches `skimage.metrics.peak_signal_noise_ratio(reference,
 * test, data_range=L)`. Identical images give `Infinity`. Any shape; the shapes must agree (`SHAPE_MISMATCH`).
 * NaN/±Infinity pixels throw `INVALID_ARGUMENT`. When the dtypes differ, the default range comes from
 * `reference` (scikit-image warns and does the same).
 */
export function psnr(reference: MetricInput, test: MetricInput, options: PsnrOptions = {}): number {
  const [fr, ft] = flatPair(reference, test, ["reference", "test"]);
  const L = options.dataRange === undefined ? psnrDefaultRange(reference, fr) : checkRange(options.dataRange, "psnr");
  const err = mseFlat(fr, ft, "psnr");
  return psnrFromMse(err, L);
}

/** `10 · log10(L² / mse)` in dB (`Infinity` for `mse = 0`). */
export function psnrFromMse(mse: number, dataRange: number): number {
  if (mse === 0) return Number.POSITIVE_INFINITY;
  return 10 * Math.log10((dataRange * dataRange) / mse);
}

/** Options of {@link ssim}. Defaults are scikit-image's. */
export interface SsimOptions extends LongTaskOptions {
  /** Data range `L` of the images; integer dtypes default to the dtype's max − min (scikit-image rule); floats have no default. */
  dataRange?: number;
  /** Odd side of the window; default 7, or `2·int(3.5·sigma + 0.5) + 1` (11 for sigma 1.5) with `gaussianWeights`. */
  winSize?: number;
  /** Weight the window with a Gaussian (sigma `sigma`, truncated at 3.5 sigma) instead of a uniform box. Default false. */
  gaussianWeights?: boolean;
  /** Gaussian standard deviation in pixels; default 1.5. */
  sigma?: number;
  /** Scale variances and covariance by `NP/(NP − 1)` (`NP = winSize²`), the sample estimate. Default true. */
  useSampleCovariance?: boolean;
  /** Luminance constant factor, `C1 = (K1·L)²`; default 0.01. */
  K1?: number;
  /** Contrast constant factor, `C2 = (K2·L)²`; default 0.03. */
  K2?: number;
  /** Also return the full SSIM map. Default false. */
  full?: boolean;
}

/** {@link ssim} with `full: true`. */
export interface SsimFull {
  /** Mean SSIM over the map with a border of `(winSize − 1)/2` pixels cropped. */
  mssim: number;
  /** The SSIM map (float64, same shape as the input, border included). */
  map: NdArray<"float64">;
}

/** Resolved SSIM parameters for an image pair. @internal */
export interface SsimSetup {
  H: number;
  W: number;
  params: SsimKernelParams;
}

/** Validate SSIM inputs and options; resolve the kernel parameters. @internal */
export function ssimSetup(a: MetricInput, b: MetricInput, options: SsimOptions): SsimSetup {
  const shapeOf = (x: MetricInput, name: string): [number, number] => {
    if (!isNdArray(x)) {
      throw new HypedError("INVALID_ARGUMENT", `ssim: ${name} must be a 2-D ndarray (use fromTyped(data, [rows, cols]))`, { input: name });
    }
    return assert2D(x as AnyNdArray, name);
  };
  const [H, W] = shapeOf(a, "a");
  const [H2, W2] = shapeOf(b, "b");
  if (H !== H2 || W !== W2) {
    throw new HypedError("SHAPE_MISMATCH", `ssim: images have different shapes: [${H}, ${W}] vs [${H2}, ${W2}]`, {
      a: [H, W],
      b: [H2, W2],
    });
  }
  const { gaussianWeights: gauss = false, sigma = 1.5, useSampleCovariance = true, K1 = 0.01, K2 = 0.03 } = options;
  for (const [k, v] of [
    ["K1", K1],
    ["K2", K2],
    ["sigma", sigma],
  ] as const) {
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      throw new HypedError("INVALID_ARGUMENT", `ssim: ${k} must be a non-negative number, got ${v}`, { [k]: v });
    }
  }
  if (gauss && sigma === 0) throw new HypedError("INVALID_ARGUMENT", "ssim: sigma must be positive with gaussianWeights", { sigma });
  const truncate = 3.5;
  const gRadius = Math.trunc(truncate * sigma + 0.5);
  const winSize = options.winSize ?? (gauss ? 2 * gRadius + 1 : 7);
  if (!Number.isInteger(winSize) || winSize < 1 || winSize % 2 !== 1) {
    throw new HypedError("INVALID_ARGUMENT", `ssim: winSize must be an odd positive integer, got ${winSize}`, { winSize });
  }
  if (H < winSize || W < winSize) {
    throw new HypedError(
      "INVALID_ARGUMENT",
      `ssim: the ${winSize}x${winSize} window exceeds the ${H}x${W} image; every side must be at least winSize`,
      { winSize, shape: [H, W] },
    );
  }
  let L = options.dataRange;
  if (L === undefined) {
    const dt = inputDtype(a);
    if (dt === undefined || dt === "float32" || dt === "float64") floatNeedsRange("ssim", dt);
    const [lo, hi] = DTYPE_RANGE[dt];
    L = hi - lo;
  } else checkRange(L, "ssim");
  const NP = winSize * winSize;
  return {
    H,
    W,
    params: {
      winSize,
      radius: gauss ? gRadius : (winSize - 1) >> 1,
      weights: gauss ? gaussianWeights(sigma, gRadius) : null,
      covNorm: useSampleCovariance && NP > 1 ? NP / (NP - 1) : 1,
      C1: (K1 * L) ** 2,
      C2: (K2 * L) ** 2,
    },
  };
}

/** The image data as row-readable numbers (BigInt and plain arrays are converted to float64). @internal */
export function rowData(x: MetricInput, name: string): RowData {
  const f = flat(x, name);
  if (f.storage === "float64" || f.storage === "float32" || f.storage === "int") return f.typed as RowData;
  return f.all();
}

/** Rows per band in the SSIM loop (also the unit of progress and cancellation). */
export const SSIM_BAND_ROWS = 64;

/** Throws `INVALID_ARGUMENT` if an SSIM result is NaN because a pixel is not finite. @internal */
export function checkSsimFinite(mssim: number, a: RowData, b: RowData): void {
  if (Number.isFinite(mssim)) return;
  for (const [d, name] of [
    [a, "a"],
    [b, "b"],
  ] as const) {
    for (let i = 0; i < d.length; i++) {
      if (!Number.isFinite(d[i] as number)) {
        throw new HypedError("INVALID_ARGUMENT", `ssim: ${name}[${i}] is ${d[i]}; images must be finite`, { index: i, input: name });
      }
    }
  }
}

/**
 * Structural similarity index (dimensionless, ≤ 1), the mean over the image of
 * `((2 μx μy + C1)(2 σxy + C2)) / ((μx² + μy² + C1)(σx² + σy² + C2))` with local means, variances and
 * covariance from a `winSize x winSize` window. Matches `skimage.metrics.structural_similarity(a, b,
 * data_range=L, ...)` of scikit-image 0.19–0.24:
 * - uniform (box) window of 7 by default, or Gaussian weights (sigma 1.5, truncated at 3.5 sigma, which
 *   implies `winSize = 11`), both filtering with scipy.ndimage's `reflect` border;
 * - variances scaled by `NP/(NP − 1)` unless `useSampleCovariance: false`;
 * - the map's border of `(winSize − 1)/2` pixels is cropped before the mean;
 * - `gaussianWeights: true, useSampleCovariance: false` is the original Wang et al. (2004) setting.
 *
 * Computed in float64 throughout (scikit-image computes float32 input in float32, so results on float32
 * images differ from it by ~1e-7). Inputs must be 2-D ndarrays of equal shape, at least `winSize` on each
 * side. Synchronous; for large images see `ssimParallel` in `@hyped/metrics/parallel`.
 */
export function ssim(a: MetricInput, b: MetricInput, options?: SsimOptions & { full?: false }): number;
export function ssim(a: MetricInput, b: MetricInput, options: SsimOptions & { full: true }): SsimFull;
export function ssim(a: MetricInput, b: MetricInput, options?: SsimOptions): number | SsimFull;
export function ssim(a: MetricInput, b: MetricInput, options: SsimOptions = {}): number | SsimFull {
  const { H, W, params } = ssimSetup(a, b, options);
  const x = rowData(a, "a");
  const y = rowData(b, "b");
  const map = options.full ? new Float64Array(H * W) : null;
  const progress = progressReporter(options.onProgress, "rows", H, "ssim");
  let total = 0;
  for (let r0 = 0; r0 < H; r0 += SSIM_BAND_ROWS) {
    throwIfAborted(options.signal, "ssim");
    const r1 = Math.min(H, r0 + SSIM_BAND_ROWS);
    total += ssimRows(x, y, 0, H, W, r0, r1, params, map ? map.subarray(r0 * W, r1 * W) : null);
    progress.tick(r1 - r0);
  }
  progress.finish();
  const pad = (params.winSize - 1) >> 1;
  const mssim = total / ((H - 2 * pad) * (W - 2 * pad));
  checkSsimFinite(mssim, x, y);
  if (!map) return mssim;
  return { mssim, map: ndarray(map, [H, W]) as NdArray<"float64"> };
}

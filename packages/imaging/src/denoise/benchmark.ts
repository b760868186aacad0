/**
 * The paper's image-denoising benchmark (Table 4): MSE, PSNR and SSIM of each denoiser's output against its
 * input, and the SNR of input ("calculated SNR") and output ("denoised SNR") inside the foreground mask,
 * averaged across time points (and channels). With a clean reference (synthetic data) the same metrics are
 * also reported against it, which is what measures denoising quality.
 */
import { type AnyNdArray, fromTyped, HypedError, type LongTaskOptions, throwIfAborted } from "@hyped/core";
import { type MetricRow, metricSmallMultiplesSpec, renderSvg } from "@hyped/core/plot";
import { mse, psnr, snr, ssim } from "@hyped/metrics";
import { gaussianFilter } from "../filters/gaussian.js";
import { thresholdOtsu } from "../filters/threshold.js";
import { asFloat } from "./float.js";
import type { Denoiser } from "./types.js";

/** One frame for the benchmark. */
export interface BenchmarkFrame {
  /** A 2-D image, or (C, Y, X) channels (see `channels`). */
  image: AnyNdArray;
  /** Time index, for per-frame rows. */
  t?: number;
  /** Foreground mask (2-D, non-zero = foreground) for the SNR; overrides the options' mask. */
  mask?: AnyNdArray;
  /** The noise-free image, same layout as `image`, when known (synthetic data). */
  clean?: AnyNdArray;
}

/** Options of {@link denoisingBenchmark}. */
export interface DenoisingBenchmarkOptions extends LongTaskOptions {
  /** Channel indices of (C, Y, X) frames to score. Default all. */
  channels?: number[];
  /**
   * Foreground mask for the SNR: a fixed 2-D mask, a function of the frame and channel, or `'otsu'` (default):
   * Otsu's threshold of the Gaussian-smoothed (σ = 2) channel, as the segmentation pipeline's foreground step.
   */
  mask?: AnyNdArray | ((frame: BenchmarkFrame, channel: number) => AnyNdArray) | "otsu";
  /** Data range for PSNR/SSIM in `img_as_float` units. Default 1 (the full dtype range). */
  dataRange?: number;
  /** SNR definition passed to `@hyped/metrics`' `snr`. Default `'mean-fg/std-bg'`. */
  snrDefinition?: "mean-fg/std-bg" | "(mean-fg - mean-bg)/std-bg";
  /** SNR unit. Default `'dB'`. */
  snrUnit?: "ratio" | "dB";
}

/** One benchmark row (averages over frames × channels). */
export interface DenoisingRow {
  denoiser: string;
  /** Frames × channels averaged. */
  n: number;
  /** Denoised vs input. */
  mse: number;
  psnr: number;
  ssim: number;
  /** SNR of the input ("calculated SNR") and of the output ("denoised SNR"). */
  snr_input: number;
  snr_denoised: number;
  /** Against the clean image, when frames carry one: input and output. */
  psnr_clean_input?: number;
  psnr_clean?: number;
  ssim_clean?: number;
  mse_clean?: number;
  /** Mean wall time per image, ms. */
  ms: number;
}

function channelsOf(img: AnyNdArray, channels?: number[]): AnyNdArray[] {
  if (img.shape.length === 2) return [img];
  if (img.shape.length !== 3) throw new HypedError("INVALID_ARGUMENT", `benchmark frames must be 2-D or (C, Y, X), got [${img.shape}]`, {});
  const idx = channels ?? Array.from({ length: img.shape[0] as number }, (_, c) => c);
  return idx.map((c) => {
    if (c < 0 || c >= (img.shape[0] as number))
      throw new HypedError("OUT_OF_RANGE", `channel ${c} is outside 0..${(img.shape[0] as number) - 1}`, { channel: c });
    return img.pick(c, null, null) as unknown as AnyNdArray;
  });
}

const toFloat = (a: AnyNdArray) => {
  const f = asFloat(a);
  return fromTyped(f.data, [f.rows, f.cols]) as unknown as AnyNdArray;
};

/** The default foreground: Otsu threshold of the σ = 2 Gaussian-smoothed image. */
export function otsuForeground(image: AnyNdArray): AnyNdArray {
  const g = gaussianFilter(image, 2, { preserveRange: true }) as unknown as AnyNdArray;
  const t = thresholdOtsu(g);
  const d = g.data as ArrayLike<number>;
  const m = new Uint8Array(d.length);
  for (let i = 0; i < d.length; i++) m[i] = (d[i] as number) > t ? 1 : 0;
  return fromTyped(m, [g.shape[0] as number, g.shape[1] as number]) as unknown as AnyNdArray;
}

/**
 * Run every denoiser on every frame (and channel) and average Table 4's columns. Frames are consumed once,
 * one at a time (an async iterable keeps memory at one frame).
 */
export async function denoisingBenchmark(
  frames: Iterable<BenchmarkFrame> | AsyncIterable<BenchmarkFrame>,
  denoisers: Denoiser[],
  options: DenoisingBenchmarkOptions = {},
): Promise<{ rows: DenoisingRow[]; perFrame: Array<DenoisingRow & { t: number; channel: number }> }> {
  if (denoisers.length === 0) throw new HypedError("INVALID_ARGUMENT", "denoisingBenchmark needs at least one denoiser", {});
  const dataRange = options.dataRange ?? 1;
  const snrOpts = { definition: options.snrDefinition ?? "mean-fg/std-bg", unit: options.snrUnit ?? "dB" } as const;
  const perFrame: Array<DenoisingRow & { t: number; channel: number }> = [];
  let frameNo = 0;
  for await (const frame of frames as AsyncIterable<BenchmarkFrame>) {
    throwIfAborted(options.signal, "denoising benchmark");
    const chans = channelsOf(frame.image, options.channels);
    const cleans = frame.clean ? channelsOf(frame.clean, options.channels) : undefined;
    for (let k = 0; k < chans.length; k++) {
      const img = chans[k] as AnyNdArray;
      const ch = options.channels?.[k] ?? k;
      const mask =
        frame.mask ??
        (typeof options.mask === "function"
          ? options.mask(frame, ch)
          : options.mask && options.mask !== "otsu"
            ? options.mask
            : otsuForeground(img));
      const x = toFloat(img);
      const snrIn = snr(x, mask, snrOpts);
      const clean = cleans ? toFloat(cleans[k] as AnyNdArray) : undefined;
      for (const d of denoisers) {
        const t0 = performance.now();
        const out = await d.denoise(img, options.signal);
        const ms = performance.now() - t0;
        const y = out.dtype === "float32" || out.dtype === "float64" ? out : toFloat(out);
        const row: DenoisingRow & { t: number; channel: number } = {
          denoiser: d.name,
          t: frame.t ?? frameNo,
          channel: ch,
          n: 1,
          mse: mse(x, y),
          psnr: psnr(x, y, { dataRange }),
          ssim: ssim(x, y, { dataRange }) as number,
          snr_input: snrIn,
          snr_denoised: snr(y, mask, snrOpts),
          ms,
        };
        if (clean) {
          row.psnr_clean_input = psnr(clean, x, { dataRange });
          row.psnr_clean = psnr(clean, y, { dataRange });
          row.ssim_clean = ssim(clean, y, { dataRange }) as number;
          row.mse_clean = mse(clean, y);
        }
        perFrame.push(row);
      }
    }
    frameNo++;
    options.onProgress?.({ done: frameNo, unit: "frames", label: "denoising benchmark" });
  }
  const rows: DenoisingRow[] = denoisers.map((d) => {
    const mine = perFrame.filter((r) => r.denoiser === d.name);
    const avg = (k: keyof DenoisingRow) => {
      const v = mine.map((r) => r[k] as number | undefined).filter((x): x is number => x !== undefined);
      return v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
    };
    const row: DenoisingRow = {
      denoiser: d.name,
      n: mine.length,
      mse: avg("mse") as number,
      psnr: avg("psnr") as number,
      ssim: avg("ssim") as number,
      snr_input: avg("snr_input") as number,
      snr_denoised: avg("snr_denoised") as number,
      ms: avg("ms") as number,
    };
    for (const k of ["psnr_clean_input", "psnr_clean", "ssim_clean", "mse_clean"] as const) {
      const v = avg(k);
      if (v !== undefined) row[k] = v;
    }
    return row;
  });
  return { rows, perFrame };
}

/**
 * Table 4 as small multiples (SVG): PSNR, SSIM, the denoised SNR (and PSNR against the clean image when known)
 * per denoiser, one panel per metric with its own zoomed y axis and unit. `snrUnit` labels the SNR axis
 * (default "dB", the benchmark's default).
 */
export async function benchmarkSvg(rows: DenoisingRow[], options: { snrUnit?: "ratio" | "dB" } = {}): Promise<string> {
  const long: MetricRow[] = rows.flatMap((r) => [
    { method: r.denoiser, metric: "PSNR", value: r.psnr },
    { method: r.denoiser, metric: "SSIM", value: r.ssim },
    { method: r.denoiser, metric: "denoised SNR", value: r.snr_denoised },
    ...(r.psnr_clean !== undefined ? [{ method: r.denoiser, metric: "PSNR vs clean", value: r.psnr_clean }] : []),
  ]);
  // small multiples: each metric on its own zoomed axis with its unit (SSIM near 1 is still readable)
  const units = { PSNR: "dB", SSIM: "index, 1 = identical", "denoised SNR": options.snrUnit ?? "dB", "PSNR vs clean": "dB" };
  return renderSvg(metricSmallMultiplesSpec(long, { units, title: "Denoising benchmark (Table 4)" }));
}

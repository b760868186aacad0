/**
 * `hyped metrics <name> a.npy b.npy [--data-range R] [--json]`: one metric of two `.npy` arrays from the
 * shell (`@hyped/metrics`). `snr` takes an image and a mask `.npy` instead.
 */
import { type AnyNdArray, readLocalFile, readNpy } from "@hyped/core";
import {
  cosineSimilarity,
  euclidean,
  l1,
  type MetricInput,
  mae,
  mse,
  pearson,
  psnr,
  r2,
  rmse,
  type SnrDefinition,
  snr,
  spearman,
  ssim,
} from "@hyped/metrics";
import type { Command } from "commander";
import { printJson, UsageError } from "../context.js";

type Pair = (a: MetricInput, b: MetricInput) => number;
const PAIRED: Record<string, Pair> = { mse, rmse, mae, cosine: cosineSimilarity, pearson, spearman, r2, euclidean, l1 };
/** Every name `hyped metrics` accepts. */
export const METRIC_NAMES = [...Object.keys(PAIRED), "psnr", "ssim", "snr"];

interface MetricsOpts {
  dataRange?: string;
  json?: boolean;
  winSize?: string;
  gaussianWeights?: boolean;
  sigma?: string;
  sampleCovariance: boolean;
  definition?: string;
  unit?: string;
}

function num(v: string | undefined, flag: string, integer = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} expects ${integer ? "an integer" : "a number"}, got '${v}'`);
  }
  return n;
}

async function load(path: string): Promise<AnyNdArray> {
  return readNpy(await readLocalFile(path));
}

/** Compute the metric `name` for two loaded arrays with the CLI options. */
export function computeMetric(name: string, a: AnyNdArray, b: AnyNdArray, o: MetricsOpts): number {
  const dataRange = num(o.dataRange, "--data-range");
  const paired = PAIRED[name];
  if (paired) return paired(a, b);
  if (name === "psnr") return psnr(a, b, dataRange === undefined ? {} : { dataRange });
  if (name === "ssim") {
    const winSize = num(o.winSize, "--win-size", true);
    const sigma = num(o.sigma, "--sigma");
    return ssim(a, b, {
      ...(dataRange === undefined ? {} : { dataRange }),
      ...(winSize === undefined ? {} : { winSize }),
      ...(sigma === undefined ? {} : { sigma }),
      gaussianWeights: o.gaussianWeights === true,
      useSampleCovariance: o.sampleCovariance,
    });
  }
  if (name === "snr") {
    const definition = (o.definition ?? "mean-fg/std-bg") as SnrDefinition;
    if (definition !== "mean-fg/std-bg" && definition !== "(mean-fg - mean-bg)/std-bg") {
      throw new UsageError(`--definition must be 'mean-fg/std-bg' or '(mean-fg - mean-bg)/std-bg', got '${o.definition}'`);
    }
    const unit = o.unit ?? "ratio";
    if (unit !== "ratio" && unit !== "dB") throw new UsageError(`--unit must be 'ratio' or 'dB', got '${unit}'`);
    return snr(a, b, { definition, unit });
  }
  throw new UsageError(`unknown metric '${name}'; one of: ${METRIC_NAMES.join(", ")}`);
}

export function metricsCommand(program: Command): void {
  program
    .command("metrics")
    .description(`compute a metric of two .npy arrays (${METRIC_NAMES.join(", ")}); snr takes an image and a foreground mask`)
    .argument("<name>", "metric name")
    .argument("<a>", "first .npy (reference / y_true / image)")
    .argument("<b>", "second .npy (test / y_pred / mask for snr)")
    .option("--data-range <R>", "data range for psnr/ssim (required for float images)")
    .option("--win-size <N>", "ssim window side (odd; default 7, or 11 with --gaussian-weights)")
    .option("--gaussian-weights", "ssim with a Gaussian window (sigma 1.5, truncate 3.5)")
    .option("--sigma <S>", "ssim Gaussian sigma (default 1.5)")
    .option("--no-sample-covariance", "ssim with population (not sample) covariance")
    .option("--definition <D>", "snr definition: 'mean-fg/std-bg' (default) or '(mean-fg - mean-bg)/std-bg'")
    .option("--unit <U>", "snr unit: ratio (default) or dB")
    .option("--json", 'print {"value": x}')
    .action(async (name: string, aPath: string, bPath: string, o: MetricsOpts) => {
      if (!METRIC_NAMES.includes(name)) throw new UsageError(`unknown metric '${name}'; one of: ${METRIC_NAMES.join(", ")}`);
      const [a, b] = await Promise.all([load(aPath), load(bPath)]);
      const value = computeMetric(name, a, b, o);
      if (o.json) printJson({ value });
      else process.stdout.write(`${value}\n`);
    });
}

/**
 * `hyped metrics <name> a.npy b.npy [--data-range R] [--json]`: one metric of two `.npy` arrays from the
 * shell (`@hyped/metrics`). `snr` takes an image and a mask `.npy` instead.
 */
import { type AnyNdArray, readLocalFile, readNpy } from "@hyped/core";
import { METRICS, type MetricCliFlag, type MetricName } from "@hyped/metrics";
import type { Command } from "commander";
import { printJson, UsageError } from "../context.js";

/** Every name `hyped metrics` accepts: the keys of the metric table, in its order. */
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

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

const SNR_DEFINITIONS = ["mean-fg/std-bg", "(mean-fg - mean-bg)/std-bg"];

/** How each option a metric may read (`MetricSpec.cliFlags`) comes from the command line. */
const FLAG_VALUES: Record<MetricCliFlag, (o: MetricsOpts) => unknown> = {
  dataRange: (o) => num(o.dataRange, "--data-range"),
  winSize: (o) => num(o.winSize, "--win-size", true),
  sigma: (o) => num(o.sigma, "--sigma"),
  gaussianWeights: (o) => o.gaussianWeights === true,
  sampleCovariance: (o) => o.sampleCovariance,
  definition: (o) => {
    const definition = o.definition ?? "mean-fg/std-bg";
    if (!SNR_DEFINITIONS.includes(definition)) {
      throw new UsageError(`--definition must be 'mean-fg/std-bg' or '(mean-fg - mean-bg)/std-bg', got '${o.definition}'`);
    }
    return definition;
  },
  unit: (o) => {
    const unit = o.unit ?? "ratio";
    if (unit !== "ratio" && unit !== "dB") throw new UsageError(`--unit must be 'ratio' or 'dB', got '${unit}'`);
    return unit;
  },
};

/** The metric option each flag sets, where its name differs from the flag's. */
const OPTION_KEY: Partial<Record<MetricCliFlag, string>> = { sampleCovariance: "useSampleCovariance" };

/** Compute the metric `name` for two loaded arrays with the CLI options. */
export function computeMetric(name: string, a: AnyNdArray, b: AnyNdArray, o: MetricsOpts): number {
  // --data-range is checked for every metric (a malformed value is a usage error even where unused)
  num(o.dataRange, "--data-range");
  if (!Object.hasOwn(METRICS, name)) throw new UsageError(`unknown metric '${name}'; one of: ${METRIC_NAMES.join(", ")}`);
  const spec = METRICS[name as MetricName];
  const options: Record<string, unknown> = {};
  for (const flag of spec.cliFlags) {
    const value = FLAG_VALUES[flag](o);
    if (value !== undefined) options[OPTION_KEY[flag] ?? flag] = value;
  }
  return spec.fn(a, b, options);
}

async function load(path: string): Promise<AnyNdArray> {
  return readNpy(await readLocalFile(path));
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
      if (!Object.hasOwn(METRICS, name)) throw new UsageError(`unknown metric '${name}'; one of: ${METRIC_NAMES.join(", ")}`);
      const [a, b] = await Promise.all([load(aPath), load(bPath)]);
      const value = computeMetric(name, a, b, o);
      if (o.json) printJson({ value });
      else process.stdout.write(`${value}\n`);
    });
}

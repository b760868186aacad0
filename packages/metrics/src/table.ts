/**
 * The metric table: the one place that knows which metrics exist. Each row names a metric once (its key is
 * the `hyped metrics <name>` argument, the {@link RowMetric} name and the `kind` of its accumulator's state)
 * and points at everything else: the public one-shot function, the row-wise kernel, the streaming
 * accumulator, the command-line flags that feed its options, a description, the unit and the reference it
 * matches. `rows/` takes its kernels from here, `@hyped/metrics/parallel` runs the same kernels, and the CLI
 * builds its list, its help and its dispatch from it.
 *
 * Adding a metric: write its function (and, if it can run row-wise, its flat kernel) with a reference test,
 * then add one row below. ARCHITECTURE.md at the repository root walks through it; the test
 * `__tests__/table.test.ts` checks that every row is complete and exported.
 */
import {
  type Accumulator,
  createCosineAccumulator,
  createMaeAccumulator,
  createMseAccumulator,
  createPearsonAccumulator,
  createPsnrAccumulator,
  createR2Accumulator,
  createRmseAccumulator,
} from "./accumulate/index.js";
import { psnr, ssim } from "./image/impl.js";
import type { FlatInput, MetricInput } from "./internal/input.js";
import { snr } from "./snr/index.js";
import {
  cosineFlat,
  cosineSimilarity,
  euclidean,
  euclideanFlat,
  l1,
  mae,
  maeFlat,
  mse,
  mseFlat,
  pearson,
  pearsonFlat,
  r2,
  r2Flat,
  rmse,
  rmseFlat,
  spearman,
  spearmanFlat,
  sumAbsoluteDiff,
} from "./vector/impl.js";

/** A row-wise kernel: the metric of two equal-length float64 rows. @internal */
export type RowKernel = (a: FlatInput, b: FlatInput) => number;

/** An option the `hyped metrics` command can pass to a metric (the CLI maps each to its flag). */
export type MetricCliFlag = "dataRange" | "winSize" | "gaussianWeights" | "sigma" | "sampleCovariance" | "definition" | "unit";

/** Why a metric lacks a variant (row-wise or streaming), stated where the variant would be. */
export interface NotAvailable {
  none: string;
}

/** One row of {@link METRICS}. */
export interface MetricSpec {
  /** The public one-shot function of `@hyped/metrics` (exported under `fn.name`), called as `fn(a, b, options)`. */
  // biome-ignore lint/suspicious/noExplicitAny: each row's options type differs; the row's own function types them.
  readonly fn: (a: MetricInput, b: MetricInput, options?: any) => number;
  /** What the two inputs are, in order (e.g. `["yTrue", "yPred"]`). */
  readonly inputs: readonly [string, string];
  /** One line for help text and docs. */
  readonly description: string;
  /** Unit and range of the value. */
  readonly unit: string;
  /** The function in scipy / scikit-learn / scikit-image (or the paper) whose numbers it gives. */
  readonly reference: string;
  /** The row-wise kernel used by `rowwise` and `rowwiseParallel`, or why there is none. @internal */
  readonly row: RowKernel | NotAvailable;
  /** A fresh streaming accumulator (restore a saved state with `.merge(state)`), or why there is none. */
  // biome-ignore lint/suspicious/noExplicitAny: options differ per row (psnr: dataRange, r2: forceFinite).
  readonly accumulator: ((options?: any) => Accumulator<{ kind: string }>) | NotAvailable;
  /** The `hyped metrics` options passed to `fn` (the CLI maps each to a flag, e.g. `dataRange` to `--data-range`). */
  readonly cliFlags: readonly MetricCliFlag[];
}

const NOT_ROWWISE_IMAGE: NotAvailable = { none: "an image metric: one value per image pair, not per row" };

const TABLE = {
  mse: {
    fn: mse,
    inputs: ["a", "b"],
    description: "mean squared error",
    unit: "squared input units, >= 0",
    reference: "sklearn.metrics.mean_squared_error",
    row: (a, b) => mseFlat(a, b),
    accumulator: () => createMseAccumulator(),
    cliFlags: [],
  },
  rmse: {
    fn: rmse,
    inputs: ["a", "b"],
    description: "root mean squared error",
    unit: "input units, >= 0",
    reference: "sklearn.metrics.mean_squared_error(squared=False)",
    row: rmseFlat,
    accumulator: () => createRmseAccumulator(),
    cliFlags: [],
  },
  mae: {
    fn: mae,
    inputs: ["a", "b"],
    description: "mean absolute error",
    unit: "input units, >= 0",
    reference: "sklearn.metrics.mean_absolute_error",
    row: (a, b) => maeFlat(a, b),
    accumulator: () => createMaeAccumulator(),
    cliFlags: [],
  },
  cosine: {
    fn: cosineSimilarity,
    inputs: ["a", "b"],
    description: "cosine similarity",
    unit: "dimensionless, [-1, 1]",
    reference: "1 - scipy.spatial.distance.cosine",
    row: cosineFlat,
    accumulator: () => createCosineAccumulator(),
    cliFlags: [],
  },
  pearson: {
    fn: pearson,
    inputs: ["a", "b"],
    description: "Pearson correlation",
    unit: "dimensionless, [-1, 1]",
    reference: "scipy.stats.pearsonr(a, b)[0]",
    row: (a, b) => pearsonFlat(a, b),
    accumulator: () => createPearsonAccumulator(),
    cliFlags: [],
  },
  spearman: {
    fn: spearman,
    inputs: ["a", "b"],
    description: "Spearman rank correlation",
    unit: "dimensionless, [-1, 1]",
    reference: "scipy.stats.spearmanr(a, b)[0]",
    row: spearmanFlat,
    accumulator: { none: "ranks need every value at once; there is no exact streaming form" },
    cliFlags: [],
  },
  r2: {
    fn: r2,
    inputs: ["yTrue", "yPred"],
    description: "coefficient of determination R²",
    unit: "dimensionless, <= 1",
    reference: "sklearn.metrics.r2_score",
    row: (a, b) => r2Flat(a, b),
    accumulator: (options?: { forceFinite?: boolean }) => createR2Accumulator(options),
    cliFlags: [],
  },
  euclidean: {
    fn: euclidean,
    inputs: ["a", "b"],
    description: "Euclidean distance",
    unit: "input units, >= 0",
    reference: "scipy.spatial.distance.euclidean",
    row: euclideanFlat,
    accumulator: { none: "not written yet (sqrt of a streaming sum of squares; the mse accumulator holds that sum)" },
    cliFlags: [],
  },
  l1: {
    fn: l1,
    inputs: ["a", "b"],
    description: "L1 (city-block) distance",
    unit: "input units, >= 0",
    reference: "scipy.spatial.distance.cityblock",
    row: sumAbsoluteDiff,
    accumulator: { none: "not written yet (a streaming sum of |a - b|; the mae accumulator holds that sum)" },
    cliFlags: [],
  },
  psnr: {
    fn: psnr,
    inputs: ["reference", "test"],
    description: "peak signal-to-noise ratio",
    unit: "dB",
    reference: "skimage.metrics.peak_signal_noise_ratio",
    row: NOT_ROWWISE_IMAGE,
    accumulator: (options?: { dataRange?: number }) => createPsnrAccumulator(options),
    cliFlags: ["dataRange"],
  },
  ssim: {
    fn: ssim,
    inputs: ["a", "b"],
    description: "mean structural similarity",
    unit: "dimensionless, [-1, 1]",
    reference: "skimage.metrics.structural_similarity",
    row: NOT_ROWWISE_IMAGE,
    accumulator: { none: "a windowed image metric: windows straddle the pieces an accumulator would be fed" },
    cliFlags: ["dataRange", "winSize", "sigma", "gaussianWeights", "sampleCovariance"],
  },
  snr: {
    fn: snr,
    inputs: ["image", "foregroundMask"],
    description: "signal-to-noise ratio of an image with a foreground mask",
    unit: "ratio, or dB with unit 'dB'",
    reference: "the paper's Table 4 (numpy: img[m].mean() / img[~m].std())",
    row: { none: "the second input is a mask, not a second row" },
    accumulator: { none: "not written yet (snrStats holds the moments a streaming form would merge)" },
    cliFlags: ["definition", "unit"],
  },
} as const satisfies Record<string, MetricSpec>;

/** The name of a metric: a key of {@link METRICS}. */
export type MetricName = keyof typeof TABLE;

/** The metrics available row-wise: the rows of {@link METRICS} with a row kernel. */
export type RowMetric = {
  [K in MetricName]: (typeof TABLE)[K]["row"] extends NotAvailable ? never : K;
}[MetricName];

/**
 * Every metric of `@hyped/metrics`, keyed by its name, in the order `hyped metrics` lists them. Read-only.
 * `METRICS.pearson.fn` is `pearson`; `METRICS.pearson.accumulator()` is a fresh `createPearsonAccumulator()`.
 */
export const METRICS: { readonly [K in MetricName]: MetricSpec } = TABLE;

/** Whether a table cell holds the variant rather than the reason it is missing. @internal */
export function isAvailable<T>(cell: T | NotAvailable): cell is T {
  return typeof cell === "function";
}

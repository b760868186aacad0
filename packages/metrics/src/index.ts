/**
 * `@hyped/metrics`: the paper's metrics (vector, image, SNR), matching scipy / scikit-learn / scikit-image,
 * with row-wise variants and streaming accumulators. Worker-thread parallelism is in `@hyped/metrics/parallel`.
 */

export * from "./accumulate/index.js";
export * from "./image/index.js";
export * from "./rows/index.js";
export * from "./snr/index.js";
export { METRICS, type MetricCliFlag, type MetricName, type MetricSpec, type NotAvailable, type RowKernel } from "./table.js";
export * from "./vector/index.js";

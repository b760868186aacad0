/** Vector and paired metrics (public surface; the implementation is in impl.ts). */
export type { MetricInput } from "../internal/input.js";
export { cosineSimilarity, euclidean, l1, mae, mse, pearson, type R2Options, r2, rankAverage, rmse, spearman } from "./impl.js";

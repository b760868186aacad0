/** Row-wise metrics (public surface; the implementation is in impl.ts). */
export { cosineRows, maeRows, mseRows, pearsonRows, type RowMetric, r2Rows, rowwise, spearmanRows } from "./impl.js";

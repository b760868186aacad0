import { describe, expect, it } from "vitest";
import * as metrics from "../index.js";
import * as parallel from "../parallel/index.js";

// The public API, spelled out so that changes to it are deliberate.
describe("@hyped/metrics exports", () => {
  it("main entry", () => {
    expect(Object.keys(metrics).sort()).toMatchInlineSnapshot(`
      [
        "DTYPE_RANGE",
        "METRICS",
        "cosineRows",
        "cosineSimilarity",
        "createCosineAccumulator",
        "createMaeAccumulator",
        "createMseAccumulator",
        "createPearsonAccumulator",
        "createPsnrAccumulator",
        "createR2Accumulator",
        "createRmseAccumulator",
        "euclidean",
        "l1",
        "mae",
        "maeRows",
        "mse",
        "mseRows",
        "pearson",
        "pearsonRows",
        "psnr",
        "psnrDefaultRange",
        "psnrFromMse",
        "r2",
        "r2Rows",
        "rankAverage",
        "rmse",
        "rowwise",
        "snr",
        "snrFromStats",
        "snrStats",
        "spearman",
        "spearmanRows",
        "ssim",
      ]
    `);
  });
  it("parallel entry", () => {
    expect(Object.keys(parallel).sort()).toMatchInlineSnapshot(`
      [
        "closeMetricsWorkers",
        "cosineRowsParallel",
        "pearsonRowsParallel",
        "rowwiseParallel",
        "ssimParallel",
      ]
    `);
  });
});

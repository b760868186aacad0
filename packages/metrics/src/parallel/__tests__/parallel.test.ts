import { fromTyped, isHypedError } from "@hyped/core";
import { afterAll, describe, expect, it } from "vitest";
import { ssim } from "../../image/index.js";
import { lcgUniform, syntheticPair } from "../../internal/lcg.js";
import { rowwise } from "../../rows/index.js";
import { closeMetricsWorkers, cosineRowsParallel, pearsonRowsParallel, rowwiseParallel, ssimParallel } from "../index.js";

afterAll(() => closeMetricsWorkers());

describe("@hyped/metrics/parallel", () => {
  const H = 150;
  const W = 131;
  const { clean, noisy } = syntheticPair(H, W, 4);
  const a = fromTyped(clean, [H, W]);
  const b = fromTyped(noisy, [H, W]);

  it("ssimParallel equals ssim (box, Gaussian, full map), for any worker count", async () => {
    for (const o of [{ dataRange: 16383 }, { dataRange: 16383, gaussianWeights: true, useSampleCovariance: false }]) {
      const one = ssim(a, b, { ...o, full: true });
      for (const workers of [1, 3]) {
        const par = await ssimParallel(a, b, { ...o, workers, full: true });
        expect(Math.abs(par.mssim - one.mssim)).toBeLessThan(1e-14);
        expect(Array.from(par.map.data)).toEqual(Array.from(one.map.data));
      }
      expect(await ssimParallel(a, b, o)).toBeCloseTo(one.mssim, 14);
    }
    // a tiny image whose halo wraps (Gaussian radius 5 on 11 rows)
    const t = fromTyped(clean.subarray(0, 11 * 12), [11, 12]);
    const u = fromTyped(noisy.subarray(0, 11 * 12), [11, 12]);
    expect(await ssimParallel(t, u, { gaussianWeights: true, workers: 2 })).toBeCloseTo(ssim(t, u, { gaussianWeights: true }), 14);
  });

  it("row-wise metrics equal the single-threaded ones exactly (incl. broadcast)", async () => {
    const n = 97;
    const g = 64;
    const u = lcgUniform(3, 2 * n * g);
    const A = fromTyped(Float32Array.from(u.subarray(0, n * g)), [n, g]);
    const B = fromTyped(Float32Array.from(u.subarray(n * g)), [n, g]);
    expect(Array.from(await pearsonRowsParallel(A, B, { workers: 2 }))).toEqual(Array.from(rowwise("pearson", A, B)));
    expect(Array.from(await cosineRowsParallel(A, B))).toEqual(Array.from(rowwise("cosine", A, B)));
    const one = fromTyped(Float64Array.from(u.subarray(0, g)), [g]);
    expect(Array.from(await rowwiseParallel("spearman", A, one, { workers: 2 }))).toEqual(Array.from(rowwise("spearman", A, one)));
  });

  it("Pearson and cosine on shared memory run on the workers (no copy) and equal the single-threaded values", async () => {
    const n = 61;
    const g = 4100; // rows longer than a kernel chunk
    const u = lcgUniform(4, 2 * n * g);
    const sa = new Float32Array(new SharedArrayBuffer(4 * n * g));
    const sb = new Float32Array(new SharedArrayBuffer(4 * n * g));
    sa.set(u.subarray(0, n * g));
    sb.set(u.subarray(n * g));
    const A = fromTyped(sa, [n, g]);
    const B = fromTyped(sb, [n, g]);
    let progress = 0;
    for (const m of ["pearson", "cosine"] as const) {
      const got = await rowwiseParallel(m, A, B, { workers: 2, onProgress: (p) => (progress = p.done) });
      expect(Array.from(got)).toEqual(Array.from(rowwise(m, A, B)));
      expect(progress).toBe(n);
    }
    // the inputs are intact (shared, not transferred)
    expect(sa[n * g - 1]).toBe(Math.fround(u[n * g - 1] as number));
  });

  it("reports errors from workers as typed errors and honours abort", async () => {
    const X = new Float64Array(4 * 8);
    X[20] = Number.NaN;
    await expect(rowwiseParallel("mse", fromTyped(X, [4, 8]), fromTyped(new Float64Array(32), [4, 8]), { workers: 2 })).rejects.toSatisfy(
      (e: unknown) => isHypedError(e, "INVALID_ARGUMENT") && /row 2/.test((e as Error).message),
    );
    const ac = new AbortController();
    ac.abort();
    await expect(ssimParallel(a, b, { signal: ac.signal })).rejects.toSatisfy((e: unknown) => isHypedError(e, "ABORTED"));
  });
});

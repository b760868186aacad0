import { fromTyped, isHypedError, ndarray } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { lcgUniform } from "../../internal/lcg.js";
import { cosineSimilarity, mae, mse, pearson, r2, spearman } from "../../vector/index.js";
import { cosineRows, maeRows, mseRows, pearsonRows, r2Rows, rowwise, spearmanRows } from "../index.js";

const n = 50;
const g = 37;
const u = lcgUniform(9, 2 * n * g);
const A = Float32Array.from(u.subarray(0, n * g));
const B = Float32Array.from(u.subarray(n * g), (v, i) => 0.5 * v + (A[i] as number));
const a = fromTyped(A, [n, g]);
const b = fromTyped(B, [n, g]);

describe("row-wise metrics", () => {
  it("equal the one-shot functions row by row", () => {
    const pairs = [
      [pearsonRows, pearson],
      [cosineRows, cosineSimilarity],
      [spearmanRows, spearman],
      [mseRows, mse],
      [maeRows, mae],
      [r2Rows, r2],
    ] as const;
    for (const [rows, one] of pairs) {
      const out = rows(a, b);
      expect(out.length).toBe(n);
      for (let i = 0; i < n; i++) expect(out[i]).toBe(one(A.subarray(i * g, i * g + g), B.subarray(i * g, i * g + g)));
    }
  });

  it("broadcasts a 1-D b against every row", () => {
    const ref = B.subarray(0, g);
    const out = pearsonRows(a, fromTyped(ref, [g]));
    for (let i = 0; i < n; i++) expect(out[i]).toBe(pearson(A.subarray(i * g, i * g + g), ref));
  });

  it("handles strided (transposed) views: column-wise metrics", () => {
    const at = a.transpose(1, 0);
    const bt = b.transpose(1, 0);
    const out = rowwise("pearson", at, bt);
    expect(out.length).toBe(g);
    const col = (M: Float32Array, j: number) => Float64Array.from({ length: n }, (_, i) => M[i * g + j] as number);
    for (let j = 0; j < g; j++) expect(out[j]).toBeCloseTo(pearson(col(A, j), col(B, j)), 14);
  });

  it("gives NaN for a constant row and names the row in errors", () => {
    const C = new Float64Array(3 * 4);
    C.set([1, 2, 3, 4, 5, 5, 5, 5, 1, 2, Number.NaN, 4]);
    const D = Float64Array.from({ length: 12 }, (_, i) => i * i);
    const out = pearsonRows(ndarray(C.subarray(0, 8), [2, 4]), ndarray(D.subarray(0, 8), [2, 4]));
    expect(out[1]).toBeNaN();
    let err: unknown;
    try {
      mseRows(fromTyped(C, [3, 4]), fromTyped(D, [3, 4]));
    } catch (e) {
      err = e;
    }
    expect(isHypedError(err, "INVALID_ARGUMENT")).toBe(true);
    expect((err as Error).message).toMatch(/^row 2:/);
  });

  it("rejects mismatched shapes and unknown metrics", () => {
    expect(() => pearsonRows(a, fromTyped(new Float64Array(n * (g + 1)), [n, g + 1]))).toThrow(/SHAPE|shape|\[/);
    try {
      pearsonRows(a, fromTyped(new Float64Array(g + 1), [g + 1]));
    } catch (e) {
      expect(isHypedError(e, "SHAPE_MISMATCH")).toBe(true);
    }
    expect(() => rowwise("nope" as never, a, b)).toThrow(/unknown metric/);
  });

  it("can be cancelled", () => {
    const ac = new AbortController();
    ac.abort();
    try {
      pearsonRows(a, b, { signal: ac.signal });
      expect.unreachable();
    } catch (e) {
      expect(isHypedError(e, "ABORTED")).toBe(true);
    }
  });
});

import { fromTyped, isHypedError } from "@hyped/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { psnr, ssim } from "../../image/index.js";
import { cosineSimilarity, euclidean, l1, mae, mse, pearson, r2, rmse, spearman } from "../index.js";

// Values on a 1/64 grid in ±1e6 (plus a few wide-range doubles): subnormals would make "invariance" fail for
// reasons of the float format, not of the metric.
const finite = fc.oneof(
  fc.integer({ min: -64e6, max: 64e6 }).map((v) => v / 64),
  fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
);
const vecPair = fc
  .integer({ min: 3, max: 60 })
  .chain((n) => fc.tuple(fc.array(finite, { minLength: n, maxLength: n }), fc.array(finite, { minLength: n, maxLength: n })));
const close = (x: number, y: number, tol = 1e-9) => (Number.isNaN(x) ? Number.isNaN(y) : Math.abs(x - y) <= tol * Math.max(1, Math.abs(y)));

describe("metric properties (fast-check)", () => {
  it("symmetric metrics are symmetric", () => {
    fc.assert(
      fc.property(vecPair, ([a, b]) => {
        for (const f of [mse, rmse, mae, l1, euclidean, pearson, spearman, cosineSimilarity])
          expect(close(f(a, b), f(b, a), 1e-12)).toBe(true);
      }),
    );
  });

  it("Pearson is invariant under positive affine maps and flips sign under negative ones", () => {
    fc.assert(
      fc.property(
        vecPair,
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        fc.double({ min: -1000, max: 1000, noNaN: true }),
        ([a, b], s, t) => {
          const r = pearson(a, b);
          fc.pre(Number.isFinite(r));
          const a2 = a.map((v) => s * v + t);
          expect(close(pearson(a2, b), r, 1e-7)).toBe(true);
          expect(
            close(
              pearson(
                a.map((v) => -s * v + t),
                b,
              ),
              -r,
              1e-7,
            ),
          ).toBe(true);
        },
      ),
    );
  });

  it("Spearman is invariant under strictly increasing maps; cosine under positive scaling", () => {
    fc.assert(
      fc.property(vecPair, ([a, b]) => {
        const r = spearman(a, b);
        expect(
          close(
            spearman(
              a.map((v) => (v >= 0 ? v * 2 : v * 0.5)),
              b,
            ),
            r,
            1e-12,
          ),
        ).toBe(true);
        const c = cosineSimilarity(a, b);
        expect(
          close(
            cosineSimilarity(
              a.map((v) => v * 1024),
              b,
            ),
            c,
            1e-12,
          ),
        ).toBe(true);
      }),
    );
  });

  it("identical inputs: mse 0, r2 1, pearson 1 (non-constant), bounded correlations", () => {
    fc.assert(
      fc.property(vecPair, ([a, b]) => {
        expect(mse(a, a)).toBe(0);
        expect(r2(a, a)).toBe(1);
        for (const f of [pearson, spearman, cosineSimilarity]) {
          const v = f(a, b);
          if (!Number.isNaN(v)) expect(Math.abs(v)).toBeLessThanOrEqual(1);
        }
        if (new Set(a).size > 1) expect(close(pearson(a, a), 1, 1e-12)).toBe(true);
      }),
    );
  });

  it("ssim(x, x) = 1 and psnr(x, x) = Infinity for any uint16 image; ssim is symmetric", () => {
    const img = fc
      .tuple(fc.integer({ min: 7, max: 24 }), fc.integer({ min: 7, max: 24 }))
      .chain(([h, w]) =>
        fc.tuple(
          fc.constant([h, w] as const),
          fc.array(fc.integer({ min: 0, max: 16383 }), { minLength: h * w, maxLength: h * w }),
          fc.array(fc.integer({ min: 0, max: 16383 }), { minLength: h * w, maxLength: h * w }),
        ),
      );
    fc.assert(
      fc.property(img, ([[h, w], p, q]) => {
        const x = fromTyped(Uint16Array.from(p), [h, w]);
        const y = fromTyped(Uint16Array.from(q), [h, w]);
        expect(ssim(x, x)).toBeCloseTo(1, 12);
        expect(psnr(x, x)).toBe(Number.POSITIVE_INFINITY);
        expect(close(ssim(x, y), ssim(y, x), 1e-12)).toBe(true);
        expect(close(ssim(x, y, { gaussianWeights: h >= 11 && w >= 11 }), ssim(y, x, { gaussianWeights: h >= 11 && w >= 11 }), 1e-12)).toBe(
          true,
        );
      }),
      { numRuns: 40 },
    );
  });

  it("typed errors for bad input", () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isHypedError(e) ? e.code : "untyped";
      }
      return "none";
    };
    expect(code(() => mse([1, 2], [1, 2, 3]))).toBe("SHAPE_MISMATCH");
    expect(code(() => mse([], []))).toBe("INVALID_ARGUMENT");
    expect(code(() => mse(fromTyped(new Float64Array(6), [2, 3]), fromTyped(new Float64Array(6), [3, 2])))).toBe("SHAPE_MISMATCH");
    expect(code(() => pearson(new BigInt64Array([2n ** 60n, 1n, 2n]), [1, 2, 3]))).toBe("OUT_OF_RANGE");
    expect(code(() => psnr(new Float32Array(4), new Float32Array(4)))).toBe("INVALID_ARGUMENT");
    expect(code(() => ssim(fromTyped(new Float64Array(64), [8, 8]), fromTyped(new Float64Array(64), [8, 8])))).toBe("INVALID_ARGUMENT");
    expect(code(() => ssim(fromTyped(new Uint8Array(64), [8, 8]), fromTyped(new Uint8Array(64), [8, 8]), { winSize: 4 }))).toBe(
      "INVALID_ARGUMENT",
    );
    expect(code(() => ssim(fromTyped(new Uint8Array(64), [8, 8]), fromTyped(new Uint8Array(63), [7, 9])))).toBe("SHAPE_MISMATCH");
    expect(code(() => ssim(new Uint8Array(64), new Uint8Array(64)))).toBe("INVALID_ARGUMENT");
    const nan = new Float64Array(64);
    nan[9] = Number.NaN;
    expect(code(() => ssim(fromTyped(nan, [8, 8]), fromTyped(new Float64Array(64), [8, 8]), { dataRange: 1 }))).toBe("INVALID_ARGUMENT");
    expect(code(() => psnr(fromTyped(nan, [8, 8]), fromTyped(new Float64Array(64), [8, 8]), { dataRange: 1 }))).toBe("INVALID_ARGUMENT");
    expect(code(() => psnr(new Uint8Array(4), new Uint8Array(4), { dataRange: -1 }))).toBe("INVALID_ARGUMENT");
  });
});

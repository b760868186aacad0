import { fromTyped, isHypedError } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { psnr } from "../../image/index.js";
import { lcgUniform, syntheticPair } from "../../internal/lcg.js";
import { cosineSimilarity, mae, mse, pearson, r2, rmse } from "../../vector/index.js";
import {
  createCosineAccumulator,
  createMaeAccumulator,
  createMseAccumulator,
  createPearsonAccumulator,
  createPsnrAccumulator,
  createR2Accumulator,
  createRmseAccumulator,
} from "../index.js";

const N = 100_003;
const u = lcgUniform(5, 2 * N);
const a = u.subarray(0, N).map((v) => 1e4 + 100 * v);
const b = Float64Array.from(u.subarray(N), (v, i) => 0.3 * (a[i] as number) + 50 * v);

const rel = (x: number, y: number) => Math.abs(x - y) / Math.abs(y);

describe("streaming accumulators", () => {
  const cases = [
    ["mse", createMseAccumulator, mse],
    ["rmse", createRmseAccumulator, rmse],
    ["mae", createMaeAccumulator, mae],
    ["pearson", createPearsonAccumulator, pearson],
    ["cosine", createCosineAccumulator, cosineSimilarity],
    ["r2", () => createR2Accumulator(), r2],
  ] as const;
  for (const [name, make, one] of cases) {
    it(`${name}: pieces of uneven size and a merge agree with the one-shot value`, () => {
      const whole = one(a, b);
      const acc = make();
      const other = make();
      const cuts = [0, 1, 4097, 30_000, 61_234, N];
      for (let k = 0; k + 1 < cuts.length; k++) {
        const target = k % 2 === 0 ? acc : other;
        target.update(a.subarray(cuts[k], cuts[k + 1]), b.subarray(cuts[k], cuts[k + 1]));
      }
      // merge through a JSON round trip of the state, as a worker would send it
      (acc as { merge(s: unknown): unknown }).merge(JSON.parse(JSON.stringify(other.state())));
      expect(acc.count).toBe(N);
      expect(rel(acc.value(), whole)).toBeLessThan(1e-12);
    });
  }

  it("psnr over frames equals psnr of the stacked frames", () => {
    const f1 = syntheticPair(40, 50, 1);
    const f2 = syntheticPair(40, 50, 2);
    const acc = createPsnrAccumulator({ dataRange: 16383 });
    acc.update(f1.clean, f1.noisy).update(fromTyped(f2.clean, [40, 50]), fromTyped(f2.noisy, [40, 50]));
    const all = (k: "clean" | "noisy") => Uint16Array.from([...f1[k], ...f2[k]]);
    expect(rel(acc.value(), psnr(all("clean"), all("noisy"), { dataRange: 16383 }))).toBeLessThan(1e-13);
    const dflt = createPsnrAccumulator().update(f1.clean, f1.noisy);
    expect(dflt.state().dataRange).toBe(65535);
  });

  it("rejects NaN input, merges of another kind and empty values", () => {
    const acc = createMseAccumulator();
    expect(() => acc.value()).toThrow(/no data/);
    try {
      acc.update([1, Number.NaN], [1, 2]);
      expect.unreachable();
    } catch (e) {
      expect(isHypedError(e, "INVALID_ARGUMENT")).toBe(true);
    }
    expect(() => acc.merge(createMaeAccumulator().state() as never)).toThrow(/cannot merge/);
    expect(() => createPearsonAccumulator().update([1], [2]).value()).toThrow(/at least 2/);
  });

  it("pearson accumulator gives NaN on zero variance and restores from state", () => {
    const p = createPearsonAccumulator().update([3, 3, 3, 3], [1, 2, 3, 4]);
    expect(p.value()).toBeNaN();
    const q = createPearsonAccumulator(createPearsonAccumulator().update([1, 2, 3], [2, 4, 7]).state());
    expect(q.value()).toBeCloseTo(pearson([1, 2, 3], [2, 4, 7]), 14);
  });
});

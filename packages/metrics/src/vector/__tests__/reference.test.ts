import { readFileSync } from "node:fs";
import { fromTyped, isHypedError } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { lcgUniform } from "../../internal/lcg.js";
import { cosineSimilarity, euclidean, l1, mae, mse, pearson, r2, rmse, spearman } from "../index.js";

type Num = number | "NaN" | "Infinity" | "-Infinity";
interface Case {
  name: string;
  dtype: string;
  n: number;
  a?: Num[];
  b?: Num[];
  recipe?: { kind: "uniform" | "ties"; seed: number; n: number };
  expected: Record<string, { value?: Num; error?: string; reference?: string }>;
}
const ref = JSON.parse(readFileSync(new URL("../../../reference/vector/cases.json", import.meta.url), "utf8")) as { cases: Case[] };
const dec = (v: Num): number => (v === "NaN" ? Number.NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v);

function inputs(c: Case): [Float64Array, Float64Array] {
  if (c.recipe) {
    const n = c.recipe.n;
    const u = lcgUniform(c.recipe.seed, 2 * n);
    const a = u.slice(0, n);
    const b = new Float64Array(n);
    if (c.recipe.kind === "uniform") for (let i = 0; i < n; i++) b[i] = 0.7 * (a[i] as number) + 0.3 * (u[n + i] as number);
    else
      for (let i = 0; i < n; i++) {
        a[i] = Math.floor((a[i] as number) * 100);
        b[i] = (a[i] as number) + Math.floor((u[n + i] as number) * 50);
      }
    return [a, b];
  }
  return [Float64Array.from((c.a ?? []).map(dec)), Float64Array.from((c.b ?? []).map(dec))];
}

/** Feed each dtype as its natural container, and float64 cases in turn as plain arrays, TypedArrays and ndarrays. */
function asDtype(x: Float64Array, dtype: string, k: number): Parameters<typeof mse>[0] {
  switch (dtype) {
    case "uint16":
      return Uint16Array.from(x);
    case "float32":
      return Float32Array.from(x);
    case "int8":
      return Int8Array.from(x);
    case "int64":
      return BigInt64Array.from(Array.from(x, (v) => BigInt(v)));
    default:
      return k % 3 === 0 ? Array.from(x) : k % 3 === 1 ? x : fromTyped(x, [x.length]);
  }
}

const FNS: Record<string, (a: Parameters<typeof mse>[0], b: Parameters<typeof mse>[0]) => number> = {
  mse,
  rmse,
  mae,
  r2,
  cosine: cosineSimilarity,
  pearson,
  spearman,
  euclidean,
  l1,
};

describe("vector metrics agree with scipy / scikit-learn (reference/vector/cases.json)", () => {
  it("has at least 30 cases", () => {
    expect(ref.cases.length).toBeGreaterThanOrEqual(30);
  });
  ref.cases.forEach((c, k) => {
    it(`${c.name} (${c.dtype}, n=${c.n})`, () => {
      const [fa, fb] = inputs(c);
      const a = asDtype(fa, c.dtype, k);
      const b = asDtype(fb, c.dtype, k);
      for (const [metric, e] of Object.entries(c.expected)) {
        const fn = FNS[metric];
        if (!fn) throw new Error(`no function for ${metric}`);
        if (e.error) {
          let err: unknown;
          try {
            fn(a, b);
          } catch (x) {
            err = x;
          }
          expect(isHypedError(err, e.error as "INVALID_ARGUMENT"), `${metric} should throw ${e.error}`).toBe(true);
          continue;
        }
        const want = dec(e.value as Num);
        const got = fn(a, b);
        if (Number.isNaN(want)) expect(got, metric).toBeNaN();
        else if (!Number.isFinite(want)) expect(got, metric).toBe(want);
        else
          expect(Math.abs(got - want), `${metric}: got ${got}, want ${want} (${e.reference})`).toBeLessThanOrEqual(1e-12 * Math.abs(want));
      }
    });
  });
});

import { fromTyped } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { flat } from "../../internal/input.js";
import { lcgUniform } from "../../internal/lcg.js";
import { cosineRows, pearsonRows } from "../../rows/index.js";
import { cosineFull, pearsonFlat } from "../impl.js";
import { cosineSimilarity, pearson } from "../index.js";

/** The value or the error code: a path either returns the same bits or throws the same error. */
function outcome(f: () => number): number | string {
  try {
    return f();
  } catch (e) {
    return `throws ${(e as { code?: string }).code}`;
  }
}

function sameBits(x: number | string, y: number | string): boolean {
  return typeof x === "number" && typeof y === "number" ? Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)) : x === y;
}

// The float32 inputs go through the kernels' float32 twins (read in place); Float64Array.from(...) of the same
// values goes through the float64 kernels on widened values (the path every input took before the twins).
// And the fast paths (sums or dot products alone, no maxima) against the full ones they skip.
describe("pearson and cosine: float32 storage and the fast paths give the bits of the full float64 path", () => {
  const lengths = [2, 3, 4, 5, 31, 4095, 4096, 4097, 8193, 10_000];
  const kinds = ["random", "scaled", "constant", "nan", "inf", "tiny", "zero"] as const;
  let seed = 100;
  for (const n of lengths) {
    for (const kind of kinds) {
      it(`n = ${n}, ${kind}`, () => {
        const u = lcgUniform(seed++, 2 * n);
        const a = Float32Array.from(u.subarray(0, n), (v) => v - 0.3);
        const b = Float32Array.from(u.subarray(n), (v, i) => 0.6 * v + 0.4 * (a[i] as number));
        if (kind === "scaled") for (let i = 0; i < n; i++) a[i] = (a[i] as number) * 3e37;
        if (kind === "constant") a.fill(0.25);
        if (kind === "nan") a[n >> 1] = Number.NaN;
        if (kind === "inf") b[n - 1] = Number.NEGATIVE_INFINITY;
        if (kind === "tiny") for (let i = 0; i < n; i++) b[i] = (b[i] as number) * 1e-40;
        if (kind === "zero") b.fill(0);
        const a64 = Float64Array.from(a);
        const b64 = Float64Array.from(b);
        for (const f of [pearson, cosineSimilarity]) {
          const x = outcome(() => f(a, b));
          const y = outcome(() => f(a64, b64));
          expect(sameBits(x, y), `${f.name}: ${x} vs ${y}`).toBe(true);
        }
        // the fast paths against the full ones (the only paths before): the same bits on both storages
        for (const [p, q] of [
          [a, b],
          [a64, b64],
        ] as const) {
          const fast = outcome(() => pearson(p, q));
          const full = outcome(() => pearsonFlat(flat(p), flat(q), "pearson", false));
          expect(sameBits(fast, full), `pearson fast ${fast} vs full ${full}`).toBe(true);
          const cf = outcome(() => cosineSimilarity(p, q));
          const cF = outcome(() => cosineFull(flat(p), flat(q)));
          expect(sameBits(cf, cF), `cosine fast ${cf} vs full ${cF}`).toBe(true);
        }
      });
    }
  }

  it("float64 magnitudes that overflow or underflow the squares take the full path: same bits", () => {
    for (const n of [3, 100, 5000]) {
      for (const scale of [1e200, 1e-200, 1e160, 1e-170]) {
        const u = lcgUniform(n, 2 * n);
        const a = Float64Array.from(u.subarray(0, n), (v) => (v - 0.4) * scale);
        const b = Float64Array.from(u.subarray(n), (v, i) => 0.3 * v * scale + 0.7 * (a[i] as number));
        const fast = outcome(() => pearson(a, b));
        expect(
          sameBits(
            fast,
            outcome(() => pearsonFlat(flat(a), flat(b), "pearson", false)),
          ),
        ).toBe(true);
        expect(Number.isFinite(fast)).toBe(true);
        const cf = outcome(() => cosineSimilarity(a, b));
        expect(
          sameBits(
            cf,
            outcome(() => cosineFull(flat(a), flat(b))),
          ),
        ).toBe(true);
        expect(Number.isFinite(cf)).toBe(true);
      }
    }
  });

  it("row-wise on float32 matrices (rows longer than a chunk, and a broadcast row) equals the float64 path bit for bit", () => {
    const n = 7;
    const g = 5003;
    const u = lcgUniform(7, 2 * n * g);
    const A = Float32Array.from(u.subarray(0, n * g));
    const B = Float32Array.from(u.subarray(n * g), (v, i) => 0.5 * v + (A[i] as number));
    const a32 = fromTyped(A, [n, g]);
    const b32 = fromTyped(B, [n, g]);
    const a64 = fromTyped(Float64Array.from(A), [n, g]);
    const b64 = fromTyped(Float64Array.from(B), [n, g]);
    const row0 = fromTyped(B.subarray(0, g), [g]);
    const row0w = fromTyped(Float64Array.from(B.subarray(0, g)), [g]);
    for (const rows of [pearsonRows, cosineRows]) {
      const got = rows(a32, b32);
      const want = rows(a64, b64);
      const gotB = rows(a32, row0);
      const wantB = rows(a64, row0w);
      for (let i = 0; i < n; i++) {
        expect(Object.is(got[i], want[i])).toBe(true);
        expect(Object.is(gotB[i], wantB[i])).toBe(true);
        // and the one-shot function on the widened row (the float64 kernels) agrees too
        const one = rows === pearsonRows ? pearson : cosineSimilarity;
        expect(
          Object.is(got[i], one(Float64Array.from(A.subarray(i * g, i * g + g)), Float64Array.from(B.subarray(i * g, i * g + g)))),
        ).toBe(true);
      }
    }
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hash32, Lcg32, lcgUniform, Random } from "../random.js";

// moved from imaging/src/synth/__tests__/synth.test.ts with the generator (imaging's `Rng` is core's `Random`)
describe("Random (sfc32)", () => {
  it("is deterministic per seed", () => {
    const a = new Random(5);
    const b = new Random(5);
    const c = new Random(6);
    const xa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xa);
  });
  it("draws Poisson variates with mean ≈ variance ≈ λ", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.5, max: 3000, noNaN: true }), fc.integer(), (lam, seed) => {
        const r = new Random(seed);
        const n = 4000;
        let s = 0;
        let s2 = 0;
        for (let i = 0; i < n; i++) {
          const k = r.poisson(lam);
          expect(Number.isInteger(k) && k >= 0).toBe(true);
          s += k;
          s2 += k * k;
        }
        const mean = s / n;
        const v = s2 / n - mean * mean;
        const se = Math.sqrt(lam / n);
        expect(Math.abs(mean - lam)).toBeLessThan(5 * se + 1e-9);
        expect(Math.abs(v / lam - 1)).toBeLessThan(0.15);
      }),
      { numRuns: 25 },
    );
  });
});

describe("Random.mulberry32", () => {
  it("is the mulberry32 stream (first outputs for seed 1, as published with the algorithm)", () => {
    // mulberry32(1) reference, computed independently of the class with the algorithm's defining steps
    let a = 1;
    const want: number[] = [];
    for (let i = 0; i < 4; i++) {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      want.push(((t ^ (t >>> 14)) >>> 0) / 4294967296);
    }
    const r = Random.mulberry32(1);
    expect([r.next(), r.next(), r.next(), r.next()]).toEqual(want);
  });
  it("draws normal, gamma and negative-binomial variates with the right moments", () => {
    const r = Random.mulberry32(42);
    const n = 20000;
    let sn = 0;
    let sg = 0;
    let snb = 0;
    let snb2 = 0;
    for (let i = 0; i < n; i++) {
      sn += r.normal();
      sg += r.gamma(2.5);
      const k = r.negBinomial(10, 4);
      snb += k;
      snb2 += k * k;
    }
    expect(Math.abs(sn / n)).toBeLessThan(0.05);
    expect(Math.abs(sg / n - 2.5)).toBeLessThan(0.06);
    const m = snb / n;
    expect(Math.abs(m - 10)).toBeLessThan(0.2);
    expect(Math.abs((snb2 / n - m * m) / (10 + 100 / 4) - 1)).toBeLessThan(0.08);
  });
  it("cannot be reset (that is the sfc32 stream's per-pixel re-seed)", () => {
    expect(() => Random.mulberry32(1).reset(1, 2)).toThrow(/sfc32/);
  });
});

describe("lcgUniform and hash32", () => {
  it("follow s = 1664525 s + 1013904223 mod 2^32", () => {
    const u = lcgUniform(7, 3);
    let s = 7;
    for (let i = 0; i < 3; i++) {
      s = Number((1664525n * BigInt(s) + 1013904223n) % 4294967296n);
      expect(u[i]).toBe(s / 4294967296);
    }
  });
  it("Lcg32 is the same stream, one state per call", () => {
    const g = new Lcg32(7);
    const u = lcgUniform(7, 4);
    for (let i = 0; i < 4; i++) expect(g.nextUint32() / 4294967296).toBe(u[i]);
  });
  it("hash32 is a 32-bit unsigned integer, deterministic and seed-dependent", () => {
    expect(hash32(5, 1)).toBe(hash32(5, 1));
    expect(hash32(5, 1)).not.toBe(hash32(5, 2));
    for (let i = 0; i < 100; i++) expect(Number.isInteger(hash32(i, 3)) && hash32(i, 3) >= 0 && hash32(i, 3) < 2 ** 32).toBe(true);
  });
});

import { setSimdEnabled } from "@hyped/core/simd";
import { describe, expect, it } from "vitest";
import { SIMD_BLOCK } from "../../simd/index.js";
import { maskAbove, maskAboveJs } from "../threshold.js";

function firstDiff(x: Uint8Array, y: Uint8Array): number {
  if (x.length !== y.length) return -2;
  return x.findIndex((v, i) => v !== y[i]);
}

describe("maskAbove (segmentFrame's fused foreground mask)", () => {
  it("equals (stack > t).any(axis=0) for 1, 2 and 3 channels, lengths not a multiple of 4, NaN never above", () => {
    for (const n of [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 1001]) {
      const ch = [0, 1, 2].map((c) =>
        Float64Array.from({ length: n }, (_, i) => (i % 7 === c ? Number.NaN : ((i * 37 + c * 11) % 100) / 100)),
      );
      for (const k of [1, 2, 3]) {
        const parts = ch.slice(0, k);
        const want = Uint8Array.from({ length: n }, (_, i) => (parts.some((p) => p[i]! > 0.5) ? 1 : 0));
        expect(maskAbove(parts, 0.5, n)).toEqual(want);
      }
    }
  });

  it("the WebAssembly SIMD path and the JavaScript path give identical bytes (block edges, tails, special values)", () => {
    let seed = 5;
    const r = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const special = [Number.NaN, -0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.5];
    for (const n of [63, 64, 65, 1000, SIMD_BLOCK - 1, SIMD_BLOCK, SIMD_BLOCK + 17, 2 * SIMD_BLOCK + 40]) {
      const ch = [0, 1].map(() => Float64Array.from({ length: n }, () => (r() < 0.05 ? special[Math.floor(r() * 6)]! : r())));
      for (const t of [0.5, 0, -0.25, Number.NaN]) {
        for (const parts of [ch.slice(0, 1), ch]) {
          const js = maskAboveJs(parts, t, n);
          // first differing index (-1: identical); toEqual on 30k-element arrays is slow
          const viaDefault = maskAbove(parts, t, n);
          expect(firstDiff(viaDefault, js)).toBe(-1);
          setSimdEnabled(false);
          try {
            expect(firstDiff(maskAbove(parts, t, n), js)).toBe(-1);
          } finally {
            setSimdEnabled(true);
          }
        }
      }
    }
  });
});

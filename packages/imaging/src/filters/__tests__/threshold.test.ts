import { describe, expect, it } from "vitest";
import { maskAbove } from "../threshold.js";

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
});

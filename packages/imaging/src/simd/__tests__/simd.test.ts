import { setSimdEnabled } from "@hyped/core/simd";
import { describe, expect, it } from "vitest";
import { SIMD_BLOCK, simd } from "../index.js";

describe("WebAssembly SIMD kernels", () => {
  it("instantiate on Node (SIMD-128 is supported there), block views inside one memory, the off switch (core's test hook)", () => {
    const s = simd();
    expect(s).toBeDefined();
    expect(s!.a.length).toBe(SIMD_BLOCK);
    expect(s!.b.byteOffset).toBe(s!.pb);
    expect(s!.out.byteOffset + s!.out.length).toBeLessThanOrEqual(s!.k.memory.buffer.byteLength);
    expect(simd()).toBe(s);
    expect(setSimdEnabled(false)).toBe(true);
    expect(simd()).toBeUndefined();
    setSimdEnabled(true);
    expect(simd()).toBe(s);
  });

  it("mask1 and mask2 on special values: NaN never above, -0 = 0, infinities", () => {
    const s = simd()!;
    const vals = [Number.NaN, -0, 0, 0.5, 0.5000000000000001, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1];
    for (const t of [0, 0.5, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      for (let i = 0; i < 64; i++) {
        s.a[i] = vals[i % 8]!;
        s.b[i] = vals[(i >> 3) % 8]!;
      }
      s.k.mask2(s.pa, s.pb, s.po, 64, t);
      for (let i = 0; i < 64; i++) expect(s.out[i]).toBe(+(s.a[i]! > t) | +(s.b[i]! > t));
      s.k.mask1(s.pa, s.po, 64, t);
      for (let i = 0; i < 64; i++) expect(s.out[i]).toBe(+(s.a[i]! > t));
    }
  });
});

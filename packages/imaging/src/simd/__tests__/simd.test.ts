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

  it("mask1 and mask2 on special values: NaN never above, -0 = 0, infinities, values equal to t and next to it", () => {
    const s = simd()!;
    const vals = [Number.NaN, -0, 0, 0.5, 0.5000000000000001, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1];
    const ts = [0, -0, 0.5, 0.49999999999999994, 0.5000000000000001, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    // 96 = three 32-pixel groups; the a/b pattern puts every pair of special values in every lane position
    for (const t of ts) {
      for (let i = 0; i < 96; i++) {
        s.a[i] = vals[i % 8]!;
        s.b[i] = vals[(i >> 3) % 8]!;
      }
      s.out.fill(7, 0, 128);
      s.k.mask2(s.pa, s.pb, s.po, 96, t);
      for (let i = 0; i < 96; i++) expect(s.out[i]).toBe(+(s.a[i]! > t) | +(s.b[i]! > t));
      expect(s.out[96]).toBe(7); // writes exactly n bytes
      s.out.fill(7, 0, 128);
      s.k.mask1(s.pa, s.po, 96, t);
      for (let i = 0; i < 96; i++) expect(s.out[i]).toBe(+(s.a[i]! > t));
      expect(s.out[96]).toBe(7);
    }
  });

  it("n = 0 writes nothing; every byte of a group comes from its own pixel (one pixel above t at a time)", () => {
    const s = simd()!;
    s.out.fill(7, 0, 64);
    s.k.mask2(s.pa, s.pb, s.po, 0, 0);
    s.k.mask1(s.pa, s.po, 0, 0);
    expect(s.out[0]).toBe(7);
    for (let p = 0; p < 64; p++) {
      s.a.fill(0, 0, 64);
      s.b.fill(0, 0, 64);
      (p & 1 ? s.a : s.b)[p] = 1;
      s.k.mask2(s.pa, s.pb, s.po, 64, 0.5);
      for (let i = 0; i < 64; i++) expect(s.out[i]).toBe(+(i === p));
      s.a.fill(0, 0, 64);
      s.a[p] = 1;
      s.k.mask1(s.pa, s.po, 64, 0.5);
      for (let i = 0; i < 64; i++) expect(s.out[i]).toBe(+(i === p));
    }
  });
});

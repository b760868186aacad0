import { setSimdEnabled } from "@hyped/core/simd";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { CziDecodeInfo } from "../types.js";
import { decodeZstd1, encodeZstd1, HILO_CAPACITY, hiLoKernel, packHiLo, unpackHiLo, zstdBackendName } from "../zstd.js";

/** Random bytes (a cheap LCG: fast-check picks the seed and the length). */
function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    b[i] = s >>> 24;
  }
  return b;
}

/** The first index where `a` and `b` differ (or their common length if one is longer), -1 if equal. toEqual walks
 * a 4 MiB typed array element by element, far too slowly for a property test. */
function firstDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** Lengths that hit every branch: tiny, odd, multiples of 16 and 32 (the SIMD step), the capacity edge. */
const lengths = fc.oneof(
  fc.integer({ min: 0, max: 70 }),
  fc.integer({ min: 1, max: 4000 }).map((n) => n * 16),
  fc.integer({ min: 0, max: 40 }).map((d) => HILO_CAPACITY - d),
  fc.integer({ min: 1, max: 3 }).map((d) => HILO_CAPACITY + d),
  fc.integer({ min: 0, max: 200_000 }),
);

function info(expectedBytes: number, output?: Uint8Array): CziDecodeInfo {
  return { subblock: 0, filePosition: 0, expectedBytes, pixelType: "Gray16", output } as unknown as CziDecodeInfo;
}

afterEach(() => {
  setSimdEnabled(true);
});

describe("hi-lo SIMD kernel (hilo.wat)", () => {
  it("unpacks exactly as unpackHiLo for any length up to its capacity (odd, tiny, 16-multiples)", () => {
    const k = hiLoKernel();
    expect(k, "this Node runs WebAssembly SIMD-128").toBeDefined();
    if (!k) return;
    fc.assert(
      fc.property(lengths, fc.integer(), (n0, seed) => {
        const n = Math.min(n0, HILO_CAPACITY);
        const packed = bytes(n, seed);
        k.packed.set(packed);
        k.out.fill(0xa5, 0, n);
        k.unpack(n);
        const expected = unpackHiLo(packed, new Uint8Array(n).fill(0xa5));
        expect(firstDiff(k.out.subarray(0, n), expected)).toBe(-1);
      }),
      { numRuns: 60 },
    );
  });

  it("is undefined with SIMD disabled, so callers take the JavaScript path", () => {
    setSimdEnabled(false);
    expect(hiLoKernel()).toBeUndefined();
    setSimdEnabled(true);
    expect(hiLoKernel()).toBeDefined();
  });

  for (const simd of [true, false]) {
    it(`decodeZstd1 (hi-lo) gives the same bytes as unpackHiLo, SIMD ${simd ? "on" : "off"}, fresh and caller-given output`, async () => {
      // the kernel path is taken with the native decoder; elsewhere (wasm/fzstd) this checks the JS path
      expect(["zstd-napi", "node:zlib", "wasm", "fzstd"]).toContain(await zstdBackendName());
      setSimdEnabled(simd);
      await fc.assert(
        fc.asyncProperty(lengths, fc.integer(), fc.boolean(), async (n, seed, given) => {
          const raw = bytes(n, seed);
          const payload = await encodeZstd1(raw, true);
          const output = given ? new Uint8Array(n).fill(7) : undefined;
          const got = await decodeZstd1(payload, info(n, output));
          if (given) expect(got).toBe(output);
          // an odd last byte is not part of any word: unpackHiLo leaves it as it was in the output
          expect(firstDiff(got, unpackHiLo(packHiLo(raw), given ? new Uint8Array(n).fill(7) : new Uint8Array(n)))).toBe(-1);
          if (n % 2 === 0) expect(firstDiff(got, raw)).toBe(-1);
        }),
        { numRuns: 25 },
      );
    }, 60_000);
  }
});

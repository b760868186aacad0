import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { nativeStatus, setNative } from "@hyped/core/hdf5";
import { nativeMaskAbove, setSimdEnabled } from "@hyped/core/simd";
import { describe, expect, it } from "vitest";
import { SIMD_BLOCK } from "../../simd/index.js";
import { maskAbove, maskAboveJs, maskBackend } from "../threshold.js";

function firstDiff(x: Uint8Array, y: Uint8Array): number {
  if (x.length !== y.length) return -2;
  return x.findIndex((v, i) => v !== y[i]);
}

/**
 * Values a compare kernel must treat exactly like JavaScript's `>` against a threshold `t`: NaN of both signs (one
 * with a payload), ±0, ±Infinity, t itself and its neighbours `t ± ulpUp` / `t − ulpUp / 2` (pass the spacing of
 * doubles just above t), −t, ±MIN_VALUE (subnormal) and MAX_VALUE.
 */
function specialValues(t: number, ulpUp: number): number[] {
  // the NaN with the sign bit set and a payload, as bits
  const negNaN = new Float64Array(new BigUint64Array([0xfff8000000000001n]).buffer)[0]!;
  return [
    Number.NaN,
    -Number.NaN,
    negNaN,
    -0,
    0,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    t,
    t + ulpUp,
    t - ulpUp / 2,
    t - ulpUp,
    -t,
    Number.MIN_VALUE,
    -Number.MIN_VALUE,
    Number.MAX_VALUE,
  ];
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

  it("equals the plain comparison on every special value, values equal to t, block edges and odd lengths", () => {
    let seed = 11;
    const r = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const t0 = 0.40978;
    const special = specialValues(t0, 2 ** -54);
    const plain = (parts: Float64Array[], t: number, n: number) =>
      Uint8Array.from({ length: n }, (_, i) => (parts.some((p) => p[i]! > t) ? 1 : 0));
    const lengths = [31, 32, 33, 63, 65, 95, 97, SIMD_BLOCK - 33, SIMD_BLOCK - 31, SIMD_BLOCK + 1, SIMD_BLOCK + 31, 2 * SIMD_BLOCK + 63];
    for (const n of lengths) {
      const ch = [0, 1].map(() =>
        Float64Array.from({ length: n }, () => (r() < 0.3 ? special[Math.floor(r() * special.length)]! : r() * 2 - 0.5)),
      );
      for (const t of [t0, 0, -0, -t0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        for (const parts of [ch.slice(0, 1), ch]) {
          expect(firstDiff(maskAbove(parts, t, n), plain(parts, t, n))).toBe(-1);
          // n shorter than the arrays: only the first n pixels
          expect(firstDiff(maskAbove(parts, t, n - 1), plain(parts, t, n - 1))).toBe(-1);
        }
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

describe("maskAbove's kernels: native (@hyped/native), wasm and JS give the same bytes; the fallbacks", () => {
  const native = nativeMaskAbove() !== null;
  if (!native)
    console.warn(`maskAbove native comparisons skipped: ${nativeStatus().reason || "this @hyped/native build has no maskAbove"}`);

  it("reports its backend: native when the addon is loaded, else wasm, else js; js for 3 channels or < 64 pixels", () => {
    expect(maskBackend().backend).toBe(native ? "native" : "wasm");
    expect(maskBackend(1).backend).toBe(native ? "native" : "wasm");
    expect(maskBackend(3)).toEqual({ backend: "js", reason: "3 channels (the kernels take 1 or 2)" });
    expect(maskBackend(2, 63).backend).toBe("js");
    setSimdEnabled(false);
    try {
      expect(maskBackend().backend).toBe(native ? "native" : "js");
    } finally {
      setSimdEnabled(true);
    }
  });

  it.skipIf(!native)("setNative(false) switches to the wasm kernel (and js without SIMD), with the same bytes", () => {
    let seed = 17;
    const r = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const special = specialValues(0.5, 2 ** -53);
    for (const n of [64, 65, 127, 1000, SIMD_BLOCK + 17]) {
      const ch = [0, 1].map(() =>
        Float64Array.from({ length: n + 3 }, () => (r() < 0.1 ? special[Math.floor(r() * special.length)]! : r())),
      );
      for (const t of [0.5, 0, -0, Number.NaN, Number.NEGATIVE_INFINITY, Number.MIN_VALUE]) {
        for (const parts of [ch.slice(0, 1), ch]) {
          const js = maskAboveJs(parts, t, n);
          expect(maskBackend(parts.length, n).backend).toBe("native");
          expect(firstDiff(maskAbove(parts, t, n), js)).toBe(-1);
          setNative(false);
          try {
            expect(maskBackend(parts.length, n).backend).toBe("wasm");
            expect(maskBackend().reason).toContain("@hyped/native");
            expect(firstDiff(maskAbove(parts, t, n), js)).toBe(-1);
            setSimdEnabled(false);
            try {
              expect(maskBackend(parts.length, n).backend).toBe("js");
              expect(firstDiff(maskAbove(parts, t, n), js)).toBe(-1);
            } finally {
              setSimdEnabled(true);
            }
          } finally {
            setNative(true);
          }
        }
      }
    }
  });

  it("HYPED_NATIVE=0 in the environment selects the wasm kernel", () => {
    const script = [
      'import { maskAbove, maskBackend } from "@hyped/imaging/filters";',
      "const m = maskAbove([Float64Array.from({ length: 100 }, (_, i) => i)], 49.5, 100);",
      "console.log(JSON.stringify({ ...maskBackend(), ones: m.reduce((s, v) => s + v, 0) }));",
    ].join("\n");
    const r = spawnSync(process.execPath, ["--conditions=@hyped/source", "--import", "tsx", "--input-type=module", "-e", script], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      env: { ...process.env, HYPED_NATIVE: "0" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.stderr).toBe("");
    const got = JSON.parse(r.stdout) as { backend: string; reason: string; ones: number };
    expect(got.backend).toBe("wasm");
    expect(got.ones).toBe(50);
    expect(got.reason).toContain("nativeStatus()");
  }, 60_000);

  it("checks n and the channels' lengths (HypedError, whatever the backend)", () => {
    const a = new Float64Array(100);
    expect(() => maskAbove([a], 0, 101)).toThrow(expect.objectContaining({ code: "SHAPE_MISMATCH" }));
    expect(() => maskAbove([a, new Float64Array(99)], 0, 100)).toThrow(expect.objectContaining({ code: "SHAPE_MISMATCH" }));
    expect(() => maskAbove([a], 0, -1)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => maskAbove([a], 0, 1.5)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});

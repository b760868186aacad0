import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { NativeBinding, NativeLoad } from "../../index.cjs";

const { load } = createRequire(import.meta.url)("../../index.cjs") as { load: () => NativeLoad };
const { binding, reason } = load();
const maskAbove = binding?.maskAbove;
if (!maskAbove) console.warn(`@hyped/native maskAbove tests skipped: ${binding ? "this build has no maskAbove" : reason}`);

type Channel = Float64Array | Float32Array;

/** What maskAbove must write, with JavaScript's own comparison. */
function reference(c0: Channel, c1: Channel | null, n: number, t: number): Uint8Array {
  const o = new Uint8Array(n);
  for (let i = 0; i < n; i++) o[i] = +(c0[i]! > t) | (c1 ? +(c1[i]! > t) : 0);
  return o;
}

/** Index of the first differing byte, or -1. */
function firstDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

const T0 = 0.40978;
// doubles next to T0 (T0 is in [0.25, 0.5): one ulp is 2^-54)
const SPECIAL = [
  Number.NaN,
  new Float64Array(new BigUint64Array([0xfff8000000000001n]).buffer)[0]!, // NaN with the sign bit and a payload
  -0,
  0,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  T0,
  T0 + 2 ** -54,
  T0 - 2 ** -54,
  Math.fround(T0),
  -T0,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  2 ** -1022 - 2 ** -1074, // largest subnormal
  2 ** -149, // smallest float32 subnormal
  Number.MAX_VALUE,
  1,
];
const THRESHOLDS = [
  T0,
  Math.fround(T0),
  0,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.MIN_VALUE,
  2 ** -149,
];

const pixel = fc.oneof(fc.constantFrom(...SPECIAL), fc.double({ min: -2, max: 2 }), fc.double());

describe.skipIf(!maskAbove)("maskAbove (native)", () => {
  const run = maskAbove as NonNullable<NativeBinding["maskAbove"]>;

  it("writes exactly JavaScript's (c0 > t) | (c1 > t) for float64 and float32, one and two channels, n <= lengths", () => {
    fc.assert(
      fc.property(
        fc.array(pixel, { maxLength: 150 }),
        fc.array(pixel, { maxLength: 150 }),
        fc.constantFrom(...THRESHOLDS, ...SPECIAL),
        fc.boolean(),
        fc.boolean(),
        (xs, ys, t, f32, two) => {
          const Ctor = f32 ? Float32Array : Float64Array;
          const len = Math.min(xs.length, ys.length);
          const c0 = Ctor.from(xs);
          const c1 = two ? Ctor.from(ys) : null;
          for (const n of [len, len >> 1, Math.max(0, len - 17)]) {
            const out = new Uint8Array(n + 5).fill(7);
            run(c0, c1, n, t, out);
            expect(firstDiff(out.subarray(0, n), reference(c0, c1, n, t))).toBe(-1);
            // bytes from n on are untouched
            expect([...out.subarray(n)]).toEqual([7, 7, 7, 7, 7]);
          }
        },
      ),
      { numRuns: 400, seed: 25 },
    );
  });

  it("is exact around every 16-pixel group edge and on the streaming-store path (>= 32 MiB read, unaligned out)", () => {
    let seed = 3;
    const r = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const fill = (n: number) =>
      Float64Array.from({ length: n }, () => (r() < 0.2 ? SPECIAL[Math.floor(r() * SPECIAL.length)]! : r() - 0.3));
    for (const n of [1, 15, 16, 17, 31, 33, 47, 64, 65, 1001]) {
      const [a, b] = [fill(n), fill(n)];
      for (const t of THRESHOLDS) {
        for (const c1 of [null, b]) {
          const out = new Uint8Array(n);
          run(a, c1, n, t, out);
          expect(firstDiff(out, reference(a, c1, n, t))).toBe(-1);
          const f0 = Float32Array.from(a);
          const f1 = c1 && Float32Array.from(c1);
          run(f0, f1, n, t, out);
          expect(firstDiff(out, reference(f0, f1, n, t))).toBe(-1);
        }
      }
    }
    // two float64 channels of 2^21 + 37 pixels: 33.5 MB read, so streaming stores; out starts 3 bytes into a buffer
    const n = 2 ** 21 + 37;
    const [a, b] = [fill(n), fill(n)];
    const buf = new Uint8Array(n + 8).fill(9);
    const out = buf.subarray(3, 3 + n);
    for (const t of [T0, Number.NaN, -0]) {
      run(a, b, n, t, out);
      expect(firstDiff(out, reference(a, b, n, t))).toBe(-1);
    }
    expect([...buf.subarray(0, 3), ...buf.subarray(3 + n)]).toEqual([9, 9, 9, 9, 9, 9, 9, 9]);
    // a subarray channel (an offset view) and n shorter than the arrays
    const a2 = a.subarray(5);
    run(a2, b, n - 9, T0, out);
    expect(firstDiff(out.subarray(0, n - 9), reference(a2, b, n - 9, T0))).toBe(-1);
  });

  it("checks every argument before touching memory: TypeError / RangeError, out unchanged", () => {
    const a = Float64Array.from([1, 2, 3, 4]);
    const f = Float32Array.from([1, 2, 3, 4]);
    const out = new Uint8Array(4).fill(7);
    const shared = new ArrayBuffer(64);
    const bad: [unknown[], ErrorConstructor][] = [
      [[a, null, 4, 0], TypeError], // 4 arguments
      [[a, null, 4, 0, out, 1], TypeError], // 6 arguments
      [[[1, 2, 3, 4], null, 4, 0, out], TypeError], // an array, not a TypedArray
      [[new Int32Array(4), null, 4, 0, out], TypeError],
      [[new Uint8Array(32), null, 4, 0, out], TypeError],
      [[a, f, 4, 0, out], TypeError], // mixed types
      [[a, new BigInt64Array(4), 4, 0, out], TypeError],
      [[a, 0, 4, 0, out], TypeError],
      [[a, null, "4", 0, out], TypeError],
      [[a, null, 4n, 0, out], TypeError],
      [[a, null, 4, "0", out], TypeError],
      [[a, null, 4, 0, new Int8Array(4)], TypeError],
      [[a, null, 4, 0, new Uint8ClampedArray(4)], TypeError],
      [[a, null, 4, 0, new DataView(new ArrayBuffer(4))], TypeError],
      [[a, null, 4, 0, null], TypeError],
      [[a, null, -1, 0, out], RangeError],
      [[a, null, 1.5, 0, out], RangeError],
      [[a, null, Number.NaN, 0, out], RangeError],
      [[a, null, Number.POSITIVE_INFINITY, 0, out], RangeError],
      [[a, null, 2 ** 53, 0, out], RangeError],
      [[a, null, 5, 0, new Uint8Array(8)], RangeError], // n > c0
      [[a, Float64Array.from([1, 2, 3]), 4, 0, out], RangeError], // n > c1
      [[a, null, 4, 0, new Uint8Array(3)], RangeError], // out too short
      [[a, null, 4, 0, new Uint8Array(a.buffer, 8, 8)], RangeError], // out inside c0's bytes
      [[a, new Float64Array(shared, 0, 4), 4, 0, new Uint8Array(shared, 24, 8)], RangeError], // out inside c1's bytes
    ];
    for (const [args, Err] of bad) {
      const before = [...a];
      expect(() => (run as (...x: unknown[]) => void)(...args), String(args)).toThrow(Err);
      expect([...a]).toEqual(before);
      expect([...out]).toEqual([7, 7, 7, 7]);
    }
    // n = 0 touches nothing, even with empty arrays; undefined is one channel like null
    run(new Float64Array(0), null, 0, 0, new Uint8Array(0));
    run(a, undefined as unknown as null, 4, 2, out);
    expect([...out]).toEqual([0, 0, 1, 1]);
  });

  it("treats a detached buffer as empty (no crash)", () => {
    const a = new Float64Array(8);
    structuredClone(a.buffer, { transfer: [a.buffer] });
    const out = new Uint8Array(8);
    expect(() => run(a, null, 1, 0, out)).toThrow(RangeError);
    run(a, null, 0, 0, out);
  });
});

/**
 * `validateSparse` and its index bounds pass (`indicesOutOfBounds`): the branch-free int32 pass and the
 * WebAssembly SIMD block pass (ranges of 4,096 entries or more) against the plain loop they replaced, on
 * random arrays, at the int32 limits, and with a bad entry at every kind of block position.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isHypedError } from "../errors.js";
import { setSimdEnabled, simdInstance } from "../simd/index.js";
import { type IndexArray, indicesOutOfBounds, sparseMatrix, validateSparse } from "../sparse.js";
import { SPARSE_BOUNDS_WASM_BASE64 } from "../sparse-bounds-wasm.js";

/** The plain loop `validateSparse` ran before (the reference). */
function reference(a: ArrayLike<number>, extent: number, start = 0, end = a.length): number {
  for (let k = start; k < end; k++) {
    const j = a[k] as number;
    if (!(j >= 0 && j < extent)) return k;
  }
  return -1;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

describe("indicesOutOfBounds", () => {
  it("finds the same first bad entry as the plain loop (int32, random arrays, ranges and extents)", () => {
    const value = fc.oneof(
      fc.integer({ min: -3, max: 40 }),
      fc.constantFrom(INT32_MIN, INT32_MAX, INT32_MIN + 1, INT32_MAX - 1, 2 ** 30, -(2 ** 30)),
    );
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 64 }),
        fc.oneof(fc.integer({ min: 0, max: 41 }), fc.constantFrom(2 ** 31, INT32_MAX, 2 ** 30, 2 ** 31 + 5)),
        fc.nat(),
        fc.nat(),
        (xs, extent, s, e) => {
          const a = Int32Array.from(xs);
          const start = a.length ? s % (a.length + 1) : 0;
          const end = start + (a.length - start ? e % (a.length - start + 1) : 0);
          expect(indicesOutOfBounds(a, extent, start, end)).toBe(reference(a, extent, start, end));
          expect(indicesOutOfBounds(a, extent)).toBe(reference(a, extent));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("other index types take the plain loop with the same answers", () => {
    const cases: Array<[IndexArray, number, number]> = [
      [new Uint16Array([0, 5, 65535]), 65535, 2],
      [new Uint16Array([0, 5, 65534]), 65535, -1],
      [new Uint32Array([1, 2 ** 32 - 1]), 2 ** 31, 1],
      [new Float64Array([0, 2 ** 40, 3]), 2 ** 40, 1],
      [new Float64Array([0, 2 ** 40 - 1, Number.NaN]), 2 ** 40, 2],
      [new Int8Array([0, -1]), 4, 1],
      [new Int32Array([0]), 0, 0],
      [new Int32Array(0), 0, -1],
    ];
    for (const [a, extent, want] of cases) expect(indicesOutOfBounds(a, extent), `${a.constructor.name} ${extent}`).toBe(want);
  });

  it("a bad entry anywhere in a long int32 array, including the unrolled tail", () => {
    for (const n of [1, 3, 4, 5, 1001, 4096]) {
      for (const at of [0, n - 1, n >> 1]) {
        for (const bad of [-1, 7, INT32_MIN, INT32_MAX]) {
          const a = new Int32Array(n).map((_, i) => i % 7);
          a[at] = bad;
          expect(indicesOutOfBounds(a, 7)).toBe(at);
        }
      }
    }
  });
});

describe("indicesOutOfBounds on long int32 ranges (SIMD blocks of 65,536 entries, JavaScript fallback)", () => {
  const BLOCK = 65536;
  /** Run `f` with the SIMD kernel on, then off, and return both results. */
  const both = (f: () => number): [number, number] => {
    const simd = f();
    const was = setSimdEnabled(false);
    try {
      return [simd, f()];
    } finally {
      setSimdEnabled(was);
    }
  };

  it("the kernel loads here (Node has WebAssembly SIMD-128), so the tests below compare two paths", () => {
    expect(simdInstance(SPARSE_BOUNDS_WASM_BASE64)).toBeDefined();
  });

  it("finds a bad entry at the first and last position, either side of every block boundary, in the tail", () => {
    const n = 3 * BLOCK + 37;
    const good = new Int32Array(n).map((_, i) => (i * 7919) % 1000);
    const spots = [0, 1, 4095, 4096, n - 1, n - 2, n - 37, n - 38];
    for (let b = 1; b <= 3; b++) spots.push(b * BLOCK - 1, b * BLOCK, b * BLOCK + 1);
    for (const at of spots) {
      for (const bad of [-1, 1000, INT32_MIN, INT32_MAX, 2 ** 30]) {
        const a = good.slice();
        a[at] = bad;
        expect(
          both(() => indicesOutOfBounds(a, 1000)),
          `${bad} at ${at}`,
        ).toEqual([at, at]);
        // a second bad entry later does not hide the first; an earlier range start skips it
        if (at + 5 < n) a[at + 5] = -7;
        expect(both(() => indicesOutOfBounds(a, 1000))).toEqual([at, at]);
        const next = at + 5 < n ? at + 5 : -1;
        expect(both(() => indicesOutOfBounds(a, 1000, at + 1))).toEqual([next, next]);
      }
    }
    expect(both(() => indicesOutOfBounds(good, 1000))).toEqual([-1, -1]);
    expect(both(() => indicesOutOfBounds(good, 999))).toEqual([reference(good, 999), reference(good, 999)]);
  });

  it("same answer as the plain loop on random long arrays, ranges and extents (the extents 2^31 and 1 too)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4096, max: 2 * BLOCK + 300 }),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(-1, INT32_MIN, INT32_MAX, 2 ** 31 - 2, 50, 49, 0)), { maxLength: 4 }),
        fc.constantFrom(1, 49, 50, 51, 2 ** 31, INT32_MAX),
        fc.nat(),
        fc.nat(),
        (n, bad, extent, s, e) => {
          const a = new Int32Array(n).map((_, i) => (i * 31) % 49);
          for (const [at, v] of bad) a[at % n] = v;
          const start = s % (n + 1);
          const end = start + (e % (n - start + 1));
          const want = reference(a, extent, start, end);
          expect(both(() => indicesOutOfBounds(a, extent, start, end))).toEqual([want, want]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("a subarray view (non-zero byte offset) is checked from its own first entry", () => {
    const base = new Int32Array(BLOCK + 10).fill(3);
    base[4] = 99; // before the view
    const view = base.subarray(5);
    expect(both(() => indicesOutOfBounds(view, 4))).toEqual([-1, -1]);
    view[BLOCK] = 4;
    expect(both(() => indicesOutOfBounds(view, 4))).toEqual([BLOCK, BLOCK]);
  });
});

describe("validateSparse", () => {
  const m = () => ({
    format: "csr" as const,
    shape: [2, 3] as [number, number],
    data: new Float32Array([1, 2, 3]),
    indices: new Int32Array([0, 2, 3]),
    indptr: new Int32Array([0, 2, 3]),
  });

  it("names the first out-of-bounds index as before", () => {
    let err: unknown;
    try {
      validateSparse(m(), "/X");
    } catch (e) {
      err = e;
    }
    expect(isHypedError(err) && err.code === "FORMAT").toBe(true);
    expect((err as Error).message).toBe("/X: indices[2] = 3 is out of bounds for extent 3");
    expect(() => sparseMatrix("csr", [2, 3], new Float32Array([1, 2, 3]), new Int32Array([0, 2, 3]), new Int32Array([0, 2, 3]))).toThrow(
      /out of bounds/,
    );
  });

  it("indicesChecked skips only the bounds pass (the structure is still checked)", () => {
    expect(() => validateSparse(m(), "/X", { indicesChecked: true })).not.toThrow();
    const bad = { ...m(), indptr: new Int32Array([0, 3, 2]) };
    expect(() => validateSparse(bad, "/X", { indicesChecked: true })).toThrow(/not monotonic/);
  });
});

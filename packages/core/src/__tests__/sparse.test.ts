/**
 * `validateSparse` and its index bounds pass (`indicesOutOfBounds`): the branch-free int32 pass against the
 * plain loop it replaced, on random arrays and at the int32 limits.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isHypedError } from "../errors.js";
import { type IndexArray, indicesOutOfBounds, sparseMatrix, validateSparse } from "../sparse.js";

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

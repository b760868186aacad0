/** The dtype helpers writers share: typed arrays from values, h5wasm type codes, integer dtypes by size. */
import { describe, expect, it } from "vitest";
import { DTYPES, dtypeSize, integerDType, structCode, typedFrom } from "../dtype.js";

describe("dtype helpers", () => {
  it("typedFrom stores BigInt for 64-bit dtypes, 0/1 for bool, and converts the rest as TypedArrays do", () => {
    expect(typedFrom("int64", [3, -2])).toEqual(BigInt64Array.from([3n, -2n]));
    expect(typedFrom("uint64", [7n])).toEqual(BigUint64Array.from([7n]));
    expect(Array.from(typedFrom("bool", [0, 2, true, false]))).toEqual([0, 1, 1, 0]);
    expect(Array.from(typedFrom("int8", [200, -1]))).toEqual([-56, -1]);
    expect(typedFrom("float32", [0.1])[0]).toBe(Math.fround(0.1));
    expect(() => typedFrom("int64", [1.5])).toThrow(RangeError);
  });

  it("structCode gives one little-endian code per dtype, sized like the dtype", () => {
    const size: Record<string, number> = { b: 1, B: 1, h: 2, H: 2, i: 4, I: 4, f: 4, q: 8, Q: 8, d: 8 };
    for (const d of DTYPES) {
      const code = structCode(d);
      expect(code.startsWith("<")).toBe(true);
      expect(size[code.slice(1)]).toBe(dtypeSize(d));
    }
    expect(structCode("uint16")).toBe("<H");
  });

  it("integerDType maps byte sizes and signedness, and nothing else", () => {
    expect(integerDType(1, true)).toBe("int8");
    expect(integerDType(8, false)).toBe("uint64");
    expect(integerDType(4, false)).toBe("uint32");
    expect(integerDType(3, true)).toBeUndefined();
  });
});

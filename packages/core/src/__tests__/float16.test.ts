import { describe, expect, it } from "vitest";
import { floatToHalf, halfToFloat, isFloat16, markFloat16, narrowToHalf, widenHalf } from "../dtype.js";

describe("float16 (the dtype table's rule)", () => {
  it("every half value widens exactly and narrows back to the same bits", () => {
    for (let h = 0; h < 0x10000; h++) {
      const x = halfToFloat(h);
      if (Number.isNaN(x)) expect(Number.isNaN(halfToFloat(floatToHalf(x)))).toBe(true);
      else expect(floatToHalf(x)).toBe(h);
    }
  });

  it("rounds to nearest, ties to even, as numpy's astype(np.float16)", () => {
    // values from numpy: np.float16(x).view(np.uint16)
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie, down to even
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie, up to even
    expect(floatToHalf(65519)).toBe(0x7bff);
    expect(floatToHalf(65520)).toBe(0x7c00); // overflow to Infinity
    expect(floatToHalf(2 ** -25)).toBe(0); // subnormal tie to even (0)
    expect(floatToHalf(3 * 2 ** -25)).toBe(2); // subnormal tie to even (2)
    expect(floatToHalf(-0.1)).toBe(0xae66);
    expect(floatToHalf(Number.NEGATIVE_INFINITY)).toBe(0xfc00);
  });

  it("widenHalf / narrowToHalf are inverse on half values, and the mark is non-enumerable", () => {
    const bits = Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000]);
    const w = widenHalf(bits);
    expect(Array.from(w)).toEqual([1, -2, 65504, 2 ** -24, -0]);
    expect(Array.from(narrowToHalf(w))).toEqual(Array.from(bits));
    const a = markFloat16({ data: w });
    expect(isFloat16(a)).toBe(true);
    expect(Object.keys(a)).toEqual(["data"]);
    expect(isFloat16({ data: w })).toBe(false);
  });
});

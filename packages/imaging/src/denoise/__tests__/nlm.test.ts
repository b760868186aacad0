import { describe, expect, it } from "vitest";
import { fastExp, fastExpWeight } from "../nlm.js";

describe("fastExpWeight (NL-means weights) equals the bit-built fastExp on [-5, 0]", () => {
  it("on a dense grid, at the ends and at exponent boundaries", () => {
    const ys: number[] = [0, -0, -5, -Number.MIN_VALUE, -1e-300];
    for (let k = 0; k <= 200_000; k++) ys.push(-5 * (k / 200_000));
    for (let e = 0; e <= 8; e++) ys.push(-e * Math.LN2, -e * Math.LN2 + 1e-12, -e * Math.LN2 - 1e-12);
    for (const y of ys) expect(Object.is(fastExpWeight(y), fastExp(y)) || fastExpWeight(y) === fastExp(y)).toBe(true);
  });
});

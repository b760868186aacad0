import { describe, expect, it } from "vitest";
import { syntheticPair } from "../../internal/lcg.js";
import { checkCase, ref } from "./cases.js";

describe("image metrics on the 2826x3245 frames agree with scikit-image 0.19", () => {
  it("rebuilds the 2826x3245 synthetic frames pixel for pixel", () => {
    const d = ref.meta.synthetic_42_digest;
    const { clean, noisy } = syntheticPair(2826, 3245, 42);
    let cs = 0;
    let ns = 0;
    for (let i = 0; i < clean.length; i++) {
      cs += clean[i] as number;
      ns += noisy[i] as number;
    }
    expect(cs).toBe(d.clean_sum);
    expect(ns).toBe(d.noisy_sum);
    expect(Array.from(noisy.subarray(0, 8))).toEqual(d.noisy_first);
    expect(Array.from(noisy.subarray(noisy.length - 8))).toEqual(d.noisy_last);
  });

  for (const c of ref.cases.filter((c) => c.recipe)) {
    it(`${c.name} (full-size frame, ${c.dtype})`, () => checkCase(c), 60_000);
  }
});

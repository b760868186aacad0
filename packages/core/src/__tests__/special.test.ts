import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { logGamma, stirlingTail } from "../special.js";

// scipy.special.gammaln values from scripts/make_special_reference.py
const ref = JSON.parse(readFileSync(join(__dirname, "../../reference/special/gammaln.json"), "utf8")) as { gammaln: [number, number][] };

describe("logGamma", () => {
  it("matches scipy.special.gammaln to 1e-13 relative (absolute below 1)", () => {
    expect(ref.gammaln.length).toBeGreaterThan(100);
    for (const [x, want] of ref.gammaln) {
      const got = logGamma(x);
      expect(Math.abs(got - want), `x = ${x}`).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(want)));
    }
  });
  it("stirlingTail is ln Γ(x) minus Stirling's leading terms", () => {
    for (const x of [25, 100, 1e4]) {
      const lead = (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI);
      expect(lead + stirlingTail(x)).toBe(logGamma(x));
    }
  });
});

/** CZI fuzz, half b of {@link TOTAL_CASES} seeded mutations (see fuzz-helpers.ts). */
import { describe, it } from "vitest";
import { runFuzz, TOTAL_CASES } from "./fuzz-helpers.js";

describe("CZI fuzz (b)", () => {
  it(`${TOTAL_CASES / 2} seeded mutations end in a valid read or a HypedError`, async () => {
    await runFuzz(777, TOTAL_CASES / 2);
  }, 180_000);
});

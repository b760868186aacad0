import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { forEachLimited, isHypedError } from "../index.js";

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("forEachLimited", () => {
  it("runs every index once, starts them in order, never more than `lanes` at a time (fast-check)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: -2, max: 8 }),
        fc.array(fc.nat(3), { maxLength: 40 }),
        async (count, lanes, waits) => {
          const started: number[] = [];
          let inFlight = 0;
          let most = 0;
          await forEachLimited(count, lanes, async (i) => {
            started.push(i);
            inFlight++;
            most = Math.max(most, inFlight);
            for (let k = 0; k < (waits[i] ?? 0); k++) await tick();
            inFlight--;
          });
          expect(started).toEqual(Array.from({ length: count }, (_, i) => i));
          expect(most).toBeLessThanOrEqual(Math.max(1, lanes));
          if (count > 0 && lanes >= 2 && waits.slice(0, count).some((w) => w > 0)) expect(most).toBeGreaterThan(1);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("rethrows the first failure after the calls in flight settle, and starts no new ones", async () => {
    const settled: number[] = [];
    const err = forEachLimited(20, 3, async (i) => {
      await tick();
      if (i === 4) throw new Error("four");
      if (i === 5) throw new Error("five");
      await tick();
      settled.push(i);
    });
    await expect(err).rejects.toThrow("four");
    expect(Math.max(...settled)).toBeLessThan(8);
    expect(settled).not.toContain(4);
  });

  it("checks the signal before each start (ABORTED, naming the work)", async () => {
    const ac = new AbortController();
    const seen: number[] = [];
    const p = forEachLimited(
      10,
      2,
      async (i) => {
        seen.push(i);
        if (i === 3) ac.abort();
        await tick();
      },
      ac.signal,
      "copying things",
    );
    await expect(p).rejects.toSatisfy((e: unknown) => isHypedError(e, "ABORTED") && (e as Error).message.includes("copying things"));
    expect(seen.length).toBeLessThan(10);
  });
});

/**
 * Variable-length string datasets read by our own path (`strings.ts`: global heap collections read in
 * windows, ASCII collections cut from one decoded string) against h5wasm's reading of the same file.
 * Strings holding NUL are left out: h5wasm stops at the first NUL, our path (before and after the windowed
 * reader) keeps the stored bytes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { H5File } from "../hdf5/index.js";

const tmp = mkdtempSync(join(tmpdir(), "hyped-h5strings-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let serial = 0;

/** Write `sets` as string datasets of one file; read each with our path and with h5wasm's. */
async function bothWays(sets: string[][], select?: (n: number) => [number, number]): Promise<void> {
  const file = join(tmp, `s${serial++}.h5`);
  const w = await H5File.create(file);
  sets.forEach((values, i) => {
    w.writeDataset(`/s${i}`, values);
  });
  // a numeric dataset between the string datasets, so collections do not all lie back to back
  w.writeDataset("/gap", new Float64Array(5000));
  w.writeDataset("/after", sets[0] ?? ["x"]);
  w.close();
  const own = await H5File.open(file);
  const ref = await H5File.open(file, { direct: false });
  try {
    for (let i = 0; i < sets.length; i++) {
      const values = sets[i] as string[];
      const opts = select && values.length ? { select: [select(values.length)] } : {};
      const a = own.readStrings(`/s${i}`, opts);
      expect(a).toEqual(ref.readStrings(`/s${i}`, opts));
      if (!select) expect(a.values).toEqual(values);
    }
    expect(own.readStrings("/after")).toEqual(ref.readStrings("/after"));
  } finally {
    own.close();
    ref.close();
  }
}

describe("variable-length strings through our own path equal h5wasm's", () => {
  it("random ASCII, UTF-8 and mixed lists, whole and sliced", async () => {
    const text = fc.oneof(
      fc.string({ maxLength: 12 }).map((s) => s.replaceAll("\u0000", "")),
      fc.string({ unit: "grapheme", maxLength: 8 }).map((s) => s.replaceAll("\u0000", "")),
      fc.constantFrom("", "é", "gene-1", "😀x", "\u0080\u00ff"),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(text, { maxLength: 400 }), { minLength: 1, maxLength: 3 }), async (sets) => {
        await bothWays(sets);
        await bothWays(sets, (n) => [Math.floor(n / 3), n]);
      }),
      { numRuns: 25 },
    );
  });

  it("many collections (50,000 names), long strings (a collection of its own) and one non-ASCII name", async () => {
    const names = Array.from({ length: 50_000 }, (_, i) => `cell${i}`);
    names[31_337] = "zelle-ß";
    const long = ["a".repeat(10_000), "b", "ü".repeat(3000), "c".repeat(70_000)];
    await bothWays([names, long]);
  });
});

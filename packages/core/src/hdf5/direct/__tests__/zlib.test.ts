/**
 * The zlib trick (`direct/zlib.ts`): inflating into a given buffer through Node's internals must give the
 * same bytes, and the same verdicts, as the public-API fallback (`inflateSync` and a copy).
 */
import { deflateSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inflateInto, inflateIntoPublic, inflateIntoUsesInternals } from "../zlib.js";

function run(f: typeof inflateInto, packed: Uint8Array, n: number): { ok: boolean | undefined; bytes: Uint8Array } {
  const dst = new Uint8Array(n);
  return { ok: f(packed, dst), bytes: dst };
}

describe("inflateInto and its public fallback", () => {
  it("uses the internals on this Node (else the fallback serves every call)", () => {
    // Node 20-24 keep `_handle.writeSync` and `_writeState`; if a release drops them this flips, and the
    // fallback below is what reads deflate chunks
    expect(typeof inflateIntoUsesInternals()).toBe("boolean");
    if (!inflateIntoUsesInternals()) console.warn("zlib internals unavailable: direct reads use inflateSync");
  });

  it("gives the same bytes as the fallback and as the input, for any data and level", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 200_000, size: "max" }),
        fc.integer({ min: 0, max: 9 }),
        fc.boolean(),
        (raw, level, runny) => {
          const data = runny ? raw.map((x, i) => (i % 97 < 60 ? 7 : x)) : raw;
          const packed = new Uint8Array(deflateSync(data, { level }));
          const a = run(inflateInto, packed, data.length);
          const b = run(inflateIntoPublic, packed, data.length);
          expect(a.ok).toBe(true);
          expect(b.ok).toBe(true);
          expect(Buffer.from(a.bytes).equals(Buffer.from(data))).toBe(true);
          expect(Buffer.from(b.bytes).equals(Buffer.from(a.bytes))).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("both refuse an output of the wrong size and a corrupt stream", () => {
    const data = new Uint8Array(50_000).map((_, i) => (i * 31) % 256);
    const packed = new Uint8Array(deflateSync(data));
    for (const f of [inflateInto, inflateIntoPublic]) {
      expect(run(f, packed, data.length - 1).ok).toBe(false);
      expect(run(f, packed, data.length + 1).ok).toBe(false);
      const bad = packed.slice();
      bad[10] = (bad[10] as number) ^ 0xff;
      bad[11] = (bad[11] as number) ^ 0x5a;
      expect(run(f, bad, data.length).ok).toBe(false);
      expect(run(f, packed.subarray(0, packed.length >> 1), data.length).ok).toBe(false);
      // a good stream after a bad one still decodes (the internals' stream is remade after an error)
      const again = run(f, packed, data.length);
      expect(again.ok).toBe(true);
      expect(Buffer.from(again.bytes).equals(Buffer.from(data))).toBe(true);
    }
  });
});

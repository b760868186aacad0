import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { NativeLoad } from "../../index.cjs";

const api = createRequire(import.meta.url)("../../index.cjs") as { load: () => NativeLoad };
const { load } = api;
const { binding, reason } = load();
if (!binding) console.warn(`@hyped/native tests skipped: ${reason}`);

const dir = mkdtempSync(join(tmpdir(), "hyped-native-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file of `n` pseudo-random bytes; returns its descriptor and bytes. */
function fileOf(n: number, seed: number): { fd: number; bytes: Uint8Array } {
  const bytes = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 255;
  }
  const p = join(dir, `f${seed}-${n}.bin`);
  writeFileSync(p, bytes);
  return { fd: openSync(p, "r"), bytes };
}

/** Index of the first differing byte, or -1. */
function firstDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** What readBox must do, in plain JavaScript. */
function reference(
  src: Uint8Array,
  position: number,
  dst: Uint8Array,
  dstOffset: number,
  run: number,
  counts: number[],
  sStr: number[],
  dStr: number[],
): void {
  const idx = counts.map(() => 0);
  for (;;) {
    let s = position;
    let d = dstOffset;
    for (let k = 0; k < counts.length; k++) {
      s += (idx[k] as number) * (sStr[k] as number);
      d += (idx[k] as number) * (dStr[k] as number);
    }
    dst.set(src.subarray(s, s + run), d);
    let k = counts.length - 1;
    for (; k >= 0; k--) {
      idx[k] = (idx[k] as number) + 1;
      if ((idx[k] as number) < (counts[k] as number)) break;
      idx[k] = 0;
    }
    if (k < 0) break;
  }
}

/** A random box: run length, counts and strides that fit a span and a destination. */
const boxArb = fc
  .record({
    run: fc.integer({ min: 1, max: 300 }),
    dims: fc.array(
      fc.record({ count: fc.integer({ min: 1, max: 6 }), sGap: fc.integer({ min: 0, max: 50 }), dGap: fc.integer({ min: 0, max: 80 }) }),
      {
        maxLength: 3,
      },
    ),
    position: fc.integer({ min: 0, max: 500 }),
    dstOffset: fc.integer({ min: 0, max: 100 }),
    slack: fc.integer({ min: 0, max: 40 }),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  })
  .map(({ run, dims, position, dstOffset, slack, seed }) => {
    // strides from the inside out: each dimension steps over the whole extent of the ones inside it plus a gap
    const sStr: number[] = [];
    const dStr: number[] = [];
    let sExt = run;
    let dExt = run;
    for (let k = dims.length - 1; k >= 0; k--) {
      const d = dims[k] as { count: number; sGap: number; dGap: number };
      sStr.unshift(sExt + d.sGap);
      dStr.unshift(dExt + d.dGap);
      sExt = (d.count - 1) * (sExt + d.sGap) + sExt;
      dExt = (d.count - 1) * (dExt + d.dGap) + dExt;
    }
    return {
      run,
      counts: dims.map((d) => d.count),
      sStr,
      dStr,
      position,
      dstOffset,
      span: sExt + slack,
      dstLen: dstOffset + dExt + slack,
      seed,
    };
  });

describe("@hyped/native exports", () => {
  it("is load() alone, returning the same result every time, with its three functions or a reason", () => {
    expect(Object.keys(api).sort()).toEqual(["load"]);
    expect(load()).toBe(load());
    if (binding) expect(Object.keys(binding).sort()).toEqual(["maskAbove", "readBox", "readBoxSync"]);
    else expect(reason.length).toBeGreaterThan(0);
  });
});

describe.skipIf(!binding)("@hyped/native readBox", () => {
  const b = binding as NonNullable<typeof binding>;

  it("copies any box exactly as the JavaScript reference does, sync and on the thread pool", async () => {
    await fc.assert(
      fc.asyncProperty(boxArb, async (c) => {
        const { fd, bytes } = fileOf(c.position + c.span, c.seed);
        try {
          const want = new Uint8Array(c.dstLen).fill(7);
          reference(bytes, c.position, want, c.dstOffset, c.run, c.counts, c.sStr, c.dStr);
          const got = new Uint8Array(c.dstLen).fill(7);
          b.readBoxSync(fd, c.position, c.span, got, c.dstOffset, c.run, c.counts, c.sStr, c.dStr);
          expect(got).toEqual(want);
          const got2 = new Uint8Array(c.dstLen).fill(7);
          await b.readBox(fd, c.position, c.span, got2, c.dstOffset, c.run, c.counts, c.sStr, c.dStr);
          expect(got2).toEqual(want);
        } finally {
          closeSync(fd);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("copies large boxes (the streaming-store path: >= 256 KiB of runs of >= 256 bytes) at any alignment", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 256, max: 3000 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 700 }),
        fc.integer({ min: 0, max: 127 }),
        fc.integer({ min: 0, max: 63 }),
        async (run, sGap, dGap, dstOffset, position) => {
          const rows = Math.ceil((256 * 1024) / run) + 3;
          const sStr = run + sGap;
          const dStr = run + dGap;
          const span = (rows - 1) * sStr + run;
          const { fd, bytes } = fileOf(position + span, run * 7 + sGap);
          try {
            const dstLen = dstOffset + (rows - 1) * dStr + run + 50;
            const want = new Uint8Array(dstLen).fill(3);
            reference(bytes, position, want, dstOffset, run, [rows], [sStr], [dStr]);
            const got = new Uint8Array(dstLen).fill(3);
            await b.readBox(fd, position, span, got, dstOffset, run, [rows], [sStr], [dStr]);
            expect(firstDiff(got, want)).toBe(-1);
            const got2 = new Uint8Array(dstLen).fill(3);
            b.readBoxSync(fd, position, span, got2, dstOffset, run, [rows], [sStr], [dStr]);
            expect(firstDiff(got2, want)).toBe(-1);
          } finally {
            closeSync(fd);
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it("writes through any TypedArray's bytes, from its byteOffset", () => {
    const { fd, bytes } = fileOf(64, 5);
    try {
      const buf = new ArrayBuffer(80);
      const view = new Uint16Array(buf, 8, 30); // bytes 8..68
      b.readBoxSync(fd, 4, 40, view, 2, 10, [3], [12], [20]);
      const all = new Uint8Array(buf);
      for (let r = 0; r < 3; r++) expect(all.subarray(8 + 2 + r * 20, 8 + 12 + r * 20)).toEqual(bytes.subarray(4 + r * 12, 14 + r * 12));
      expect(all.subarray(0, 10).every((x) => x === 0)).toBe(true);
    } finally {
      closeSync(fd);
    }
  });

  it("refuses boxes that reach past the span or the destination before reading", () => {
    const { fd } = fileOf(1000, 9);
    try {
      const dst = new Uint8Array(100);
      // last run ends at 2*40+30 = 110 > span 100
      expect(() => b.readBoxSync(fd, 0, 100, dst, 0, 30, [3], [40], [30])).toThrow(RangeError);
      // last run lands at 10 + 2*40 + 20 = 110 > 100 destination bytes
      expect(() => b.readBoxSync(fd, 0, 200, dst, 10, 20, [3], [40], [40])).toThrow(RangeError);
      expect(() => b.readBoxSync(fd, 0, 200, dst, 0, 20, [0], [40], [40])).toThrow(RangeError);
      expect(() => b.readBoxSync(fd, 0, 0, dst, 0, 20, [], [], [])).toThrow(RangeError);
      expect(() => b.readBoxSync(fd, -1, 100, dst, 0, 20, [], [], [])).toThrow(TypeError);
      expect(() => b.readBoxSync(fd, 0.5, 100, dst, 0, 20, [], [], [])).toThrow(TypeError);
      expect(() => b.readBoxSync(fd, 0, 100, dst, 0, 20, [1, 2], [3], [4])).toThrow(TypeError);
      expect(() => b.readBoxSync(fd, 0, 100, [] as unknown as Uint8Array, 0, 20, [], [], [])).toThrow(TypeError);
      expect(() => b.readBoxSync(fd, 0, 100, dst, 0, 20, Array(33).fill(1), Array(33).fill(0), Array(33).fill(0))).toThrow(TypeError);
      expect(dst.every((x) => x === 0)).toBe(true);
    } finally {
      closeSync(fd);
    }
  });

  it("reports a span past the end of the file (SHORT_READ) and a bad descriptor (IO), sync and async", async () => {
    const { fd } = fileOf(100, 11);
    try {
      const dst = new Uint8Array(200);
      expect(() => b.readBoxSync(fd, 50, 100, dst, 0, 100, [], [], [])).toThrow(expect.objectContaining({ code: "SHORT_READ" }));
      await expect(b.readBox(fd, 50, 100, dst, 0, 100, [], [], [])).rejects.toMatchObject({ code: "SHORT_READ" });
    } finally {
      closeSync(fd);
    }
    const dst = new Uint8Array(10);
    const notOpen = 1_000_000; // no process here has a million descriptors open
    expect(() => b.readBoxSync(notOpen, 0, 10, dst, 0, 10, [], [], [])).toThrow(expect.objectContaining({ code: "IO" }));
    await expect(b.readBox(notOpen, 0, 10, dst, 0, 10, [], [], [])).rejects.toMatchObject({ code: "IO" });
  });
});

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { isHypedError } from "../../errors.js";
import { cachedSource, countingSource, fileSource, memorySource } from "../index.js";
import type { ByteSource } from "../types.js";

const tmp = mkdtempSync(join(tmpdir(), "hyped-readinto-"));
const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 131 + (i >> 8)) & 255);
const path = join(tmp, "data.bin");
writeFileSync(path, bytes);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Split `n` bytes into `parts` views of one array, with the given lengths (zero-length views allowed). */
function views(lengths: number[]): { whole: Uint8Array; list: Uint8Array[] } {
  const total = lengths.reduce((a, b) => a + b, 0);
  const whole = new Uint8Array(total + 8).fill(0xee);
  const list: Uint8Array[] = [];
  let pos = 4;
  for (const n of lengths) {
    list.push(whole.subarray(pos, pos + n));
    pos += n;
  }
  return { whole, list };
}

/** Byte equality without vitest's element-by-element diff (slow on large arrays). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}

async function check(src: ByteSource, offset: number, lengths: number[]) {
  const { whole, list } = views(lengths);
  await (src.readInto as NonNullable<ByteSource["readInto"]>)(offset, list, undefined);
  const total = lengths.reduce((a, b) => a + b, 0);
  expect(same(whole.subarray(4, 4 + total), bytes.subarray(offset, offset + total))).toBe(true);
  // Bytes around the targets are untouched.
  expect([...whole.subarray(0, 4), ...whole.subarray(4 + total)]).toEqual(Array(8).fill(0xee));
}

describe("ByteSource.readInto", () => {
  it("fileSource fills one buffer and scatter lists (more buffers than one preadv takes)", async () => {
    const src = await fileSource(path);
    try {
      await check(src, 0, [bytes.length]);
      await check(src, 12345, [1000]);
      // 3000 rows of 37 bytes: three preadv batches.
      await check(src, 777, Array(3000).fill(37));
      await check(src, 5, [0, 3, 0, 0, 10, 0]);
      await check(src, bytes.length - 10, [4, 6]);
      await check(src, 0, []);
      const one = new Uint8Array(64);
      await src.readInto?.(100, one);
      expect(same(one, bytes.subarray(100, 164))).toBe(true);
    } finally {
      await src.close?.();
    }
  });

  it("fileSource and memorySource agree with read() on random scatter reads (property)", async () => {
    const file = await fileSource(path);
    const mem = memorySource(bytes);
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 40 }),
          fc.integer({ min: 0, max: bytes.length }),
          async (lengths, start) => {
            const total = lengths.reduce((a, b) => a + b, 0);
            const offset = Math.max(0, Math.min(start, bytes.length - total));
            if (offset + total > bytes.length) return;
            await check(file, offset, lengths);
            await check(mem, offset, lengths);
          },
        ),
        { numRuns: 60, seed: 5 },
      );
    } finally {
      await file.close?.();
    }
  });

  it("rejects reads past the end (OUT_OF_RANGE), after close (IO) and when aborted (ABORTED)", async () => {
    const src = await fileSource(path);
    const code = async (p: Promise<unknown> | undefined) => {
      try {
        await p;
      } catch (e) {
        return isHypedError(e) ? e.code : "other";
      }
      return "none";
    };
    expect(await code(src.readInto?.(bytes.length - 4, [new Uint8Array(3), new Uint8Array(3)]))).toBe("OUT_OF_RANGE");
    expect(await code(memorySource(bytes).readInto?.(-1, new Uint8Array(2)))).toBe("OUT_OF_RANGE");
    const ac = new AbortController();
    ac.abort();
    expect(await code(src.readInto?.(0, new Uint8Array(2), ac.signal))).toBe("ABORTED");
    await src.close?.();
    expect(await code(src.readInto?.(0, new Uint8Array(2)))).toBe("IO");
  });

  it("countingSource forwards readInto (or emulates it over read) and counts it", async () => {
    const file = await fileSource(path);
    try {
      const counted = countingSource(file);
      await check(counted, 10, [5, 6, 7]);
      expect(counted.bytesRead).toBe(18);
      expect(counted.reads).toBe(1);
      // A source with only read(): readInto is emulated with one read and a copy.
      const plain: ByteSource = { size: bytes.length, name: "plain", read: (o, n) => Promise.resolve(bytes.slice(o, o + n)) };
      const c2 = countingSource(plain);
      await check(c2, 1000, [100, 0, 50]);
      expect(c2.reads).toBe(1);
      // cachedSource has no readInto of its own; counting over it still works.
      const c3 = countingSource(cachedSource(file, { blockSize: 4096 }));
      await check(c3, 4000, [200, 300]);
      expect(c3.bytesRead).toBe(500);
    } finally {
      await file.close?.();
    }
  });
});

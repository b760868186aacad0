import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isHypedError } from "@hyped/core";
import { afterAll, describe, expect, it } from "vitest";
import { LazyFile } from "../lazy-file.js";

describe("LazyFile (onnxruntime-web external data read one range at a time)", () => {
  const dir = mkdtempSync(join(tmpdir(), "hyped-lazy-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 251);
  const path = join(dir, "w.bin");
  writeFileSync(path, bytes);

  it("is a Uint8Array of the file's size whose subarray reads that range, counting the bytes served", async () => {
    const f = await LazyFile.open(path);
    try {
      expect(f).toBeInstanceOf(Uint8Array);
      expect(f.byteLength).toBe(bytes.length);
      expect(f.length).toBe(bytes.length);
      const a = f.subarray(10, 4010);
      expect(a).toEqual(bytes.subarray(10, 4010));
      expect(f.subarray(99_990, 100_000)).toEqual(bytes.subarray(99_990));
      expect(f.subarray(5, 5).length).toBe(0);
      expect(f.served).toBe(4010);
      // a copy, not a view of anything held
      expect(a.byteOffset).toBe(0);
      expect(a.buffer.byteLength).toBe(4000);
    } finally {
      await f.close();
    }
  });

  it("rejects ranges outside the file with OUT_OF_RANGE", async () => {
    const f = await LazyFile.open(path);
    try {
      for (const [b, e] of [
        [-1, 10],
        [10, 5],
        [0, 100_001],
        [0.5, 2],
      ] as const) {
        let err: unknown;
        try {
          f.subarray(b, e);
        } catch (x) {
          err = x;
        }
        expect(isHypedError(err) && err.code, `${b}…${e}`).toBe("OUT_OF_RANGE");
      }
      expect(f.served).toBe(0);
    } finally {
      await f.close();
    }
  });
});

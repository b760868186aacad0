import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isHypedError } from "../errors.js";
import { contiguous, fromTyped, ndDtype } from "../ndarray.js";
import { readNpy, readNpyHeader, writeNpy } from "../npy.js";

const dir = join(__dirname, "../../reference/npy");
const index: Array<{
  file: string;
  dtype: string;
  shape: number[];
  order: "C" | "F";
  bigEndian: boolean;
  values: Array<number | string | boolean>;
}> = JSON.parse(readFileSync(join(dir, "index.json"), "utf8"));

describe("readNpy / writeNpy against numpy-written files", () => {
  for (const ref of index) {
    it(`${ref.file}`, () => {
      const bytes = new Uint8Array(readFileSync(join(dir, ref.file)));
      const a = readNpy(bytes);
      expect(a.shape).toEqual(ref.shape);
      const h = readNpyHeader(bytes);
      expect(h.fortranOrder).toBe(ref.order === "F");
      expect(h.numpyName).toBe(ref.dtype);
      const flat = Array.from(contiguous(a).data as ArrayLike<number | bigint>);
      const want = ref.values.map((v) => (typeof v === "string" ? BigInt(v) : typeof v === "boolean" ? (v ? 1 : 0) : v));
      if (ref.dtype === "float32" || ref.dtype === "float16") {
        expect(flat.map(Number)).toEqual(want.map((v) => Math.fround(Number(v))));
      } else {
        expect(flat).toEqual(want);
      }
      if (ref.dtype === "bool") expect(ndDtype(a)).toBe("bool");
      if (ref.dtype !== "float16" && !("version" in ref)) {
        const again = writeNpy(a, { bigEndian: ref.bigEndian });
        expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
      }
    });
  }
});

describe("npy robustness", () => {
  const good = new Uint8Array(readFileSync(join(dir, "uint16_C_le.npy")));
  it("truncated data is FORMAT", () => {
    for (const cut of [0, 5, 9, 40, good.length - 1]) {
      expect(() => readNpy(good.subarray(0, cut))).toThrow(expect.objectContaining({ code: "FORMAT" }));
    }
  });
  it("random mutations give a valid array or a HypedError, never another exception", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(200), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(good.length),
        (edits, cut) => {
          const b = good.slice(0, Math.max(cut, 0));
          for (const [i, v] of edits) if (i < b.length) b[i] = v;
          try {
            const a = readNpy(b);
            expect(a.size).toBeGreaterThanOrEqual(0);
          } catch (e) {
            if (!isHypedError(e)) throw e;
            expect(["FORMAT", "UNSUPPORTED", "OUT_OF_RANGE"]).toContain(e.code);
          }
        },
      ),
      { numRuns: 2000, seed: 42 },
    );
  });
  it("round-trips arbitrary float64 arrays", () => {
    fc.assert(
      fc.property(fc.array(fc.double(), { minLength: 0, maxLength: 50 }), (xs) => {
        const a = fromTyped(Float64Array.from(xs));
        const back = readNpy(writeNpy(a));
        expect(Array.from(back.data as Float64Array)).toEqual(Array.from(Float64Array.from(xs)));
      }),
      { numRuns: 200, seed: 1 },
    );
  });
});

describe("npy format 3.0 headers that are not UTF-8 (issue 24 item 1)", () => {
  it("a 0xFF byte in the header is FORMAT, not Node's untyped decoding error", () => {
    const v1 = writeNpy(fromTyped(new Float32Array([1, 2, 3]), [3]));
    const hlen = v1[8] as number;
    const v3 = new Uint8Array(v1.length + 2);
    v3.set(v1.subarray(0, 6));
    v3[6] = 3;
    new DataView(v3.buffer).setUint32(8, hlen, true);
    v3.set(v1.subarray(10), 12);
    expect(readNpy(v3).size).toBe(3);
    v3[20] = 0xff;
    expect(() => readNpy(v3)).toThrow(expect.objectContaining({ name: "HypedError", code: "FORMAT" }));
  });
});

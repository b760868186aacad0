import { readFileSync } from "node:fs";
import { join } from "node:path";
import { countingSource, halfToFloat, isHypedError, memorySource } from "@hyped/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { float32ToBfloat16Bits, float32ToHalfBits, openSafetensors, writeSafetensors } from "../index.js";

const REF = join(import.meta.dirname, "../../../reference/geneformer-model");

function file(header: unknown, data = new Uint8Array(0), lengthField?: bigint): Uint8Array {
  const h = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthField ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "no error";
  } catch (e) {
    return isHypedError(e) ? e.code : `untyped: ${e}`;
  }
}

describe("openSafetensors", () => {
  it("reads files written by the Python reference script (F32, F16, BF16, I64) and reads the header once", async () => {
    const bytes = readFileSync(join(REF, "relu-f32/model.safetensors"));
    const src = countingSource(memorySource(bytes));
    const st = await openSafetensors(src);
    expect(st.metadata).toEqual({ format: "pt" });
    const e = st.tensors.get("bert.embeddings.word_embeddings.weight");
    expect(e?.dtype).toBe("F32");
    expect(e?.shape).toEqual([300, 8]);
    expect(st.tensors.get("bert.embeddings.position_ids")?.dtype).toBe("I64");
    const before = src.reads;
    const w = await st.readFloat32("bert.embeddings.LayerNorm.weight");
    expect(w.length).toBe(8);
    expect(src.reads - before).toBe(1); // one read for the tensor, no header re-read
    for (const name of ["gelu-f16", "gelu-bf16"]) {
      const h = await openSafetensors(readFileSync(join(REF, name, "model.safetensors")));
      const t = await h.readFloat32("bert.embeddings.LayerNorm.weight");
      expect(t.every((x) => x > 0.5 && x < 1.5)).toBe(true); // 1 + N(0, 0.1), as written
    }
    expect(await code(st.readFloat32("bert.embeddings.position_ids"))).toBe("UNSUPPORTED");
    expect(await code(st.readFloat32("nope"))).toBe("NOT_FOUND");
  });

  it("round-trips our writer: F32 exactly, F16/BF16 rounded to nearest even", async () => {
    const x = Float32Array.from([0, -0, 1, -2.5, 1 / 3, 65504, 1e-7, Math.PI, Number.POSITIVE_INFINITY]);
    const bytes = writeSafetensors(
      { a: { shape: [3, 3], data: x }, b: { shape: [9], data: x, dtype: "F16" }, c: { shape: [9], data: x, dtype: "BF16" } },
      { metadata: { format: "pt" } },
    );
    expect((new DataView(bytes.buffer).getUint32(0, true) + 8) % 8).toBe(0);
    const st = await openSafetensors(bytes);
    expect(await st.readFloat32("a")).toEqual(x);
    const f16 = await st.readFloat32("b");
    expect(f16[2]).toBe(1);
    expect(f16[4]).toBeCloseTo(1 / 3, 3);
    expect(f16[5]).toBe(65504);
    const bf = await st.readFloat32("c");
    expect(bf[3]).toBe(-2.5);
    expect(bf[7]).toBe(3.140625);
    expect(bf[8]).toBe(Number.POSITIVE_INFINITY);
  });

  it("rounds like numpy: half and bfloat16 conversions are nearest-even (property)", () => {
    const toF32 = (u: number) => new Float32Array(new Uint32Array([u << 16]).buffer)[0] as number;
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true, min: -60000, max: 60000 }), (v) => {
        const x = Math.fround(v);
        const b = toF32(float32ToBfloat16Bits(x));
        expect(Math.abs(b - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -8 + 2 ** -133);
        const h = halfToFloat(float32ToHalfBits(x));
        const ulp = Math.abs(x) < 2 ** -14 ? 2 ** -24 : 2 ** (Math.floor(Math.log2(Math.abs(x))) - 10);
        expect(Math.abs(h - x)).toBeLessThanOrEqual(ulp / 2);
      }),
    );
    expect(float32ToHalfBits(1)).toBe(0x3c00);
    expect(float32ToHalfBits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(float32ToHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(float32ToHalfBits(2 ** -24)).toBe(1); // smallest subnormal
    expect(float32ToHalfBits(70000)).toBe(0x7c00);
    expect(float32ToBfloat16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie → even
    expect(float32ToBfloat16Bits(Number.NaN) & 0x7fc0).toBe(0x7fc0);
  });

  it("rejects corrupt headers with FORMAT / UNSUPPORTED, before allocating", async () => {
    const ok = { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] } };
    const d8 = new Uint8Array(8);
    expect(await code(openSafetensors(file(ok, d8)))).toBe("no error");
    expect(await code(openSafetensors(new Uint8Array(4)))).toBe("FORMAT");
    expect(await code(openSafetensors(file(ok, d8, 1n << 60n)))).toBe("FORMAT"); // length field past the file
    expect(await code(openSafetensors(file(ok, d8, 200_000_000n)))).toBe("FORMAT");
    expect(await code(openSafetensors(file("[1, 2]", d8)))).toBe("FORMAT");
    expect(await code(openSafetensors(file("{oops", d8)))).toBe("FORMAT");
    expect(await code(openSafetensors(file({ a: { dtype: "F33", shape: [2], data_offsets: [0, 8] } }, d8)))).toBe("UNSUPPORTED");
    expect(await code(openSafetensors(file({ a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, d8)))).toBe("FORMAT");
    expect(await code(openSafetensors(file({ a: { dtype: "F32", shape: [-2], data_offsets: [0, 8] } }, d8)))).toBe("FORMAT");
    expect(await code(openSafetensors(file({ a: { dtype: "F32", shape: [2], data_offsets: [0, 16] } }, d8)))).toBe("FORMAT");
    expect(await code(openSafetensors(file({ a: { dtype: "F32", shape: [2], data_offsets: [8, 0] } }, d8)))).toBe("FORMAT");
    expect(await code(openSafetensors(file({ a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, d8)))).toBe("FORMAT"); // gap
    expect(await code(openSafetensors(file(ok, new Uint8Array(12))))).toBe("FORMAT"); // trailing bytes
    expect(
      await code(
        openSafetensors(
          file({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, d8),
        ),
      ),
    ).toBe("FORMAT"); // overlap
    expect(await code(openSafetensors(file({ __metadata__: { a: 1 }, ...ok }, d8)))).toBe("FORMAT");
    expect(await code(openSafetensors(file({ a: { dtype: "F32", shape: [1e300], data_offsets: [0, 8] } }, d8)))).toBe("FORMAT");
  });

  it("fuzz: random bytes after a valid length field never throw untyped errors", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (junk) => {
        const c = await code(openSafetensors(file(new TextDecoder().decode(junk), new Uint8Array(16))));
        return !c.startsWith("untyped");
      }),
      { numRuns: 200 },
    );
  });
});

/** encodePlaneTiff: read back with geotiff.js's reader. */
import { isHypedError } from "@hyped/core";
import { fromArrayBuffer } from "geotiff";
import { describe, expect, it } from "vitest";
import { encodePlaneTiff } from "../index.js";

async function readBack(b: Uint8Array) {
  const img = await (await fromArrayBuffer(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer)).getImage();
  return { img, data: (await img.readRasters({ interleave: true })) as unknown as ArrayLike<number> };
}

describe("encodePlaneTiff", () => {
  it("16-bit grey, 8-bit RGB and float32 round trip", async () => {
    const g = Uint16Array.from({ length: 7 * 5 }, (_, i) => i * 1871);
    const a = await readBack(encodePlaneTiff(g, 7, 5));
    expect([a.img.getWidth(), a.img.getHeight(), a.img.getBitsPerSample(), a.img.getSamplesPerPixel()]).toEqual([7, 5, 16, 1]);
    expect(Array.from(a.data)).toEqual(Array.from(g));
    const rgb = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => (i * 29) & 255);
    const b = await readBack(encodePlaneTiff(rgb, 4, 3, 3));
    expect(b.img.getSamplesPerPixel()).toBe(3);
    expect(Array.from(b.data)).toEqual(Array.from(rgb));
    const f = Float32Array.from({ length: 6 }, (_, i) => i / 3);
    expect(Array.from((await readBack(encodePlaneTiff(f, 3, 2))).data)).toEqual(Array.from(f));
  });

  it("refuses mismatched sizes and unsupported types", () => {
    expect(() => encodePlaneTiff(new Uint16Array(5), 2, 2)).toThrow(expect.objectContaining({ code: "SHAPE_MISMATCH" }));
    try {
      encodePlaneTiff(new Float64Array(4), 2, 2);
    } catch (e) {
      expect(isHypedError(e, "UNSUPPORTED")).toBe(true);
    }
  });
});

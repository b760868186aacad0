import { fromTyped } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { watershed } from "../watershed.js";

describe("watershed negate option", () => {
  it("flooding with { negate: true } gives exactly the labels of flooding the negated copy, for every option", () => {
    const rows = 41;
    const cols = 57;
    const n = rows * cols;
    let s = 9;
    const r = () => (s = (s * 48271) % 2147483647) / 2147483647;
    // a smooth-ish landscape with plateaus (ties), a mask with holes, 12 markers
    const img = Float64Array.from({ length: n }, (_, i) => Math.round(4 * Math.sin((i % cols) / 5) * Math.cos(i / cols / 4) + r()));
    const mask = Uint8Array.from({ length: n }, () => +(r() > 0.1));
    const markers = new Int32Array(n);
    for (let k = 1; k <= 12; k++) markers[Math.floor(r() * n)] = k;
    const negated = fromTyped(
      Float64Array.from(img, (v) => -v),
      [rows, cols],
    );
    const image = fromTyped(img, [rows, cols]);
    const mk = fromTyped(markers, [rows, cols]);
    const m = fromTyped(mask, [rows, cols]);
    const variants = [
      {},
      { connectivity: 2 as const },
      { watershedLine: true },
      { compactness: 0.3 },
      { costRule: "pathMax" as const },
      { mask: m },
      { mask: m, connectivity: 2 as const, watershedLine: true },
    ];
    for (const v of variants) {
      const want = watershed(negated, mk, v).data;
      expect(watershed(image, mk, { ...v, negate: true }).data, JSON.stringify(Object.keys(v))).toEqual(want);
      // and the option is not a no-op on this landscape
      expect(watershed(image, mk, v).data).not.toEqual(want);
    }
  });
});

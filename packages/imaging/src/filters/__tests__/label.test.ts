import { fromTyped } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { label, labelFlat } from "../label.js";
import { labelPixels } from "./label-pixels.js";

/** Deterministic LCG in [0, 1). */
function rng(seed: number) {
  let s = seed;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

/** A random image: blobs of `values` distinct non-zero values on background 0, with density `p`. */
function randomImage(rows: number, cols: number, p: number, values: number, r: () => number, T: "u8" | "f64" | "i32") {
  const n = rows * cols;
  const a = T === "u8" ? new Uint8Array(n) : T === "i32" ? new Int32Array(n) : new Float64Array(n);
  // coarse cells of random size so runs of every length occur, plus salt
  for (let i = 0; i < n; i++) a[i] = r() < p ? 1 + Math.floor(r() * values) : 0;
  for (let y = 0; y < rows; y++) for (let x = 1; x < cols; x++) if (r() < 0.6) a[y * cols + x] = a[y * cols + x - 1]!;
  for (let y = 1; y < rows; y++) for (let x = 0; x < cols; x++) if (r() < 0.3) a[y * cols + x] = a[(y - 1) * cols + x]!;
  return a;
}

describe("labelFlat (run-based) equals the per-pixel labelling it replaced", () => {
  it("random masks and multi-valued images, both connectivities, many shapes", () => {
    const r = rng(7);
    const shapes = [
      [1, 1],
      [1, 37],
      [37, 1],
      [2, 2],
      [3, 8],
      [8, 3],
      [17, 23],
      [64, 64],
      [5, 129],
    ];
    let cases = 0;
    for (const [rows, cols] of shapes)
      for (const p of [0, 0.05, 0.3, 0.7, 1])
        for (const values of [1, 3])
          for (const T of ["u8", "f64", "i32"] as const)
            for (const conn of [1, 2] as const) {
              const img = randomImage(rows!, cols!, p, values, r, T);
              const want = labelPixels(img, rows!, cols!, conn, 0);
              const got = labelFlat(img, rows!, cols!, conn, 0);
              expect(got.count).toBe(want.count);
              expect(got.labels).toEqual(want.labels);
              cases++;
            }
    expect(cases).toBe(9 * 5 * 2 * 3 * 2);
  });

  it("a non-zero background, uint8 views at every byte offset, and `into` fully overwritten", () => {
    const r = rng(11);
    const rows = 13;
    const cols = 29;
    const n = rows * cols;
    for (let off = 0; off < 8; off++) {
      const buf = new Uint8Array(n + 8);
      buf.set(randomImage(rows, cols, 0.4, 2, r, "u8"), off);
      const img = buf.subarray(off, off + n);
      for (const conn of [1, 2] as const) {
        for (const bg of [0, 1, 2]) {
          const want = labelPixels(img, rows, cols, conn, bg);
          const into = new Int32Array(n).fill(-5);
          const got = labelFlat(img, rows, cols, conn, bg, into);
          expect(got.labels).toBe(into);
          expect(got.count).toBe(want.count);
          expect(got.labels).toEqual(want.labels);
        }
      }
    }
  });

  it("long rows with sparse single pixels (watershed seeds) and full rows", () => {
    const rows = 40;
    const cols = 301;
    const n = rows * cols;
    const r = rng(3);
    const seeds = new Uint8Array(n);
    for (let k = 0; k < 60; k++) seeds[Math.floor(r() * n)] = 1;
    seeds[0] = 1;
    seeds[n - 1] = 1;
    seeds.fill(1, 10 * cols, 11 * cols);
    for (const conn of [1, 2] as const)
      expect(labelFlat(seeds, rows, cols, conn).labels).toEqual(labelPixels(seeds, rows, cols, conn).labels);
  });

  it("label: 8-connected diagonals join, 4-connected do not; raster numbering; NaN pixels stand alone", () => {
    const img = fromTyped(Uint8Array.of(1, 0, 1, 0, 1, 0, 1, 0, 0), [3, 3]);
    expect(Array.from(label(img).data)).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 0]);
    expect(Array.from(label(img, { connectivity: 1 }).data)).toEqual([1, 0, 2, 0, 3, 0, 4, 0, 0]);
    const f = fromTyped(Float64Array.of(Number.NaN, Number.NaN, 2.5, 2.9), [2, 2]);
    expect(Array.from(label(f).data)).toEqual([1, 2, 3, 3]);
  });
});

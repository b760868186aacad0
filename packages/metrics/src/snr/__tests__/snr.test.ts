import { readFileSync } from "node:fs";
import { fromTyped, isHypedError, markBool } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { syntheticPair } from "../../internal/lcg.js";
import { type SnrDefinition, snr, snrStats } from "../index.js";

interface Case {
  rows: number;
  cols: number;
  seed: number;
  image: "noisy" | "clean";
  ddof: number;
  mean_fg: number;
  mean_bg: number;
  std_bg: number;
  [k: string]: number | string;
}
const ref = JSON.parse(readFileSync(new URL("../../../reference/snr/cases.json", import.meta.url), "utf8")) as { cases: Case[] };
const rel = (x: number, y: number) => Math.abs(x - y) / Math.abs(y);

describe("snr agrees with numpy (reference/snr/cases.json)", () => {
  for (const c of ref.cases) {
    it(`${c.image} ${c.rows}x${c.cols} seed ${c.seed} ddof ${c.ddof}`, () => {
      const p = syntheticPair(c.rows, c.cols, c.seed);
      const img = fromTyped(p[c.image], [c.rows, c.cols]);
      const mask = markBool(
        fromTyped(
          Uint8Array.from(p.clean, (v) => (v > 7000 ? 1 : 0)),
          [c.rows, c.cols],
        ),
      );
      const s = snrStats(img, mask, { ddof: c.ddof });
      expect(rel(s.meanForeground, c.mean_fg)).toBeLessThan(1e-12);
      expect(rel(s.meanBackground, c.mean_bg)).toBeLessThan(1e-12);
      expect(rel(s.stdBackground, c.std_bg)).toBeLessThan(1e-12);
      for (const def of ["mean-fg/std-bg", "(mean-fg - mean-bg)/std-bg"] as SnrDefinition[]) {
        expect(rel(snr(img, mask, { definition: def, ddof: c.ddof }), c[def] as number)).toBeLessThan(1e-12);
        expect(rel(snr(img, mask, { definition: def, ddof: c.ddof, unit: "dB" }), c[`${def} dB`] as number)).toBeLessThan(1e-12);
      }
    });
  }

  it("offset invariance: only the contrast definition ignores a constant offset", () => {
    const p = syntheticPair(60, 70, 1);
    const mask = Uint8Array.from(p.clean, (v) => (v > 7000 ? 1 : 0));
    const shifted = Float64Array.from(p.noisy, (v) => 3 * v + 500);
    const d2 = "(mean-fg - mean-bg)/std-bg" as const;
    expect(rel(snr(shifted, mask, { definition: d2 }), snr(p.noisy, mask, { definition: d2 }))).toBeLessThan(1e-12);
    expect(snr(shifted, mask)).not.toBeCloseTo(snr(p.noisy, mask), 3);
  });

  it("typed errors", () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isHypedError(e) ? e.code : "untyped";
      }
      return "none";
    };
    expect(code(() => snr([1, 2, 3], [0, 0, 0]))).toBe("INVALID_ARGUMENT");
    expect(code(() => snr([1, 2, 3], [1, 1, 1]))).toBe("INVALID_ARGUMENT");
    expect(code(() => snr([1, 2, 3], [1, 0]))).toBe("SHAPE_MISMATCH");
    expect(snr([1, 5, 5], [1, 0, 0])).toBe(Number.POSITIVE_INFINITY);
    expect(code(() => snr([0, 5, 5], [1, 0, 0]))).toBe("INVALID_ARGUMENT");
    expect(code(() => snr([0, 5, 7], [1, 0, 0], { definition: "(mean-fg - mean-bg)/std-bg", unit: "dB" }))).toBe("INVALID_ARGUMENT");
    expect(code(() => snr([1, 5, 7], [1, 0, 0], { definition: "nope" as never }))).toBe("INVALID_ARGUMENT");
  });
});

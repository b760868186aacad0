/**
 * The metric table is complete: every row has an exported function, a row kernel or the reason it has
 * none, an accumulator or the reason it has none, and the CLI flags it reads. ARCHITECTURE.md's "adding a
 * metric" walk-through relies on these checks (and on the CLI's own test that its list is this table).
 */
import { readFileSync } from "node:fs";
import { fromTyped } from "@hyped/core";
import { describe, expect, expectTypeOf, it } from "vitest";
import * as metrics from "../index.js";
import { ROW_METRICS } from "../rows/impl.js";
import { isAvailable, METRICS, type MetricName } from "../table.js";

const names = Object.keys(METRICS) as MetricName[];
const a = [0.1, 0.4, 0.35, 0.8, 0.5, 0.2, 0.9, 0.3, 0.6];
const b = [0.12, 0.38, 0.4, 0.7, 0.55, 0.25, 0.85, 0.3, 0.5];

describe("METRICS table", () => {
  it.each(names)("%s: its function is exported from @hyped/metrics under its own name", (name) => {
    const { fn } = METRICS[name];
    expect(typeof fn).toBe("function");
    expect((metrics as Record<string, unknown>)[fn.name]).toBe(fn);
  });

  it.each(names)("%s: description, unit, reference and two named inputs", (name) => {
    const s = METRICS[name];
    for (const text of [s.description, s.unit, s.reference, ...s.inputs]) expect(text.trim().length).toBeGreaterThan(0);
    expect(s.inputs).toHaveLength(2);
  });

  it.each(names)("%s: a row kernel or the reason there is none; rowwise gives the one-shot value", (name) => {
    const { row, fn } = METRICS[name];
    if (!isAvailable(row)) {
      expect(row.none.length).toBeGreaterThan(0);
      return;
    }
    const A = fromTyped(Float64Array.from([...a, ...b]), [2, a.length]);
    const B = fromTyped(Float64Array.from([...b, ...a]), [2, a.length]);
    const got = metrics.rowwise(name as metrics.RowMetric, A, B);
    expect(got[0]).toBe(fn(a, b));
    expect(got[1]).toBe(fn(b, a));
  });

  it.each(names)("%s: an accumulator whose state kind is the metric's name, or the reason there is none", (name) => {
    const { accumulator } = METRICS[name];
    if (!isAvailable(accumulator)) {
      expect(accumulator.none.length).toBeGreaterThan(0);
      return;
    }
    const acc = accumulator();
    expect(acc.count).toBe(0);
    expect(acc.state().kind).toBe(name);
  });

  it("RowMetric, derived from the table, is the union it always was", () => {
    expectTypeOf<metrics.RowMetric>().toEqualTypeOf<
      "mse" | "rmse" | "mae" | "r2" | "cosine" | "pearson" | "spearman" | "euclidean" | "l1"
    >();
    expectTypeOf<metrics.MetricName>().toEqualTypeOf<metrics.RowMetric | "psnr" | "ssim" | "snr">();
  });

  it("the row-wise metrics are exactly the rows with a kernel", () => {
    expect(Object.keys(ROW_METRICS)).toEqual(names.filter((n) => isAvailable(METRICS[n].row)));
  });

  it("the package README lists every metric the CLI takes", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const list = /hyped metrics <([^>]+)>/.exec(readme)?.[1];
    expect(list?.split("|")).toEqual(names);
  });
});

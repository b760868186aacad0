/** `hyped metrics` is built from the metric table of `@hyped/metrics`: its list, its flags, its dispatch. */
import { fromTyped } from "@hyped/core";
import { METRICS } from "@hyped/metrics";
import { describe, expect, it } from "vitest";
import { computeMetric, METRIC_NAMES } from "../commands/metrics.js";
import { createProgram } from "../program.js";

const command = createProgram().commands.find((c) => c.name() === "metrics");

describe("hyped metrics and the metric table", () => {
  it("accepts exactly the table's metrics, in the table's order", () => {
    expect(METRIC_NAMES).toEqual(Object.keys(METRICS));
    for (const name of METRIC_NAMES) expect(command?.description()).toContain(name);
  });

  it("has a flag for every option a table row reads", () => {
    const flags = new Set(command?.options.map((o) => o.attributeName()));
    for (const spec of Object.values(METRICS)) for (const f of spec.cliFlags) expect(flags.has(f), f).toBe(true);
  });

  it("dispatches every paired metric to the table's function", () => {
    const a = fromTyped(new Float64Array([0.1, 0.4, 0.35, 0.8, 0.5, 0.2]), [6]);
    const b = fromTyped(new Float64Array([0.12, 0.38, 0.4, 0.7, 0.55, 0.25]), [6]);
    for (const [name, spec] of Object.entries(METRICS)) {
      if (spec.cliFlags.length > 0) continue; // image metrics: covered with their flags in metrics.test.ts
      expect(computeMetric(name, a, b, { sampleCovariance: true }), name).toBe(spec.fn(a, b));
    }
  });
});

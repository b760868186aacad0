import { describe, expect, it } from "vitest";
import * as program from "../program.js";

// The embeddable API and the command list, spelled out so that changes are deliberate.
describe("@hyped/cli", () => {
  it("program module exports", () => {
    expect(Object.keys(program).sort()).toMatchInlineSnapshot(`
      [
        "VERSION",
        "createProgram",
        "run",
      ]
    `);
  });
  it("commands", () => {
    expect(
      program
        .createProgram()
        .commands.map((c) => c.name())
        .sort(),
    ).toMatchInlineSnapshot(`
      [
        "assemble",
        "convert",
        "czi",
        "demo",
        "denoise-bench",
        "embed",
        "evaluate",
        "frames",
        "h5ad",
        "inspect",
        "merge",
        "metrics",
        "perturb",
        "phases",
        "pipeline",
        "segment",
        "snr",
        "synth",
        "track",
      ]
    `);
  });
});

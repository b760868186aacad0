import { describe, expect, it } from "vitest";
import { PHASE_COLOURS, phaseColour, phaseScale } from "../index.js";

describe("phase palette", () => {
  it("gives FUCCI and scanpy phase names the colour of the same reporter state", () => {
    expect(phaseColour("G1")).toBe(PHASE_COLOURS.G1);
    expect(phaseColour("G2M")).toBe(phaseColour("S/G2/M"));
    expect(phaseColour("S")).toBe(phaseColour("G1/S"));
    expect(new Set(["early-G1/unknown", "G1", "G1/S", "S/G2/M"].map(phaseColour)).size).toBe(4);
    expect(phaseColour("Doublet")).toBe("#9e9e9e");
  });
  it("builds a scale of the phases present only, in order", () => {
    expect(phaseScale(["S/G2/M", "G1", "G1"])).toEqual({ domain: ["S/G2/M", "G1"], range: [PHASE_COLOURS["S/G2/M"], PHASE_COLOURS.G1] });
  });
});

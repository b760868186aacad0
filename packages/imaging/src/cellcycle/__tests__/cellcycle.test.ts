import { fromTyped } from "@hyped/core";
import { PHASE_COLOURS } from "@hyped/core/plot";
import { snr } from "@hyped/metrics";
import { describe, expect, it } from "vitest";
import { CELL_CYCLE_PHASES, classifyCellCycle, frameSnr, phaseDistribution, phaseDistributionRows, smoothAlongTracks } from "../index.js";

describe("classifyCellCycle", () => {
  const objects = { meanIntensity: { mKate: [1000, 1000, 100, 100, 950, 100], TagGFP: [50, 900, 900, 50, 50, 880] } };
  it("follows the Incucyte reporter biology by default", () => {
    const r = classifyCellCycle(objects, { redThreshold: 500, greenThreshold: 500 });
    expect(Array.from(r.phase, (p) => CELL_CYCLE_PHASES[p])).toEqual(["G1", "G1/S", "S/G2/M", "early-G1/unknown", "G1", "S/G2/M"]);
    expect(r.mapping).toBe("incucyte");
  });
  it("offers the paper's (reversed) mapping", () => {
    const r = classifyCellCycle(objects, { redThreshold: 500, greenThreshold: 500, mapping: "paper" });
    expect(Array.from(r.phase, (p) => CELL_CYCLE_PHASES[p])).toEqual(["S/G2/M", "G1/S", "G1", "early-G1/unknown", "S/G2/M", "G1"]);
  });
  it("computes per-channel Otsu thresholds over the objects", () => {
    const r = classifyCellCycle(objects);
    expect(r.thresholds.red).toBeGreaterThanOrEqual(100);
    expect(r.thresholds.red).toBeLessThan(950);
    expect(Array.from(r.phase, (p) => CELL_CYCLE_PHASES[p])).toEqual(["G1", "G1/S", "S/G2/M", "early-G1/unknown", "G1", "S/G2/M"]);
    expect(r.thresholds.green).toBeGreaterThanOrEqual(50);
    expect(r.thresholds.green).toBeLessThan(880);
    expect(r.raw).toEqual(classifyCellCycle(objects, { redThreshold: r.thresholds.red, greenThreshold: r.thresholds.green }).phase);
  });
  it("smooths calls along tracks into cycle order", () => {
    // one track: G1 G1 S/G2/M(glitch) G1 G1/S G1/S S/G2/M S/G2/M
    const calls = Uint8Array.from([1, 1, 3, 1, 2, 2, 3, 3]);
    const out = smoothAlongTracks(calls, { trackId: new Array(8).fill(1), frame: [0, 1, 2, 3, 4, 5, 6, 7] });
    expect(Array.from(out)).toEqual([1, 1, 1, 1, 2, 2, 3, 3]);
    // tracks are smoothed independently and in frame order
    const two = smoothAlongTracks(Uint8Array.from([3, 1, 3, 1]), { trackId: [1, 2, 1, 2], frame: [1, 0, 0, 1] });
    expect(Array.from(two)).toEqual([3, 1, 3, 1]);
  });
  it("names missing channels", () => {
    expect(() => classifyCellCycle({ meanIntensity: { mKate: [1] } })).toThrow(/TagGFP/);
  });
});

describe("phaseDistribution", () => {
  const table = {
    phase: [1, 1, 3, 0, 2, 3, 3, 3],
    time: [0, 0, 0, 0, 1, 1, 0, 1],
    condition: ["a", "a", "a", "a", "a", "a", "b", "b"],
  };
  it("returns tidy rows with every phase per group", () => {
    const rows = phaseDistributionRows(table);
    expect(rows.length).toBe(4 * 4);
    const a0 = rows.filter((r) => r.condition === "a" && r.time === 0);
    expect(a0.map((r) => [r.phase, r.count, r.fraction])).toEqual([
      ["early-G1/unknown", 1, 0.25],
      ["G1", 2, 0.5],
      ["G1/S", 0, 0],
      ["S/G2/M", 1, 0.25],
    ]);
  });
  it("renders a stacked-area SVG faceted by condition", async () => {
    const { rows, svg } = await phaseDistribution(table);
    expect(rows.length).toBe(16);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain("S/G2/M");
    // the shared palette, and a legend without phases that never occur
    expect(svg).toContain(PHASE_COLOURS["S/G2/M"]);
    const noEarly = await phaseDistribution({ phase: [1, 3, 3], time: [0, 1, 2] });
    expect(noEarly.svg).not.toContain("early-G1/unknown");
    expect(noEarly.svg).not.toContain(">G1/S<");
    expect(noEarly.svg).toContain(PHASE_COLOURS.G1);
  }, 30_000);
  it("rejects unknown phases and columns", () => {
    expect(() => phaseDistributionRows({ phase: ["M"], time: [0] })).toThrow(/unknown phase/);
    expect(() => phaseDistributionRows({ phase: [1] }, { by: ["well"] })).toThrow(/well/);
  });
});

describe("frameSnr", () => {
  it("gives each channel the metrics package's snr over the segmentation foreground", () => {
    const Y = 8;
    const X = 8;
    const data = new Uint16Array(2 * Y * X);
    const mask = new Uint8Array(Y * X);
    for (let i = 0; i < Y * X; i++) {
      const fg = i % 8 >= 3 && i % 8 < 6 && i >= 16 && i < 48;
      mask[i] = fg ? 1 : 0;
      data[i] = (fg ? 1000 : 100) + ((i * 7) % 13);
      data[Y * X + i] = (fg ? 300 : 200) + ((i * 5) % 11);
    }
    const frame = fromTyped(data, [2, Y, X]);
    const m = fromTyped(mask, [Y, X]);
    const rows = frameSnr(frame, m, { channelNames: ["mKate", "TagGFP"] });
    expect(rows.map((r) => r.channel)).toEqual(["mKate", "TagGFP"]);
    expect(rows[0]?.snr).toBeCloseTo(snr(fromTyped(data.slice(0, Y * X), [Y, X]), m), 12);
    expect(rows[1]?.snr).toBeCloseTo(snr(fromTyped(data.slice(Y * X), [Y, X]), m), 12);
    const db = frameSnr(frame, m, {
      channelNames: ["mKate", "TagGFP"],
      channels: ["TagGFP"],
      unit: "dB",
      definition: "(mean-fg - mean-bg)/std-bg",
    });
    expect(db.length).toBe(1);
    expect(db[0]?.snr).toBeCloseTo(
      20 * Math.log10(((db[0]?.meanForeground ?? 0) - (db[0]?.meanBackground ?? 0)) / (db[0]?.stdBackground ?? 1)),
      10,
    );
    expect(() => frameSnr(frame, m, { channels: ["Cy5"] })).toThrow(/Cy5/);
  });
});

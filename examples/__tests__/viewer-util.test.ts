/** The viewer's pure helpers: number formatting, display ranges, scale bars and colours. */
import { describe, expect, it } from "vitest";
import { channelColour, formatNumber, formatValue, parseColour, percentileRange, scaleBar, viridis } from "../viewer/util.js";

describe("viewer helpers", () => {
  it("formats floats to 4 significant digits, integers as they are", () => {
    expect(formatNumber(0.1 + 0.2)).toBe("0.3");
    expect(formatNumber(448.5)).toBe("448.5");
    expect(formatNumber(1234.5678)).toBe("1235");
    expect(formatNumber(0.054331234)).toBe("0.05433");
    expect(formatNumber(12345678)).toBe("12345678");
    expect(formatNumber(1.23456e-7)).toBe("1.235e-7");
    expect(formatNumber(2.5e9 + 0.5)).toBe("2.5e+9");
    expect(formatNumber(Number.NaN)).toBe("NA");
    expect(formatValue(null)).toBe("NA");
    expect(formatValue(10n)).toBe("10");
    expect(formatValue(true)).toBe("true");
  });
  it("takes the display range from percentiles, robust to a few hot pixels", () => {
    const data = new Uint16Array(10000).map((_, i) => i % 100);
    data[5] = 60000;
    const [lo, hi] = percentileRange(data);
    expect(lo).toBe(0);
    expect(hi).toBe(99);
    expect(percentileRange(new Float32Array(10).fill(3))).toEqual([3, 4]);
  });
  it("picks a 1-2-5 scale bar no longer than the target", () => {
    // 0.65 µm/px at 1:1, 120 px target: 78 µm fit, so 50 µm (76.9 px)
    const b = scaleBar(0.65, 1);
    expect(b.um).toBe(50);
    expect(b.px).toBeCloseTo(50 / 0.65, 6);
    expect(b.label).toBe("50 µm");
    expect(scaleBar(0.65, 8).um).toBe(5);
    expect(scaleBar(10, 0.05).label).toBe("20 mm");
  });
  it("reads ZEN's ARGB colours and names channels' usual colours", () => {
    expect(parseColour("#FFFF0000")).toEqual([1, 0, 0]);
    expect(parseColour("#0f0")).toEqual([0, 1, 0]);
    expect(parseColour("red")).toBeUndefined();
    expect(channelColour("LED470", 1)).toEqual([0.1, 1, 0.2]);
    expect(channelColour("anything", 0, "#FF00FFFF")).toEqual([0, 1, 1]);
    expect(viridis(0)).toEqual([68, 1, 84]);
    expect(viridis(1)).toEqual([253, 231, 37]);
  });
});

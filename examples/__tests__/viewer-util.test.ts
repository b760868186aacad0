/** The viewer's pure helpers: number formatting, display ranges, scale bars and colours. */
import { describe, expect, it } from "vitest";
import { covers, detailRequest, LatestOnly } from "../viewer/detail.js";
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

describe("zoomed-in reads of an overview", () => {
  const layers = [1, 0.5, 0.25];
  it("reads nothing while the overview has the screen's resolution", () => {
    expect(detailRequest({ x: 0, y: 0, w: 8000, h: 6000 }, 0.15, 0.25, layers, 8000, 6000)).toBeUndefined();
    expect(detailRequest({ x: 0, y: 0, w: 4000, h: 3000 }, 0.25, 0.25, layers, 8000, 6000)).toBeUndefined();
  });
  it("reads the visible region (plus a quarter-view margin, clipped) at the coarsest layer that fits the screen", () => {
    const r = detailRequest({ x: 1000, y: 2000, w: 2400, h: 2000 }, 0.4, 0.25, layers, 8000, 6000);
    expect(r).toEqual({ zoom: 0.5, visible: { x: 1000, y: 2000, w: 2400, h: 2000 }, rect: { x: 400, y: 1500, w: 3600, h: 3000 } });
    // past 1:1: full resolution; a view reaching past the image is clipped to it
    const f = detailRequest({ x: -100.5, y: 5800.2, w: 600, h: 500 }, 2, 0.25, layers, 8000, 6000);
    expect(f).toEqual({ zoom: 1, visible: { x: 0, y: 5800, w: 500, h: 200 }, rect: { x: 0, y: 5675, w: 650, h: 325 } });
    // a file without pyramid levels reads full resolution as soon as the overview is too coarse
    expect(detailRequest({ x: 0, y: 0, w: 1000, h: 1000 }, 0.9, 0.78, [1], 5000, 5000)?.zoom).toBe(1);
    // too large at the layer: no margin, then exactly the screen's scale
    const big = detailRequest({ x: 0, y: 0, w: 6000, h: 6000 }, 0.3, 0.25, layers, 8000, 6000, 4e6);
    expect(big).toEqual({ zoom: 0.3, visible: { x: 0, y: 0, w: 6000, h: 6000 }, rect: { x: 0, y: 0, w: 6000, h: 6000 } });
  });
  it("reuses a read that covers the view at the same scale", () => {
    const have = detailRequest({ x: 1000, y: 1000, w: 600, h: 500 }, 2, 0.25, layers, 8000, 6000);
    expect(covers(have, detailRequest({ x: 1100, y: 1050, w: 600, h: 500 }, 2, 0.25, layers, 8000, 6000))).toBe(true);
    expect(covers(have, detailRequest({ x: 1400, y: 1050, w: 600, h: 500 }, 2, 0.25, layers, 8000, 6000))).toBe(false);
    expect(covers(have, detailRequest({ x: 1000, y: 1000, w: 3000, h: 2500 }, 0.4, 0.25, layers, 8000, 6000))).toBe(false);
  });
  it("runs only the newest request: a burst starts one read, a running read is aborted by the next", async () => {
    const q = new LatestOnly<number>(20);
    const started: number[] = [];
    const abortedRuns: number[] = [];
    const run = (k: number, ms: number) => (signal: AbortSignal) =>
      new Promise<number>((ok, fail) => {
        started.push(k);
        const t = setTimeout(() => ok(k), ms);
        signal.addEventListener("abort", () => {
          clearTimeout(t);
          abortedRuns.push(k);
          fail(new Error("aborted"));
        });
      });
    const burst = [1, 2, 3].map((k) => q.request(run(k, 50)));
    await new Promise((ok) => setTimeout(ok, 40)); // 3 has started
    const last = q.request(run(4, 10));
    expect(await Promise.all([...burst, last])).toEqual([undefined, undefined, undefined, 4]);
    expect(started).toEqual([3, 4]);
    expect(abortedRuns).toEqual([3]);
    expect(q.aborted).toBe(1);
    // an error of a read that was not aborted is the caller's
    await expect(q.request(() => Promise.reject(new Error("corrupt tile")))).rejects.toThrow("corrupt tile");
  });
});

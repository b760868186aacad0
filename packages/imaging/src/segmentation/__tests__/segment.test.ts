import { isHypedError, zeros } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { segmentFrame } from "../index.js";

/** A 4-channel uint16 frame with `cells` discs (radius 6) in mKate/TagGFP on a noisy background. */
function frame(H: number, W: number, cells: [number, number][], cxy = false) {
  const f = zeros("uint16", cxy ? [4, W, H] : [4, H, W]);
  let s = 7;
  const rnd = () => (s = (s * 48271) % 2147483647) / 2147483647;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      let v = 200 + rnd() * 40;
      for (const [cy, cx] of cells) if ((y - cy) ** 2 + (x - cx) ** 2 <= 36) v += 4000;
      const set = (c: number, val: number) => (cxy ? f.set(c, x, y, val) : f.set(c, y, x, val));
      set(0, 100);
      set(1, v);
      set(2, v / 2);
      set(3, 50);
    }
  return f;
}

describe("segmentFrame", () => {
  const cells: [number, number][] = [
    [20, 20],
    [20, 60],
    [50, 30],
    [50, 41], // touches the previous one: the watershed must split them
    [70, 70],
  ];
  it("finds each nucleus, splits touching ones and reports the table", () => {
    const r = segmentFrame(frame(90, 100, cells));
    expect(r.objects.id.length).toBe(5);
    expect(r.labels.shape).toEqual([90, 100]);
    for (const [cy, cx] of cells) {
      const k = Array.from(r.objects.id).findIndex(
        (_, i) => Math.hypot(r.objects.centroidRow[i]! - cy, r.objects.centroidCol[i]! - cx) < 2.5,
      );
      expect(k, `cell at ${cy},${cx}`).toBeGreaterThanOrEqual(0);
      expect(r.objects.meanIntensity.mKate![k]).toBeGreaterThan(3000);
      expect(r.objects.meanIntensity.Cy5![k]).toBe(100);
    }
    const totalArea = r.objects.area.reduce((a, b) => a + b, 0);
    let fg = 0;
    for (const v of r.mask.data as Uint8Array) fg += v;
    expect(totalArea).toBe(fg);
    expect(r.clipHigh.mKate).toBeGreaterThan(200);
  });
  it("accepts (C, X, Y) frames with layout CXY", () => {
    const a = segmentFrame(frame(90, 100, cells));
    const b = segmentFrame(frame(90, 100, cells, true), { layout: "CXY" });
    expect(Array.from(b.labels.data as Int32Array)).toEqual(Array.from(a.labels.data as Int32Array));
  });
  it("validates channels and honours cancellation", () => {
    const f = frame(30, 30, [[15, 15]]);
    expect(() => segmentFrame(f, { channelNames: ["a", "b"] })).toThrow(/channels/);
    try {
      segmentFrame(f, { nuclearChannels: ["nope"] });
    } catch (e) {
      expect(isHypedError(e, "NOT_FOUND")).toBe(true);
    }
    const ac = new AbortController();
    ac.abort();
    expect(() => segmentFrame(f, { signal: ac.signal })).toThrow(/cancelled/);
    const steps: number[] = [];
    segmentFrame(f, { onProgress: (p) => steps.push(p.done) });
    expect(steps.at(-1)).toBe(6);
  });
});

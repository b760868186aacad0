import { describe, expect, it } from "vitest";
import { generateFucciTimelapse, renderFucciFrame, simulateFucci } from "../index.js";

describe("simulateFucci", () => {
  const sim = simulateFucci({ seed: 3, frames: 30, cycleFrames: 12 });
  it("keeps a consistent lineage", () => {
    const L = sim.lineage;
    const byId = new Map(Array.from(L.id, (id, i) => [id, i]));
    let divisions = 0;
    for (let i = 0; i < L.id.length; i++) {
      const p = L.parent[i] as number;
      if (p > 0) {
        const pi = byId.get(p) as number;
        expect(L.start[i]).toBe((L.end[pi] as number) + 1);
        expect(L.generation[i]).toBe((L.generation[pi] as number) + 1);
        expect(L.divides[pi]).toBe(1);
      } else expect(L.start[i]).toBe(0);
      divisions += L.divides[i] as number;
    }
    expect(divisions).toBeGreaterThan(10);
    // every track has one row per frame of its life
    const rows = new Map<number, number>();
    for (const id of sim.cells.trackId) rows.set(id, (rows.get(id) ?? 0) + 1);
    for (let i = 0; i < L.id.length; i++) expect(rows.get(L.id[i] as number)).toBe((L.end[i] as number) - (L.start[i] as number) + 1);
  });
  it("walks through the phases in order with Incucyte-like reporter levels", () => {
    const c = sim.cells;
    const byPhase = [0, 1, 2, 3].map(() => ({ red: 0, green: 0, n: 0 }));
    for (let i = 0; i < c.trackId.length; i++) {
      if ((c.transitionDistance[i] as number) < 0.5) continue;
      const b = byPhase[c.phase[i] as number] as { red: number; green: number; n: number };
      b.red += c.red[i] as number;
      b.green += c.green[i] as number;
      b.n++;
    }
    const m = byPhase.map((b) => ({ red: b.red / b.n, green: b.green / b.n }));
    expect(m[1]?.red).toBeGreaterThan(0.8); // G1: red
    expect(m[1]?.green).toBeLessThan(0.1);
    expect(m[2]?.red).toBeGreaterThan(0.6); // G1/S: both
    expect(m[2]?.green).toBeGreaterThan(0.5);
    expect(m[3]?.red).toBeLessThan(0.1); // S/G2/M: green
    expect(m[3]?.green).toBeGreaterThan(0.8);
    expect(m[0]?.red).toBeLessThan((m[1]?.red as number) - 0.2); // early G1: both low (red well below G1)
    expect(m[0]?.green).toBeLessThan(0.1);
  });
  it("differs between condition presets", () => {
    const a = simulateFucci({ seed: 1, frames: 40, cycleFrames: 20 });
    const b = simulateFucci({ seed: 1, frames: 40, cycleFrames: 20, arrestFraction: 1 });
    expect(b.lineage.divides.reduce((s, v) => s + v, 0)).toBe(0);
    expect(a.lineage.divides.reduce((s, v) => s + v, 0)).toBeGreaterThan(10);
  });
  it("rejects impossible options", () => {
    expect(() => simulateFucci({ cells: 5000, height: 64, width: 64 })).toThrow(/cannot place/);
    expect(() => simulateFucci({ frames: 0 })).toThrow(/frames/);
  });
});

describe("renderFucciFrame / generateFucciTimelapse", () => {
  const tl = generateFucciTimelapse({ seed: 11, frames: 3, height: 96, width: 128, cells: 8 });
  it("gives 14-bit uint16 frames [T, C, Y, X] and uint16 truth labels [T, Y, X]", () => {
    expect(tl.frames.shape).toEqual([3, 4, 96, 128]);
    expect(tl.labels.shape).toEqual([3, 96, 128]);
    expect(tl.frames.data).toBeInstanceOf(Uint16Array);
    expect(tl.channels).toEqual(["Cy5", "mKate", "TagGFP", "Oblique"]);
    let max = 0;
    for (const v of tl.frames.data as Uint16Array) max = Math.max(max, v);
    expect(max).toBeLessThanOrEqual(16383);
    expect(max).toBeGreaterThan(1000);
  });
  it("labels every nucleus with its track id, centred on the truth position", () => {
    const sim = tl.simulation;
    for (let t = 0; t < 3; t++) {
      for (let i = sim.frameOffsets[t] as number; i < (sim.frameOffsets[t + 1] as number); i++) {
        const id = sim.cells.trackId[i] as number;
        let n = 0;
        let sx = 0;
        let sy = 0;
        for (let y = 0; y < 96; y++) {
          for (let x = 0; x < 128; x++) {
            if (tl.labels.get(t, y, x) === id) {
              n++;
              sx += x;
              sy += y;
            }
          }
        }
        expect(n).toBeGreaterThan(50);
        expect(Math.abs(sx / n - (sim.cells.x[i] as number))).toBeLessThan(0.6);
        expect(Math.abs(sy / n - (sim.cells.y[i] as number))).toBeLessThan(0.6);
      }
    }
  });
  it("is reproducible, and a window equals the same crop of the full frame", () => {
    const again = generateFucciTimelapse({ seed: 11, frames: 3, height: 96, width: 128, cells: 8 });
    expect(Buffer.from(again.frames.data.buffer).equals(Buffer.from(tl.frames.data.buffer))).toBe(true);
    const win = renderFucciFrame(tl.simulation, 2, { region: { x: 30, y: 17, width: 50, height: 41 } });
    for (let c = 0; c < 4; c++) {
      for (let y = 0; y < 41; y++) for (let x = 0; x < 50; x++) expect(win.image.get(c, y, x)).toBe(tl.frames.get(2, c, y + 17, x + 30));
    }
  });
  it("has Poisson–Gaussian noise: background variance ≈ gain × (mean − offset) + read²", () => {
    const sim = simulateFucci({ seed: 2, frames: 1, height: 64, width: 64, cells: 0 });
    const f = renderFucciFrame(sim, 0, { channels: ["TagGFP"], gain: 2, readNoise: 4, offset: 100, background: { TagGFP: 250 } });
    let s = 0;
    let s2 = 0;
    for (const v of f.image.data as Uint16Array) {
      s += v;
      s2 += v * v;
    }
    const n = f.image.data.length;
    const mean = s / n;
    const variance = s2 / n - mean * mean;
    expect(mean).toBeCloseTo(350, 0);
    expect(variance / (2 * 250 + 16)).toBeGreaterThan(0.9);
    expect(variance / (2 * 250 + 16)).toBeLessThan(1.1);
  });
  it("rejects bad frames and windows", () => {
    expect(() => renderFucciFrame(tl.simulation, 3)).toThrow(/outside/);
    expect(() => renderFucciFrame(tl.simulation, 0, { region: { x: 100, y: 0, width: 50, height: 10 } })).toThrow(/not inside/);
  });
});

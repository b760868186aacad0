import { Random as Rng } from "@hyped/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { simulateFucci } from "../../synth/simulate.js";
import {
  ctcLineage,
  ctcMaskName,
  ctcRelabel,
  encodeCtc,
  encodeCtcMask,
  evaluateTracking,
  evaluateTrackingByObject,
  evaluateTrackingMasks,
  kalmanInit,
  kalmanPositionVarianceAfter,
  kalmanPredict,
  kalmanUpdate,
  solveSparseAssignment,
  tableRows,
  trackCells,
} from "../index.js";

describe("Kalman filter", () => {
  it("learns a constant velocity", () => {
    const s = kalmanInit(0, 0, 1, 3);
    for (let t = 1; t <= 20; t++) {
      kalmanPredict(s, 0.5);
      kalmanUpdate(s, 2 * t, -t, 1);
    }
    expect(s.vx).toBeCloseTo(2, 1);
    expect(s.vy).toBeCloseTo(-1, 1);
  });
  it("closed-form variance after n predictions equals n predict steps", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.double({ min: 0.1, max: 5, noNaN: true }), (n, a) => {
        const s = kalmanInit(0, 0, 1.3, 2);
        kalmanPredict(s, a);
        kalmanUpdate(s, 1, 1, 1.3);
        const want = { ...s };
        for (let i = 0; i < n; i++) kalmanPredict(want, a);
        expect(kalmanPositionVarianceAfter(s, n, a)).toBeCloseTo(want.p00, 9);
      }),
    );
  });
});

describe("solveSparseAssignment", () => {
  it("is optimal (brute force on small problems)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 16, maxLength: 16 }),
        fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
        fc.array(fc.double({ min: 0.5, max: 6, noNaN: true }), { minLength: 8, maxLength: 8 }),
        (nL, nR, costs, present, alone) => {
          const cands: { left: number; right: number; cost: number }[] = [];
          for (let i = 0; i < nL; i++)
            for (let j = 0; j < nR; j++) if (present[i * 4 + j]) cands.push({ left: i, right: j, cost: costs[i * 4 + j] as number });
          const la = alone.slice(0, nL);
          const ra = alone.slice(4, 4 + nR);
          const sol = solveSparseAssignment(nL, nR, cands, la, ra);
          // brute force over all partial matchings
          let best = Number.POSITIVE_INFINITY;
          const usedR = new Array<boolean>(nR).fill(false);
          const rec = (i: number, acc: number) => {
            if (i === nL) {
              let c = acc;
              for (let j = 0; j < nR; j++) if (!usedR[j]) c += ra[j] as number;
              best = Math.min(best, c);
              return;
            }
            rec(i + 1, acc + (la[i] as number));
            for (const e of cands) {
              if (e.left !== i || usedR[e.right]) continue;
              usedR[e.right] = true;
              rec(i + 1, acc + e.cost);
              usedR[e.right] = false;
            }
          };
          rec(0, 0);
          expect(sol.cost).toBeCloseTo(best, 9);
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** Two cells; the first divides at frame 5; the second is missed in frames 6–7 (a gap). */
function toyMovie() {
  const frames = [];
  for (let t = 0; t < 12; t++) {
    const x: number[] = [];
    const y: number[] = [];
    const area: number[] = [];
    if (t < 5) {
      x.push(50 + t);
      y.push(50);
      area.push(300);
    } else {
      x.push(44 + t, 60 + t);
      y.push(50 - 0.3 * t, 50 + 0.3 * t);
      area.push(150, 150);
    }
    if (t !== 6 && t !== 7) {
      x.push(150 - 1.5 * t);
      y.push(120);
      area.push(200);
    }
    frames.push({ x, y, area });
  }
  return frames;
}

describe("trackCells", () => {
  it("links a division with parent–child links and closes a 2-frame gap", () => {
    const r = trackCells(toyMovie(), { fieldSize: [200, 200] });
    expect(r.summary.divisions).toBe(1);
    expect(r.summary.gapsClosed).toBe(1);
    expect(r.lineage.id.length).toBe(4);
    const rows = tableRows(r.lineage);
    const mother = rows.find((l) => l.children === 2);
    expect(mother).toMatchObject({ start: 0, end: 4, parent: 0, generation: 0 });
    const kids = rows.filter((l) => l.parent === mother?.id);
    expect(kids.map((k) => [k.start, k.end, k.generation])).toEqual([
      [5, 11, 1],
      [5, 11, 1],
    ]);
    const walker = rows.find((l) => l.start === 0 && l.end === 11);
    expect(walker).toMatchObject({ length: 10, parent: 0 });
    // tracks table columns agree with the lineage
    for (let i = 0; i < r.tracks.trackId.length; i++) {
      const l = rows[(r.tracks.trackId[i] as number) - 1];
      expect(r.tracks.parent[i]).toBe(l?.parent);
      expect(r.tracks.generation[i]).toBe(l?.generation);
    }
    // objectTrack maps every object to its track
    expect(r.objectTrack.every((f) => f.every((v) => v > 0))).toBe(true);
  });

  it("without the global step, divisions and gaps stay unlinked", () => {
    const r = trackCells(toyMovie(), { globalOptimisation: false });
    expect(r.summary.divisions).toBe(0);
    expect(r.lineage.parent.every((p) => p === 0)).toBe(true);
  });

  it("accepts regionProps-style columns and empty frames", () => {
    const r = trackCells([
      { centroidCol: [10], centroidRow: [10], label: [7] },
      { x: [], y: [] },
      { centroidCol: [11], centroidRow: [10], label: [3] },
    ]);
    expect(Array.from(r.tracks.objectId)).toEqual([7, 3]);
    expect(r.lineage.id.length).toBe(1);
  });

  it("rejects bad input with typed errors", () => {
    expect(() => trackCells([{ id: [1] }])).toThrow(/x\/y/);
    expect(() => trackCells([{ x: [1, 2], y: [1] }])).toThrow(/rows/);
    expect(() => trackCells([{ x: [Number.NaN], y: [1] }])).toThrow(/non-finite/);
    expect(() => trackCells([], { pLost: 2 })).toThrow(/pLost/);
    const ac = new AbortController();
    ac.abort();
    expect(() => trackCells(toyMovie(), { signal: ac.signal })).toThrow(/cancelled/);
  });

  it("tracks simulated nuclei (jittered truth positions, 2% missed) with TRA ≥ 0.97 and ≥ 85% of divisions", () => {
    const sim = simulateFucci({ seed: 21, cells: 40, frames: 30, height: 320, width: 320, cycleFrames: 20 });
    const rng = new Rng(4);
    const frames = [];
    for (let t = 0; t < sim.frames; t++) {
      const x: number[] = [];
      const y: number[] = [];
      const id: number[] = [];
      const area: number[] = [];
      for (let i = sim.frameOffsets[t] as number; i < (sim.frameOffsets[t + 1] as number); i++) {
        if (rng.random() < 0.02) continue;
        x.push((sim.cells.x[i] as number) + rng.normal(0, 0.5));
        y.push((sim.cells.y[i] as number) + rng.normal(0, 0.5));
        id.push(sim.cells.trackId[i] as number);
        area.push(Math.PI * (sim.cells.major[i] as number) * (sim.cells.minor[i] as number));
      }
      frames.push({ x, y, id, area });
    }
    const r = trackCells(frames, { fieldSize: [320, 320] });
    const score = evaluateTrackingByObject(
      { trackId: sim.cells.trackId, frame: sim.cells.frame, lineage: sim.lineage },
      { ...r.tracks, lineage: r.lineage },
      (_f, oid) => oid,
    );
    console.log(
      `simulated points: TRA ${score.tra.toFixed(4)}, divisions ${score.divisions.found}/${score.divisions.truth}, ops ${JSON.stringify(score.counts)}`,
    );
    expect(score.tra).toBeGreaterThan(0.97);
    expect(score.divisions.recall).toBeGreaterThan(0.85);
  });

  it("keeps divisions in every part of a non-square field, and rejects a swapped [width, height] field size", () => {
    // A tall field: with [width, height] the bottom rows would sit "outside" the field, where tracks may end
    // and start for free, and their divisions would turn into terminations + initialisations.
    const sim = simulateFucci({ seed: 5, cells: 30, frames: 24, height: 400, width: 240, cycleFrames: 14 });
    const frames = Array.from({ length: sim.frames }, (_, t) => {
      const lo = sim.frameOffsets[t] as number;
      const hi = sim.frameOffsets[t + 1] as number;
      return {
        x: sim.cells.x.slice(lo, hi),
        y: sim.cells.y.slice(lo, hi),
        id: sim.cells.trackId.slice(lo, hi),
        area: Float64Array.from(
          { length: hi - lo },
          (_, k) => Math.PI * (sim.cells.major[lo + k] as number) * (sim.cells.minor[lo + k] as number),
        ),
      };
    });
    const r = trackCells(frames, { fieldSize: [400, 240] });
    const score = evaluateTrackingByObject(
      { trackId: sim.cells.trackId, frame: sim.cells.frame, lineage: sim.lineage },
      { ...r.tracks, lineage: r.lineage },
      (_f, oid) => oid,
    );
    const lowRows = [...sim.lineage.id].filter(
      (id, i) => sim.lineage.divides[i] && sim.cells.y[[...sim.cells.trackId].lastIndexOf(id)]! > 240,
    );
    console.log(`tall field: divisions ${score.divisions.found}/${score.divisions.truth} (${lowRows.length} below row 240)`);
    expect(lowRows.length).toBeGreaterThan(3);
    expect(score.divisions.recall).toBeGreaterThanOrEqual(0.9);
    expect(() => trackCells(frames, { fieldSize: [240, 400] })).toThrow(/outside fieldSize \[height 240, width 400\]/);
  });
});

describe("evaluateTracking (AOGM / TRA)", () => {
  const truth = { trackId: [1, 1, 1, 2, 2, 3, 3], frame: [0, 1, 2, 3, 4, 3, 4], lineage: { id: [1, 2, 3], parent: [0, 1, 1] } };
  it("scores a perfect result as 1", () => {
    const s = evaluateTracking(truth, truth, (tr) => [tr]);
    expect(s.tra).toBe(1);
    expect(s.divisions).toMatchObject({ truth: 1, found: 1, recall: 1, precision: 1 });
    expect(s.aogm0).toBe(10 * 7 + 1.5 * 6);
  });
  it("counts a missed division link and a missing node", () => {
    // result: track 3 has no parent, and the node of track 2 at frame 4 is missing
    const res = { trackId: [1, 1, 1, 2, 3, 3], frame: [0, 1, 2, 3, 3, 4], lineage: { id: [1, 2, 3], parent: [0, 1, 0] } };
    const s = evaluateTracking(truth, res, (tr) => [tr]);
    expect(s.counts).toEqual({ ns: 0, fn: 1, fp: 0, ed: 0, ea: 2, ec: 0 });
    expect(s.aogm).toBe(10 + 3);
    expect(s.divisions.found).toBe(0);
  });
  it("matches label images by the more-than-half rule", () => {
    // 1x4 frames; truth object 1 covers pixels 0-1, result object 9 covers pixels 1-3 (half of truth only)
    const t = evaluateTrackingMasks(
      { labels: [[1, 1, 0, 0]], lineage: { id: [1], parent: [0] } },
      { labels: [[0, 9, 9, 9]], lineage: { id: [9], parent: [0] } },
    );
    expect(t.counts).toMatchObject({ fn: 1, fp: 1 });
    const u = evaluateTrackingMasks(
      { labels: [[1, 1, 0, 0]], lineage: { id: [1], parent: [0] } },
      { labels: [[9, 9, 9, 0]], lineage: { id: [9], parent: [0] } },
    );
    expect(u.tra).toBe(1);
  });
});

describe("encodeCtc", () => {
  it("writes res_track.txt and 16-bit masks that read back, splitting gap tracks into parent-linked segments", async () => {
    const { fromArrayBuffer } = await import("geotiff");
    // 3 frames of 4x4; object 5 in frames 0 and 2 (a gap), object 7 everywhere
    const mk = (a: number[]) => ({ data: Uint16Array.from(a), shape: [4, 4] });
    const f0 = mk([5, 5, 0, 0, 0, 0, 0, 0, 0, 0, 7, 7, 0, 0, 7, 7]);
    const f1 = mk([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 7, 0, 0, 7, 7]);
    const f2 = mk([5, 5, 0, 0, 0, 0, 0, 0, 0, 0, 7, 7, 0, 0, 7, 7]);
    const objs = [
      { x: [0.5, 2.5], y: [0, 2.5], id: [5, 7] },
      { x: [2.5], y: [2.5], id: [7] },
      { x: [0.5, 2.5], y: [0, 2.5], id: [5, 7] },
    ];
    const r = trackCells(objs, { maxSearchRadius: 3, divisions: false });
    const ctc = encodeCtc(r, [f0, f1, f2]);
    expect(ctc.resTrack.trim().split("\n")).toEqual(["1 0 0 0", "2 2 2 1", "3 0 2 0"]);
    expect(ctc.masks.map((m) => m.name)).toEqual(["mask000.tif", "mask001.tif", "mask002.tif"]);
    const tiff = await fromArrayBuffer(ctc.masks[2]?.data.slice().buffer as ArrayBuffer);
    const img = await tiff.getImage();
    const [band] = (await img.readRasters()) as unknown as Uint16Array[];
    expect(img.getBitsPerSample()).toBe(16);
    expect(Array.from(band as Uint16Array)).toEqual([2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 3, 3]);
    // without the TIFFs: same lineage and relabelled frames
    const bare = encodeCtc(r, [f0, f1, f2], { masks: false });
    expect(bare.masks).toEqual([]);
    expect(bare.resTrack).toBe(ctc.resTrack);
    expect(bare.labels).toEqual(ctc.labels);
    // frame at a time (what the pipeline does): the same lineage, labels and mask bytes
    const lin = ctcLineage(r);
    expect(lin.resTrack).toBe(ctc.resTrack);
    [f0, f1, f2].forEach((f, t) => {
      const l = ctcRelabel(f.data, lin.labelOf[t] as Map<number, number>);
      expect(l).toEqual(ctc.labels[t]);
      expect(encodeCtcMask(l, 4, 4)).toEqual(ctc.masks[t]?.data);
      expect(ctcMaskName(t, 1000)).toBe(`mask000${t}.tif`);
    });
    expect(() => encodeCtcMask(new Uint16Array(3), 4, 4)).toThrow(/SHAPE_MISMATCH|3 labels/);
  });

  it("writes masks that geotiff reads at a non-square size with large labels", async () => {
    const { fromArrayBuffer } = await import("geotiff");
    const labels = Uint16Array.from({ length: 5 * 7 }, (_, i) => (i * 7919) % 65536);
    const b = encodeCtcMask(labels, 5, 7);
    const img = await (await fromArrayBuffer(b.slice().buffer as ArrayBuffer)).getImage();
    expect([img.getWidth(), img.getHeight()]).toEqual([7, 5]);
    const [band] = (await img.readRasters()) as unknown as Uint16Array[];
    expect(Array.from(band as Uint16Array)).toEqual(Array.from(labels));
  });
});

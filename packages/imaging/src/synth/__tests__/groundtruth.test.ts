/**
 * Ground-truth accuracy of the whole imaging pipeline on the synthetic FUCCI time-lapse:
 * segmentFrame → trackCells → classifyCellCycle, scored against the generator's truth.
 */
import { describe, expect, it } from "vitest";
import { classifyCellCycle } from "../../cellcycle/classify.js";
import { frameSnr } from "../../cellcycle/snr.js";
import { segmentFrame } from "../../segmentation/index.js";
import { encodeCtc } from "../../tracking/ctc.js";
import { evaluateTrackingMasks } from "../../tracking/evaluate.js";
import { trackCells } from "../../tracking/track.js";
import { generateFucciTimelapse } from "../render.js";
import { scoreSegmentation } from "../score.js";

describe("ground truth: synthetic FUCCI time-lapse (256x256, 20 frames)", () => {
  const tl = generateFucciTimelapse({ seed: 2024, frames: 20, height: 256, width: 256, cells: 32, cycleFrames: 16 });
  const [T, , Y, X] = tl.frames.shape as [number, number, number, number];
  const sim = tl.simulation;
  const segs = Array.from({ length: T }, (_, t) => segmentFrame(tl.frames.pick(t, null, null, null) as never));
  const truthFrames = Array.from({ length: T }, (_, t) => tl.labels.data.subarray(t * Y * X, (t + 1) * Y * X));
  const tracking = trackCells(
    segs.map((s) => s.objects),
    { fieldSize: [Y, X] },
  );

  it("segmentation F1 ≥ 0.95 at IoU 0.5", () => {
    const s = scoreSegmentation(
      truthFrames,
      segs.map((r) => r.labels.data),
    );
    console.log(
      `segmentation: F1 ${s.f1.toFixed(4)} (precision ${s.precision.toFixed(4)}, recall ${s.recall.toFixed(4)}, TP ${s.tp}, FP ${s.fp}, FN ${s.fn}, mean IoU ${s.meanMatchedIou.toFixed(3)})`,
    );
    expect(s.f1).toBeGreaterThanOrEqual(0.95);
  });

  it("tracking TRA ≥ 0.95 with ≥ 90% of divisions found (scored on the CTC export)", () => {
    const ctc = encodeCtc(
      tracking,
      segs.map((s) => s.labels),
    );
    expect(ctc.masks.length).toBe(T);
    expect(ctc.masks[0]?.name).toBe("mask000.tif");
    const score = evaluateTrackingMasks(
      { labels: truthFrames, lineage: sim.lineage },
      { labels: ctc.labels, lineage: { id: ctc.tracks.label, parent: ctc.tracks.parent } },
    );
    console.log(
      `tracking: TRA ${score.tra.toFixed(4)} (AOGM ${score.aogm} of ${score.aogm0}; ops ${JSON.stringify(score.counts)}); divisions found ${score.divisions.found}/${score.divisions.truth} (precision ${score.divisions.precision.toFixed(3)}); ${JSON.stringify(tracking.summary)}`,
    );
    expect(score.divisions.truth).toBeGreaterThanOrEqual(20);
    expect(score.tra).toBeGreaterThanOrEqual(0.95);
    expect(score.divisions.recall).toBeGreaterThanOrEqual(0.9);
  });

  it("phase accuracy ≥ 0.95 on cells away from transitions", () => {
    // objects of all frames in one table, with their track ids for smoothing
    const red: number[] = [];
    const green: number[] = [];
    const trackId: number[] = [];
    const frame: number[] = [];
    const truthPhase: number[] = [];
    const far: boolean[] = [];
    const truthIndex = new Map<string, number>();
    for (let i = 0; i < sim.cells.trackId.length; i++) truthIndex.set(`${sim.cells.frame[i]}:${sim.cells.trackId[i]}`, i);
    segs.forEach((s, t) => {
      const lab = truthFrames[t] as Uint16Array;
      s.objects.id.forEach((_id, k) => {
        // the truth cell under the object's centroid
        const y = Math.round(s.objects.centroidRow[k] as number);
        const x = Math.round(s.objects.centroidCol[k] as number);
        const g = lab[y * X + x] as number;
        const ti = truthIndex.get(`${t}:${g}`);
        if (!g || ti === undefined) return;
        red.push(s.objects.meanIntensity.mKate?.[k] as number);
        green.push(s.objects.meanIntensity.TagGFP?.[k] as number);
        trackId.push((tracking.objectTrack[t] as Int32Array)[k] as number);
        frame.push(t);
        truthPhase.push(sim.cells.phase[ti] as number);
        far.push((sim.cells.transitionDistance[ti] as number) >= 1.5);
      });
    });
    const calls = classifyCellCycle({ mKate: red, TagGFP: green }, { smooth: { trackId, frame } });
    let n = 0;
    let ok = 0;
    let okRaw = 0;
    for (let i = 0; i < truthPhase.length; i++) {
      if (!far[i]) continue;
      n++;
      if (calls.phase[i] === truthPhase[i]) ok++;
      if (calls.raw[i] === truthPhase[i]) okRaw++;
    }
    console.log(
      `phases: accuracy ${(ok / n).toFixed(4)} smoothed, ${(okRaw / n).toFixed(4)} raw, on ${n} objects ≥ 1.5 frames from a transition; thresholds red ${calls.thresholds.red.toFixed(0)}, green ${calls.thresholds.green.toFixed(0)}`,
    );
    expect(n).toBeGreaterThan(300);
    expect(ok / n).toBeGreaterThanOrEqual(0.95);
    expect(okRaw / n).toBeGreaterThanOrEqual(0.95);
  });

  it("SNR per channel from the segmentation foreground", () => {
    const rows = frameSnr(tl.frames.pick(5, null, null, null) as never, segs[5]?.mask as never, {
      channelNames: tl.channels,
      definition: "(mean-fg - mean-bg)/std-bg",
    });
    console.log(`SNR (contrast form) frame 5: ${rows.map((r) => `${r.channel} ${r.snr.toFixed(2)}`).join(", ")}`);
    const by = Object.fromEntries(rows.map((r) => [r.channel, r]));
    expect(by.mKate?.snr).toBeGreaterThan(by.Oblique?.snr as number);
    expect(by.mKate?.meanForeground).toBeGreaterThan(by.mKate?.meanBackground as number);
  });
});

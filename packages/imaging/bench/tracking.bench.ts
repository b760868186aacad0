/**
 * `pnpm bench tracking`: trackCells on 200 frames x ~2,000 cells (target: under 60 s), detections taken from
 * the synthetic FUCCI simulation (0.5 px centroid noise, 1% missed), scored with CTC TRA against the truth.
 * The peer would be btrack, which Debian does not package: the bench says so instead of printing a ratio.
 */
import { Random as Rng } from "@hyped/core";
import { evaluateTrackingByObject, type FrameObjects, simulateFucci, trackCells } from "@hyped/imaging";
import { peakRssMiB, pythonWith, report } from "../../../scripts/bench-utils.js";

const FRAMES = 200;
const H = 2826;
const W = 3245;
let t0 = performance.now();
const sim = simulateFucci({ seed: 7, frames: FRAMES, height: H, width: W, cells: 1800, cycleFrames: 700, speed: 1.5 });
const simMs = performance.now() - t0;
const rng = new Rng(1);
const frames: FrameObjects[] = [];
let total = 0;
for (let t = 0; t < FRAMES; t++) {
  const x: number[] = [];
  const y: number[] = [];
  const id: number[] = [];
  const area: number[] = [];
  for (let i = sim.frameOffsets[t] as number; i < (sim.frameOffsets[t + 1] as number); i++) {
    if (rng.random() < 0.01) continue;
    x.push((sim.cells.x[i] as number) + rng.normal(0, 0.5));
    y.push((sim.cells.y[i] as number) + rng.normal(0, 0.5));
    id.push(sim.cells.trackId[i] as number);
    area.push(Math.PI * (sim.cells.major[i] as number) * (sim.cells.minor[i] as number));
  }
  total += x.length;
  frames.push({ x, y, id, area });
}
console.log(
  `simulated ${FRAMES} frames of ${H}x${W}: ${total} detections (${(total / FRAMES).toFixed(0)} cells/frame on average), ${sim.lineage.divides.reduce((a, b) => a + b, 0)} divisions, in ${(simMs / 1000).toFixed(1)} s`,
);

t0 = performance.now();
const res = trackCells(frames, { fieldSize: [H, W] });
const ms = performance.now() - t0;
const score = evaluateTrackingByObject(
  { trackId: sim.cells.trackId, frame: sim.cells.frame, lineage: sim.lineage },
  { ...res.tracks, lineage: res.lineage },
  (_f, oid) => oid,
);
console.log(`trackCells: ${(ms / 1000).toFixed(2)} s (target < 60 s) ${ms < 60_000 ? "OK" : "TOO SLOW"}; ${JSON.stringify(res.summary)}`);
console.log(
  `accuracy: TRA ${score.tra.toFixed(4)}, divisions found ${score.divisions.found}/${score.divisions.truth} (precision ${score.divisions.precision.toFixed(3)}); peak RSS ${peakRssMiB().toFixed(0)} MiB`,
);

// The natural peer is btrack (C++ core behind Python). Debian ships no btrack package, so it is reported
// absent here rather than compared with a different algorithm.
if (pythonWith("btrack")) console.log("btrack is importable, but this benchmark does not drive it yet; no ratio");
report("tracking 200 frames x ~2,000 cells", ms, undefined, "btrack");

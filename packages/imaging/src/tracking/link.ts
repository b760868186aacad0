/**
 * Stage 1 of {@link trackCells}: frame-to-frame linking. Every live track is predicted with a constant-velocity
 * Kalman filter; each can take one object of the next frame or be lost, each object can start a new track, and
 * the optimal assignment is solved exactly per component (munkres-js). A track lost for more than `maxLost` frames
 * is closed. The filtered state at each linked object is saved in the node store for stage 2.
 */
import { type LongTaskOptions, progressReporter, throwIfAborted } from "@hyped/core";
import { type Candidate, solveSparseAssignment } from "./assign.js";
import { type KalmanState, kalmanInit, kalmanPredict, kalmanUpdate } from "./kalman.js";
import { areaTerm, Grid, type NodeStore, type Tracklet } from "./nodes.js";
import type { TrackParams } from "./options.js";
import type { NormalisedFrame } from "./types.js";

/** A track being built: its nodes, Kalman state, frames lost so far and last area. */
interface Live {
  nodes: number[];
  s: KalmanState;
  lost: number;
  area: number;
}

/** Link objects frame to frame into tracklets (cancellable; reports progress in frames). */
export function linkFrameToFrame(frames: NormalisedFrame[], nodes: NodeStore, o: TrackParams, options: LongTaskOptions): Tracklet[] {
  const T = frames.length;
  const progress = progressReporter(options.onProgress, "frames", T, "tracking");
  const tracklets: Tracklet[] = [];
  let live: Live[] = [];
  const lostCost = -Math.log(o.pLost);
  const newCost = -Math.log(o.pNew);
  const buf: number[] = [];
  const saveNode = (k: number, s: KalmanState) => {
    nodes.vx[k] = s.vx;
    nodes.vy[k] = s.vy;
    nodes.p00[k] = s.p00;
    nodes.p01[k] = s.p01;
    nodes.p11[k] = s.p11;
  };
  for (let t = 0; t < T; t++) {
    throwIfAborted(options.signal, "trackCells");
    const f = frames[t] as NormalisedFrame;
    const base = nodes.offsets[t] as number;
    for (const tr of live) kalmanPredict(tr.s, o.accel);
    const objIdx = Int32Array.from({ length: f.n }, (_, i) => i);
    const grid = new Grid(o.maxSearchRadius, f.x, f.y, objIdx);
    const cands: Candidate[] = [];
    const r2max = o.maxSearchRadius * o.maxSearchRadius;
    live.forEach((tr, li) => {
      const S = tr.s.p00 + o.meas * o.meas;
      for (const j of grid.near(tr.s.x, tr.s.y, buf)) {
        const dx = (f.x[j] as number) - tr.s.x;
        const dy = (f.y[j] as number) - tr.s.y;
        const d2 = dx * dx + dy * dy;
        if (d2 > r2max) continue;
        const cost = (0.5 * d2) / S + areaTerm(o.areaWeight, f.area ? (f.area[j] as number) : 0, tr.area);
        cands.push({ left: li, right: j, cost });
      }
    });
    const sol = solveSparseAssignment(
      live.length,
      f.n,
      cands,
      new Float64Array(live.length).fill(lostCost),
      new Float64Array(f.n).fill(newCost),
      {
        maxExactSize: o.maxExactSize,
      },
    );
    const next: Live[] = [];
    live.forEach((tr, li) => {
      const j = sol.leftToRight[li] as number;
      if (j >= 0) {
        kalmanUpdate(tr.s, f.x[j] as number, f.y[j] as number, o.meas);
        tr.nodes.push(base + j);
        saveNode(base + j, tr.s);
        tr.lost = 0;
        if (f.area) tr.area = f.area[j] as number;
        next.push(tr);
      } else if (tr.lost + 1 <= o.maxLost) {
        tr.lost++;
        next.push(tr);
      } else {
        tracklets.push({ nodes: tr.nodes, reach: tr.nodes.length });
      }
    });
    for (let j = 0; j < f.n; j++) {
      if ((sol.rightToLeft[j] as number) >= 0) continue;
      const s = kalmanInit(f.x[j] as number, f.y[j] as number, o.meas, o.vel0);
      saveNode(base + j, s);
      next.push({ nodes: [base + j], s, lost: 0, area: f.area ? (f.area[j] as number) : 0 });
    }
    live = next;
    progress.tick();
  }
  for (const tr of live)
    tracklets.push({
      nodes: tr.nodes,
      reach: tr.nodes.length,
      toEnd: tr.nodes.length > 0 && nodes.frame[tr.nodes[tr.nodes.length - 1] as number] === T - 1,
    });
  progress.finish();
  return tracklets;
}

/**
 * Stage 2 of {@link trackCells}: global optimisation over tracklets. Tracklets are cut where a new one starts next
 * to a continuing one; every tracklet end offers two slots (A: continue or first daughter, B: second daughter) and
 * every start can be taken by one slot or be an initialisation. One linear assignment problem over all ends and
 * starts (exact per component, munkres-js) picks the most probable hypotheses: links across up to `maxGap` missed
 * frames, divisions (A and B both taken), initialisations, terminations and false-positive tracklets. Costs are
 * negative log probabilities as in btrack's hypothesis model.
 */
import { throwIfAborted } from "@hyped/core";
import { type Candidate, solveSparseAssignment } from "./assign.js";
import { type KalmanState, kalmanPositionVarianceAfter } from "./kalman.js";
import { areaTerm, Grid, type NodeStore, type Tracklet } from "./nodes.js";
import type { TrackParams } from "./options.js";
import type { TrackingResult } from "./types.js";

/** The tracklet graph stage 2 decided: `next[i]` continues piece i (−1: none), `parentOf[j]` divides into j. */
export interface Assembly {
  pieces: Tracklet[];
  next: Int32Array;
  parentOf: Int32Array;
  summary: TrackingResult["summary"];
}

/** Run stage 2 (or, when `o.global` is off or the movie has one frame, keep the tracklets as they are). */
export function assembleTracks(
  tracklets: Tracklet[],
  nodes: NodeStore,
  o: TrackParams,
  fieldSize: readonly [number, number] | undefined,
  signal: AbortSignal | undefined,
): Assembly {
  const T = nodes.offsets.length - 1;
  const summary = { tracklets: tracklets.length, tracks: 0, divisions: 0, gapsClosed: 0, falsePositiveTracklets: 0 };
  if (!(o.global && T > 1)) {
    const none = () => new Int32Array(tracklets.length).fill(-1);
    return { pieces: tracklets, next: none(), parentOf: none(), summary };
  }
  throwIfAborted(signal, "trackCells");
  const pieces = o.divisions ? cutAtStarts(tracklets, nodes, o.divisionRadius, o.maxGap) : tracklets;
  const P = pieces.length;
  summary.tracklets = P;
  const { initCost, fpStart, leftAlone } = endpointCosts(pieces, nodes, o, fieldSize);
  const cands = linkCandidates(pieces, nodes, o);
  const sol = solveSparseAssignment(2 * P, P, cands, leftAlone, initCost, { maxExactSize: o.maxExactSize });
  const { next, parentOf } = readHypotheses(sol, pieces, nodes, fpStart, summary);
  return { pieces, next, parentOf, summary };
}

/** Field extent `[H, W]` for the border terms: `fieldSize`, or the bounding box of all objects. */
function fieldExtent(nodes: NodeStore, fieldSize: readonly [number, number] | undefined): [number, number] {
  const N = nodes.x.length;
  let [H, W] = fieldSize ?? [0, 0];
  if (!fieldSize) {
    for (let k = 0; k < N; k++) {
      H = Math.max(H, (nodes.y[k] as number) + 1);
      W = Math.max(W, (nodes.x[k] as number) + 1);
    }
  }
  return [H, W];
}

/**
 * Costs of the unlinked hypotheses: initialising each start (or calling its tracklet a false positive, whichever
 * is cheaper; `fpStart` marks the latter) and terminating each end (slot A; slot B alone costs nothing).
 */
function endpointCosts(pieces: Tracklet[], nodes: NodeStore, o: TrackParams, fieldSize: readonly [number, number] | undefined) {
  const T = nodes.offsets.length - 1;
  const P = pieces.length;
  const [H, W] = fieldExtent(nodes, fieldSize);
  const border = (k: number) =>
    Math.min(nodes.x[k] as number, nodes.y[k] as number, W - 1 - (nodes.x[k] as number), H - 1 - (nodes.y[k] as number));
  const edgeCost = (timeFromEdge: number, k: number) => {
    let p = 0;
    let hit = false;
    if (timeFromEdge < o.thetaTime) {
      p = Math.max(p, Math.exp(-timeFromEdge / o.lambdaTime));
      hit = true;
    }
    const d = border(k);
    if (d < o.thetaDist) {
      p = Math.max(p, Math.exp(-Math.max(0, d) / o.lambdaDist));
      hit = true;
    }
    return -Math.log(hit ? Math.max(p, o.eta) : o.eta);
  };
  const first = (i: number) => (pieces[i] as Tracklet).nodes[0] as number;
  const last = (i: number) => {
    const nd = (pieces[i] as Tracklet).nodes;
    return nd[nd.length - 1] as number;
  };
  // btrack's P_FP = missRate^length, over the whole frame-to-frame tracklet the piece starts
  // (not for tracklets that run into the movie's end, which may be short only because the movie ends)
  const fpCost = (i: number) =>
    (pieces[i] as Tracklet).toEnd ? Number.POSITIVE_INFINITY : -(pieces[i] as Tracklet).reach * Math.log(o.missRate);
  const initCost = new Float64Array(P);
  const fpStart = new Uint8Array(P);
  for (let i = 0; i < P; i++) {
    const ic = edgeCost(nodes.frame[first(i)] as number, first(i));
    const fc = fpCost(i);
    initCost[i] = Math.min(ic, fc);
    fpStart[i] = fc < ic ? 1 : 0;
  }
  // left slots: 2i = A (continue / first daughter), 2i + 1 = B (second daughter)
  const leftAlone = new Float64Array(2 * P);
  for (let i = 0; i < P; i++) leftAlone[2 * i] = edgeCost(T - 1 - (nodes.frame[last(i)] as number), last(i));
  return { initCost, fpStart, leftAlone };
}

/** Candidate links (slot A) and daughters (slots A and B) from every tracklet end to starts up to `maxGap + 1` frames later. */
function linkCandidates(pieces: Tracklet[], nodes: NodeStore, o: TrackParams): Candidate[] {
  const T = nodes.offsets.length - 1;
  const P = pieces.length;
  const lostCost = -Math.log(o.pLost);
  const buf: number[] = [];
  const first = (i: number) => (pieces[i] as Tracklet).nodes[0] as number;
  const last = (i: number) => {
    const nd = (pieces[i] as Tracklet).nodes;
    return nd[nd.length - 1] as number;
  };
  // starts indexed by frame in a grid
  const startsByFrame: number[][] = Array.from({ length: T }, () => []);
  for (let i = 0; i < P; i++) (startsByFrame[nodes.frame[first(i)] as number] as number[]).push(i);
  const startX = Float64Array.from({ length: P }, (_, i) => nodes.x[first(i)] as number);
  const startY = Float64Array.from({ length: P }, (_, i) => nodes.y[first(i)] as number);
  const radius = Math.max(o.maxSearchRadius, o.divisionRadius);
  const grids = startsByFrame.map((list) => new Grid(radius, startX, startY, list));
  const cands: Candidate[] = [];
  const divScale = o.divisionDistance;
  const divPenalty = -Math.log(o.pDivision);
  const linkGate = -Math.log(1 - o.linkGateProbability);
  for (let i = 0; i < P; i++) {
    const e = last(i);
    const fe = nodes.frame[e] as number;
    const st: KalmanState = {
      x: nodes.x[e] as number,
      y: nodes.y[e] as number,
      vx: nodes.vx[e] as number,
      vy: nodes.vy[e] as number,
      p00: nodes.p00[e] as number,
      p01: nodes.p01[e] as number,
      p11: nodes.p11[e] as number,
    };
    for (let dt = 1; dt <= o.maxGap + 1 && fe + dt < T; dt++) {
      const px = st.x + st.vx * dt;
      const py = st.y + st.vy * dt;
      const S = kalmanPositionVarianceAfter(st, dt, o.accel) + o.meas * o.meas;
      const gapCost = (dt - 1) * lostCost;
      // continuation: Gaussian on the distance to the Kalman prediction, gated like a χ² test
      for (const j of (grids[fe + dt] as Grid).near(px, py, buf)) {
        if (j === i) continue;
        const s0 = first(j);
        const dx = (nodes.x[s0] as number) - px;
        const dy = (nodes.y[s0] as number) - py;
        const d2 = dx * dx + dy * dy;
        const m = (0.5 * d2) / S;
        if (d2 <= o.maxSearchRadius * o.maxSearchRadius && m <= linkGate) {
          const area = areaTerm(o.areaWeight, nodes.area[s0] as number, nodes.area[e] as number);
          cands.push({ left: 2 * i, right: j, cost: m + gapCost + area });
        }
      }
      // daughters: distance from the mother's last position; slot A may take the first daughter
      if (o.divisions) {
        for (const j of (grids[fe + dt] as Grid).near(st.x, st.y, buf)) {
          if (j === i) continue;
          const s0 = first(j);
          const dd = Math.hypot((nodes.x[s0] as number) - st.x, (nodes.y[s0] as number) - st.y);
          if (dd > o.divisionRadius) continue;
          const area = areaTerm(o.areaWeight, nodes.area[s0] as number, (nodes.area[e] as number) / 2);
          const cost = divPenalty / 2 + 0.5 * (dd / divScale) ** 2 + area + gapCost;
          cands.push({ left: 2 * i + 1, right: j, cost });
          cands.push({ left: 2 * i, right: j, cost });
        }
      }
    }
  }
  return cands;
}

/** Turn the assignment into continuations and divisions, counting divisions, closed gaps and false positives. */
function readHypotheses(
  sol: { leftToRight: Int32Array; rightToLeft: Int32Array },
  pieces: Tracklet[],
  nodes: NodeStore,
  fpStart: Uint8Array,
  summary: TrackingResult["summary"],
): { next: Int32Array; parentOf: Int32Array } {
  const P = pieces.length;
  const first = (i: number) => (pieces[i] as Tracklet).nodes[0] as number;
  const last = (i: number) => {
    const nd = (pieces[i] as Tracklet).nodes;
    return nd[nd.length - 1] as number;
  };
  const next = new Int32Array(P).fill(-1);
  const parentOf = new Int32Array(P).fill(-1);
  for (let i = 0; i < P; i++) {
    const a = sol.leftToRight[2 * i] as number;
    const b = sol.leftToRight[2 * i + 1] as number;
    if (a >= 0 && b >= 0) {
      parentOf[a] = i;
      parentOf[b] = i;
      summary.divisions++;
    } else if (a >= 0 || b >= 0) {
      const j = a >= 0 ? a : b;
      next[i] = j;
      if ((nodes.frame[first(j)] as number) - (nodes.frame[last(i)] as number) > 1) summary.gapsClosed++;
    }
  }
  for (let j = 0; j < P; j++) if ((sol.rightToLeft[j] as number) < 0 && fpStart[j]) summary.falsePositiveTracklets++;
  return { next, parentOf };
}

/**
 * Cut tracklets where another tracklet starts within `radius` of them (at the frame before the start), so
 * that the global step can choose between "continue" and "divide". At most the two nearest are cut.
 */
function cutAtStarts(tracklets: Tracklet[], nodes: NodeStore, radius: number, maxGap: number): Tracklet[] {
  const T = nodes.offsets.length - 1;
  const N = nodes.x.length;
  const owner = new Int32Array(N).fill(-1);
  const pos = new Int32Array(N);
  tracklets.forEach((tr, i) => {
    tr.nodes.forEach((k, p) => {
      owner[k] = i;
      pos[k] = p;
    });
  });
  const grids: Grid[] = [];
  for (let t = 0; t < T; t++) {
    const items = Int32Array.from(
      { length: (nodes.offsets[t + 1] as number) - (nodes.offsets[t] as number) },
      (_, i) => (nodes.offsets[t] as number) + i,
    );
    grids.push(new Grid(radius, nodes.x, nodes.y, items));
  }
  const cuts: Set<number>[] = tracklets.map(() => new Set<number>());
  const buf: number[] = [];
  for (const tr of tracklets) {
    const s = tr.nodes[0] as number;
    const f = nodes.frame[s] as number;
    // the nearest tracklets that have an object before f and their next object at f or later
    const near: [number, number][] = [];
    const seen = new Set<number>();
    for (let g = 0; g <= maxGap && f - 1 - g >= 0; g++) {
      for (const k of (grids[f - 1 - g] as Grid).near(nodes.x[s] as number, nodes.y[s] as number, buf)) {
        const i = owner[k] as number;
        if (i < 0 || seen.has(i)) continue;
        const d = Math.hypot((nodes.x[k] as number) - (nodes.x[s] as number), (nodes.y[k] as number) - (nodes.y[s] as number));
        if (d > radius) continue;
        const nd = (tracklets[i] as Tracklet).nodes;
        const p = pos[k] as number;
        if (p + 1 < nd.length && (nodes.frame[nd[p + 1] as number] as number) >= f) {
          near.push([d + g * radius, k]);
          seen.add(i);
        }
      }
    }
    near.sort((a, b) => a[0] - b[0]);
    for (const [, k] of near.slice(0, 2)) (cuts[owner[k] as number] as Set<number>).add(pos[k] as number);
  }
  const out: Tracklet[] = [];
  tracklets.forEach((tr, i) => {
    const c = [...(cuts[i] as Set<number>)].sort((a, b) => a - b);
    let from = 0;
    for (const p of c) {
      out.push({ nodes: tr.nodes.slice(from, p + 1), reach: tr.reach - from, toEnd: tr.toEnd });
      from = p + 1;
    }
    out.push({ nodes: tr.nodes.slice(from), reach: tr.reach - from, toEnd: tr.toEnd });
  });
  return out;
}

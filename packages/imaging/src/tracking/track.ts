/**
 * `trackCells`: a Bayesian cell tracker in the spirit of btrack (Ulicna et al. 2021), in two stages.
 *
 * 1. **Frame to frame.** Every live track is predicted with a constant-velocity Kalman filter. Each track
 *    can take one object of the next frame (cost: half the squared Mahalanobis distance of the innovation,
 *    plus an area term) or be "lost" (cost −ln pLost); each object can start a new track (cost −ln pNew).
 *    The optimal assignment is solved exactly per connected component of the gated candidate graph with the
 *    Hungarian algorithm (munkres-js). A track lost for more than `maxLost` frames is closed.
 * 2. **Global optimisation over tracklets.** Tracklets are cut wherever a new tracklet starts next to a
 *    continuing one (the frame-to-frame step may have linked the mother to one daughter). Then every
 *    tracklet end offers two slots, A (continue / first daughter) and B (second daughter), and every start
 *    can be taken by one slot or be an initialisation; a second linear assignment problem over all
 *    ends and starts (again exact per component with munkres-js) picks the most probable set of
 *    hypotheses: links across up to `maxGap` missed frames, divisions (A and B both taken), initialisations,
 *    terminations and short false-positive tracklets. Costs are negative log probabilities as in btrack's
 *    hypothesis model (P_init/P_term near the movie edges or the field border, P_link decaying with
 *    distance and gap, P_branch for divisions, P_FP = missRate^length).
 *
 * Output: a tracks table (track id, frame, object, position, parent, generation) and a lineage table.
 */
import { HypedError, type LongTaskOptions, progressReporter, throwIfAborted } from "@hyped/core";
import { type Candidate, solveSparseAssignment } from "./assign.js";
import { type KalmanState, kalmanInit, kalmanPositionVarianceAfter, kalmanPredict, kalmanUpdate } from "./kalman.js";
import { type FrameObjects, type Lineage, type NormalisedFrame, normaliseFrame, type TracksTable } from "./types.js";

/** Options of {@link trackCells}. Distances in px, times in frames. */
export interface TrackCellsOptions extends LongTaskOptions {
  /** Largest distance between a prediction and an object that may be linked, px. Default 30. */
  maxSearchRadius?: number;
  /** SD of the measured position, px (Kalman R). Default 1. */
  measurementSigma?: number;
  /** SD of the random acceleration, px/frame² (Kalman Q). Default 1. */
  accelerationSigma?: number;
  /** SD of the velocity of a new track, px/frame. Default 3. */
  initialVelocitySigma?: number;
  /** Probability that a live track has no object in a frame (the "lost" hypothesis). Default 0.1. */
  pLost?: number;
  /** Probability that an object starts a new track in the frame-to-frame step. Default 0.005. */
  pNew?: number;
  /** Frames a track may stay lost in the frame-to-frame step before it is closed. Default 1. */
  maxLost?: number;
  /** Weight of |ln(area ratio)| in the costs (0 disables; needs `area`). Default 1. */
  areaWeight?: number;
  /** Run the global optimisation over tracklets. Default true. */
  globalOptimisation?: boolean;
  /** Gap closing: most missed frames between two linked tracklets. Default 2. */
  maxGap?: number;
  /** Detect divisions (mitoses) in the global step. Default true. */
  divisions?: boolean;
  /** Largest distance of a daughter from the mother's last position, px. Default 25. */
  divisionRadius?: number;
  /** Typical distance of a daughter from the mother's last position, px (scale of the division cost). Default 10. */
  divisionDistance?: number;
  /** Prior probability of a division hypothesis (btrack P_branch scale). Default 0.05. */
  pDivision?: number;
  /** Segmentation miss rate: a tracklet of n objects is a false positive with probability missRate^n. Default 0.1. */
  segmentationMissRate?: number;
  /** Initialisation/termination probability far from the movie edges and the field border (btrack eta). Default 1e-10. */
  eta?: number;
  /** Tracks starting before frame thetaTime (or ending after T−1−thetaTime) are cheap to initialise (terminate). Default 1. */
  thetaTime?: number;
  /** Time scale of that edge probability, frames (btrack lambda_time). Default 5. */
  lambdaTime?: number;
  /** Distance from the field border within which tracks may appear or leave, px. Default 5. */
  thetaDist?: number;
  /** Distance scale of the border probability, px (btrack lambda_dist). Default 3. */
  lambdaDist?: number;
  /**
   * Field size `[height, width]` (rows, columns), px, for the border terms. Default: the bounding box of all
   * objects. Throws `OUT_OF_RANGE` when an object lies outside it (e.g. a swapped `[width, height]`).
   */
  fieldSize?: [number, number];
  /**
   * Gate of the global step's links: a link is a candidate only if its squared Mahalanobis distance is within
   * this quantile of the χ²(2) distribution. Default 0.9999.
   */
  linkGateProbability?: number;
  /** Components larger than this are solved greedily in both assignment steps. Default 400. */
  maxExactSize?: number;
}

/** The result of {@link trackCells}. */
export interface TrackingResult {
  /** One row per (track, frame). */
  tracks: TracksTable;
  /** One row per track. */
  lineage: Lineage;
  /**
   * For every input object, its track id (0 if it belongs to none): `objectTrack[t][i]`. With label images,
   * this maps frame t's label value `id[i]` to a track (what the CTC writer uses).
   */
  objectTrack: Int32Array[];
  /** Counts of what the global step decided. */
  summary: { tracklets: number; tracks: number; divisions: number; gapsClosed: number; falsePositiveTracklets: number };
}

interface Tracklet {
  nodes: number[];
  /** Objects from this piece's start to the end of the frame-to-frame tracklet it was cut from. */
  reach: number;
  /** True if the frame-to-frame tracklet runs to the last frame (it may be cut short by the movie's end). */
  toEnd?: boolean;
}

class NodeStore {
  readonly frame: Int32Array;
  readonly index: Int32Array;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly area: Float64Array;
  /** Filtered velocity and position variance at each node (for predictions from tracklet ends). */
  readonly vx: Float64Array;
  readonly vy: Float64Array;
  readonly p00: Float64Array;
  readonly p01: Float64Array;
  readonly p11: Float64Array;
  readonly offsets: Int32Array;
  constructor(frames: NormalisedFrame[]) {
    const n = frames.reduce((a, f) => a + f.n, 0);
    this.offsets = new Int32Array(frames.length + 1);
    this.frame = new Int32Array(n);
    this.index = new Int32Array(n);
    this.x = new Float64Array(n);
    this.y = new Float64Array(n);
    this.area = new Float64Array(n).fill(Number.NaN);
    this.vx = new Float64Array(n);
    this.vy = new Float64Array(n);
    this.p00 = new Float64Array(n);
    this.p01 = new Float64Array(n);
    this.p11 = new Float64Array(n);
    let k = 0;
    frames.forEach((f, t) => {
      this.offsets[t] = k;
      for (let i = 0; i < f.n; i++, k++) {
        this.frame[k] = t;
        this.index[k] = i;
        this.x[k] = f.x[i] as number;
        this.y[k] = f.y[i] as number;
        if (f.area) this.area[k] = f.area[i] as number;
      }
    });
    this.offsets[frames.length] = k;
  }
}

/** A uniform-grid spatial index over points (cell size = search radius). */
class Grid {
  private readonly cells = new Map<number, number[]>();
  constructor(
    private readonly size: number,
    xs: ArrayLike<number>,
    ys: ArrayLike<number>,
    items: ArrayLike<number>,
  ) {
    for (let k = 0; k < items.length; k++) {
      const it = items[k] as number;
      const key = this.key(Math.floor((xs[it] as number) / size), Math.floor((ys[it] as number) / size));
      const b = this.cells.get(key);
      if (b) b.push(it);
      else this.cells.set(key, [it]);
    }
  }
  private key(gx: number, gy: number): number {
    return (gx + 1048576) * 2097152 + (gy + 1048576);
  }
  /** Items whose cell is within one cell of (x, y) (a superset of those within `size`). */
  near(x: number, y: number, out: number[]): number[] {
    out.length = 0;
    const gx = Math.floor(x / this.size);
    const gy = Math.floor(y / this.size);
    for (let ax = -1; ax <= 1; ax++) {
      for (let ay = -1; ay <= 1; ay++) {
        const b = this.cells.get(this.key(gx + ax, gy + ay));
        if (b) for (const it of b) out.push(it);
      }
    }
    return out;
  }
}

const areaTerm = (w: number, a: number, b: number) => (w > 0 && a > 0 && b > 0 ? w * Math.abs(Math.log(a / b)) : 0);

/**
 * Track objects over frames. `objectsPerFrame[t]` holds frame t's objects (see {@link FrameObjects}); an
 * empty frame is allowed. Returns the tracks table, the lineage and per-object track ids.
 *
 * Semantics follow btrack (`btrack.BayesianTracker` with its default "motion + hypotheses" pipeline): a
 * constant-velocity Kalman model, a lost hypothesis, track initialisation/termination near the movie
 * edges and field border, gap closing, divisions with parent–child links, and a global optimisation over
 * tracklets — here solved as linear assignment problems (munkres-js) instead of btrack's GLPK integer program.
 * Cancellable (`signal`); reports progress in frames.
 */
export function trackCells(objectsPerFrame: readonly FrameObjects[], options: TrackCellsOptions = {}): TrackingResult {
  const o = {
    maxSearchRadius: options.maxSearchRadius ?? 30,
    meas: options.measurementSigma ?? 1,
    accel: options.accelerationSigma ?? 1,
    vel0: options.initialVelocitySigma ?? 3,
    pLost: options.pLost ?? 0.1,
    pNew: options.pNew ?? 0.005,
    maxLost: options.maxLost ?? 1,
    areaWeight: options.areaWeight ?? 1,
    global: options.globalOptimisation ?? true,
    maxGap: options.maxGap ?? 2,
    divisions: options.divisions ?? true,
    divisionRadius: options.divisionRadius ?? 25,
    divisionDistance: options.divisionDistance ?? 10,
    pDivision: options.pDivision ?? 0.05,
    missRate: options.segmentationMissRate ?? 0.1,
    eta: options.eta ?? 1e-10,
    thetaTime: options.thetaTime ?? 1,
    lambdaTime: options.lambdaTime ?? 5,
    thetaDist: options.thetaDist ?? 5,
    lambdaDist: options.lambdaDist ?? 3,
    maxExactSize: options.maxExactSize ?? 400,
    linkGateProbability: options.linkGateProbability ?? 0.9999,
  };
  const prob = (name: string, v: number) => {
    if (!(v > 0 && v < 1)) throw new HypedError("INVALID_ARGUMENT", `trackCells: ${name} must be in (0, 1), got ${v}`, { [name]: v });
  };
  prob("pLost", o.pLost);
  prob("pNew", o.pNew);
  prob("pDivision", o.pDivision);
  prob("segmentationMissRate", o.missRate);
  prob("eta", o.eta);
  for (const [k, v] of Object.entries({
    maxSearchRadius: o.maxSearchRadius,
    measurementSigma: o.meas,
    accelerationSigma: o.accel,
    divisionRadius: o.divisionRadius,
  })) {
    if (!(v > 0)) throw new HypedError("INVALID_ARGUMENT", `trackCells: ${k} must be > 0, got ${v}`, { [k]: v });
  }
  if (!Number.isInteger(o.maxLost) || o.maxLost < 0)
    throw new HypedError("INVALID_ARGUMENT", `trackCells: maxLost must be an integer ≥ 0`, { maxLost: o.maxLost });
  if (!Number.isInteger(o.maxGap) || o.maxGap < 0)
    throw new HypedError("INVALID_ARGUMENT", `trackCells: maxGap must be an integer ≥ 0`, { maxGap: o.maxGap });

  const frames = objectsPerFrame.map((f, t) => normaliseFrame(f, t));
  const T = frames.length;
  const nodes = new NodeStore(frames);
  const N = nodes.x.length;
  if (options.fieldSize) checkFieldSize(options.fieldSize, nodes);
  const progress = progressReporter(options.onProgress, "frames", T, "tracking");

  // ---- stage 1: frame-to-frame ---------------------------------------------------------------------------
  interface Live {
    nodes: number[];
    s: KalmanState;
    lost: number;
    area: number;
  }
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

  // ---- stage 2: global optimisation over tracklets -------------------------------------------------------
  let pieces = tracklets;
  const summary = { tracklets: tracklets.length, tracks: 0, divisions: 0, gapsClosed: 0, falsePositiveTracklets: 0 };
  // continuation[i] = tracklet following i in the same track; children lists for divisions
  let next = new Int32Array(0);
  let parentOf = new Int32Array(0);
  if (o.global && T > 1) {
    throwIfAborted(options.signal, "trackCells");
    if (o.divisions) pieces = cutAtStarts(pieces, nodes, o.divisionRadius, o.maxGap);
    const P = pieces.length;
    summary.tracklets = P;
    // field extent for the border terms
    let [H, W] = options.fieldSize ?? [0, 0];
    if (!options.fieldSize) {
      for (let k = 0; k < N; k++) {
        H = Math.max(H, (nodes.y[k] as number) + 1);
        W = Math.max(W, (nodes.x[k] as number) + 1);
      }
    }
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
    const sol = solveSparseAssignment(2 * P, P, cands, leftAlone, initCost, { maxExactSize: o.maxExactSize });
    next = new Int32Array(P).fill(-1);
    parentOf = new Int32Array(P).fill(-1);
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
  } else {
    next = new Int32Array(pieces.length).fill(-1);
    parentOf = new Int32Array(pieces.length).fill(-1);
  }

  return buildOutput(pieces, next, parentOf, nodes, frames, summary);
}

/**
 * A field size is `[height, width]`; every object must lie inside it. An object outside (typically from a
 * swapped `[width, height]`) would put whole rows of cells "at the border", where appearing and leaving cost
 * nothing, and silently replace their divisions by terminations and initialisations.
 */
function checkFieldSize(size: readonly [number, number], nodes: NodeStore): void {
  const [H, W] = size;
  if (!(H > 0 && W > 0)) throw new HypedError("INVALID_ARGUMENT", `trackCells: fieldSize must be [height, width] > 0, got [${size}]`, {});
  for (let k = 0; k < nodes.x.length; k++) {
    const x = nodes.x[k] as number;
    const y = nodes.y[k] as number;
    if (x < -0.5 || y < -0.5 || x > W - 0.5 || y > H - 0.5) {
      throw new HypedError(
        "OUT_OF_RANGE",
        `trackCells: object at (x ${x.toFixed(1)}, y ${y.toFixed(1)}) in frame ${nodes.frame[k]} is outside fieldSize [height ${H}, width ${W}] (fieldSize is [height, width])`,
        { fieldSize: [H, W], x, y, frame: nodes.frame[k] },
      );
    }
  }
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

function buildOutput(
  pieces: Tracklet[],
  next: Int32Array,
  parentOf: Int32Array,
  nodes: NodeStore,
  frames: NormalisedFrame[],
  summary: TrackingResult["summary"],
): TrackingResult {
  const P = pieces.length;
  // chains: follow `next` from pieces that nobody continues into
  const hasPrev = new Uint8Array(P);
  for (let i = 0; i < P; i++) if ((next[i] as number) >= 0) hasPrev[next[i] as number] = 1;
  const chains: number[][] = [];
  const chainOf = new Int32Array(P).fill(-1);
  const heads: number[] = [];
  for (let i = 0; i < P; i++) if (!hasPrev[i]) heads.push(i);
  heads.sort((a, b) => {
    const fa = nodes.frame[(pieces[a] as Tracklet).nodes[0] as number] as number;
    const fb = nodes.frame[(pieces[b] as Tracklet).nodes[0] as number] as number;
    return fa - fb || ((pieces[a] as Tracklet).nodes[0] as number) - ((pieces[b] as Tracklet).nodes[0] as number);
  });
  for (const h of heads) {
    const chain: number[] = [];
    for (let i = h; i >= 0; i = next[i] as number) {
      chainOf[i] = chains.length;
      chain.push(i);
    }
    chains.push(chain);
  }
  const C = chains.length;
  const parentChain = new Int32Array(C).fill(-1);
  chains.forEach((ch, c) => {
    const p = parentOf[ch[0] as number] as number;
    if (p >= 0) parentChain[c] = chainOf[p] as number;
  });
  // generations (parents always start earlier, and chains are sorted by start frame)
  const generation = new Int32Array(C);
  const root = new Int32Array(C);
  for (let c = 0; c < C; c++) {
    const p = parentChain[c] as number;
    generation[c] = p >= 0 ? (generation[p] as number) + 1 : 0;
    root[c] = p >= 0 ? (root[p] as number) : c;
  }
  const rows: number[] = [];
  const rowTrack: number[] = [];
  const lin = {
    id: new Int32Array(C),
    start: new Int32Array(C),
    end: new Int32Array(C),
    parent: new Int32Array(C),
    generation,
    root: new Int32Array(C),
    children: new Int32Array(C),
    length: new Int32Array(C),
  };
  const objectTrack = frames.map((f) => new Int32Array(f.n));
  chains.forEach((ch, c) => {
    const all = ch.flatMap((i) => (pieces[i] as Tracklet).nodes);
    lin.id[c] = c + 1;
    lin.start[c] = nodes.frame[all[0] as number] as number;
    lin.end[c] = nodes.frame[all[all.length - 1] as number] as number;
    lin.parent[c] = (parentChain[c] as number) + 1;
    lin.root[c] = (root[c] as number) + 1;
    lin.length[c] = all.length;
    if ((parentChain[c] as number) >= 0) lin.children[parentChain[c] as number] = (lin.children[parentChain[c] as number] as number) + 1;
    for (const k of all) {
      rows.push(k);
      rowTrack.push(c);
      (objectTrack[nodes.frame[k] as number] as Int32Array)[nodes.index[k] as number] = c + 1;
    }
  });
  summary.tracks = C;
  const R = rows.length;
  const tracks: TracksTable = {
    trackId: new Int32Array(R),
    frame: new Int32Array(R),
    objectId: new Float64Array(R),
    objectIndex: new Int32Array(R),
    x: new Float64Array(R),
    y: new Float64Array(R),
    parent: new Int32Array(R),
    generation: new Int32Array(R),
  };
  for (let r = 0; r < R; r++) {
    const k = rows[r] as number;
    const c = rowTrack[r] as number;
    const t = nodes.frame[k] as number;
    tracks.trackId[r] = c + 1;
    tracks.frame[r] = t;
    tracks.objectIndex[r] = nodes.index[k] as number;
    tracks.objectId[r] = (frames[t] as NormalisedFrame).id[nodes.index[k] as number] as number;
    tracks.x[r] = nodes.x[k] as number;
    tracks.y[r] = nodes.y[k] as number;
    tracks.parent[r] = lin.parent[c] as number;
    tracks.generation[r] = generation[c] as number;
  }
  return { tracks, lineage: lin, objectTrack, summary };
}

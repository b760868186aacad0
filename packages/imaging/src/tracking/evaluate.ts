/**
 * Tracking accuracy against a ground truth, the Cell Tracking Challenge way: the acyclic oriented graph
 * matching measure (AOGM, Matula et al. 2015) and TRA = 1 − min(AOGM, AOGM₀)/AOGM₀, plus division recall
 * and precision. Nodes are (track, frame) objects; edges join consecutive objects of a track ("track"
 * edges) and a parent's last object to each child's first ("parent" edges).
 */
import { HypedError } from "@hyped/core";

/** A track graph: per-node columns and per-track parents. */
export interface TrackGraphInput {
  /** Track id of each node (object). */
  trackId: ArrayLike<number>;
  /** Frame of each node. */
  frame: ArrayLike<number>;
  /** Lineage: track ids and their parent ids (0 = none). */
  lineage: { id: ArrayLike<number>; parent: ArrayLike<number> };
}

/** AOGM weights (CTC TRA defaults). */
export interface AogmWeights {
  /** Splitting a node that covers several truth objects. Default 5. */
  ns: number;
  /** Adding a missed node. Default 10. */
  fn: number;
  /** Deleting a spurious node. Default 1. */
  fp: number;
  /** Deleting a spurious edge. Default 1. */
  ed: number;
  /** Adding a missed edge. Default 1.5. */
  ea: number;
  /** Changing an edge's semantics (track ↔ parent). Default 1. */
  ec: number;
}

/** The result of {@link evaluateTracking}. */
export interface TrackingScore {
  /** TRA in [0, 1] (1 = perfect). */
  tra: number;
  /** The weighted cost of turning the result into the truth. */
  aogm: number;
  /** The cost of building the truth from nothing (10 per node + 1.5 per edge). */
  aogm0: number;
  /** Operation counts. */
  counts: { ns: number; fn: number; fp: number; ed: number; ea: number; ec: number };
  /** Truth nodes and edges. */
  truthNodes: number;
  truthEdges: number;
  /** Truth divisions, and how many the result reproduces (parent's last and both children's first objects matched). */
  divisions: { truth: number; found: number; result: number; correct: number; recall: number; precision: number };
}

interface Graph {
  /** node key -> node index */
  nodes: Map<string, number>;
  nodeTrack: Int32Array;
  nodeFrame: Int32Array;
  /** edges: from, to, semantic (0 track, 1 parent) */
  edges: [number, number, number][];
  /** track id -> [first node, last node] */
  span: Map<number, [number, number]>;
  parent: Map<number, number>;
  children: Map<number, number[]>;
}

function buildGraph(g: TrackGraphInput, what: string): Graph {
  const n = g.trackId.length;
  if (g.frame.length !== n) throw new HypedError("SHAPE_MISMATCH", `${what}: trackId and frame differ in length`, { what });
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (g.trackId[a] as number) - (g.trackId[b] as number) || (g.frame[a] as number) - (g.frame[b] as number),
  );
  const nodes = new Map<string, number>();
  const nodeTrack = new Int32Array(n);
  const nodeFrame = new Int32Array(n);
  const edges: [number, number, number][] = [];
  const span = new Map<number, [number, number]>();
  order.forEach((i, k) => {
    const tr = g.trackId[i] as number;
    const fr = g.frame[i] as number;
    const key = `${tr}:${fr}`;
    if (nodes.has(key))
      throw new HypedError("INVALID_ARGUMENT", `${what}: track ${tr} has two objects in frame ${fr}`, { what, track: tr, frame: fr });
    nodes.set(key, k);
    nodeTrack[k] = tr;
    nodeFrame[k] = fr;
    const sp = span.get(tr);
    if (sp) {
      edges.push([sp[1], k, 0]);
      sp[1] = k;
    } else span.set(tr, [k, k]);
  });
  const parent = new Map<number, number>();
  const children = new Map<number, number[]>();
  for (let i = 0; i < g.lineage.id.length; i++) {
    const id = g.lineage.id[i] as number;
    const p = g.lineage.parent[i] as number;
    if (p > 0 && span.has(id) && span.has(p)) {
      parent.set(id, p);
      const c = children.get(p);
      if (c) c.push(id);
      else children.set(p, [id]);
      edges.push([(span.get(p) as [number, number])[1], (span.get(id) as [number, number])[0], 1]);
    }
  }
  return { nodes, nodeTrack, nodeFrame, edges, span, parent, children };
}

/**
 * Score a tracking result against the truth, given which truth objects each result object covers.
 * `match(resultNode)` receives a result node's (trackId, frame) and returns the truth track ids it covers in
 * that frame (the CTC rule: a result object covers a truth object when it holds more than half of its
 * pixels). Most users call {@link evaluateTrackingMasks} or {@link evaluateTrackingByObject} instead.
 */
export function evaluateTracking(
  truth: TrackGraphInput,
  result: TrackGraphInput,
  match: (trackId: number, frame: number) => readonly number[],
  weights: Partial<AogmWeights> = {},
): TrackingScore {
  const w: AogmWeights = { ns: 5, fn: 10, fp: 1, ed: 1, ea: 1.5, ec: 1, ...weights };
  const G = buildGraph(truth, "truth");
  const R = buildGraph(result, "result");
  const nG = G.nodeTrack.length;
  const nR = R.nodeTrack.length;
  const covers: number[][] = [];
  const coveredBy = new Int32Array(nG).fill(-1);
  let ns = 0;
  let fp = 0;
  for (let r = 0; r < nR; r++) {
    const fr = R.nodeFrame[r] as number;
    const list: number[] = [];
    for (const gt of match(R.nodeTrack[r] as number, fr)) {
      const gi = G.nodes.get(`${gt}:${fr}`);
      if (gi === undefined || coveredBy[gi] !== -1) continue;
      coveredBy[gi] = r;
      list.push(gi);
    }
    covers.push(list);
    if (list.length === 0) fp++;
    else ns += list.length - 1;
  }
  let fn = 0;
  for (let g = 0; g < nG; g++) if (coveredBy[g] === -1) fn++;
  const gEdges = new Map<string, number>();
  for (const [a, b, s] of G.edges) gEdges.set(`${a}>${b}`, s);
  const used = new Set<string>();
  let ed = 0;
  let ec = 0;
  for (const [a, b, s] of R.edges) {
    let hit: string | undefined;
    for (const ga of covers[a] as number[]) {
      for (const gb of covers[b] as number[]) {
        const k = `${ga}>${gb}`;
        if (gEdges.has(k) && !used.has(k)) {
          hit = k;
          break;
        }
      }
      if (hit) break;
    }
    if (!hit) {
      ed++;
      continue;
    }
    used.add(hit);
    if (gEdges.get(hit) !== s) ec++;
  }
  const ea = G.edges.length - used.size;
  const aogm = w.ns * ns + w.fn * fn + w.fp * fp + w.ed * ed + w.ea * ea + w.ec * ec;
  const aogm0 = w.fn * nG + w.ea * G.edges.length;
  const tra = aogm0 > 0 ? 1 - Math.min(aogm, aogm0) / aogm0 : 1;

  // divisions
  const resOf = (gnode: number) => coveredBy[gnode] as number;
  let truthDiv = 0;
  let found = 0;
  const foundRes = new Set<number>();
  for (const [p, kids] of G.children) {
    if (kids.length < 2) continue;
    truthDiv++;
    const rp = resOf((G.span.get(p) as [number, number])[1]);
    if (rp < 0) continue;
    const rpTrack = R.nodeTrack[rp] as number;
    const rKids = R.children.get(rpTrack) ?? [];
    if (rKids.length < 2 || (R.span.get(rpTrack) as [number, number])[1] !== rp) continue;
    const rFirsts = new Set(rKids.map((k) => (R.span.get(k) as [number, number])[0]));
    if (kids.every((k) => rFirsts.has(resOf((G.span.get(k) as [number, number])[0])))) {
      found++;
      foundRes.add(rpTrack);
    }
  }
  let resultDiv = 0;
  for (const kids of R.children.values()) if (kids.length >= 2) resultDiv++;
  return {
    tra,
    aogm,
    aogm0,
    counts: { ns, fn, fp, ed, ea, ec },
    truthNodes: nG,
    truthEdges: G.edges.length,
    divisions: {
      truth: truthDiv,
      found,
      result: resultDiv,
      correct: foundRes.size,
      recall: truthDiv ? found / truthDiv : 1,
      precision: resultDiv ? foundRes.size / resultDiv : 1,
    },
  };
}

/** A stack of label images: a [T, Y, X] ndarray-like or one flat array per frame (all the same size). */
export type LabelStack = { data: ArrayLike<number>; shape: readonly number[] } | readonly ArrayLike<number>[];

function framesOf(stack: LabelStack, what: string): { frames: ArrayLike<number>[]; size: number } {
  if (Array.isArray(stack)) {
    const frames = stack as ArrayLike<number>[];
    const size = frames[0]?.length ?? 0;
    for (const f of frames) if (f.length !== size) throw new HypedError("SHAPE_MISMATCH", `${what}: frames differ in size`, { what });
    return { frames, size };
  }
  const s = stack as { data: ArrayLike<number>; shape: readonly number[] };
  if (s.shape.length !== 3)
    throw new HypedError("INVALID_ARGUMENT", `${what}: expected a [T, Y, X] stack, got shape [${s.shape}]`, { shape: s.shape });
  const [T, Y, X] = s.shape as [number, number, number];
  const size = Y * X;
  const frames: ArrayLike<number>[] = [];
  const data = s.data as unknown as { subarray?: (a: number, b: number) => ArrayLike<number> } & ArrayLike<number>;
  for (let t = 0; t < T; t++) {
    frames.push(
      typeof data.subarray === "function"
        ? data.subarray(t * size, (t + 1) * size)
        : Array.prototype.slice.call(data, t * size, (t + 1) * size),
    );
  }
  return { frames, size };
}

/** Nodes (track id, frame) present in a stack of track-label images. */
function nodesOfMasks(frames: ArrayLike<number>[]): { trackId: number[]; frame: number[] } {
  const trackId: number[] = [];
  const frame: number[] = [];
  frames.forEach((f, t) => {
    const seen = new Set<number>();
    for (let i = 0; i < f.length; i++) {
      const v = f[i] as number;
      if (v !== 0 && !seen.has(v)) {
        seen.add(v);
        trackId.push(v);
        frame.push(t);
      }
    }
  });
  return { trackId, frame };
}

/**
 * The CTC TRA measure from label images, exactly as the challenge's tool defines matching: truth and result
 * are stacks whose pixel values are track ids (0 = background), with lineages giving each track's parent
 * (the `L B E P` of `man_track.txt`/`res_track.txt`). A result object matches a truth object of the same
 * frame when it covers more than half of the truth object's pixels.
 */
export function evaluateTrackingMasks(
  truth: { labels: LabelStack; lineage: { id: ArrayLike<number>; parent: ArrayLike<number> } },
  result: { labels: LabelStack; lineage: { id: ArrayLike<number>; parent: ArrayLike<number> } },
  weights: Partial<AogmWeights> = {},
): TrackingScore {
  const gt = framesOf(truth.labels, "truth labels");
  const rs = framesOf(result.labels, "result labels");
  if (gt.frames.length !== rs.frames.length || gt.size !== rs.size) {
    throw new HypedError(
      "SHAPE_MISMATCH",
      `truth and result stacks differ: ${gt.frames.length}x${gt.size} vs ${rs.frames.length}x${rs.size}`,
      {},
    );
  }
  // per frame: for each result label, the truth labels it covers by more than half
  const matches = gt.frames.map((g, t) => {
    const r = rs.frames[t] as ArrayLike<number>;
    const gArea = new Map<number, number>();
    const inter = new Map<number, number>();
    for (let i = 0; i < g.length; i++) {
      const gv = g[i] as number;
      if (gv === 0) continue;
      gArea.set(gv, (gArea.get(gv) ?? 0) + 1);
      const rv = r[i] as number;
      if (rv !== 0) {
        const k = rv * 4294967296 + gv;
        inter.set(k, (inter.get(k) ?? 0) + 1);
      }
    }
    const byRes = new Map<number, number[]>();
    for (const [k, c] of inter) {
      const rv = Math.floor(k / 4294967296);
      const gv = k - rv * 4294967296;
      if (2 * c > (gArea.get(gv) as number)) {
        const l = byRes.get(rv);
        if (l) l.push(gv);
        else byRes.set(rv, [gv]);
      }
    }
    return byRes;
  });
  const gNodes = nodesOfMasks(gt.frames);
  const rNodes = nodesOfMasks(rs.frames);
  return evaluateTracking(
    { ...gNodes, lineage: truth.lineage },
    { ...rNodes, lineage: result.lineage },
    (tr, fr) => (matches[fr] as Map<number, number[]>).get(tr) ?? [],
    weights,
  );
}

/**
 * TRA when every result object is a truth object with a known truth track id (e.g. tracking detections that
 * came from the truth, as in benchmarks): `truthTrackOf(frame, objectId)` names the truth track of a
 * result object (0 = a spurious object).
 */
export function evaluateTrackingByObject(
  truth: TrackGraphInput,
  result: TrackGraphInput & { objectId: ArrayLike<number> },
  truthTrackOf: (frame: number, objectId: number) => number,
  weights: Partial<AogmWeights> = {},
): TrackingScore {
  const m = new Map<string, number>();
  for (let i = 0; i < result.trackId.length; i++) {
    m.set(`${result.trackId[i]}:${result.frame[i]}`, truthTrackOf(result.frame[i] as number, result.objectId[i] as number));
  }
  return evaluateTracking(
    truth,
    result,
    (tr, fr) => {
      const g = m.get(`${tr}:${fr}`) ?? 0;
      return g > 0 ? [g] : [];
    },
    weights,
  );
}

/**
 * The output of {@link trackCells}: the tracklet graph chosen by the global step becomes tracks (chains of
 * continued tracklets), a lineage table (parents, generations, roots) and per-object track ids.
 */
import type { NodeStore, Tracklet } from "./nodes.js";
import type { Lineage, NormalisedFrame, TrackingResult, TracksTable } from "./types.js";

/** Chains of pieces linked by `next`, sorted by start, with each chain's parent chain, generation and root. */
function chainPieces(pieces: Tracklet[], next: Int32Array, parentOf: Int32Array, nodes: NodeStore) {
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
  return { chains, parentChain, generation, root };
}

/** Build the tracks table, lineage and per-object track ids from the tracklet graph. */
export function buildOutput(
  pieces: Tracklet[],
  next: Int32Array,
  parentOf: Int32Array,
  nodes: NodeStore,
  frames: NormalisedFrame[],
  summary: TrackingResult["summary"],
): TrackingResult {
  const { chains, parentChain, generation, root } = chainPieces(pieces, next, parentOf, nodes);
  const C = chains.length;
  const rows: number[] = [];
  const rowTrack: number[] = [];
  const lin: Lineage = {
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

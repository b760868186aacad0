/**
 * The Cell Tracking Challenge result format, so users can score a tracking with the CTC tools:
 * - `res_track.txt`: one line `L B E P` per track (label, begin frame, end frame, parent label, 0 = none);
 * - `maskTTT.tif` per frame: 16-bit label images whose values are track labels (0 = background), three
 *   digits (four when there are 1000 frames or more).
 *
 * CTC tracks must be present in every frame from B to E. A track with closed gaps is therefore written as
 * several segments, each later segment with the previous one as its parent (the CTC convention for gaps),
 * and the track's children hang from the last segment. Labels are renumbered 1..n and must fit 16 bits.
 * This module builds the bytes; writing them to disk is the caller's (e.g. `fs.writeFile`).
 */
import { HypedError } from "@hyped/core";
import type { LabelStack } from "./evaluate.js";
import type { TrackingResult } from "./types.js";

/** The files of a CTC result folder. */
export interface CtcFiles {
  /** Contents of `res_track.txt`. */
  resTrack: string;
  /** The CTC lineage (after splitting gaps): label, begin, end, parent. */
  tracks: { label: Int32Array; begin: Int32Array; end: Int32Array; parent: Int32Array };
  /** One 16-bit label image per frame, as TIFF bytes, named `mask000.tif`, ... (empty with `masks: false`). */
  masks: { name: string; data: Uint8Array }[];
  /** The relabelled frames (CTC labels) as flat Uint16Arrays, for evaluation or display. */
  labels: Uint16Array[];
}

function framesOf(stack: LabelStack): { frames: ArrayLike<number>[]; height: number; width: number } {
  if (Array.isArray(stack)) {
    throw new HypedError("INVALID_ARGUMENT", "encodeCtc needs a [T, Y, X] stack or a list of 2-D ndarrays (the image size is needed)", {});
  }
  const s = stack as { data: ArrayLike<number>; shape: readonly number[] };
  if (s.shape.length !== 3)
    throw new HypedError("INVALID_ARGUMENT", `encodeCtc: labels must be [T, Y, X], got [${s.shape}]`, { shape: s.shape });
  const [T, Y, X] = s.shape as [number, number, number];
  const d = s.data as unknown as { subarray: (a: number, b: number) => ArrayLike<number> };
  return { frames: Array.from({ length: T }, (_, t) => d.subarray(t * Y * X, (t + 1) * Y * X)), height: Y, width: X };
}

/** Options of {@link encodeCtc}. */
export interface EncodeCtcOptions {
  /**
   * Encode the `maskTTT.tif` files (default true). With `false`, `masks` is empty and only `resTrack`,
   * `tracks` and the relabelled `labels` are built, e.g. to score with `evaluateTrackingMasks` without
   * writing files (the TIFF encoding is most of the cost).
   */
  masks?: boolean;
}

/**
 * Build the CTC result files from a tracking result and the segmentation label images it was made from
 * (`labels` [T, Y, X], or a list of per-frame `{ data, shape: [Y, X] }`; pixel values are the object ids
 * given to `trackCells`). Objects in no track are dropped from the masks.
 */
export function encodeCtc(
  result: TrackingResult,
  labels: LabelStack | readonly { data: ArrayLike<number>; shape: readonly number[] }[],
  options: EncodeCtcOptions = {},
): CtcFiles {
  let frames: ArrayLike<number>[];
  let height: number;
  let width: number;
  if (Array.isArray(labels) && labels.length > 0 && (labels[0] as { shape?: unknown }).shape) {
    const list = labels as readonly { data: ArrayLike<number>; shape: readonly number[] }[];
    [height, width] = (list[0] as { shape: readonly number[] }).shape as [number, number];
    for (const f of list) {
      if (f.shape.length !== 2 || f.shape[0] !== height || f.shape[1] !== width) {
        throw new HypedError("SHAPE_MISMATCH", `encodeCtc: every frame must be ${height}x${width}`, { shape: f.shape });
      }
    }
    frames = list.map((f) => f.data);
  } else {
    ({ frames, height, width } = framesOf(labels as LabelStack));
  }
  const T = frames.length;
  if (T !== result.objectTrack.length) {
    throw new HypedError("SHAPE_MISMATCH", `encodeCtc: ${T} label frames but the tracking has ${result.objectTrack.length}`, {});
  }
  const lineage = ctcLineage(result);
  const out: Uint16Array[] = frames.map((f, t) => {
    if (f.length !== height * width) throw new HypedError("SHAPE_MISMATCH", `encodeCtc: frame ${t} has ${f.length} pixels`, { frame: t });
    return ctcRelabel(f, lineage.labelOf[t] as Map<number, number>);
  });
  const masks = ((options.masks ?? true) ? out : []).map((o, t) => ({
    name: ctcMaskName(t, T),
    data: encodeCtcMask(o, height, width),
  }));
  return { resTrack: lineage.resTrack, tracks: lineage.tracks, masks, labels: out };
}

/** The CTC lineage of a tracking result, and per frame the map from object id to CTC label. */
export interface CtcLineage {
  /** Contents of `res_track.txt`. */
  resTrack: string;
  /** The CTC lineage (after splitting gaps): label, begin, end, parent. */
  tracks: CtcFiles["tracks"];
  /** `labelOf[t]`: object id in frame t → CTC label (objects in no track are absent). */
  labelOf: Map<number, number>[];
}

/**
 * The CTC lineage of a tracking result without touching any image: what {@link encodeCtc} writes to
 * `res_track.txt`, plus the label maps to relabel frames one at a time ({@link ctcRelabel}), so a long
 * movie never has to be in memory at once. Throws `OUT_OF_RANGE` above 65,535 CTC tracks.
 */
export function ctcLineage(result: TrackingResult): CtcLineage {
  const T = result.objectTrack.length;
  // split tracks at gaps into CTC segments
  const tr = result.tracks;
  const segOfRow = new Int32Array(tr.trackId.length);
  const seg = { label: [] as number[], begin: [] as number[], end: [] as number[], parent: [] as number[], track: [] as number[] };
  const lastSegOfTrack = new Map<number, number>();
  for (let r = 0; r < tr.trackId.length; r++) {
    const id = tr.trackId[r] as number;
    const f = tr.frame[r] as number;
    const cur = lastSegOfTrack.get(id);
    if (cur !== undefined && seg.end[cur] === f - 1) {
      seg.end[cur] = f;
      segOfRow[r] = cur;
      continue;
    }
    const k = seg.label.length;
    seg.label.push(k + 1);
    seg.begin.push(f);
    seg.end.push(f);
    seg.parent.push(cur !== undefined ? cur + 1 : -(tr.parent[r] as number));
    seg.track.push(id);
    lastSegOfTrack.set(id, k);
    segOfRow[r] = k;
  }
  if (seg.label.length > 65535)
    throw new HypedError("OUT_OF_RANGE", `${seg.label.length} CTC tracks do not fit 16-bit labels`, { tracks: seg.label.length });
  // parents given as -(track id) point at the last segment of that track
  for (let k = 0; k < seg.parent.length; k++) {
    const p = seg.parent[k] as number;
    if (p < 0) seg.parent[k] = (lastSegOfTrack.get(-p) as number) + 1;
  }
  const labelOf = Array.from({ length: T }, () => new Map<number, number>());
  for (let r = 0; r < tr.trackId.length; r++)
    (labelOf[tr.frame[r] as number] as Map<number, number>).set(tr.objectId[r] as number, (segOfRow[r] as number) + 1);
  const lines = seg.label.map((l, k) => `${l} ${seg.begin[k]} ${seg.end[k]} ${seg.parent[k]}`);
  return {
    resTrack: lines.length ? `${lines.join("\n")}\n` : "",
    tracks: {
      label: Int32Array.from(seg.label),
      begin: Int32Array.from(seg.begin),
      end: Int32Array.from(seg.end),
      parent: Int32Array.from(seg.parent),
    },
    labelOf,
  };
}

/** One frame's object ids turned into CTC labels with a map of {@link ctcLineage} (unmapped objects become 0). */
export function ctcRelabel(frame: ArrayLike<number>, labelOf: Map<number, number>): Uint16Array {
  const o = new Uint16Array(frame.length);
  for (let i = 0; i < frame.length; i++) {
    const v = frame[i] as number;
    if (v !== 0) o[i] = labelOf.get(v) ?? 0;
  }
  return o;
}

/** The CTC mask file name of frame `t` in a movie of `frames` frames (`mask000.tif`; 4 digits from 1000 frames). */
export function ctcMaskName(t: number, frames: number): string {
  return `mask${String(t).padStart(frames >= 1000 ? 4 : 3, "0")}.tif`;
}

/**
 * A 16-bit CTC label image (row-major `height x width`) as a baseline TIFF: little-endian, one uncompressed
 * strip, unsigned 16-bit grey (what the CTC tools and tifffile read). Written directly rather than through
 * geotiff.js's writer (used elsewhere for plane exports), which converts pixel by pixel: about 1 µs a pixel,
 * 10 s for one 2826 x 3245 mask, against a copy here.
 */
export function encodeCtcMask(labels: Uint16Array, height: number, width: number): Uint8Array {
  if (labels.length !== height * width)
    throw new HypedError("SHAPE_MISMATCH", `encodeCtcMask: ${labels.length} labels for ${height}x${width}`, { height, width });
  const tags: Array<[number, 3 | 4, number]> = [
    [256, 4, width],
    [257, 4, height],
    [258, 3, 16],
    [259, 3, 1],
    [262, 3, 1],
    [273, 4, 0], // strip offset, set below
    [277, 3, 1],
    [278, 4, height],
    [279, 4, labels.length * 2],
    [284, 3, 1],
    [339, 3, 1],
  ];
  const ifdBytes = 2 + tags.length * 12 + 4;
  const dataAt = 8 + ifdBytes;
  const out = new Uint8Array(dataAt + labels.length * 2);
  const v = new DataView(out.buffer);
  v.setUint16(0, 0x4949, true); // "II"
  v.setUint16(2, 42, true);
  v.setUint32(4, 8, true);
  v.setUint16(8, tags.length, true);
  tags.forEach(([tag, type, value], k) => {
    const p = 10 + k * 12;
    v.setUint16(p, tag, true);
    v.setUint16(p + 2, type, true);
    v.setUint32(p + 4, 1, true);
    if (type === 3) v.setUint16(p + 8, value, true);
    else v.setUint32(p + 8, tag === 273 ? dataAt : value, true);
  });
  v.setUint32(10 + tags.length * 12, 0, true); // no next IFD
  const px = new Uint16Array(out.buffer, dataAt, labels.length);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) px.set(labels);
  else for (let i = 0; i < labels.length; i++) v.setUint16(dataAt + 2 * i, labels[i] as number, true);
  return out;
}

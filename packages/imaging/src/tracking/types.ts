/** Input and output tables of the tracker. */
import { HypedError } from "@hyped/core";

/**
 * The objects of one frame, as columns. Positions are pixels: `x` is the column, `y` the row (a
 * `regionProps`/`segmentFrame` table with `centroidCol`/`centroidRow` and `label` works as is).
 */
export interface FrameObjects {
  /** Column of the centroid, px (or give `centroidCol`). */
  x?: ArrayLike<number>;
  /** Row of the centroid, px (or give `centroidRow`). */
  y?: ArrayLike<number>;
  /** Alias of `x` (the `regionProps` name). */
  centroidCol?: ArrayLike<number>;
  /** Alias of `y` (the `regionProps` name). */
  centroidRow?: ArrayLike<number>;
  /** Object ids, e.g. label values in the frame's label image. Default 1..n (or `label`). */
  id?: ArrayLike<number>;
  /** Alias of `id` (the `regionProps` name). */
  label?: ArrayLike<number>;
  /** Object areas, px²; used by the appearance terms when present. */
  area?: ArrayLike<number>;
}

/** A normalised frame: plain Float64 columns. */
export interface NormalisedFrame {
  n: number;
  x: Float64Array;
  y: Float64Array;
  id: Float64Array;
  area: Float64Array | undefined;
}

/** Check and normalise the objects of one frame. */
export function normaliseFrame(f: FrameObjects, t: number): NormalisedFrame {
  const xs = f.x ?? f.centroidCol;
  const ys = f.y ?? f.centroidRow;
  if (!xs || !ys) {
    throw new HypedError("INVALID_ARGUMENT", `frame ${t}: objects need x/y (or centroidCol/centroidRow) columns`, {
      frame: t,
      keys: Object.keys(f),
    });
  }
  const n = xs.length;
  const ids = f.id ?? f.label;
  const cols: [string, ArrayLike<number> | undefined][] = [
    ["y", ys],
    ["id", ids],
    ["area", f.area],
  ];
  for (const [name, c] of cols) {
    if (c && c.length !== n) {
      throw new HypedError("SHAPE_MISMATCH", `frame ${t}: column ${name} has ${c.length} rows, x has ${n}`, { frame: t, column: name });
    }
  }
  const x = Float64Array.from(xs);
  const y = Float64Array.from(ys);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i] as number) || !Number.isFinite(y[i] as number)) {
      throw new HypedError("INVALID_ARGUMENT", `frame ${t}: object ${i} has a non-finite position`, { frame: t, index: i });
    }
  }
  return {
    n,
    x,
    y,
    id: ids ? Float64Array.from(ids) : Float64Array.from({ length: n }, (_, i) => i + 1),
    area: f.area ? Float64Array.from(f.area) : undefined,
  };
}

/** The tracks table: one row per (track, frame) where the track has an object, sorted by track then frame. */
export interface TracksTable {
  /** Track id, 1-based. */
  trackId: Int32Array;
  /** Frame index. */
  frame: Int32Array;
  /** The object's id in its frame (`id`/`label` of the input; the label value for label images). */
  objectId: Float64Array;
  /** Row of the object within its frame's input table. */
  objectIndex: Int32Array;
  /** Column, px. */
  x: Float64Array;
  /** Row, px. */
  y: Float64Array;
  /** Parent track id (0 = none), repeated on each row of the track. */
  parent: Int32Array;
  /** Generation: 0 for a track without parent, parent's + 1 after a division. */
  generation: Int32Array;
}

/** The lineage: one row per track. */
export interface Lineage {
  /** Track id. */
  id: Int32Array;
  /** First frame. */
  start: Int32Array;
  /** Last frame (inclusive). */
  end: Int32Array;
  /** Parent track id, 0 for none. */
  parent: Int32Array;
  /** Generation (0 = no parent). */
  generation: Int32Array;
  /** Root ancestor's track id (itself for a root). */
  root: Int32Array;
  /** Number of children (2 after a division). */
  children: Int32Array;
  /** Number of frames with an object (smaller than end − start + 1 when gaps were closed). */
  length: Int32Array;
}

/** Turn a table of equal-length columns into row objects (for printing). */
export function tableRows<T extends { [K in keyof T]: ArrayLike<number> }>(table: T): Record<keyof T, number>[] {
  const keys = Object.keys(table) as (keyof T)[];
  const n = keys.length ? (table[keys[0] as keyof T] as ArrayLike<number>).length : 0;
  const out: Record<keyof T, number>[] = [];
  for (let i = 0; i < n; i++) {
    const row = {} as Record<keyof T, number>;
    for (const k of keys) row[k] = (table[k] as ArrayLike<number>)[i] as number;
    out.push(row);
  }
  return out;
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

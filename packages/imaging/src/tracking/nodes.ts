/**
 * The data structures both stages of {@link trackCells} share: the flat store of every object of the movie
 * (positions and the Kalman state filtered at each), the tracklets built from it, and a uniform-grid spatial
 * index for candidate search.
 */
import { HypedError } from "@hyped/core";
import type { NormalisedFrame } from "./types.js";

/** A run of linked objects (node ids into a {@link NodeStore}). */
export interface Tracklet {
  nodes: number[];
  /** Objects from this piece's start to the end of the frame-to-frame tracklet it was cut from. */
  reach: number;
  /** True if the frame-to-frame tracklet runs to the last frame (it may be cut short by the movie's end). */
  toEnd?: boolean;
}

/** Every object of the movie, flattened; node `k` is object `index[k]` of frame `frame[k]`. */
export class NodeStore {
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
export class Grid {
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

/** Cost of an area change: `w · |ln(a / b)|`, 0 when disabled or an area is unknown. */
export const areaTerm = (w: number, a: number, b: number) => (w > 0 && a > 0 && b > 0 ? w * Math.abs(Math.log(a / b)) : 0);

/**
 * A field size is `[height, width]`; every object must lie inside it. An object outside (typically from a
 * swapped `[width, height]`) would put whole rows of cells "at the border", where appearing and leaving cost
 * nothing, and silently replace their divisions by terminations and initialisations.
 */
export function checkFieldSize(size: readonly [number, number], nodes: NodeStore): void {
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

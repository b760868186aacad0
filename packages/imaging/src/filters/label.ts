/** Connected-component labelling, matching `skimage.measure.label` (0.19.3). */
import { fromTyped, HypedError, type NdArray } from "@hyped/core";
import { flat2D, type Image2D } from "./image.js";

/** Options of {@link label}. */
export interface LabelOptions {
  /**
   * 1 = 4-connectivity (edges), 2 = 8-connectivity (edges and corners). Default 2 (scikit-image's default
   * `connectivity=None` means full connectivity, `ndim`).
   */
  connectivity?: 1 | 2;
  /** Pixels of this value are background and get label 0. Default 0. */
  background?: number;
}

/**
 * Label connected regions of equal value. Matches `skimage.measure.label(image, background=0,
 * connectivity=2)`: neighbouring pixels with the same value (other than `background`) join the same region,
 * so a binary mask gives its connected components and an integer image splits touching regions of different
 * values. Labels are 1..N, numbered in raster order of each region's first pixel; background is 0.
 * Float images are truncated to integers first, as scikit-image does. Returns int32 (scikit-image returns
 * int64; the values are the same).
 */
export function label(image: Image2D, options: LabelOptions = {}): NdArray<"int32"> {
  const conn = options.connectivity ?? 2;
  if (conn !== 1 && conn !== 2)
    throw new HypedError("INVALID_ARGUMENT", `connectivity must be 1 or 2, got ${String(conn)}`, { connectivity: conn });
  const f = flat2D(image);
  let data = f.data;
  if (f.dtype === "float32" || f.dtype === "float64") {
    // scikit-image casts to an integer type first (truncation toward zero)
    const t = new Float64Array(data.length);
    for (let i = 0; i < t.length; i++) t[i] = Math.trunc(data[i]!);
    data = t;
  }
  const out = labelFlat(data, f.rows, f.cols, conn, options.background ?? 0);
  return fromTyped(out.labels, [f.rows, f.cols]) as NdArray<"int32">;
}

/** Root of run `r` with path halving (runs only ever point to earlier runs). */
function findRoot(parent: Int32Array, r: number): number {
  let p = parent[r]!;
  while (p !== r) {
    const gp = parent[p]!;
    parent[r] = gp;
    r = p;
    p = gp;
  }
  return r;
}

/**
 * The first non-background index in `[x, end)` of a Uint8Array with background 0, sixteen bytes (four words) per
 * step: V8 re-checks a typed array's bounds and base once per loop iteration, so wider steps skip faster (a
 * 9-megapixel seed mask: 1.5 ms at 8 bytes a step, 0.7 ms at 16, 0.9 ms at 32).
 */
function skipZeros(data: Uint8Array, w32: Uint32Array, x: number, end: number): number {
  while (x < end && (x & 15) !== 0) {
    if (data[x] !== 0) return x;
    x++;
  }
  // w32 starts at data's first byte, so word k holds bytes 4k..4k+3; words k..k+3 end before `end` while k < ke
  let k = x >> 2;
  const ke = (end >> 2) - 3;
  while (k < ke && (w32[k]! | w32[k + 1]! | w32[k + 2]! | w32[k + 3]!) === 0) k += 4;
  if (k << 2 > x) x = k << 2;
  while (x < end && data[x] === 0) x++;
  return x;
}

/**
 * Label a flat image; returns labels (int32, raster-ordered 1..count) and the count.
 *
 * Run-based two-pass labelling. Pass 1 cuts each row into runs (maximal stretches of one non-background value)
 * and unites every run with the runs of the row above that touch it (overlapping columns; with connectivity 2
 * also diagonally) and carry the same value, in a typed-array union-find over run numbers whose roots are always
 * the earliest run, i.e. the one holding the region's first pixel in raster order. Pass 2 numbers the roots in
 * order (1, 2, ... as skimage) and paints each run. A cell mask has ~20x fewer runs than foreground pixels, so
 * the union-find sees a fraction of the nodes a per-pixel scan does, and background is skipped sixteen bytes at
 * a time for uint8 masks with background 0. Writes every element of `into` when given (length `rows * cols`).
 */
export function labelFlat(
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  connectivity: 1 | 2,
  background = 0,
  into?: Int32Array,
): { labels: Int32Array; count: number } {
  const n = rows * cols;
  const labels = into ?? new Int32Array(n);
  if (n === 0) return { labels, count: 0 };
  // background pixels are never written below: one memset instead of a store per background pixel
  if (into) into.fill(0, 0, n);
  const words = data instanceof Uint8Array && background === 0 && data.byteOffset % 4 === 0;
  const u8 = data as Uint8Array;
  const w32 = words ? new Uint32Array(u8.buffer, u8.byteOffset, n >> 2) : undefined;
  // runs: [start, end) as flat indices; parent in the union-find
  let cap = 1024;
  let rs = new Int32Array(cap);
  let re = new Int32Array(cap);
  let parent = new Int32Array(cap);
  let nr = 0;
  let prevFirst = 0;
  // with connectivity 2 a run above touches [x, e) when it ends at x - 1 or later and starts at e or earlier
  const d = connectivity === 2 ? 1 : 0;
  for (let y = 0; y < rows; y++) {
    const rowEnd = (y + 1) * cols;
    const curFirst = nr;
    let p = prevFirst;
    let x = y * cols;
    for (;;) {
      if (w32) x = skipZeros(u8, w32, x, rowEnd);
      else while (x < rowEnd && data[x] === background) x++;
      if (x >= rowEnd) break;
      const v = data[x]!;
      let e = x + 1;
      while (e < rowEnd && data[e] === v) e++;
      if (nr === cap) {
        cap *= 2;
        const a = new Int32Array(cap);
        a.set(rs);
        rs = a;
        const b = new Int32Array(cap);
        b.set(re);
        re = b;
        const c = new Int32Array(cap);
        c.set(parent);
        parent = c;
      }
      rs[nr] = x;
      re[nr] = e;
      parent[nr] = nr;
      // runs of the row above, shifted down a row: skip those ending left of this one, unite the touching ones
      const lo = x - cols - d;
      const hi = e - cols + d;
      while (p < curFirst && re[p]! <= lo) p++;
      for (let q = p; q < curFirst && rs[q]! < hi; q++) {
        if (data[rs[q]!] !== v) continue;
        // the current run is the newest: its root is itself until its first union, then an earlier run
        const rq = findRoot(parent, q);
        const rn = findRoot(parent, nr);
        if (rq < rn) parent[rn] = rq;
        else parent[rq] = rn;
      }
      nr++;
      x = e;
    }
    prevFirst = curFirst;
  }
  // final numbering: roots in creation (= raster) order get 1, 2, ...; parent[p] (p < r) already holds p's label
  let count = 0;
  for (let r = 0; r < nr; r++) {
    const q = parent[r]!;
    parent[r] = q === r ? ++count : parent[q]!;
  }
  for (let r = 0; r < nr; r++) {
    const l = parent[r]!;
    const e = re[r]!;
    for (let i = rs[r]!; i < e; i++) labels[i] = l;
  }
  return { labels, count };
}

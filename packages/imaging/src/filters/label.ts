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

function find(parent: Int32Array, i: number): number {
  let r = i;
  while (parent[r] !== r) r = parent[r]!;
  while (parent[i] !== r) {
    const nx = parent[i]!;
    parent[i] = r;
    i = nx;
  }
  return r;
}

function union(parent: Int32Array, a: number, b: number): number {
  const ra = find(parent, a);
  const rb = find(parent, b);
  if (ra === rb) return ra;
  // keep the smaller index as root so roots are the first pixel in raster order
  if (ra < rb) {
    parent[rb] = ra;
    return ra;
  }
  parent[ra] = rb;
  return rb;
}

/** Label a flat image; returns labels (int32, raster-ordered 1..count) and the count. */
export function labelFlat(
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  connectivity: 1 | 2,
  background = 0,
): { labels: Int32Array; count: number } {
  const n = rows * cols;
  const parent = new Int32Array(n);
  for (let y = 0; y < rows; y++) {
    const b = y * cols;
    for (let x = 0; x < cols; x++) {
      const i = b + x;
      const v = data[i]!;
      parent[i] = i;
      if (v === background) continue;
      let root = -1;
      // back neighbours: left, then the row above (up-left, up, up-right for 8-connectivity)
      if (x > 0 && data[i - 1] === v) root = find(parent, i - 1);
      if (y > 0) {
        const u = i - cols;
        if (data[u] === v) root = root < 0 ? find(parent, u) : union(parent, root, u);
        if (connectivity === 2) {
          if (x > 0 && data[u - 1] === v) root = root < 0 ? find(parent, u - 1) : union(parent, root, u - 1);
          if (x < cols - 1 && data[u + 1] === v) root = root < 0 ? find(parent, u + 1) : union(parent, root, u + 1);
        }
      }
      if (root >= 0) parent[i] = root;
    }
  }
  const labels = new Int32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (data[i] === background) continue;
    const r = find(parent, i);
    if (r === i) labels[i] = ++count;
    else labels[i] = labels[r]!;
  }
  return { labels, count };
}

/** Region properties as columns, matching `skimage.measure.regionprops` (0.19.3). */
import { HypedError } from "@hyped/core";
import { flat2D, type Image2D, sameShape } from "./image.js";

/** Per-channel intensity columns of a {@link RegionTable}. */
export interface IntensityColumns {
  /** Mean intensity over the region's pixels (`mean_intensity`). */
  mean: Float64Array;
  /** Minimum (`min_intensity`). */
  min: Float64Array;
  /** Maximum (`max_intensity`). */
  max: Float64Array;
}

/**
 * Region properties, one entry per label present, in increasing label order. Coordinates are (row, col) in
 * pixels; bbox is half-open `[minRow, minCol, maxRow, maxCol)` like scikit-image.
 */
export interface RegionTable {
  label: Int32Array;
  /** Number of pixels (`area`). */
  area: Float64Array;
  /** Centroid row (`centroid[0]`). */
  centroidRow: Float64Array;
  /** Centroid column (`centroid[1]`). */
  centroidCol: Float64Array;
  bboxMinRow: Int32Array;
  bboxMinCol: Int32Array;
  bboxMaxRow: Int32Array;
  bboxMaxCol: Int32Array;
  /** Present unless `shape: false`: `eccentricity` of the inertia ellipse (0 = circle). */
  eccentricity?: Float64Array;
  /** `major_axis_length` = 4 sqrt(largest inertia eigenvalue). */
  majorAxisLength?: Float64Array;
  /** `minor_axis_length` = 4 sqrt(smallest inertia eigenvalue). */
  minorAxisLength?: Float64Array;
  /** `orientation`: angle in radians between the row axis and the major axis, in [-π/2, π/2]. */
  orientation?: Float64Array;
  /** `perimeter` with 4-connectivity weights (1, √2, (1+√2)/2 by border configuration). */
  perimeter?: Float64Array;
  /** `solidity` = area / area of the convex hull image. */
  solidity?: Float64Array;
  /** Intensity columns per channel name (present when an intensity image was given). */
  intensity: Record<string, IntensityColumns>;
}

/** Options of {@link regionProps}. */
export interface RegionPropsOptions {
  /** Channel names for a list of intensity images. Default `c0`, `c1`, ... (or `intensity` for one image). */
  channelNames?: readonly string[];
  /** Compute the shape columns (eccentricity, axes, orientation, perimeter, solidity). Default true. */
  shape?: boolean;
}

/**
 * Measure labelled regions (label 0 is background). Matches `skimage.measure.regionprops(labels,
 * intensity_image)` properties `label, area, centroid, bbox, mean/min/max_intensity, eccentricity,
 * major/minor_axis_length, orientation, perimeter, solidity` of scikit-image 0.19.3, returned as columns.
 * `intensity` may be one 2-D image or a list of them (channels); sums are in float64.
 * Use {@link regionRows} to turn the table into row objects for printing.
 */
export function regionProps(labels: Image2D, intensity?: Image2D | readonly Image2D[], options: RegionPropsOptions = {}): RegionTable {
  const lf = flat2D(labels, "labels");
  const { rows, cols } = lf;
  const lab = lf.data;
  const n = rows * cols;
  let maxLab = 0;
  for (let i = 0; i < n; i++) {
    const v = lab[i]!;
    if (v > maxLab) maxLab = v;
    if (!Number.isInteger(v) || v < 0)
      throw new HypedError("INVALID_ARGUMENT", `labels must be non-negative integers, found ${v} at ${i}`, { index: i });
  }
  if (maxLab > 2 ** 27) throw new HypedError("OUT_OF_RANGE", `label ${maxLab} is too large for a dense table`, { maxLab });
  const L = maxLab + 1;
  const cnt = new Float64Array(L);
  const sr = new Float64Array(L);
  const sc = new Float64Array(L);
  const y0 = new Int32Array(L).fill(rows);
  const x0 = new Int32Array(L).fill(cols);
  const y1 = new Int32Array(L).fill(-1);
  const x1 = new Int32Array(L).fill(-1);
  for (let y = 0; y < rows; y++) {
    const b = y * cols;
    for (let x = 0; x < cols; x++) {
      const l = lab[b + x]!;
      if (l === 0) continue;
      cnt[l] = cnt[l]! + 1;
      sr[l] = sr[l]! + y;
      sc[l] = sc[l]! + x;
      if (y < y0[l]!) y0[l] = y;
      if (y > y1[l]!) y1[l] = y;
      if (x < x0[l]!) x0[l] = x;
      if (x > x1[l]!) x1[l] = x;
    }
  }
  const present: number[] = [];
  for (let l = 1; l < L; l++) if (cnt[l]! > 0) present.push(l);
  const m = present.length;
  const row = new Int32Array(L).fill(-1);
  present.forEach((l, k) => {
    row[l] = k;
  });
  const t: RegionTable = {
    label: Int32Array.from(present),
    area: new Float64Array(m),
    centroidRow: new Float64Array(m),
    centroidCol: new Float64Array(m),
    bboxMinRow: new Int32Array(m),
    bboxMinCol: new Int32Array(m),
    bboxMaxRow: new Int32Array(m),
    bboxMaxCol: new Int32Array(m),
    intensity: {},
  };
  for (let k = 0; k < m; k++) {
    const l = present[k]!;
    t.area[k] = cnt[l]!;
    t.centroidRow[k] = sr[l]! / cnt[l]!;
    t.centroidCol[k] = sc[l]! / cnt[l]!;
    t.bboxMinRow[k] = y0[l]!;
    t.bboxMinCol[k] = x0[l]!;
    t.bboxMaxRow[k] = y1[l]! + 1;
    t.bboxMaxCol[k] = x1[l]! + 1;
  }
  // intensities
  if (intensity !== undefined) {
    const list = Array.isArray(intensity) ? (intensity as readonly Image2D[]) : [intensity as Image2D];
    const names = options.channelNames ?? (Array.isArray(intensity) ? list.map((_, i) => `c${i}`) : ["intensity"]);
    if (names.length !== list.length) {
      throw new HypedError("SHAPE_MISMATCH", `${list.length} intensity images but ${names.length} channel names`, {});
    }
    list.forEach((img, ci) => {
      const f = flat2D(img, "intensity");
      sameShape(lf, f, "regionProps intensity");
      const d = f.data;
      const sum = new Float64Array(m);
      const mn = new Float64Array(m).fill(Number.POSITIVE_INFINITY);
      const mx = new Float64Array(m).fill(Number.NEGATIVE_INFINITY);
      for (let i = 0; i < n; i++) {
        const l = lab[i]!;
        if (l === 0) continue;
        const k = row[l]!;
        const v = d[i]!;
        sum[k] = sum[k]! + v;
        if (v < mn[k]!) mn[k] = v;
        if (v > mx[k]!) mx[k] = v;
      }
      for (let k = 0; k < m; k++) sum[k] = sum[k]! / t.area[k]!;
      t.intensity[names[ci]!] = { mean: sum, min: mn, max: mx };
    });
  }
  if (options.shape === false) return t;
  shapeColumns(t, lab, rows, cols, row);
  return t;
}

function shapeColumns(t: RegionTable, lab: ArrayLike<number>, rows: number, cols: number, row: Int32Array): void {
  const m = t.label.length;
  const n = rows * cols;
  // central moments about the centroid
  const m20 = new Float64Array(m);
  const m02 = new Float64Array(m);
  const m11 = new Float64Array(m);
  // border pixels (4-connectivity erosion with zero border) and the perimeter codes
  const border = new Uint8Array(n);
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++) {
      const i = y * cols + x;
      const l = lab[i]!;
      if (l === 0) continue;
      const k = row[l]!;
      const dy = y - t.centroidRow[k]!;
      const dx = x - t.centroidCol[k]!;
      m20[k] = m20[k]! + dy * dy;
      m02[k] = m02[k]! + dx * dx;
      m11[k] = m11[k]! + dy * dx;
      if (
        y === 0 ||
        y === rows - 1 ||
        x === 0 ||
        x === cols - 1 ||
        lab[i - 1] !== l ||
        lab[i + 1] !== l ||
        lab[i - cols] !== l ||
        lab[i + cols] !== l
      )
        border[i] = 1;
    }
  const codeCounts = new Float64Array(m * 50);
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++) {
      const i = y * cols + x;
      if (!border[i]) continue;
      const l = lab[i]!;
      let code = 1;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          if (dy === 0 && dx === 0) continue;
          const yy = y + dy;
          const xx = x + dx;
          if (yy < 0 || yy >= rows || xx < 0 || xx >= cols) continue;
          const j = yy * cols + xx;
          if (border[j] && lab[j] === l) code += dy === 0 || dx === 0 ? 2 : 10;
        }
      {
        const j = row[l]! * 50 + code;
        codeCounts[j] = codeCounts[j]! + 1;
      }
    }
  const wts = new Float64Array(50);
  for (const c of [5, 7, 15, 17, 25, 27]) wts[c] = 1;
  wts[21] = Math.SQRT2;
  wts[33] = Math.SQRT2;
  wts[13] = (1 + Math.SQRT2) / 2;
  wts[23] = (1 + Math.SQRT2) / 2;
  const ecc = new Float64Array(m);
  const maj = new Float64Array(m);
  const min = new Float64Array(m);
  const ori = new Float64Array(m);
  const per = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const a0 = t.area[k]!;
    // inertia tensor [[a, b], [b, c]] as scikit-image: a = mu02/mu00, b = -mu11/mu00, c = mu20/mu00
    const a = m02[k]! / a0;
    const b = -m11[k]! / a0;
    const c = m20[k]! / a0;
    const tr = (a + c) / 2;
    const det = Math.sqrt(((a - c) / 2) ** 2 + b * b);
    const l1 = Math.max(tr + det, 0);
    const l2 = Math.max(tr - det, 0);
    maj[k] = 4 * Math.sqrt(l1);
    min[k] = 4 * Math.sqrt(l2);
    ecc[k] = l1 === 0 ? 0 : Math.sqrt(1 - l2 / l1);
    ori[k] = a - c === 0 ? (b < 0 ? -Math.PI / 4 : Math.PI / 4) : 0.5 * Math.atan2(-2 * b, c - a);
    let p = 0;
    for (let code = 0; code < 50; code++) p += codeCounts[k * 50 + code]! * wts[code]!;
    per[k] = p;
  }
  t.eccentricity = ecc;
  t.majorAxisLength = maj;
  t.minorAxisLength = min;
  t.orientation = ori;
  t.perimeter = per;
  t.solidity = solidity(t, lab, rows, cols, row);
}

/** Convex-hull area as scikit-image's `convex_hull_image` (pixel-edge midpoints, centres inside or on the hull). */
function solidity(t: RegionTable, lab: ArrayLike<number>, rows: number, cols: number, row: Int32Array): Float64Array {
  const m = t.label.length;
  // row extremes per region: leftmost and rightmost column in each row of its bbox
  const offsets = new Int32Array(m + 1);
  for (let k = 0; k < m; k++) offsets[k + 1] = offsets[k]! + (t.bboxMaxRow[k]! - t.bboxMinRow[k]!);
  const left = new Int32Array(offsets[m]!).fill(2147483647);
  const right = new Int32Array(offsets[m]!).fill(-1);
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++) {
      const l = lab[y * cols + x]!;
      if (l === 0) continue;
      const k = row[l]!;
      const j = offsets[k]! + y - t.bboxMinRow[k]!;
      if (x < left[j]!) left[j] = x;
      if (x > right[j]!) right[j] = x;
    }
  const out = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    // points in doubled coordinates (2*row, 2*col) so the ±0.5 offsets stay integers
    const pts: number[] = [];
    const r0 = t.bboxMinRow[k]!;
    for (let j = offsets[k]!; j < offsets[k + 1]!; j++) {
      if (right[j]! < 0) continue;
      const y = 2 * (r0 + j - offsets[k]!);
      for (const x of left[j] === right[j] ? [2 * left[j]!] : [2 * left[j]!, 2 * right[j]!])
        pts.push(y - 1, x, y + 1, x, y, x - 1, y, x + 1);
    }
    const hull = convexHull(pts);
    out[k] = t.area[k]! / hullPixelCount(hull, r0, t.bboxMaxRow[k]! - 1);
  }
  return out;
}

/** Monotone-chain convex hull of points [y0, x0, y1, x1, ...]; returns vertices counter-clockwise (y, x pairs). */
function convexHull(p: number[]): number[] {
  const n = p.length / 2;
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => p[2 * a]! - p[2 * b]! || p[2 * a + 1]! - p[2 * b + 1]!);
  const cross = (o: number, a: number, b: number) =>
    (p[2 * a]! - p[2 * o]!) * (p[2 * b + 1]! - p[2 * o + 1]!) - (p[2 * a + 1]! - p[2 * o + 1]!) * (p[2 * b]! - p[2 * o]!);
  const lower: number[] = [];
  for (const i of idx) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, i) <= 0) lower.pop();
    lower.push(i);
  }
  const upper: number[] = [];
  for (let k = idx.length - 1; k >= 0; k--) {
    const i = idx[k]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, i) <= 0) upper.pop();
    upper.push(i);
  }
  lower.pop();
  upper.pop();
  const h = lower.concat(upper);
  const out: number[] = [];
  for (const i of h) out.push(p[2 * i]!, p[2 * i + 1]!);
  return out;
}

/** Number of integer pixel centres inside or on a convex polygon (doubled coordinates), rows r0..r1. */
function hullPixelCount(h: number[], r0: number, r1: number): number {
  const nv = h.length / 2;
  let total = 0;
  for (let r = r0 - 1; r <= r1 + 1; r++) {
    const y = 2 * r;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < nv; i++) {
      const j = (i + 1) % nv;
      const ya = h[2 * i]!;
      const xa = h[2 * i + 1]!;
      const yb = h[2 * j]!;
      const xb = h[2 * j + 1]!;
      if ((ya <= y && y <= yb) || (yb <= y && y <= ya)) {
        if (ya === yb) {
          lo = Math.min(lo, xa, xb);
          hi = Math.max(hi, xa, xb);
        } else {
          const x = xa + ((y - ya) * (xb - xa)) / (yb - ya);
          lo = Math.min(lo, x);
          hi = Math.max(hi, x);
        }
      }
    }
    if (hi < lo) continue;
    // integer columns c with lo <= 2c <= hi
    const cLo = Math.ceil(lo / 2 - 1e-9);
    const cHi = Math.floor(hi / 2 + 1e-9);
    if (cHi >= cLo) total += cHi - cLo + 1;
  }
  return total;
}

/** One region as a plain object (for printing or JSON). */
export type RegionRow = Record<string, number>;

/**
 * Turn a {@link RegionTable} into row objects: `{ label, area, centroidRow, ..., <channel>Mean, <channel>Min,
 * <channel>Max }`.
 */
export function regionRows(table: RegionTable): RegionRow[] {
  const out: RegionRow[] = [];
  const cols: [string, ArrayLike<number>][] = [];
  for (const [k, v] of Object.entries(table)) if (k !== "intensity" && v !== undefined) cols.push([k, v as ArrayLike<number>]);
  for (const [ch, c] of Object.entries(table.intensity)) cols.push([`${ch}Mean`, c.mean], [`${ch}Min`, c.min], [`${ch}Max`, c.max]);
  for (let k = 0; k < table.label.length; k++) {
    const r: RegionRow = {};
    for (const [name, col] of cols) r[name] = col[k]!;
    out.push(r);
  }
  return out;
}

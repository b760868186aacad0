/** Local maxima, matching `skimage.feature.peak_local_max` (0.19.3). */
import { fromTyped, HypedError, type NdArray } from "@hyped/core";
import { checkNumber, flat2D, flatMask, type Image2D, sameShape } from "./image.js";
import { binaryOpeningFlat } from "./morphology.js";
import { numpyArgsort } from "./npsort.js";

/** Options of {@link peakLocalMax}. */
export interface PeakOptions {
  /** Minimal allowed distance between peaks (Chebyshev by default); also the default footprint half-size. Default 1. */
  minDistance?: number;
  /** Minimum intensity of a peak. Default: the image minimum. */
  thresholdAbs?: number;
  /** Minimum intensity of a peak as a fraction of the image maximum. Default: none. */
  thresholdRel?: number;
  /**
   * Exclude peaks within this many pixels of the border: `true` = `minDistance`, `false` = 0, a number, or
   * `[rows, cols]`. Default true.
   */
  excludeBorder?: boolean | number | readonly [number, number];
  /** Maximum number of peaks; the highest are kept. Default Infinity. */
  numPeaks?: number;
  /** Maximum number of peaks per label (with `labels`). Default Infinity. */
  numPeaksPerLabel?: number;
  /** Neighbourhood of the maximum filter (a 2-D 0/1 ndarray, odd sizes). Default: a `(2*minDistance+1)` square. */
  footprint?: Image2D;
  /** Integer labels: peaks are searched in each label separately (label k ↔ pixels equal to k). */
  labels?: Image2D;
  /** Minkowski p of the peak spacing: Infinity (Chebyshev, default), 2 (Euclidean) or 1 (Manhattan). */
  pNorm?: number;
  /**
   * How the maximum filter extends the image past its edges:
   * - `'constant'` (default; scikit-image ≤ 0.22): zeros, so a negative image has no peaks at its border;
   * - `'nearest'` (scikit-image ≥ 0.23): the edge pixel repeated.
   */
  borderMode?: "constant" | "nearest";
}

/** Peak coordinates: an int32 ndarray of shape `[n, 2]` (row, col), highest peak first, like scikit-image. */
export type PeakCoordinates = NdArray<"int32">;

function maxFilterSquareRows(
  src: Float64Array,
  dst: Float64Array,
  rows: number,
  cols: number,
  r: number,
  nearest: boolean,
  buf: Float64Array,
): void {
  // running max along each row over [x - r, x + r]; out-of-range = 0 (constant) or the edge value (nearest)
  const w = 2 * r + 1;
  const len = cols + 2 * r;
  const g = buf.subarray(0, len);
  const h = buf.subarray(len, 2 * len);
  const line = buf.subarray(2 * len, 3 * len);
  for (let y = 0; y < rows; y++) {
    const b = y * cols;
    const first = src[b]!;
    const last = src[b + cols - 1]!;
    for (let i = 0; i < r; i++) {
      line[i] = nearest ? first : 0;
      line[r + cols + i] = nearest ? last : 0;
    }
    for (let x = 0; x < cols; x++) line[r + x] = src[b + x]!;
    // van Herk / Gil-Werman: prefix maxima g and suffix maxima h within blocks of w
    for (let i = 0; i < len; i++) g[i] = i % w === 0 ? line[i]! : Math.max(g[i - 1]!, line[i]!);
    for (let i = len - 1; i >= 0; i--) h[i] = i === len - 1 || (i + 1) % w === 0 ? line[i]! : Math.max(h[i + 1]!, line[i]!);
    for (let x = 0; x < cols; x++) {
      const a = h[x]!;
      const c = g[x + w - 1]!;
      dst[b + x] = a > c ? a : c;
    }
  }
}

function transpose(src: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let y = 0; y < rows; y++) {
    const b = y * cols;
    for (let x = 0; x < cols; x++) out[x * rows + y] = src[b + x]!;
  }
  return out;
}

/**
 * `scipy.ndimage.maximum_filter(image, footprint, mode)` for a 2-D float64 image, with `mode` `'constant'`
 * (cval 0) or `'nearest'`. A full square footprint runs separably in O(n); other footprints directly.
 */
export function maximumFilterFlat(
  src: Float64Array,
  rows: number,
  cols: number,
  footprint: { data: Uint8Array; rows: number; cols: number },
  nearest: boolean,
): Float64Array {
  const out = new Float64Array(rows * cols);
  const fr = footprint.rows;
  const fc = footprint.cols;
  let full = fr === fc && fr % 2 === 1;
  for (let i = 0; i < footprint.data.length && full; i++) if (footprint.data[i] === 0) full = false;
  if (full) {
    const r = (fr - 1) >> 1;
    const tmp = new Float64Array(rows * cols);
    maxFilterSquareRows(src, tmp, rows, cols, r, nearest, new Float64Array(3 * (cols + 2 * r)));
    const t = transpose(tmp, rows, cols);
    const t2 = new Float64Array(rows * cols);
    maxFilterSquareRows(t, t2, cols, rows, r, nearest, new Float64Array(3 * (rows + 2 * r)));
    for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) out[y * cols + x] = t2[x * rows + y]!;
    return out;
  }
  // scipy's origin for even sizes is size // 2
  const cy = fr >> 1;
  const cx = fc >> 1;
  const offs: number[] = [];
  for (let i = 0; i < fr; i++) for (let j = 0; j < fc; j++) if (footprint.data[i * fc + j]) offs.push(i - cy, j - cx);
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++) {
      let m = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < offs.length; k += 2) {
        let yy = y + offs[k]!;
        let xx = x + offs[k + 1]!;
        let v: number;
        if (yy < 0 || yy >= rows || xx < 0 || xx >= cols) {
          if (!nearest) v = 0;
          else {
            yy = yy < 0 ? 0 : yy >= rows ? rows - 1 : yy;
            xx = xx < 0 ? 0 : xx >= cols ? cols - 1 : xx;
            v = src[yy * cols + xx]!;
          }
        } else v = src[yy * cols + xx]!;
        if (v > m) m = v;
      }
      out[y * cols + x] = m;
    }
  return out;
}

/** Candidate peak mask of skimage's `_get_peak_mask`. `label` restricts the triviality test (labels path). */
function peakMask(
  img: Float64Array,
  rows: number,
  cols: number,
  fp: { data: Uint8Array; rows: number; cols: number },
  threshold: number,
  nearest: boolean,
  label?: Uint8Array,
): Uint8Array {
  const n = rows * cols;
  const out = new Uint8Array(n);
  if (fp.data.length === 1 || n === 1) {
    for (let i = 0; i < n; i++) out[i] = img[i]! > threshold ? 1 : 0;
    return out;
  }
  const mx = maximumFilterFlat(img, rows, cols, fp, nearest);
  let trivial = true;
  for (let i = 0; i < n; i++) {
    const eq = img[i] === mx[i];
    out[i] = eq ? 1 : 0;
    if (!eq && (label === undefined || label[i])) trivial = false;
  }
  if (trivial) {
    out.fill(0);
    if (label !== undefined) {
      const opened = binaryOpeningFlat(label, rows, cols, 1);
      for (let i = 0; i < n; i++) out[i] = label[i] !== opened[i] ? 1 : 0;
    }
  }
  for (let i = 0; i < n; i++) if (!(img[i]! > threshold)) out[i] = 0;
  return out;
}

/** Sort candidates like `np.argsort(-intensities)` and apply skimage's greedy spacing rule. */
function highIntensityPeaks(
  img: Float64Array,
  cols: number,
  mask: Uint8Array,
  numPeaks: number,
  minDistance: number,
  pNorm: number,
  negKey: (v: number) => number,
): number[] {
  const idx: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) idx.push(i);
  const keys = new Float64Array(idx.length);
  for (let k = 0; k < idx.length; k++) keys[k] = negKey(img[idx[k]!]!);
  const order = numpyArgsort(keys);
  // greedy: keep a candidate unless an accepted one lies at distance < minDistance
  const accepted: number[] = [];
  const cell = Math.max(1, Math.ceil(minDistance));
  const grid = new Map<number, number[]>();
  const key = (cy: number, cx: number) => cy * 1048576 + cx;
  const maxOut = Number.isFinite(numPeaks) ? Math.floor(numPeaks) : Number.POSITIVE_INFINITY;
  for (let k = 0; k < order.length && accepted.length < maxOut; k++) {
    const p = idx[order[k]!]!;
    const py = Math.floor(p / cols);
    const px = p - py * cols;
    let ok = true;
    if (minDistance > 0) {
      const gy = Math.floor(py / cell);
      const gx = Math.floor(px / cell);
      for (let dy = -1; dy <= 1 && ok; dy++)
        for (let dx = -1; dx <= 1 && ok; dx++) {
          const list = grid.get(key(gy + dy, gx + dx));
          if (!list) continue;
          for (const q of list) {
            const qy = Math.floor(q / cols);
            const ady = Math.abs(qy - py);
            const adx = Math.abs(q - qy * cols - px);
            const d =
              pNorm === Number.POSITIVE_INFINITY
                ? Math.max(ady, adx)
                : pNorm === 1
                  ? ady + adx
                  : pNorm === 2
                    ? Math.sqrt(ady * ady + adx * adx)
                    : (ady ** pNorm + adx ** pNorm) ** (1 / pNorm);
            if (d < minDistance) {
              ok = false;
              break;
            }
          }
        }
      if (ok) {
        const kk = key(gy, gx);
        const list = grid.get(kk);
        if (list) list.push(p);
        else grid.set(kk, [p]);
      }
    }
    if (ok) accepted.push(p);
  }
  return accepted;
}

function borderWidths(ex: PeakOptions["excludeBorder"], minDistance: number): [number, number] {
  if (ex === undefined || ex === true) return [minDistance, minDistance];
  if (ex === false) return [0, 0];
  if (typeof ex === "number") {
    checkNumber(ex, "excludeBorder", { min: 0, integer: true });
    return [ex, ex];
  }
  if (Array.isArray(ex) && ex.length === 2) {
    return [
      checkNumber(ex[0], "excludeBorder[0]", { min: 0, integer: true }),
      checkNumber(ex[1], "excludeBorder[1]", { min: 0, integer: true }),
    ];
  }
  throw new HypedError("INVALID_ARGUMENT", "excludeBorder must be a boolean, a non-negative integer or [rows, cols]", {
    excludeBorder: ex,
  });
}

/**
 * Coordinates of local maxima, matching `skimage.feature.peak_local_max(image, min_distance=1,
 * threshold_abs=None, threshold_rel=None, exclude_border=True, num_peaks=inf, footprint=None, labels=None,
 * num_peaks_per_label=inf, p_norm=inf)` of scikit-image 0.19.3:
 *
 * 1. candidates: pixels equal to the maximum filter of the footprint (zero padding) and `> threshold`, where
 *    threshold = `max(thresholdAbs ?? min(image), thresholdRel * max(image))`; an image where every pixel
 *    equals its local maximum has no peaks;
 * 2. the border band is removed;
 * 3. candidates are ordered by decreasing intensity with numpy's (unstable) quicksort, reproduced exactly
 *    so ties come out in the same order as scikit-image;
 * 4. greedily, a candidate closer than `minDistance` to an already kept peak is dropped.
 *
 * With `labels`, steps 1–4 run per label inside its bounding box (other pixels set to the dtype minimum;
 * a flat label yields the pixels that a binary opening removes), then `numPeaks` is applied over all.
 * Returns `[n, 2]` int32 (row, col).
 */
export function peakLocalMax(image: Image2D, options: PeakOptions = {}): PeakCoordinates {
  // Slightly over ~100 lines on purpose: the steps 1–4 above, in scikit-image's order, with the per-label
  // bounding boxes; the candidate sort and the greedy distance filter are already their own functions.
  const f = flat2D(image);
  const { rows, cols } = f;
  const n = rows * cols;
  const minDistance = checkNumber(options.minDistance ?? 1, "minDistance", { min: 0, integer: true });
  const numPeaks = options.numPeaks ?? Number.POSITIVE_INFINITY;
  const numPeaksPerLabel = options.numPeaksPerLabel ?? Number.POSITIVE_INFINITY;
  const pNorm = options.pNorm ?? Number.POSITIVE_INFINITY;
  if (!(pNorm >= 1)) throw new HypedError("INVALID_ARGUMENT", `pNorm must be >= 1, got ${pNorm}`, { pNorm });
  const nearest = (options.borderMode ?? "constant") === "nearest";
  const [bwy, bwx] = borderWidths(options.excludeBorder, minDistance);
  // read-only below, so a float64 input is used as it is
  const img = f.data instanceof Float64Array ? f.data : Float64Array.from(f.data);
  let mn = Number.POSITIVE_INFINITY;
  let mxv = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = img[i]!;
    if (v < mn) mn = v;
    if (v > mxv) mxv = v;
  }
  let threshold = options.thresholdAbs ?? mn;
  if (options.thresholdRel !== undefined) threshold = Math.max(threshold, options.thresholdRel * mxv);
  let fp: { data: Uint8Array; rows: number; cols: number };
  if (options.footprint !== undefined) fp = flatMask(options.footprint, "footprint");
  else {
    const s = 2 * minDistance + 1;
    fp = { data: new Uint8Array(s * s).fill(1), rows: s, cols: s };
  }
  // the order numpy gives to `-intensities` (unsigned integers wrap around, as in numpy)
  const bits = f.dtype === "uint8" || f.dtype === "bool" ? 8 : f.dtype === "uint16" ? 16 : f.dtype === "uint32" ? 32 : 0;
  const negKey = bits ? (v: number) => (v === 0 ? 0 : 2 ** bits - v) : (v: number) => -v;
  const inBorder = (y: number, x: number) => y < bwy || y >= rows - bwy || x < bwx || x >= cols - bwx;
  let coords: number[];
  if (options.labels === undefined) {
    const mask = peakMask(img, rows, cols, fp, threshold, nearest);
    if (bwy || bwx) for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) if (inBorder(y, x)) mask[y * cols + x] = 0;
    coords = highIntensityPeaks(img, cols, mask, numPeaks, minDistance, pNorm, negKey);
  } else {
    const lf = flat2D(options.labels, "labels");
    sameShape(f, lf, "peakLocalMax labels");
    const lab = lf.data;
    // bounding boxes of the border-excluded labels (scipy.ndimage.find_objects)
    let maxLab = 0;
    const intTyped = lab instanceof Int32Array || lab instanceof Uint8Array || lab instanceof Uint16Array || lab instanceof Uint32Array;
    for (let i = 0; i < n; i++) {
      const v = lab[i]!;
      if (v > maxLab) maxLab = v;
      else if (v < 0 || (!intTyped && !Number.isInteger(v)))
        throw new HypedError("INVALID_ARGUMENT", `labels must be non-negative integers, found ${v}`, { index: i });
    }
    const y0 = new Int32Array(maxLab + 1).fill(rows);
    const x0 = new Int32Array(maxLab + 1).fill(cols);
    const y1 = new Int32Array(maxLab + 1).fill(-1);
    const x1 = new Int32Array(maxLab + 1).fill(-1);
    for (let y = 0; y < rows; y++) {
      const rowOut = y < bwy || y >= rows - bwy;
      for (let x = 0; x < cols; x++) {
        const v = lab[y * cols + x]!;
        if (v === 0 || rowOut || x < bwx || x >= cols - bwx) continue;
        if (y < y0[v]!) y0[v] = y;
        if (y > y1[v]!) y1[v] = y;
        if (x < x0[v]!) x0[v] = x;
        if (x > x1[v]!) x1[v] = x;
      }
    }
    const bg = f.dtype === "float32" ? -3.4028234663852886e38 : f.dtype === "float64" ? -Number.MAX_VALUE : intMin(f.dtype);
    coords = [];
    for (let l = 1; l <= maxLab; l++) {
      if (y1[l]! < 0) continue;
      const ry = y0[l]!;
      const rx = x0[l]!;
      const h = y1[l]! - ry + 1;
      const w = x1[l]! - rx + 1;
      const sub = new Float64Array(h * w);
      const lm = new Uint8Array(h * w);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const gi = (y + ry) * cols + x + rx;
          const inLab = lab[gi] === l;
          lm[y * w + x] = inLab ? 1 : 0;
          sub[y * w + x] = inLab ? img[gi]! : bg;
        }
      const mask = peakMask(sub, h, w, fp, threshold, nearest, lm);
      const local = highIntensityPeaks(sub, w, mask, numPeaksPerLabel, minDistance, pNorm, negKey);
      for (const p of local) {
        const y = Math.floor(p / w);
        coords.push((y + ry) * cols + (p - y * w) + rx);
      }
    }
    if (coords.length > numPeaks) {
      const all = new Uint8Array(n);
      for (const p of coords) all[p] = 1;
      coords = highIntensityPeaks(img, cols, all, numPeaks, minDistance, pNorm, negKey);
    }
  }
  const out = new Int32Array(coords.length * 2);
  for (let k = 0; k < coords.length; k++) {
    const p = coords[k]!;
    const y = Math.floor(p / cols);
    out[2 * k] = y;
    out[2 * k + 1] = p - y * cols;
  }
  return fromTyped(out, [coords.length, 2]) as NdArray<"int32">;
}

function intMin(dtype: string): number {
  switch (dtype) {
    case "int8":
      return -128;
    case "int16":
      return -32768;
    case "int32":
      return -2147483648;
    case "int64":
      return -(2 ** 63);
    default:
      return 0;
  }
}

/**
 * Separable Gaussian filter matching `skimage.filters.gaussian` (0.19.3) on top of
 * `scipy.ndimage.gaussian_filter` (1.10).
 */
import { fromTyped, HypedError, type NdArray } from "@hyped/core";
import { checkNumber, type Flat2D, flat2D, type Image2D, integerRange } from "./image.js";
import { giveBack, takeF64 } from "./scratch.js";

/** Boundary modes of `scipy.ndimage` 1-D filters. */
export type BoundaryMode = "nearest" | "reflect" | "mirror" | "constant" | "wrap";

/** Options of {@link gaussianFilter}. */
export interface GaussianOptions {
  /** Kernel radius in standard deviations: `radius = floor(truncate * sigma + 0.5)`. Default 4. */
  truncate?: number;
  /**
   * How the image is extended past its edges (scipy's names). Default `'nearest'` (scikit-image's default;
   * scipy's own default is `'reflect'`).
   * - `nearest`: a a a | a b c d | d d d
   * - `reflect`: c b a | a b c d | d c b (edge repeated)
   * - `mirror`: d c b | a b c d | c b a (edge not repeated)
   * - `constant`: k k k | a b c d | k k k with `k = cval`
   * - `wrap`: b c d | a b c d | a b c
   */
  mode?: BoundaryMode;
  /** Fill value for `mode: 'constant'`, in the (scaled) float units of the filtered image. Default 0. */
  cval?: number;
  /**
   * Keep integer values as they are (converted to float64) instead of scaling them like
   * `skimage.img_as_float` (unsigned: `x * (1/max)`; signed: `max(x * (1/max), -1)`). Default false.
   */
  preserveRange?: boolean;
}

/** The normalised 1-D Gaussian weights of scipy's `_gaussian_kernel1d` (order 0), centre at index `radius`. */
export function gaussianKernel1d(sigma: number, radius: number): Float64Array {
  const w = new Float64Array(2 * radius + 1);
  const f = -0.5 / (sigma * sigma);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = Math.exp(f * (i * i));
    w[i + radius] = v;
  }
  for (let i = 0; i < w.length; i++) sum += w[i]!;
  for (let i = 0; i < w.length; i++) w[i] = w[i]! / sum;
  return w;
}

/** Map an out-of-range index onto `[0, n)` following a scipy boundary mode; -1 means "use cval". */
export function extendIndex(i: number, n: number, mode: BoundaryMode): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case "nearest":
      return i < 0 ? 0 : n - 1;
    case "constant":
      return -1;
    case "wrap": {
      const r = i % n;
      return r < 0 ? r + n : r;
    }
    case "reflect": {
      const p = 2 * n;
      let r = i % p;
      if (r < 0) r += p;
      return r < n ? r : p - 1 - r;
    }
    case "mirror": {
      if (n === 1) return 0;
      const p = 2 * n - 2;
      let r = i % p;
      if (r < 0) r += p;
      return r < n ? r : p - r;
    }
  }
}

function checkMode(mode: string): BoundaryMode {
  if (mode === "nearest" || mode === "reflect" || mode === "mirror" || mode === "constant" || mode === "wrap") return mode;
  throw new HypedError("UNSUPPORTED", `boundary mode '${mode}' is not supported (nearest, reflect, mirror, constant, wrap)`, { mode });
}

/** Convert an image to the float array skimage's gaussian filters (img_as_float or preserve_range). */
function toFloatImage(
  f: Flat2D,
  preserveRange: boolean,
  into?: Float64Array,
): { data: Float32Array | Float64Array; rows: number; cols: number } {
  const n = f.rows * f.cols;
  const src = f.data;
  if (f.dtype === "float32") return { data: Float32Array.from(src as Float32Array), rows: f.rows, cols: f.cols };
  const out = into ?? new Float64Array(n);
  const range = integerRange(f.dtype);
  if (preserveRange || range === undefined || f.dtype === "bool") {
    for (let i = 0; i < n; i++) out[i] = src[i]!;
  } else if (range[0] === 0) {
    const s = 1 / range[1];
    for (let i = 0; i < n; i++) out[i] = src[i]! * s;
  } else {
    const s = 1 / range[1];
    for (let i = 0; i < n; i++) {
      const v = src[i]! * s;
      out[i] = v < -1 ? -1 : v;
    }
  }
  return { data: out, rows: f.rows, cols: f.cols };
}

/**
 * Correlate every column (axis 0) of `src` with a symmetric kernel, writing to `dst` (may be a float32 array:
 * each value is rounded once, as scipy stores into a float32 output). Sums in scipy's order: centre tap first,
 * then the pairs from the outermost inwards. Each read is multiplied by `scale` first (`x * scale` is exactly
 * the value `img_as_float` would have stored, so an integer image is converted on the fly without a copy;
 * `scale = 1` leaves float values unchanged). The sum for one pixel stays in a register: the taps are read
 * through per-row offsets (boundary rows resolved once per output row), no accumulator row is written back.
 */
function filterAxis0(
  src: ArrayLike<number>,
  dst: Float32Array | Float64Array,
  rows: number,
  cols: number,
  w: Float64Array,
  mode: BoundaryMode,
  cval: number,
  scale = 1,
): void {
  const r = (w.length - 1) >> 1;
  if (mode === "constant") {
    filterAxis0Constant(src, dst, rows, cols, w, cval, scale);
    return;
  }
  const acc = new Float64Array(TILE);
  const w0 = w[r]!;
  const lo = new Int32Array(r + 1);
  const hi = new Int32Array(r + 1);
  for (let y = 0; y < rows; y++) {
    const base = y * cols;
    for (let j = 1; j <= r; j++) {
      lo[j] = extendIndex(y - j, rows, mode) * cols;
      hi[j] = extendIndex(y + j, rows, mode) * cols;
    }
    if (r === 8) {
      col8(src, dst, base, cols, lo, hi, w, scale);
      continue;
    }
    if (r === 4) {
      col4(src, dst, base, cols, lo, hi, w, scale);
      continue;
    }
    // column tiles keep the accumulator in L1 while the taps of every kernel row stream past it
    for (let x0 = 0; x0 < cols; x0 += TILE) {
      const m = Math.min(TILE, cols - x0);
      const b0 = base + x0;
      for (let x = 0; x < m; x++) acc[x] = src[b0 + x]! * scale * w0;
      for (let j = r; j >= 1; j--) {
        const a = lo[j]! + x0;
        const b = hi[j]! + x0;
        const wj = w[r - j]!;
        for (let x = 0; x < m; x++) acc[x] = acc[x]! + (src[a + x]! * scale + src[b + x]! * scale) * wj;
      }
      for (let x = 0; x < m; x++) dst[b0 + x] = acc[x]!;
    }
  }
}

/**
 * One output row of {@link filterAxis0} for a radius-8 kernel, unrolled per pixel (the same sum in the same
 * order: centre, then pairs from the outermost inwards), the 17 source rows at offsets `lo[j]`, `hi[j]`.
 */
function col8(
  src: ArrayLike<number>,
  dst: Float32Array | Float64Array,
  base: number,
  cols: number,
  lo: Int32Array,
  hi: Int32Array,
  w: Float64Array,
  k: number,
): void {
  const w8 = w[0]!;
  const w7 = w[1]!;
  const w6 = w[2]!;
  const w5 = w[3]!;
  const w4 = w[4]!;
  const w3 = w[5]!;
  const w2 = w[6]!;
  const w1 = w[7]!;
  const w0 = w[8]!;
  const a8 = lo[8]!;
  const a7 = lo[7]!;
  const a6 = lo[6]!;
  const a5 = lo[5]!;
  const a4 = lo[4]!;
  const a3 = lo[3]!;
  const a2 = lo[2]!;
  const a1 = lo[1]!;
  const b8 = hi[8]!;
  const b7 = hi[7]!;
  const b6 = hi[6]!;
  const b5 = hi[5]!;
  const b4 = hi[4]!;
  const b3 = hi[3]!;
  const b2 = hi[2]!;
  const b1 = hi[1]!;
  for (let x = 0; x < cols; x++) {
    let s = src[base + x]! * k * w0;
    s += (src[a8 + x]! * k + src[b8 + x]! * k) * w8;
    s += (src[a7 + x]! * k + src[b7 + x]! * k) * w7;
    s += (src[a6 + x]! * k + src[b6 + x]! * k) * w6;
    s += (src[a5 + x]! * k + src[b5 + x]! * k) * w5;
    s += (src[a4 + x]! * k + src[b4 + x]! * k) * w4;
    s += (src[a3 + x]! * k + src[b3 + x]! * k) * w3;
    s += (src[a2 + x]! * k + src[b2 + x]! * k) * w2;
    s += (src[a1 + x]! * k + src[b1 + x]! * k) * w1;
    dst[base + x] = s;
  }
}

/** {@link col8} for a radius-4 kernel (sigma 1, truncate 4). */
function col4(
  src: ArrayLike<number>,
  dst: Float32Array | Float64Array,
  base: number,
  cols: number,
  lo: Int32Array,
  hi: Int32Array,
  w: Float64Array,
  k: number,
): void {
  const w4 = w[0]!;
  const w3 = w[1]!;
  const w2 = w[2]!;
  const w1 = w[3]!;
  const w0 = w[4]!;
  const a4 = lo[4]!;
  const a3 = lo[3]!;
  const a2 = lo[2]!;
  const a1 = lo[1]!;
  const b4 = hi[4]!;
  const b3 = hi[3]!;
  const b2 = hi[2]!;
  const b1 = hi[1]!;
  for (let x = 0; x < cols; x++) {
    let s = src[base + x]! * k * w0;
    s += (src[a4 + x]! * k + src[b4 + x]! * k) * w4;
    s += (src[a3 + x]! * k + src[b3 + x]! * k) * w3;
    s += (src[a2 + x]! * k + src[b2 + x]! * k) * w2;
    s += (src[a1 + x]! * k + src[b1 + x]! * k) * w1;
    dst[base + x] = s;
  }
}

/** Column tile of {@link filterAxis0} (float64 accumulators, 4 KiB). */
const TILE = 512;

/** {@link filterAxis0} for `mode: 'constant'` (taps past the edge read `cval`), through an accumulator row. */
function filterAxis0Constant(
  src: ArrayLike<number>,
  dst: Float32Array | Float64Array,
  rows: number,
  cols: number,
  w: Float64Array,
  cval: number,
  scale: number,
): void {
  const r = (w.length - 1) >> 1;
  const acc = new Float64Array(cols);
  const w0 = w[r]!;
  const tap = (k: number, x: number): number => (k < 0 || k >= rows ? cval : src[k * cols + x]! * scale);
  for (let y = 0; y < rows; y++) {
    const base = y * cols;
    for (let x = 0; x < cols; x++) acc[x] = src[base + x]! * scale * w0;
    for (let j = r; j >= 1; j--) {
      const wj = w[r - j]!;
      for (let x = 0; x < cols; x++) acc[x] = acc[x]! + (tap(y - j, x) + tap(y + j, x)) * wj;
    }
    for (let x = 0; x < cols; x++) dst[base + x] = acc[x]!;
  }
}

/** Correlate every row (axis 1) with a symmetric kernel, in place through a padded line buffer. */
function filterAxis1(
  src: Float32Array | Float64Array,
  dst: Float32Array | Float64Array,
  rows: number,
  cols: number,
  w: Float64Array,
  mode: BoundaryMode,
  cval: number,
): void {
  const r = (w.length - 1) >> 1;
  const line = new Float64Array(cols + 2 * r);
  const w0 = w[r]!;
  for (let y = 0; y < rows; y++) {
    const base = y * cols;
    for (let i = -r; i < 0; i++) {
      const k = extendIndex(i, cols, mode);
      line[i + r] = k < 0 ? cval : src[base + k]!;
    }
    for (let x = 0; x < cols; x++) line[x + r] = src[base + x]!;
    for (let i = cols; i < cols + r; i++) {
      const k = extendIndex(i, cols, mode);
      line[i + r] = k < 0 ? cval : src[base + k]!;
    }
    if (r === 8) row8(line, dst, base, cols, w);
    else if (r === 4) row4(line, dst, base, cols, w);
    else {
      for (let x = 0; x < cols; x++) {
        const c = x + r;
        let s = line[c]! * w0;
        for (let j = r; j >= 1; j--) s += (line[c - j]! + line[c + j]!) * w[r - j]!;
        dst[base + x] = s;
      }
    }
  }
}

/**
 * One padded row through a radius-8 kernel (sigma 2, truncate 4), unrolled: the same sum in the same order as
 * the generic loop (centre, then pairs from the outermost inwards), with the weights in registers.
 */
function row8(line: Float64Array, dst: Float32Array | Float64Array, base: number, cols: number, w: Float64Array): void {
  const w8 = w[0]!;
  const w7 = w[1]!;
  const w6 = w[2]!;
  const w5 = w[3]!;
  const w4 = w[4]!;
  const w3 = w[5]!;
  const w2 = w[6]!;
  const w1 = w[7]!;
  const w0 = w[8]!;
  for (let x = 0; x < cols; x++) {
    const c = x + 8;
    let s = line[c]! * w0;
    s += (line[c - 8]! + line[c + 8]!) * w8;
    s += (line[c - 7]! + line[c + 7]!) * w7;
    s += (line[c - 6]! + line[c + 6]!) * w6;
    s += (line[c - 5]! + line[c + 5]!) * w5;
    s += (line[c - 4]! + line[c + 4]!) * w4;
    s += (line[c - 3]! + line[c + 3]!) * w3;
    s += (line[c - 2]! + line[c + 2]!) * w2;
    s += (line[c - 1]! + line[c + 1]!) * w1;
    dst[base + x] = s;
  }
}

/** {@link row8} for a radius-4 kernel (sigma 1, truncate 4). */
function row4(line: Float64Array, dst: Float32Array | Float64Array, base: number, cols: number, w: Float64Array): void {
  const w4 = w[0]!;
  const w3 = w[1]!;
  const w2 = w[2]!;
  const w1 = w[3]!;
  const w0 = w[4]!;
  for (let x = 0; x < cols; x++) {
    const c = x + 4;
    let s = line[c]! * w0;
    s += (line[c - 4]! + line[c + 4]!) * w4;
    s += (line[c - 3]! + line[c + 3]!) * w3;
    s += (line[c - 2]! + line[c + 2]!) * w2;
    s += (line[c - 1]! + line[c + 1]!) * w1;
    dst[base + x] = s;
  }
}

/**
 * Gaussian blur of a 2-D image. Matches `skimage.filters.gaussian(image, sigma, mode='nearest', cval=0,
 * preserve_range=False, truncate=4.0)` of scikit-image 0.19.3, i.e. `scipy.ndimage.gaussian_filter` applied to
 * `img_as_float(image)`.
 *
 * - `sigma`: standard deviation in pixels, one number or `[sigmaRows, sigmaCols]`; an axis with sigma 0 is
 *   not filtered.
 * - Output dtype: float32 for float32 input, float64 otherwise (integers are scaled to [0, 1] or [-1, 1]
 *   unless `preserveRange`; bool becomes 0/1).
 * - Separable: axis 0 then axis 1, each a symmetric correlation of radius `floor(truncate * sigma + 0.5)`
 *   accumulated in float64; a float32 image is rounded to float32 after each axis, as scipy does.
 */
export function gaussianFilter(
  image: Image2D,
  sigma: number | readonly [number, number],
  options: GaussianOptions = {},
): NdArray<"float32" | "float64"> {
  const truncate = checkNumber(options.truncate ?? 4, "truncate", { min: 0 });
  const mode = checkMode(options.mode ?? "nearest");
  const cval = checkNumber(options.cval ?? 0, "cval");
  const sig: [number, number] = typeof sigma === "number" ? [sigma, sigma] : [sigma[0], sigma[1]];
  for (const s of sig) {
    if (typeof s !== "number" || !Number.isFinite(s) || s < 0) {
      throw new HypedError("INVALID_ARGUMENT", `sigma must be finite and >= 0, got ${String(s)}`, { sigma });
    }
  }
  const run0 = sig[0] > 1e-15;
  const run1 = sig[1] > 1e-15;
  const f = flat2D(image);
  const { rows, cols } = f;
  if (f.dtype === "float64" && f.data instanceof Float64Array && (run0 || run1) && rows > 0 && cols > 0) {
    // float64 needs no conversion: filter straight from the input into the result
    const out = gaussianFlat64(f.data, rows, cols, sig, truncate, mode, cval, new Float64Array(rows * cols));
    return fromTyped(out, [rows, cols]) as unknown as NdArray<"float32" | "float64">;
  }
  const range = integerRange(f.dtype);
  const preserve = options.preserveRange ?? false;
  if (run0 && rows > 0 && cols > 0 && f.dtype !== "float32" && (preserve || range === undefined || f.dtype === "bool" || range[0] === 0)) {
    // integer (unsigned, bool, or preserveRange) input: axis 0 converts each read exactly as img_as_float
    // would (`x * (1 / max)`), so there is no converted copy and no extra pass
    const scale = preserve || range === undefined || f.dtype === "bool" ? 1 : 1 / range[1];
    const out = new Float64Array(rows * cols);
    filterAxis0(f.data, out, rows, cols, gaussianKernel1d(sig[0], Math.floor(truncate * sig[0] + 0.5)), mode, cval, scale);
    if (run1) filterAxis1(out, out, rows, cols, gaussianKernel1d(sig[1], Math.floor(truncate * sig[1] + 0.5)), mode, cval);
    return fromTyped(out, [rows, cols]) as unknown as NdArray<"float32" | "float64">;
  }
  // the converted copy is an intermediate when axis 0 runs (it reads it and writes a new array)
  const pooled = run0 && rows > 0 && cols > 0 && f.dtype !== "float32";
  const img = toFloatImage(f, preserve, pooled ? takeF64(rows * cols) : undefined);
  let cur = img.data;
  const make = (): Float32Array | Float64Array =>
    cur instanceof Float32Array ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  if (run0 && rows > 0 && cols > 0) {
    const w = gaussianKernel1d(sig[0], Math.floor(truncate * sig[0] + 0.5));
    const out = make();
    filterAxis0(cur, out, rows, cols, w, mode, cval);
    if (pooled) giveBack(cur);
    cur = out;
  }
  if (run1 && rows > 0 && cols > 0) {
    const w = gaussianKernel1d(sig[1], Math.floor(truncate * sig[1] + 0.5));
    const out = cur === img.data ? make() : cur;
    filterAxis1(cur, out, rows, cols, w, mode, cval);
    cur = out;
  }
  return fromTyped(cur, [rows, cols]) as unknown as NdArray<"float32" | "float64">;
}

/**
 * Gaussian filter of a float64 image into `out` (internal; `src` is not modified and must not alias
 * `out`). The same arithmetic as {@link gaussianFilter}: axis 0 from `src` into `out`, then axis 1 in place.
 * Sigmas must be validated by the caller.
 */
export function gaussianFlat64(
  src: Float64Array,
  rows: number,
  cols: number,
  sigma: readonly [number, number],
  truncate: number,
  mode: BoundaryMode,
  cval: number,
  out: Float64Array,
): Float64Array {
  if (rows === 0 || cols === 0) return out;
  if (sigma[0] > 1e-15) filterAxis0(src, out, rows, cols, gaussianKernel1d(sigma[0], Math.floor(truncate * sigma[0] + 0.5)), mode, cval);
  else out.set(src.subarray(0, rows * cols));
  if (sigma[1] > 1e-15) filterAxis1(out, out, rows, cols, gaussianKernel1d(sigma[1], Math.floor(truncate * sigma[1] + 0.5)), mode, cval);
  return out;
}

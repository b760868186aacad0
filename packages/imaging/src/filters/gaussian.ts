/**
 * Separable Gaussian filter matching `skimage.filters.gaussian` (0.19.3) on top of
 * `scipy.ndimage.gaussian_filter` (1.10).
 */
import { fromTyped, HypedError, type NdArray } from "@hyped/core";
import { col4x2, col8x2, row4x2, row8x2, rowPixel } from "./gaussian-kernels.js";
import { checkNumber, flat2D, type Image2D, integerRange } from "./image.js";
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

/**
 * How source values become the float64 values scipy filters: `x` as is (`scale` 1: float input, bool,
 * `preserveRange`), `x * scale` (unsigned integers, `scale = 1/max`: the value `img_as_float` stores), or
 * `max(x * scale, -1)` (signed integers, `clampLow`).
 */
interface Conversion {
  scale: number;
  clampLow: boolean;
}

/** Convert `n` values of `src` from `from` into `dst` at `to` (see {@link Conversion}). */
function convertRow(src: ArrayLike<number>, from: number, dst: Float64Array, to: number, n: number, cv: Conversion): void {
  const s = cv.scale;
  if (s === 1) {
    for (let x = 0; x < n; x++) dst[to + x] = src[from + x]!;
  } else if (!cv.clampLow) {
    for (let x = 0; x < n; x++) dst[to + x] = src[from + x]! * s;
  } else {
    for (let x = 0; x < n; x++) {
      const v = src[from + x]! * s;
      dst[to + x] = Math.max(v, -1);
    }
  }
}

/**
 * Where the axis-0 pass reads source row `k`: `buf[off(k) + x]` holds the converted value of pixel (k, x).
 * Three layouts, chosen by {@link rowSource}:
 * - float64 input: the input itself (no copy);
 * - a ring of `2 * radius + 2` converted rows (integer / float32 input, modes whose taps stay within the
 *   kernel's window, enough rows): each source row is converted once, and the ring stays in L2;
 * - otherwise a converted copy of the whole image (pooled scratch), plus one row of `cval` for `constant`.
 */
interface RowSource {
  buf: Float64Array;
  /** Make source rows up to `k` (inclusive) readable; rows are requested in increasing order. */
  need(k: number): void;
  /** Offset of source row `k` in `buf`; `k = -1` is the `cval` row (mode `constant` only). */
  off(k: number): number;
  /** Return pooled memory. */
  done(): void;
}

function rowSource(
  src: ArrayLike<number>,
  rows: number,
  cols: number,
  r0: number,
  mode: BoundaryMode,
  cval: number,
  cv: Conversion | undefined,
): RowSource {
  if (cv === undefined && mode !== "constant") {
    const buf = src as Float64Array;
    return { buf, need: () => {}, off: (k) => k * cols, done: () => {} };
  }
  const conv = cv ?? { scale: 1, clampLow: false };
  // two output rows at a time read the source rows y - r0 .. y + 1 + r0
  const K = 2 * r0 + 2;
  if (mode !== "constant" && mode !== "wrap" && rows > K) {
    // with nearest / reflect / mirror every tap of output rows y, y + 1 lies in [y - r0, y + 1 + r0]: a ring
    // of K rows holds them, row k in slot k % K; a slot is reused only after its row has left the window
    const ring = new Float64Array(K * cols);
    let have = -1;
    return {
      buf: ring,
      need: (k) => {
        for (const last = Math.min(k, rows - 1); have < last; ) {
          have++;
          convertRow(src, have * cols, ring, (have % K) * cols, cols, conv);
        }
      },
      off: (k) => (k % K) * cols,
      done: () => {},
    };
  }
  const n = rows * cols;
  const buf = takeF64(n + cols);
  convertRow(src, 0, buf, 0, n, conv);
  buf.fill(cval, n, n + cols);
  return { buf, need: () => {}, off: (k) => (k < 0 ? n : k * cols), done: () => giveBack(buf) };
}

/**
 * Axis-0 correlation of two consecutive output rows with a symmetric kernel `w` of radius r: `tap[i]` is the
 * offset in `buf` of the source row read at distance `i - r` from the first output row (boundary rows
 * already resolved), and `line0[at + x]`, `line1[at + x]` receive the two rows. Sums in scipy's order (centre
 * tap first, then the pairs from the outermost inwards); radius 8 and 4 unrolled.
 */
function colPass2(
  buf: Float64Array,
  tap: Int32Array,
  w: Float64Array,
  line0: Float64Array,
  line1: Float64Array,
  at: number,
  cols: number,
): void {
  const r = (w.length - 1) >> 1;
  if (r === 8) col8x2(buf, tap, w, line0, line1, at, cols);
  else if (r === 4) col4x2(buf, tap, w, line0, line1, at, cols);
  else {
    colGeneric(buf, tap, 0, w, line0, at, cols);
    colGeneric(buf, tap, 1, w, line1, at, cols);
  }
}

/** One output row of {@link colPass2} for any radius (the taps of row `t` are `tap[t .. t + 2r]`). */
function colGeneric(buf: Float64Array, tap: Int32Array, t: number, w: Float64Array, line: Float64Array, at: number, cols: number): void {
  const r = (w.length - 1) >> 1;
  // the partial sums live in `line` (float64, so each is rounded exactly as a register would be)
  const c = tap[t + r]!;
  const w0 = w[r]!;
  for (let x = 0; x < cols; x++) line[at + x] = buf[c + x]! * w0;
  for (let j = r; j >= 1; j--) {
    const a = tap[t + r - j]!;
    const b = tap[t + r + j]!;
    const wj = w[r - j]!;
    for (let x = 0; x < cols; x++) line[at + x] = line[at + x]! + (buf[a + x]! + buf[b + x]!) * wj;
  }
}

/**
 * Axis-1 correlation of one padded line (`line[r + x]` is pixel x, `r` pad values each side) into
 * `dst[base + x]`, in scipy's order; radius 8 and 4 unrolled.
 */
function rowPass(line: Float64Array, dst: Float64Array, base: number, cols: number, w: Float64Array): void {
  const r = (w.length - 1) >> 1;
  if (r === 8) row8x2(line, dst, base, cols, w);
  else if (r === 4) row4x2(line, dst, base, cols, w);
  else for (let x = 0; x < cols; x++) dst[base + x] = rowPixel(line, x, w);
}

/**
 * The separable filter, two output rows at a time: axis 0 (kernel `w0`) into two padded lines (the taps the
 * rows share read once), each line's edges extended by `mode`, then axis 1 (kernel `w1`) from each line into
 * its output row. Each axis sums in scipy's
 * order and the axis-0 value is rounded to the output type before axis 1 reads it, so the bits are those of
 * two separate passes through a stored intermediate; fusing them saves writing and re-reading that whole
 * intermediate image (73 MB for a float64 2826 x 3245 frame). An axis that is not filtered has the kernel
 * `[1]` (an exact copy). `cv` undefined means `src` is float64 read as is.
 */
function separable(
  src: ArrayLike<number>,
  rows: number,
  cols: number,
  w0: Float64Array,
  w1: Float64Array,
  mode: BoundaryMode,
  cval: number,
  cv: Conversion | undefined,
  out: Float32Array | Float64Array,
): void {
  const r0 = (w0.length - 1) >> 1;
  const r1 = (w1.length - 1) >> 1;
  const rs = rowSource(src, rows, cols, r0, mode, cval, cv);
  const buf = rs.buf;
  const lines = [new Float64Array(cols + 2 * r1), new Float64Array(cols + 2 * r1)] as const;
  const f32 = out instanceof Float32Array ? out : undefined;
  const orow = f32 ? new Float64Array(cols) : undefined;
  const tap = new Int32Array(2 * r0 + 2);
  // source column of each axis-1 pad cell (-1: cval)
  const padL = Int32Array.from({ length: r1 }, (_, i) => extendIndex(i - r1, cols, mode));
  const padR = Int32Array.from({ length: r1 }, (_, i) => extendIndex(cols + i, cols, mode));
  for (let y = 0; y < rows; y += 2) {
    // rows y and y + 1 together (for an odd count the last pair's second row is computed from valid taps,
    // the index `rows` extended by the mode, and dropped)
    rs.need(y + 1 + r0);
    for (let i = 0; i < tap.length; i++) tap[i] = rs.off(extendIndex(y - r0 + i, rows, mode));
    colPass2(buf, tap, w0, lines[0], lines[1], r1, cols);
    for (let k = 0; k < 2 && y + k < rows; k++) {
      const line = k === 0 ? lines[0] : lines[1];
      // a float32 image's axis-0 result is stored as float32 by scipy before axis 1 reads it
      if (f32) for (let x = r1; x < r1 + cols; x++) line[x] = Math.fround(line[x]!);
      for (let i = 0; i < r1; i++) {
        const a = padL[i]!;
        const b = padR[i]!;
        line[i] = a < 0 ? cval : line[r1 + a]!;
        line[r1 + cols + i] = b < 0 ? cval : line[r1 + b]!;
      }
      if (f32 && orow) {
        rowPass(line, orow, 0, cols, w1);
        f32.set(orow, (y + k) * cols);
      } else rowPass(line, out as Float64Array, (y + k) * cols, cols, w1);
    }
  }
  rs.done();
}

/** The kernel of one axis: scipy's Gaussian weights, or `[1]` (no filtering) when sigma is ~0. */
function axisKernel(sigma: number, truncate: number): Float64Array {
  return sigma > 1e-15 ? gaussianKernel1d(sigma, Math.floor(truncate * sigma + 0.5)) : Float64Array.of(1);
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
  const f = flat2D(image);
  const { rows, cols } = f;
  const out = f.dtype === "float32" ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  if (rows > 0 && cols > 0) {
    // integers are converted as each source row is first read (img_as_float's `x * (1/max)`, clamped at -1
    // for signed types), so there is no converted copy of the image
    const range = integerRange(f.dtype);
    const keep = (options.preserveRange ?? false) || range === undefined || f.dtype === "bool";
    const direct = f.dtype === "float64" && f.data instanceof Float64Array;
    const cv: Conversion | undefined = direct ? undefined : { scale: keep ? 1 : 1 / range[1], clampLow: !keep && range[0] < 0 };
    separable(f.data, rows, cols, axisKernel(sig[0], truncate), axisKernel(sig[1], truncate), mode, cval, cv, out);
  }
  return fromTyped(out, [rows, cols]) as unknown as NdArray<"float32" | "float64">;
}

/**
 * Gaussian filter of a float64 image into `out` (internal; `src` is not modified and must not alias
 * `out`). The same arithmetic as {@link gaussianFilter}. Sigmas must be validated by the caller.
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
  separable(src, rows, cols, axisKernel(sigma[0], truncate), axisKernel(sigma[1], truncate), mode, cval, undefined, out);
  return out;
}

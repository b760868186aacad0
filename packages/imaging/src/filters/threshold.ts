/**
 * Otsu's threshold and the image histogram it is computed from, matching `skimage.filters.threshold_otsu` and
 * `skimage.exposure.histogram` of scikit-image 0.19.3 with numpy 1.24.
 */
import { type DType, HypedError } from "@hyped/core";
import { nativeMaskAbove } from "@hyped/core/simd";
import { SIMD_BLOCK, type Simd, simd } from "../simd/index.js";
import { checkNumber, flat2D, type Image2D } from "./image.js";

/** Options of {@link imageHistogram}. */
export interface HistogramOptions {
  /** Number of bins for float images. Integer images always get one bin per integer value. Default 256. */
  nbins?: number;
  /**
   * Arithmetic of the bin edges for float32 images:
   * - `'input'` (default): what scikit-image 0.19 does through `numpy.histogram` on numpy 1.x — edges,
   *   centres and bin indices are computed in float32 for a float32 image.
   * - `'float64'`: edges and centres in float64, as for a float64 image. This is what you get from
   *   scikit-image on NumPy 2 (NEP 50 promotion) or after `img_as_float64`; thresholds can move by one bin
   *   width in rare cases.
   */
  binPrecision?: "input" | "float64";
}

/** A histogram: counts per bin and the bin centres. */
export interface Histogram {
  counts: Float64Array;
  centers: Float64Array;
}

/**
 * The histogram of a 2-D image, as `skimage.exposure.histogram(image, nbins, source_range='image')`:
 * - integer (and bool) images: one bin per integer from min to max (`nbins` is ignored), centres are the integers;
 * - float images: `numpy.histogram(image, bins=nbins)` over [min, max] (±0.5 when flat), centres the
 *   mid-points of the edges. NaN pixels throw `INVALID_ARGUMENT`.
 */
export function imageHistogram(image: Image2D, options: HistogramOptions = {}): Histogram {
  const f = flat2D(image);
  return histogramOf([f.data], f.dtype, options);
}

/**
 * The histogram of several same-dtype pixel arrays taken together (as if concatenated), with the rules of
 * {@link imageHistogram}. Used for Otsu over a channel stack.
 */
export function histogramOf(parts: readonly ArrayLike<number>[], dtype: DType, options: HistogramOptions = {}): Histogram {
  const nbins = checkNumber(options.nbins ?? 256, "nbins", { min: 1, integer: true });
  let total = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const src of parts) {
    const n = src.length;
    total += n;
    for (let i = 0; i < n; i++) {
      const v = src[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (Number.isNaN(v)) throw new HypedError("INVALID_ARGUMENT", "image contains NaN; the histogram range is not finite", { index: i });
    }
  }
  if (total === 0) throw new HypedError("INVALID_ARGUMENT", "histogram of an empty image", {});
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    throw new HypedError("INVALID_ARGUMENT", `autodetected histogram range [${lo}, ${hi}] is not finite`, { lo, hi });
  }
  if (dtype !== "float32" && dtype !== "float64") {
    const m = hi - lo + 1;
    if (m > 2 ** 28) throw new HypedError("OUT_OF_RANGE", `integer histogram would need ${m} bins`, { lo, hi });
    const counts = new Float64Array(m);
    for (const src of parts)
      for (let i = 0; i < src.length; i++) {
        const j = src[i]! - lo;
        counts[j] = counts[j]! + 1;
      }
    const centers = new Float64Array(m);
    for (let k = 0; k < m; k++) centers[k] = lo + k;
    return { counts, centers };
  }
  const f32 = dtype === "float32" && (options.binPrecision ?? "input") === "input";
  const rnd = f32 ? Math.fround : (x: number) => x;
  if (lo === hi) {
    lo = rnd(lo - 0.5);
    hi = rnd(hi + 0.5);
  }
  // numpy.linspace in float64, cast to the bin dtype
  const edges = new Float64Array(nbins + 1);
  const step = (hi - lo) / nbins;
  for (let i = 0; i < nbins; i++) edges[i] = rnd(i * step + lo);
  edges[nbins] = hi;
  const counts = new Float64Array(nbins);
  // numpy's fast uniform-bin path: index = (x - first) * (nbins / (last - first)), then ±1 fixes at the edges
  const denom = f32 ? Math.fround(hi - lo) : hi - lo;
  const norm = rnd(nbins / denom);
  for (const src of parts) {
    const n = src.length;
    for (let i = 0; i < n; i++) {
      const v = src[i]!;
      let idx = Math.trunc(f32 ? Math.fround(Math.fround(v - lo) * norm) : (v - lo) * norm);
      if (idx === nbins) idx--;
      if (v < edges[idx]!) idx--;
      if (idx !== nbins - 1 && v >= edges[idx + 1]!) idx++;
      counts[idx] = counts[idx]! + 1;
    }
  }
  const centers = new Float64Array(nbins);
  for (let i = 0; i < nbins; i++) centers[i] = rnd(rnd(edges[i]! + edges[i + 1]!) / 2);
  return { counts, centers };
}

/** Options of {@link thresholdOtsu}. */
export type OtsuOptions = HistogramOptions;

/**
 * Otsu's threshold, matching `skimage.filters.threshold_otsu(image, nbins=256)` of scikit-image 0.19.3:
 * - a flat image returns its single value;
 * - otherwise the histogram of {@link imageHistogram} (integer rule: one bin per value; float rule:
 *   `nbins` equal bins), and the centre of the first bin that maximises the between-class variance
 *   `w1 * w2 * (m1 - m2)^2` with class 1 = bins up to and including it.
 *
 * Foreground is `image > threshold`. Returns the threshold in the image's units (float32 images give a
 * float32-representable value).
 */
export function thresholdOtsu(image: Image2D, options: OtsuOptions = {}): number {
  const f = flat2D(image);
  const src = f.data;
  if (src.length === 0) throw new HypedError("INVALID_ARGUMENT", "Otsu threshold of an empty image", {});
  const first = src[0]!;
  let flat = true;
  for (let i = 1; i < src.length; i++)
    if (src[i] !== first) {
      flat = false;
      break;
    }
  if (flat) return first;
  const { counts, centers } = imageHistogram(image, options);
  return otsuFromHistogram(counts, centers);
}

/** Otsu's threshold from a histogram (counts and centres), skimage's formula and first-maximum rule. */
export function otsuFromHistogram(counts: ArrayLike<number>, centers: ArrayLike<number>): number {
  const m = counts.length;
  if (m !== centers.length || m === 0) {
    throw new HypedError("SHAPE_MISMATCH", `histogram has ${m} counts and ${centers.length} centres`, {});
  }
  if (m === 1) return centers[0]!;
  // cumulative sums from the left and from the right, sequential like numpy.cumsum
  const w1 = new Float64Array(m);
  const s1 = new Float64Array(m);
  let cw = 0;
  let cs = 0;
  for (let i = 0; i < m; i++) {
    cw += counts[i]!;
    cs += counts[i]! * centers[i]!;
    w1[i] = cw;
    s1[i] = cs;
  }
  const w2 = new Float64Array(m);
  const s2 = new Float64Array(m);
  cw = 0;
  cs = 0;
  for (let i = m - 1; i >= 0; i--) {
    cw += counts[i]!;
    cs += counts[i]! * centers[i]!;
    w2[i] = cw;
    s2[i] = cs;
  }
  let best = Number.NEGATIVE_INFINITY;
  let bestIdx = 0;
  for (let i = 0; i < m - 1; i++) {
    const m1 = s1[i]! / w1[i]!;
    const m2 = s2[i + 1]! / w2[i + 1]!;
    const d = m1 - m2;
    const v = w1[i]! * w2[i + 1]! * (d * d);
    // numpy.argmax: first maximum; NaN wins as numpy treats it as the maximum
    if (v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
      best = v;
      bestIdx = i;
      if (Number.isNaN(v)) break;
    }
  }
  return centers[bestIdx]!;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Which kernel {@link maskAbove} runs: the C kernel of `@hyped/native`, the WebAssembly SIMD one, or plain JS. */
export type MaskBackend = "native" | "wasm" | "js";

/** The smallest mask worth a kernel call (below it, the JavaScript loop). */
const MASK_KERNEL_MIN = 64;

/**
 * The one place {@link maskAbove} picks its kernel, for `k` channels of `n` pixels: `native` when the optional
 * `@hyped/native` addon is loaded (Node; see `nativeMaskAbove` in `@hyped/core/simd`), else `wasm` when this
 * engine runs WebAssembly SIMD-128, else `js`. Kernels take 1 or 2 channels of at least 64 pixels.
 */
function pickMask(k: number, n: number): { backend: MaskBackend; reason: string } {
  if (k !== 1 && k !== 2) return { backend: "js", reason: `${k} channels (the kernels take 1 or 2)` };
  if (n < MASK_KERNEL_MIN) return { backend: "js", reason: `${n} pixels (kernels from ${MASK_KERNEL_MIN})` };
  if (nativeMaskAbove()) return { backend: "native", reason: "" };
  const why = "@hyped/native's kernel is not loaded (nativeStatus() from @hyped/core/hdf5 says why)";
  if (simd()) return { backend: "wasm", reason: why };
  return { backend: "js", reason: `${why}, and WebAssembly SIMD-128 is unavailable or turned off` };
}

/**
 * Which kernel {@link maskAbove} uses for `channels` channels of `n` pixels (defaults: 2 channels of a large
 * frame, as `segmentFrame` calls it), and why not a faster one (`reason` is empty for `native`):
 *
 * - `native`: the C kernel of the optional `@hyped/native` addon (Node, when it built at install). It reads the
 *   channels where they are, once. Turned off by `HYPED_NATIVE=0` or `setNative(false)` from `@hyped/core/hdf5`.
 * - `wasm`: the WebAssembly SIMD-128 kernel, which must copy the channels into its memory block by block first.
 *   Turned off by `setSimdEnabled(false)` from `@hyped/core/simd`.
 * - `js`: {@link maskAboveJs}, for 3+ channels, fewer than 64 pixels, or when neither kernel is there.
 *
 * All three give the same bytes.
 */
export function maskBackend(channels = 2, n = Number.MAX_SAFE_INTEGER): { backend: MaskBackend; reason: string } {
  return pickMask(channels, n);
}

/**
 * The foreground mask `(stack > t).any(axis=0)` of the first `n` pixels of float64 channels (each at least `n`
 * long), in one fused pass, as numpy computes it for a stack of smoothed channels; `segmentFrame`'s step 3.
 * Returns `n` bytes: 1 where any channel is above `t`, else 0 (NaN is never above, as in numpy).
 *
 * One or two channels of 64 pixels or more go through a kernel ({@link maskBackend} says which): the C kernel
 * of `@hyped/native` when it is loaded (Node), else the WebAssembly SIMD one (`simd/kernels.wat`: two float64
 * compares per instruction, block by block); anything else through {@link maskAboveJs}. All give the same bytes.
 * Throws `INVALID_ARGUMENT` when `n` is not a non-negative integer and `SHAPE_MISMATCH` when a channel is
 * shorter than `n`.
 */
export function maskAbove(parts: readonly Float64Array[], t: number, n: number): Uint8Array {
  checkNumber(n, "n", { min: 0, integer: true });
  for (const p of parts)
    if (p.length < n)
      throw new HypedError("SHAPE_MISMATCH", `a channel has ${p.length} pixels, fewer than n = ${n}`, { length: p.length, n });
  const { backend } = pickMask(parts.length, n);
  if (backend === "native") {
    const m = new Uint8Array(n);
    nativeMaskAbove()!(parts[0]!, parts.length === 2 ? parts[1]! : null, n, t, m);
    return m;
  }
  if (backend === "wasm") return maskAboveSimd(simd()!, parts, t, n);
  return maskAboveJs(parts, t, n);
}

/**
 * {@link maskAbove} through the SIMD kernels, one cache-sized block at a time (copy in with `TypedArray.set`, a
 * memmove; run; copy the block's bytes out); the last `< 32` pixels in JS.
 */
function maskAboveSimd(s: Simd, parts: readonly Float64Array[], t: number, n: number): Uint8Array {
  const m = new Uint8Array(n);
  const a = parts[0]!;
  const b = parts.length === 2 ? parts[1]! : undefined;
  for (let i = 0; i < n; i += SIMD_BLOCK) {
    const len = Math.min(SIMD_BLOCK, n - i);
    const len32 = len & ~31;
    s.a.set(a.subarray(i, i + len32));
    if (b) {
      s.b.set(b.subarray(i, i + len32));
      s.k.mask2(s.pa, s.pb, s.po, len32, t);
    } else s.k.mask1(s.pa, s.po, len32, t);
    m.set(len32 === SIMD_BLOCK ? s.out : s.out.subarray(0, len32), i);
    for (let j = i + len32; j < i + len; j++) m[j] = b ? +(a[j]! > t) | +(b[j]! > t) : +(a[j]! > t);
  }
  return m;
}

/**
 * {@link maskAbove} in plain JavaScript (the path when WebAssembly SIMD is absent, and for 3+ channels).
 *
 * Why it is written this way (measured on the 2826 x 3245 bench frame, 2 channels):
 * - the comparisons are turned into numbers (`+(x > t)`), which V8 compiles to `setcc` without branches: a
 *   branch per pixel mispredicts on noisy images and costs ~5x;
 * - eight pixels per iteration, four mask bytes per 32-bit store: V8 re-checks every typed array's map,
 *   length and base pointer once per loop iteration (it does not hoist them out of loops), so the unrolled
 *   body pays them once per eight pixels (10.4 ms -> 7.8 ms a call; one pixel per iteration: 12 ms).
 */
export function maskAboveJs(parts: readonly Float64Array[], t: number, n: number): Uint8Array {
  const m = new Uint8Array(n);
  if (parts.length === 2) {
    const a = parts[0]!;
    const b = parts[1]!;
    let i = 0;
    if (LITTLE_ENDIAN) {
      const m32 = new Uint32Array(m.buffer, 0, n >> 2);
      const q = (n >> 3) << 1;
      for (let k = 0; k < q; k += 2, i += 8) {
        m32[k] =
          +(a[i]! > t) |
          +(b[i]! > t) |
          ((+(a[i + 1]! > t) | +(b[i + 1]! > t)) << 8) |
          ((+(a[i + 2]! > t) | +(b[i + 2]! > t)) << 16) |
          ((+(a[i + 3]! > t) | +(b[i + 3]! > t)) << 24);
        m32[k + 1] =
          +(a[i + 4]! > t) |
          +(b[i + 4]! > t) |
          ((+(a[i + 5]! > t) | +(b[i + 5]! > t)) << 8) |
          ((+(a[i + 6]! > t) | +(b[i + 6]! > t)) << 16) |
          ((+(a[i + 7]! > t) | +(b[i + 7]! > t)) << 24);
      }
    }
    for (; i < n; i++) m[i] = +(a[i]! > t) | +(b[i]! > t);
    return m;
  }
  const a = parts[0]!;
  let i = 0;
  if (LITTLE_ENDIAN) {
    const m32 = new Uint32Array(m.buffer, 0, n >> 2);
    const q = (n >> 3) << 1;
    for (let k = 0; k < q; k += 2, i += 8) {
      m32[k] = +(a[i]! > t) | (+(a[i + 1]! > t) << 8) | (+(a[i + 2]! > t) << 16) | (+(a[i + 3]! > t) << 24);
      m32[k + 1] = +(a[i + 4]! > t) | (+(a[i + 5]! > t) << 8) | (+(a[i + 6]! > t) << 16) | (+(a[i + 7]! > t) << 24);
    }
  }
  for (; i < n; i++) m[i] = +(a[i]! > t);
  for (let c = 1; c < parts.length; c++) {
    const p = parts[c]!;
    for (let j = 0; j < n; j++) m[j] = m[j]! | +(p[j]! > t);
  }
  return m;
}

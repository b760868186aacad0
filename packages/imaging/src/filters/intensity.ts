/**
 * Percentiles, percentile clipping and intensity rescaling: numpy's `percentile` (linear method, numpy 1.24)
 * and `skimage.exposure.rescale_intensity` (0.19.3).
 */
import { allocate, type DType, fromTyped, HypedError, isBigIntDType, type NdArray, type NumericTypedArray } from "@hyped/core";
import { checkNumber, flat2D, type Image2D, integerRange } from "./image.js";

/** In-place selection: after the call, `a[k]` holds the k-th smallest value and `a[<k] <= a[k] <= a[>k]`. */
export function selectKth(a: Float64Array | Float32Array, k: number, lo = 0, hi = a.length - 1): void {
  while (hi > lo) {
    if (hi - lo < 16) {
      for (let i = lo + 1; i <= hi; i++) {
        const v = a[i]!;
        let j = i - 1;
        while (j >= lo && a[j]! > v) {
          a[j + 1] = a[j]!;
          j--;
        }
        a[j + 1] = v;
      }
      return;
    }
    // median of three pivot, Hoare partition
    const mid = (lo + hi) >> 1;
    let x = a[lo]!;
    let y = a[mid]!;
    const z = a[hi]!;
    if (y < x) [x, y] = [y, x];
    if (z < y) {
      y = z;
      if (y < x) y = x;
    }
    const pivot = y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/**
 * Percentiles of all pixels, numpy's default `linear` method (`numpy.percentile(image, q)`, numpy 1.24):
 * virtual index `(n - 1) * q / 100`, interpolated between its two neighbours exactly as numpy's `_lerp`
 * (a float32 image subtracts its neighbours in float32). Returns float64 numbers. Integer images with a
 * small range use a counting pass; others an O(n) selection on a copy. NaN pixels throw.
 */
export function percentiles(image: Image2D, q: readonly number[]): number[] {
  const f = flat2D(image);
  const n = f.data.length;
  if (n === 0) throw new HypedError("INVALID_ARGUMENT", "percentile of an empty image", {});
  for (const p of q) checkNumber(p, "q");
  for (const p of q) if (p < 0 || p > 100) throw new HypedError("OUT_OF_RANGE", `percentile ${p} is outside [0, 100]`, { q: p });
  const idx = q.map((p) => (n - 1) * (p / 100));
  const need = new Set<number>();
  for (const v of idx) {
    const i0 = Math.floor(v);
    need.add(i0);
    need.add(Math.min(i0 + 1, n - 1));
  }
  const order = orderStats(
    f.data,
    f.dtype,
    [...need].sort((a, b) => a - b),
  );
  const f32 = f.dtype === "float32";
  return idx.map((v) => {
    const i0 = Math.floor(v);
    const i1 = Math.min(i0 + 1, n - 1);
    const a = order.get(i0)!;
    const b = order.get(i1)!;
    const g = v - i0;
    const d = f32 ? Math.fround(b - a) : b - a;
    return g >= 0.5 ? b - d * (1 - g) : a + d * g;
  });
}

/** One percentile; see {@link percentiles}. */
export function percentile(image: Image2D, q: number): number {
  return percentiles(image, [q])[0]!;
}

/** The order statistics `ks` (sorted ascending, 0-based ranks) of `data`. */
function orderStats(data: ArrayLike<number>, dtype: DType, ks: number[]): Map<number, number> {
  const n = data.length;
  const out = new Map<number, number>();
  const range = integerRange(dtype);
  if (range !== undefined && range[1] - range[0] <= 65535) {
    // counting
    const off = -range[0];
    const counts = new Float64Array(range[1] - range[0] + 1);
    for (let i = 0; i < n; i++) {
      const j = data[i]! + off;
      counts[j] = counts[j]! + 1;
    }
    let cum = 0;
    let ki = 0;
    for (let v = 0; v < counts.length && ki < ks.length; v++) {
      cum += counts[v]!;
      while (ki < ks.length && ks[ki]! < cum) {
        out.set(ks[ki]!, v - off);
        ki++;
      }
    }
    return out;
  }
  const a = dtype === "float32" ? Float32Array.from(data) : Float64Array.from(data);
  for (let i = 0; i < n; i++) if (Number.isNaN(a[i])) throw new HypedError("INVALID_ARGUMENT", "image contains NaN", { index: i });
  let lo = 0;
  for (const k of ks) {
    selectKth(a, k, lo, n - 1);
    out.set(k, a[k]!);
    lo = k;
  }
  return out;
}

/** Options of {@link clipPercentile}. */
export interface ClipPercentileOptions {
  /** Upper percentile (0–100): values above it are clipped to it. Default 98 (the paper's step 1). */
  high?: number;
  /** Optional lower percentile: values below it are clipped to it. Default: no lower clip. */
  low?: number;
  /**
   * How the clipped values are scaled to [0, 1]:
   * - `'divide'` (default, the paper's step 1 "clip above the 98th percentile and scale to [0, 1]"):
   *   `x / p_high`, i.e. `np.clip(x, None, p) / p`. Zero stays zero, so intensities remain proportional to
   *   the camera counts (a 14-bit frame never goes below 0).
   * - `'minmax'`: `(x - m) / (p_high - m)` with `m` the image minimum (or `p_low` when `low` is given), i.e.
   *   `skimage.exposure.rescale_intensity(x, in_range=(m, p), out_range=(0, 1))`.
   * - `'none'`: clip only, keep the units.
   */
  scale?: "divide" | "minmax" | "none";
}

/** Result of {@link clipPercentile}: the float64 image and the bounds that were used. */
export interface ClipPercentileResult {
  image: NdArray<"float64">;
  /** The upper percentile value `p_high`, in input units. */
  high: number;
  /** The lower bound used (p_low, the image minimum for `minmax`, or undefined). */
  low: number | undefined;
}

/**
 * Clip a 2-D image above a percentile (numpy's linear percentile) and scale it to [0, 1]. Any numeric dtype
 * in; float64 out. A zero scale (`p_high` = 0, or `p_high` = `m` for `minmax`) gives an all-zero image.
 */
export function clipPercentile(image: Image2D, options: ClipPercentileOptions = {}): ClipPercentileResult {
  return clipPercentileInto(image, options);
}

/** {@link clipPercentile} writing into `into` (internal: lets callers use pooled scratch memory). */
export function clipPercentileInto(image: Image2D, options: ClipPercentileOptions = {}, into?: Float64Array): ClipPercentileResult {
  const high = checkNumber(options.high ?? 98, "high");
  const scale = options.scale ?? "divide";
  if (scale !== "divide" && scale !== "minmax" && scale !== "none") {
    throw new HypedError("INVALID_ARGUMENT", `scale must be 'divide', 'minmax' or 'none', got '${String(scale)}'`, { scale });
  }
  const f = flat2D(image);
  const n = f.data.length;
  const qs = options.low === undefined ? [high] : [checkNumber(options.low, "low"), high];
  const ps = percentiles(image, qs);
  const p = ps[ps.length - 1]!;
  let low = options.low === undefined ? undefined : ps[0]!;
  if (low !== undefined && low > p)
    throw new HypedError("INVALID_ARGUMENT", `low percentile value ${low} exceeds high ${p}`, { low, high: p });
  const src = f.data;
  if (scale === "minmax" && low === undefined) {
    let m = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) if (src[i]! < m) m = src[i]!;
    low = m;
  }
  const out = into ?? new Float64Array(n);
  const lo = low ?? Number.NEGATIVE_INFINITY;
  const off = scale === "minmax" ? (low as number) : 0;
  const den = p - off;
  if (scale !== "none" && den === 0) {
    out.fill(0, 0, n);
  } else {
    // the value of a pixel depends on the pixel alone: an integer image of a small range gets a lookup
    // table of every possible value (the same expression per value, so the same float64 results)
    const range = integerRange(f.dtype);
    const lutSize = range === undefined ? 0 : range[1] - range[0] + 1;
    const map = (v: number): number => {
      const c = v > p ? p : v < lo ? lo : v;
      return scale === "none" ? c : (c - off) / den;
    };
    if (range !== undefined && f.dtype !== "bool" && lutSize <= 65536 && n >= 4 * lutSize) {
      const lut = new Float64Array(lutSize);
      for (let k = 0; k < lutSize; k++) lut[k] = map(k + range[0]);
      applyLut(src, lut, -range[0], out, n);
    } else if (scale === "none") {
      for (let i = 0; i < n; i++) {
        const v = src[i]!;
        out[i] = v > p ? p : v < lo ? lo : v;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const v = src[i]!;
        out[i] = ((v > p ? p : v < lo ? lo : v) - off) / den;
      }
    }
  }
  return { image: fromTyped(out.length === n ? out : out.subarray(0, n), [f.rows, f.cols]) as NdArray<"float64">, high: p, low };
}

/** `out[i] = lut[src[i] + off]` for the first `n` pixels (integer pixels, `lut` covering their range). */
function applyLut(src: ArrayLike<number>, lut: Float64Array, off: number, out: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = lut[src[i]! + off]!;
}

/** A range for {@link rescaleIntensity}: `'image'` (min/max), `'dtype'` (the dtype's limits), or explicit. */
export type IntensityRange = "image" | "dtype" | readonly [number, number];

/** Options of {@link rescaleIntensity}. */
export interface RescaleOptions {
  /** Input range mapped to the output range; values outside are clipped. Default `'image'`. */
  inRange?: IntensityRange;
  /**
   * Output range. Default `'dtype'`: the input dtype's limits (floats: [0, 1], or [-1, 1] when `inRange`
   * reaches below 0). A dtype name gives that dtype's limits and output dtype.
   */
  outRange?: "dtype" | DType | readonly [number, number];
}

function dtypeLimits(dtype: DType, clipNegative: boolean): [number, number] {
  const r = integerRange(dtype);
  const lim: [number, number] = r ?? [-1, 1];
  if (clipNegative) lim[0] = 0;
  return lim;
}

/**
 * Stretch or shrink intensities, matching `skimage.exposure.rescale_intensity(image, in_range, out_range)`
 * of scikit-image 0.19.3: `clip(x, imin, imax)`, then `(x - imin) / (imax - imin) * (omax - omin) + omin`,
 * cast to the output dtype (float→integer truncates toward zero like numpy's `astype`).
 * Output dtype: the input's for `'dtype'`; float (float32 for float32 input, else float64) for an explicit
 * range; the named dtype for a dtype name. Float32 arithmetic is emulated for float32 images.
 */
export function rescaleIntensity(image: Image2D, options: RescaleOptions = {}): NdArray {
  const f = flat2D(image);
  const src = f.data;
  const n = src.length;
  const inR = options.inRange ?? "image";
  const outR = options.outRange ?? "dtype";
  let imin: number;
  let imax: number;
  if (inR === "image") {
    imin = Number.POSITIVE_INFINITY;
    imax = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const v = src[i]!;
      if (v < imin) imin = v;
      if (v > imax) imax = v;
    }
  } else if (inR === "dtype") [imin, imax] = dtypeLimits(f.dtype, false);
  else if (Array.isArray(inR) && inR.length === 2) [imin, imax] = [checkNumber(inR[0], "inRange[0]"), checkNumber(inR[1], "inRange[1]")];
  else throw new HypedError("INVALID_ARGUMENT", "inRange must be 'image', 'dtype' or [min, max]", { inRange: inR });
  let outDtype: DType;
  let omin: number;
  let omax: number;
  if (outR === "dtype") {
    outDtype = f.dtype;
    [omin, omax] = dtypeLimits(f.dtype, imin >= 0);
  } else if (typeof outR === "string") {
    outDtype = outR;
    [omin, omax] = dtypeLimits(outR, imin >= 0);
  } else if (Array.isArray(outR) && outR.length === 2) {
    outDtype = f.dtype === "float32" ? "float32" : "float64";
    [omin, omax] = [checkNumber(outR[0], "outRange[0]"), checkNumber(outR[1], "outRange[1]")];
  } else throw new HypedError("INVALID_ARGUMENT", "outRange must be 'dtype', a dtype name or [min, max]", { outRange: outR });
  if (outDtype === "int64" || outDtype === "uint64") throw new HypedError("UNSUPPORTED", `rescaleIntensity to ${outDtype}`, { outDtype });
  const f32 = f.dtype === "float32";
  const r = f32 ? Math.fround : (x: number) => x;
  const tmp = new Float64Array(n);
  const cmin = r(imin);
  const cmax = r(imax);
  if (imin !== imax) {
    const span = r(imax - imin);
    const ospan = r(omax - omin);
    const o0 = r(omin);
    for (let i = 0; i < n; i++) {
      let v = src[i]!;
      v = v < cmin ? cmin : v > cmax ? cmax : v;
      tmp[i] = r(r(r(r(v - cmin) / span) * ospan) + o0);
    }
  } else {
    for (let i = 0; i < n; i++) {
      let v = src[i]!;
      v = v < cmin ? cmin : v > cmax ? cmax : v;
      tmp[i] = v < omin ? omin : v > omax ? omax : v;
    }
  }
  if (outDtype === "float64") return fromTyped(tmp, [f.rows, f.cols]) as NdArray;
  if (isBigIntDType(outDtype)) throw new HypedError("UNSUPPORTED", `rescaleIntensity cannot write ${outDtype}`, { outDtype });
  const out = allocate(outDtype, n) as NumericTypedArray;
  const isInt = outDtype !== "float32";
  for (let i = 0; i < n; i++) out[i] = isInt ? Math.trunc(tmp[i]!) : tmp[i]!;
  return fromTyped(out as unknown as Float32Array, [f.rows, f.cols]) as unknown as NdArray;
}

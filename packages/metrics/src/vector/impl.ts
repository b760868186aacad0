/**
 * Vector and paired metrics: the numbers scipy and scikit-learn give, accumulated in float64 with
 * compensated summation.
 *
 * Every function takes two {@link MetricInput}s of the same size (ndarrays of any dtype and strides,
 * TypedArrays, BigInt arrays, plain arrays) and reads them as flat C-order vectors. A size mismatch throws
 * `SHAPE_MISMATCH`; empty inputs throw `INVALID_ARGUMENT`.
 *
 * NaN policy, following the reference each function matches:
 * - scikit-learn metrics (`mse`, `rmse`, `mae`, `r2`) reject NaN/±Infinity input with `INVALID_ARGUMENT`
 *   (scikit-learn's `check_array` raises too);
 * - `pearson` and `euclidean` reject them too (scipy 1.10 raises `ValueError` from `linalg.norm`);
 * - `spearman`, `cosineSimilarity` and `l1` propagate NaN (scipy's `nan_policy='propagate'`); ±Infinity is
 *   ranked by `spearman` like any other value.
 */
import { HypedError } from "@hyped/core";
import {
  assertFinitePair,
  CHUNK,
  type FlatInput,
  firstNonFinite,
  flatPair,
  type MetricInput,
  SCRATCH_A,
  SCRATCH_B,
} from "../internal/input.js";
import {
  allEqual,
  allEqualF32,
  centredProducts,
  centredProductsF32,
  dots,
  dotsAndMax,
  dotsF32,
  maxAbsDiff,
  sumAbsDiff,
  sumSqDiff,
  sumSqDiffScaled,
  sums,
  sumsAndMax,
  sumsF32,
} from "../internal/kernels.js";
import { CompensatedSum } from "../internal/sum.js";
import { directDiffSum } from "../internal/typed.js";

export type { MetricInput } from "../internal/input.js";

const LO = 2 ** -960;
const HI = 2 ** 960;

function nonEmpty(f: FlatInput, fn: string): void {
  if (f.length === 0) throw new HypedError("INVALID_ARGUMENT", `${fn}: inputs are empty`, { fn });
}

/** Σ (a−b)² and n, compensated. @internal */
export function sumSquaredDiff(fa: FlatInput, fb: FlatInput): number {
  const direct = directDiffSum(fa, fb, false);
  if (direct !== undefined) return direct;
  const s = new CompensatedSum();
  const n = fa.length;
  for (let i = 0; i < n; i += CHUNK) {
    const m = Math.min(CHUNK, n - i);
    s.add(sumSqDiff(fa.read(i, m, SCRATCH_A), fb.read(i, m, SCRATCH_B), m));
  }
  return s.value();
}

/** Σ |a−b|, compensated. @internal */
export function sumAbsoluteDiff(fa: FlatInput, fb: FlatInput): number {
  const direct = directDiffSum(fa, fb, true);
  if (direct !== undefined) return direct;
  const s = new CompensatedSum();
  const n = fa.length;
  for (let i = 0; i < n; i += CHUNK) {
    const m = Math.min(CHUNK, n - i);
    s.add(sumAbsDiff(fa.read(i, m, SCRATCH_A), fb.read(i, m, SCRATCH_B), m));
  }
  return s.value();
}

/** @internal mse on flat inputs (finite check only when the result is not finite). */
export function mseFlat(fa: FlatInput, fb: FlatInput, fn = "mse"): number {
  nonEmpty(fa, fn);
  const v = sumSquaredDiff(fa, fb) / fa.length;
  if (!Number.isFinite(v)) assertFinitePair(fa, fb, fn);
  return v;
}

/**
 * Mean squared error, `(1/n) Σ (a_i − b_i)²`, in the squared units of the input.
 * Matches `sklearn.metrics.mean_squared_error(a, b)` (and `skimage.metrics.mean_squared_error`).
 * NaN/±Infinity input throws `INVALID_ARGUMENT`; finite input whose squares overflow gives `Infinity`.
 */
export function mse(a: MetricInput, b: MetricInput): number {
  const [fa, fb] = flatPair(a, b);
  return mseFlat(fa, fb);
}

/** Root mean squared error, `sqrt(mse(a, b))`, in the input's units. Matches `sklearn.metrics.mean_squared_error(a, b, squared=False)`. */
export function rmse(a: MetricInput, b: MetricInput): number {
  const [fa, fb] = flatPair(a, b);
  return rmseFlat(fa, fb);
}

/** @internal rmse, computed as `euclidean / sqrt(n)` when the squares overflow or underflow. */
export function rmseFlat(fa: FlatInput, fb: FlatInput): number {
  const m = mseFlat(fa, fb, "rmse");
  if (m > LO && m < HI) return Math.sqrt(m);
  return euclideanFlat(fa, fb) / Math.sqrt(fa.length);
}

/** @internal */
export function maeFlat(fa: FlatInput, fb: FlatInput, fn = "mae"): number {
  nonEmpty(fa, fn);
  const v = sumAbsoluteDiff(fa, fb) / fa.length;
  if (!Number.isFinite(v)) assertFinitePair(fa, fb, fn);
  return v;
}

/**
 * Mean absolute error, `(1/n) Σ |a_i − b_i|`, in the input's units. Matches `sklearn.metrics.mean_absolute_error`.
 * NaN/±Infinity input throws `INVALID_ARGUMENT`.
 */
export function mae(a: MetricInput, b: MetricInput): number {
  const [fa, fb] = flatPair(a, b);
  return maeFlat(fa, fb);
}

/**
 * Sum of absolute differences (city-block / L1 distance), `Σ |a_i − b_i|`.
 * Matches `scipy.spatial.distance.cityblock`. NaN propagates.
 */
export function l1(a: MetricInput, b: MetricInput): number {
  const [fa, fb] = flatPair(a, b);
  nonEmpty(fa, "l1");
  return sumAbsoluteDiff(fa, fb);
}

/** @internal */
export function euclideanFlat(fa: FlatInput, fb: FlatInput): number {
  nonEmpty(fa, "euclidean");
  const s = sumSquaredDiff(fa, fb);
  if (!Number.isFinite(s)) assertFinitePair(fa, fb, "euclidean");
  if (s > LO && s < HI) return Math.sqrt(s);
  // Overflow or underflow of the squares: rescale by the largest difference (as BLAS nrm2 does).
  const n = fa.length;
  let big = 0;
  for (let i = 0; i < n; i += CHUNK) {
    const m = Math.min(CHUNK, n - i);
    const d = maxAbsDiff(fa.read(i, m, SCRATCH_A), fb.read(i, m, SCRATCH_B), m);
    if (Number.isNaN(d)) return d;
    if (d > big) big = d;
  }
  if (big === Number.POSITIVE_INFINITY) return big;
  if (big === 0) return 0;
  const inv = 1 / big;
  const t = new CompensatedSum();
  for (let i = 0; i < n; i += CHUNK) {
    const m = Math.min(CHUNK, n - i);
    t.add(sumSqDiffScaled(fa.read(i, m, SCRATCH_A), fb.read(i, m, SCRATCH_B), m, inv));
  }
  return Math.sqrt(t.value()) * big;
}

/**
 * Euclidean (L2) distance, `sqrt(Σ (a_i − b_i)²)`, without overflow or underflow for huge or tiny values.
 * Matches `scipy.spatial.distance.euclidean`. NaN/±Infinity input throws `INVALID_ARGUMENT` (scipy 1.10 raises).
 */
export function euclidean(a: MetricInput, b: MetricInput): number {
  const [fa, fb] = flatPair(a, b);
  return euclideanFlat(fa, fb);
}

/** Stats of one pass: sums, maxima, constancy. */
interface FirstPass {
  sa: number;
  sb: number;
  maxA: number;
  maxB: number;
  constA: boolean;
  constB: boolean;
  nan: boolean;
}

const F4 = new Float64Array(4);
const F3 = new Float64Array(3);
const F5 = new Float64Array(6);

/** Both inputs' float32 storage when both are float32 (the kernels' float32 twins then read it in place). */
function float32Pair(fa: FlatInput, fb: FlatInput): [Float32Array, Float32Array] | undefined {
  return fa.storage === "float32" && fb.storage === "float32" ? [fa.typed as Float32Array, fb.typed as Float32Array] : undefined;
}

/**
 * Pearson's first pass without the maxima: the sums (the same bits as {@link firstPass}'s) and constancy,
 * or undefined when a sum is not finite (then an input holds NaN/±Infinity or the sum overflowed, and the
 * caller runs {@link firstPass}). Finite sums imply finite inputs, so the maxima are not needed.
 */
function quickFirstPass(fa: FlatInput, fb: FlatInput): { sa: number; sb: number; constA: boolean; constB: boolean } | undefined {
  const n = fa.length;
  const sa = new CompensatedSum();
  const sb = new CompensatedSum();
  let constA = true;
  let constB = true;
  let a0 = 0;
  let b0 = 0;
  const f32 = float32Pair(fa, fb);
  for (let i = 0; i < n; i += CHUNK) {
    const m = Math.min(CHUNK, n - i);
    if (f32) {
      const [ta, tb] = f32;
      if (i === 0) {
        a0 = ta[0] as number;
        b0 = tb[0] as number;
      }
      sumsF32(ta, i, tb, i, m, F4);
      if (constA) constA = allEqualF32(ta, i, m, a0);
      if (constB) constB = allEqualF32(tb, i, m, b0);
    } else {
      const ca = fa.read(i, m, SCRATCH_A);
      const cb = fb.read(i, m, SCRATCH_B);
      if (i === 0) {
        a0 = ca[0] as number;
        b0 = cb[0] as number;
      }
      sums(ca, cb, m, F4);
      if (constA) constA = allEqual(ca, m, a0);
      if (constB) constB = allEqual(cb, m, b0);
    }
    sa.add(F4[0] as number);
    sb.add(F4[1] as number);
  }
  const va = sa.value();
  const vb = sb.value();
  return Number.isFinite(va) && Number.isFinite(vb) ? { sa: va, sb: vb, constA, constB } : undefined;
}

function firstPass(fa: FlatInput, fb: FlatInput): FirstPass {
  const n = fa.length;
  const sa = new CompensatedSum();
  const sb = new CompensatedSum();
  let maxA = 0;
  let maxB = 0;
  let constA = true;
  let constB = true;
  let a0 = 0;
  let b0 = 0;
  for (let i = 0; i < n; i += CHUNK) {
    const m = Math.min(CHUNK, n - i);
    const ca = fa.read(i, m, SCRATCH_A);
    const cb = fb.read(i, m, SCRATCH_B);
    if (i === 0) {
      a0 = ca[0] as number;
      b0 = cb[0] as number;
    }
    sumsAndMax(ca, cb, m, F4);
    sa.add(F4[0] as number);
    sb.add(F4[1] as number);
    if ((F4[2] as number) > maxA) maxA = F4[2] as number;
    if ((F4[3] as number) > maxB) maxB = F4[3] as number;
    if (constA) constA = allEqual(ca, m, a0);
    if (constB) constB = allEqual(cb, m, b0);
  }
  const va = sa.value();
  const vb = sb.value();
  return { sa: va, sb: vb, maxA, maxB, constA, constB, nan: Number.isNaN(va) || Number.isNaN(vb) };
}

/** Compensated [Σ x², Σ y², Σ xy] of x = (a − ma)·ka, y = (b − mb)·kb. */
function products(fa: FlatInput, fb: FlatInput, ma: number, mb: number, ka: number, kb: number): [number, number, number] {
  const n = fa.length;
  const aa = new CompensatedSum();
  const bb = new CompensatedSum();
  const ab = new CompensatedSum();
  const f32 = float32Pair(fa, fb);
  for (let i = 0; i < n; i += CHUNK) {
    const m = Math.min(CHUNK, n - i);
    if (f32) centredProductsF32(f32[0], i, f32[1], i, m, ma, mb, ka, kb, F3);
    else centredProducts(fa.read(i, m, SCRATCH_A), fb.read(i, m, SCRATCH_B), m, ma, mb, ka, kb, F3);
    aa.add(F3[0] as number);
    bb.add(F3[1] as number);
    ab.add(F3[2] as number);
  }
  return [aa.value(), bb.value(), ab.value()];
}

/** Max |v − m| over an input. */
function maxDev(f: FlatInput, m: number): number {
  let big = 0;
  for (let i = 0; i < f.length; i += CHUNK) {
    const k = Math.min(CHUNK, f.length - i);
    const c = f.read(i, k, SCRATCH_A);
    for (let j = 0; j < k; j++) {
      const d = Math.abs((c[j] as number) - m);
      if (d > big) big = d;
    }
  }
  return big;
}

/** Mean of an input, safe against overflow of the sum. */
function safeMean(f: FlatInput, sum: number, maxAbs: number): number {
  const n = f.length;
  if (Number.isFinite(sum)) return sum / n;
  const inv = 1 / maxAbs;
  const s = new CompensatedSum();
  for (let i = 0; i < n; i += CHUNK) {
    const k = Math.min(CHUNK, n - i);
    const c = f.read(i, k, SCRATCH_A);
    let t = 0;
    for (let j = 0; j < k; j++) t += (c[j] as number) * inv;
    s.add(t);
  }
  return (s.value() / n) * maxAbs;
}

const clip1 = (r: number) => (r > 1 ? 1 : Math.max(r, -1));
const inRange = (v: number) => v > LO && v < HI;

/** @internal Pearson on flat inputs; `quick: false` skips the fast first pass (a test hook: same bits either way). */
export function pearsonFlat(fa: FlatInput, fb: FlatInput, fn = "pearson", quick = true): number {
  const n = fa.length;
  if (n < 2) throw new HypedError("INVALID_ARGUMENT", `${fn}: needs at least 2 elements, got ${n} (scipy raises too)`, { n });
  if (n === 2) {
    const a = fa.read(0, 2, SCRATCH_A);
    const b = fb.read(0, 2, SCRATCH_B);
    // scipy.stats.pearsonr's exact answer for two points.
    const sa = Math.sign((a[1] as number) - (a[0] as number));
    const sb = Math.sign((b[1] as number) - (b[0] as number));
    if (sa === 0 || sb === 0) return Number.NaN;
    return sa * sb;
  }
  let ma: number;
  let mb: number;
  const q = quick ? quickFirstPass(fa, fb) : undefined;
  if (q) {
    if (q.constA || q.constB) return Number.NaN;
    ma = q.sa / n; // safeMean of a finite sum
    mb = q.sb / n;
  } else {
    const p = firstPass(fa, fb);
    if (p.nan || !Number.isFinite(p.maxA) || !Number.isFinite(p.maxB)) assertFinitePair(fa, fb, fn);
    if (p.constA || p.constB) return Number.NaN;
    ma = safeMean(fa, p.sa, p.maxA);
    mb = safeMean(fb, p.sb, p.maxB);
  }
  let [xx, yy, xy] = products(fa, fb, ma, mb, 1, 1);
  if (!inRange(xx) || !inRange(yy)) {
    const ka = 1 / maxDev(fa, ma);
    const kb = 1 / maxDev(fb, mb);
    [xx, yy, xy] = products(fa, fb, ma, mb, ka, kb);
  }
  if (xx === 0 || yy === 0) return Number.NaN;
  return clip1(xy / (Math.sqrt(xx) * Math.sqrt(yy)));
}

/**
 * Pearson correlation coefficient, `Σ (a−ā)(b−b̄) / sqrt(Σ (a−ā)² Σ (b−b̄)²)`, dimensionless in [−1, 1].
 * Matches `scipy.stats.pearsonr(a, b)[0]` (scipy ≥ 1.9): two-pass centring, the exact ±1 for two points,
 * and NaN when either input is constant (zero variance), as scipy returns NaN with a `ConstantInputWarning`.
 * Fewer than 2 elements throws `INVALID_ARGUMENT`. Huge/tiny magnitudes are rescaled so
 * the products neither overflow nor underflow (scipy itself returns NaN there).
 */
export function pearson(a: MetricInput, b: MetricInput): number {
  const [fa, fb] = flatPair(a, b);
  return pearsonFlat(fa, fb);
}

/** @internal cosine similarity on flat inputs. */
export function cosineFlat(fa: FlatInput, fb: FlatInput): number {
  nonEmpty(fa, "cosineSimilarity");
  // Fast path: the three dot products alone (the bits cosineFull computes). Both norms in the safe range
  // means finite, non-zero inputs and no rescaling, where cosineFull returns this same expression.
  const n = fa.length;
  const aa = new CompensatedSum();
  const bb = new CompensatedSum();
  const ab = new CompensatedSum();
  const f32 = float32Pair(fa, fb);
  for (let i = 0; i < n; i += CHUNK) {
    const m = Math.min(CHUNK, n - i);
    if (f32) dotsF32(f32[0], i, f32[1], i, m, F3);
    else dots(fa.read(i, m, SCRATCH_A), fb.read(i, m, SCRATCH_B), m, F3);
    aa.add(F3[0] as number);
    bb.add(F3[1] as number);
    ab.add(F3[2] as number);
  }
  const saa = aa.value();
  const sbb = bb.value();
  if (inRange(saa) && inRange(sbb)) return clip1(ab.value() / (Math.sqrt(saa) * Math.sqrt(sbb)));
  return cosineFull(fa, fb);
}

/**
 * Cosine with the maxima and the NaN probe: zero vectors, NaN/±Infinity, rescaling of huge/tiny values.
 * @internal (exported for the test that compares it with the fast path of {@link cosineFlat})
 */
export function cosineFull(fa: FlatInput, fb: FlatInput): number {
  const n = fa.length;
  const aa = new CompensatedSum();
  const bb = new CompensatedSum();
  const ab = new CompensatedSum();
  let maxA = 0;
  let maxB = 0;
  let nan = false;
  for (let i = 0; i < n; i += CHUNK) {
    const m = Math.min(CHUNK, n - i);
    dotsAndMax(fa.read(i, m, SCRATCH_A), fb.read(i, m, SCRATCH_B), m, F5);
    aa.add(F5[0] as number);
    bb.add(F5[1] as number);
    ab.add(F5[2] as number);
    if ((F5[3] as number) > maxA) maxA = F5[3] as number;
    if ((F5[4] as number) > maxB) maxB = F5[4] as number;
    if (Number.isNaN(F5[5] as number)) nan = true;
  }
  // The NaN flag can also come from overflowing finite sums near ±1.8e308; only a non-finite input counts.
  if (nan && (firstNonFinite(fa) >= 0 || firstNonFinite(fb) >= 0)) return Number.NaN;
  if (maxA === 0 || maxB === 0) return Number.NaN;
  if (!Number.isFinite(maxA) || !Number.isFinite(maxB)) return Number.NaN;
  let saa = aa.value();
  let sbb = bb.value();
  let sab = ab.value();
  if (!inRange(saa) || !inRange(sbb)) [saa, sbb, sab] = products(fa, fb, 0, 0, 1 / maxA, 1 / maxB);
  return clip1(sab / (Math.sqrt(saa) * Math.sqrt(sbb)));
}

/**
 * Cosine similarity, `Σ a·b / (‖a‖ ‖b‖)`, dimensionless in [−1, 1].
 * Matches `1 − scipy.spatial.distance.cosine(a, b)` (and `sklearn.metrics.pairwise.cosine_similarity` for
 * non-zero vectors). A zero vector gives NaN (0/0, undefined); scikit-learn gives 0 and scipy 1.10's final
 * `np.clip` turns its NaN distance into 0, i.e. a similarity of 1, which we do not copy. NaN input gives NaN. Huge/tiny magnitudes are rescaled, so no overflow.
 */
export function cosineSimilarity(a: MetricInput, b: MetricInput): number {
  const [fa, fb] = flatPair(a, b);
  return cosineFlat(fa, fb);
}

/**
 * Ranks of `v` (1-based), ties given the average of the ranks they span. Matches
 * `scipy.stats.rankdata(v, method='average')`. NaN values are not allowed here (callers check first).
 */
export function rankAverage(v: ArrayLike<number>): Float64Array {
  const n = v.length;
  const sorted = Float64Array.from(v as ArrayLike<number>).sort();
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = v[i] as number;
    // lo: first index with sorted >= x; hi: first index with sorted > x.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sorted[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    let h = lo;
    let top = n;
    while (h < top) {
      const mid = (h + top) >>> 1;
      if ((sorted[mid] as number) <= x) h = mid + 1;
      else top = mid;
    }
    out[i] = (lo + 1 + h) / 2;
  }
  return out;
}

/** @internal Spearman on flat inputs. */
export function spearmanFlat(fa: FlatInput, fb: FlatInput): number {
  const n = fa.length;
  if (n < 2) throw new HypedError("INVALID_ARGUMENT", `spearman: needs at least 2 elements, got ${n}`, { n });
  const a = fa.all();
  const b = fb.all();
  for (let i = 0; i < n; i++) if (Number.isNaN(a[i] as number) || Number.isNaN(b[i] as number)) return Number.NaN;
  const ra = rankAverage(a);
  const rb = rankAverage(b);
  // Pearson of the ranks; ranks are exact in float64 and their mean is exactly (n + 1) / 2.
  let xx = 0;
  let yy = 0;
  let xy = 0;
  const m = (n + 1) / 2;
  const sxx = new CompensatedSum();
  const syy = new CompensatedSum();
  const sxy = new CompensatedSum();
  for (let i = 0; i < n; i++) {
    const x = (ra[i] as number) - m;
    const y = (rb[i] as number) - m;
    xx += x * x;
    yy += y * y;
    xy += x * y;
    if ((i & 1023) === 1023) {
      sxx.add(xx);
      syy.add(yy);
      sxy.add(xy);
      xx = yy = xy = 0;
    }
  }
  sxx.add(xx);
  syy.add(yy);
  sxy.add(xy);
  const vx = sxx.value();
  const vy = syy.value();
  if (vx === 0 || vy === 0) return Number.NaN;
  return clip1(sxy.value() / (Math.sqrt(vx) * Math.sqrt(vy)));
}

/**
 * Spearman rank correlation: the Pearson correlation of the average ranks (ties share the mean of the
 * ranks they span), dimensionless in [−1, 1]. Matches `scipy.stats.spearmanr(a, b)[0]`. A constant input
 * gives NaN (scipy warns and returns NaN); NaN input gives NaN; fewer than 2 elements throws `INVALID_ARGUMENT`.
 */
export function spearman(a: MetricInput, b: MetricInput): number {
  const [fa, fb] = flatPair(a, b);
  return spearmanFlat(fa, fb);
}

/** Options of {@link r2}. */
export interface R2Options {
  /**
   * Default `true`, as scikit-learn: a constant `yTrue` scores 1 when the prediction is perfect and 0
   * otherwise, instead of NaN / −Infinity. With `false`: NaN (perfect) and −Infinity (imperfect).
   */
  forceFinite?: boolean;
}

/** @internal */
export function r2Flat(ft: FlatInput, fp: FlatInput, options: R2Options = {}): number {
  const n = ft.length;
  if (n < 2) {
    throw new HypedError(
      "INVALID_ARGUMENT",
      `r2: R² is not defined for fewer than 2 samples, got ${n} (scikit-learn warns and returns NaN)`,
      {
        n,
      },
    );
  }
  const num = sumSquaredDiff(ft, fp);
  if (!Number.isFinite(num)) assertFinitePair(ft, fp, "r2", ["yTrue", "yPred"]);
  const p = firstPass(ft, ft);
  let den = 0;
  if (!p.constA) {
    const mean = safeMean(ft, p.sa, p.maxA);
    let [xx] = products(ft, ft, mean, mean, 1, 1);
    if (!inRange(xx) || !Number.isFinite(num)) {
      // Rescale both sums by the same factor so the ratio survives overflow/underflow.
      const k = 1 / Math.max(maxDev(ft, mean), 1e-300);
      [xx] = products(ft, ft, mean, mean, k, k);
      const scaledNum = scaledSquaredDiff(ft, fp, k);
      return finishR2(scaledNum, xx, options);
    }
    den = xx;
  }
  return finishR2(num, den, options);
}

function scaledSquaredDiff(fa: FlatInput, fb: FlatInput, k: number): number {
  const s = new CompensatedSum();
  for (let i = 0; i < fa.length; i += CHUNK) {
    const m = Math.min(CHUNK, fa.length - i);
    s.add(sumSqDiffScaled(fa.read(i, m, SCRATCH_A), fb.read(i, m, SCRATCH_B), m, k));
  }
  return s.value();
}

function finishR2(num: number, den: number, { forceFinite = true }: R2Options): number {
  if (den !== 0 && num !== 0) return 1 - num / den;
  if (num === 0) return forceFinite ? 1 : den === 0 ? Number.NaN : 1;
  return forceFinite ? 0 : Number.NEGATIVE_INFINITY;
}

/**
 * Coefficient of determination, `1 − Σ (y − ŷ)² / Σ (y − ȳ)²` (dimensionless, ≤ 1).
 * Matches `sklearn.metrics.r2_score(yTrue, yPred)` (scikit-learn ≥ 1.1, `force_finite=True`): a constant
 * `yTrue` gives 1.0 for a perfect prediction and 0.0 otherwise. Constancy is tested exactly, so a constant
 * like 0.1 (whose numpy mean is off by an ulp, making scikit-learn return a huge negative number) scores 0.
 * NaN/±Infinity throws `INVALID_ARGUMENT`; fewer than 2 samples throws `INVALID_ARGUMENT`.
 * Not symmetric: the first argument is the truth.
 */
export function r2(yTrue: MetricInput, yPred: MetricInput, options: R2Options = {}): number {
  const [ft, fp] = flatPair(yTrue, yPred, ["yTrue", "yPred"]);
  return r2Flat(ft, fp, options);
}

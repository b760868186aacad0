/**
 * Non-local means, equal to `skimage.restoration.denoise_nl_means(image, patch_size, patch_distance, h,
 * fast_mode=True, sigma)` for 2-D greyscale images (scikit-image 0.19): the Darbon et al. (2008) /
 * Froment (2014) algorithm with the outer loop over patch shifts and integral images of squared differences,
 * a uniform patch kernel, distances above 5 ignored, and skimage's fast exponential.
 *
 * The loops are reorganised (see {@link shiftGroup}) but every value is computed from the same operands in
 * the same order as skimage's `_fast_nl_means_denoising_2d`, so the result has the same bits as a
 * line-by-line transcription (kept as a test reference).
 */
import { type AnyNdArray, fromTyped, throwIfAborted } from "@hyped/core";
import { extendIndex } from "../filters/gaussian.js";
import { checkNumber, type Image2D } from "../filters/image.js";
import { giveBack, takeF64 } from "../filters/scratch.js";
import { asFloat } from "./float.js";

/** Options of {@link nlMeans}. Defaults are scikit-image's. */
export interface NlMeansOptions {
  /** Patch side in pixels (made odd). Default 7. */
  patchSize?: number;
  /** Largest shift searched, in pixels. Default 11. */
  patchDistance?: number;
  /** Cut-off distance in grey levels of the float image (higher = smoother). Default 0.1. */
  h?: number;
  /** Expected noise standard deviation (float units); subtracted from patch distances as 2σ². Default 0. */
  sigma?: number;
  /** Keep integer values unscaled (skimage's `preserve_range`). Default false (scale like `img_as_float`). */
  preserveRange?: boolean;
  signal?: AbortSignal;
}

const EXP_A = 1512775.3951951857; // 2^20 / ln 2, as skimage's fast_exp.h
const EXP_BC = 1072632447;
const expBuf = new ArrayBuffer(8);
const expF = new Float64Array(expBuf);
const expI = new Int32Array(expBuf);

/** scikit-image's Schraudolph-style fast exponential (the high word of a double set from `y`). */
export function fastExp(y: number): number {
  expI[0] = 0;
  expI[1] = Math.trunc(EXP_A * y) + EXP_BC;
  return expF[0] as number;
}

/** 2^(k - 1023) for every biased exponent k of a double. */
const POW2 = Float64Array.from({ length: 2047 }, (_, k) => 2 ** (k - 1023));

/**
 * {@link fastExp} for `y` in [-5, 0] (NL-means weights) computed arithmetically instead of through a typed-array
 * alias: the double with high word `hi` and low word 0 is `(1 + (hi & 0xfffff) / 2^20) * 2^((hi >>> 20) - 1023)`
 * when its exponent field is neither 0 nor 2047 (here 1015–1023), and both factors are exact, so the value is
 * the same bits.
 */
export function fastExpWeight(y: number): number {
  const hi = Math.trunc(EXP_A * y) + EXP_BC;
  return (1 + (hi & 0xfffff) * 9.5367431640625e-7) * POW2[hi >>> 20]!;
}

/**
 * Fast non-local means of a 2-D image. Returns float32 for float32 input, else float64 (integer input is
 * scaled to [0, 1] first unless `preserveRange`).
 */
export function nlMeans(image: Image2D, options: NlMeansOptions = {}): AnyNdArray {
  let s = checkNumber(options.patchSize ?? 7, "patchSize", { min: 1, integer: true });
  const d = checkNumber(options.patchDistance ?? 11, "patchDistance", { min: 0, integer: true });
  const h = checkNumber(options.h ?? 0.1, "h", { min: 0 });
  const sigma = checkNumber(options.sigma ?? 0, "sigma", { min: 0 });
  const img = asFloat(image, options.preserveRange ?? false);
  if (s % 2 === 0) s += 1;
  const offset = Math.floor(s / 2);
  const pad = offset + d + 1;
  const R = img.rows + 2 * pad;
  const C = img.cols + 2 * pad;
  const padded = takeF64(R * C);
  const colOf = Int32Array.from({ length: C }, (_, c) => extendIndex(c - pad, img.cols, "mirror"));
  for (let r = 0; r < R; r++) {
    const sr = extendIndex(r - pad, img.rows, "mirror") * img.cols;
    for (let c = 0; c < C; c++) padded[r * C + c] = img.data[sr + colOf[c]!]!;
  }
  const rows = img.rows;
  const cols = img.cols;
  const NI = 2 * offset + 2;
  const g: Group = {
    padded,
    // per column shift tc: a ring of NI integral-image rows (column 0 and the row before the first stay 0)
    integral: takeF64((d + 1) * NI * C).fill(0),
    NI,
    // per column shift tc: a ring of up to d + 1 rows of patch weights (first distances, then weights)
    weight: takeF64((d + 1) * (d + 1) * C),
    NW: 1,
    // weights and weighted sums of the output pixels, interleaved: [2i] weight, [2i + 1] sum
    acc: takeF64(2 * rows * cols).fill(0),
    C,
    offset,
    pad,
    rows,
    cols,
    d,
    h2s2: h * h * s * s,
    varDiff: 2 * sigma * sigma,
  };
  for (let tr = -d; tr <= d; tr++) {
    throwIfAborted(options.signal, "non-local means");
    shiftGroup(g, tr);
  }
  const n = rows * cols;
  const out = img.floatType === "float32" ? new Float32Array(n) : new Float64Array(n);
  const acc = g.acc;
  for (let i = 0; i < n; i++) out[i] = acc[2 * i + 1]! / acc[2 * i]!;
  giveBack(padded, g.integral, g.weight, acc);
  return fromTyped(out, [rows, cols]) as unknown as AnyNdArray;
}

/** Buffers and constants of one {@link nlMeans} run (padded image size R x C, C columns). */
interface Group {
  padded: Float64Array;
  integral: Float64Array;
  NI: number;
  weight: Float64Array;
  /** Rows in each weight ring for the current row shift (|tr| + 1). */
  NW: number;
  acc: Float64Array;
  C: number;
  offset: number;
  pad: number;
  rows: number;
  cols: number;
  d: number;
  h2s2: number;
  varDiff: number;
}

/**
 * The shifts (tr, 0..d) of skimage's outer loops, swept together row by row. skimage runs shift by shift:
 * a full integral image of `(padded - padded shifted)^2 - varDiff`, then every reference pixel p of the
 * padded image, in row-major order, adds its weight w to itself and to its partner q = p + (tr, tc). Here:
 * - The integral rows of each shift are computed in skimage's order (row by row, left to right, each cell
 *   `d + up + left - upleft`), two shifts per loop so that their dependency chains (each cell waits for its
 *   left neighbour) overlap; rows live in a small ring, since a distance needs only rows k - 2 offset and k.
 * - Each distance, cut-off and weight is skimage's expression on the same cells.
 * - Only output pixels are accumulated, and each pixel p receives, shift after shift, its two weights of the
 *   shift (as reference, `w(p)`, and as partner, `w(p - shift)`) in the order skimage's row-major sweep
 *   gives them (partner first when the partner's reference pixel comes earlier, i.e. tr >= 0). The sums of
 *   every pixel therefore see the same additions in the same order. A weight skimage skips (distance > 5)
 *   adds +0, which leaves a sum unchanged (no sum is ever -0); padded pixels outside the output, whose sums
 *   skimage computes and discards, are not accumulated.
 */
function shiftGroup(g: Group, tr: number): void {
  const { C, offset: o, pad, rows, d, NI } = g;
  g.NW = Math.abs(tr) + 1;
  const iStart = Math.max(1, -tr);
  // reference rows whose weights an output pixel uses (as itself or as partner), and the integral rows they need
  const w0 = pad + Math.min(0, -tr);
  const kEnd = pad + rows + Math.max(0, -tr) + o;
  const ringI = NI * C;
  for (let tc = 0; tc <= d; tc++) {
    const z = tc * ringI + ((iStart - 1) % NI) * C;
    g.integral.fill(0, z, z + C);
  }
  for (let k = iStart; k < kEnd; k++) {
    const rho = k - o;
    const inW = rho >= w0;
    let tc = 0;
    for (; tc < d; tc += 2) integralRows(g, tr, tc, k, inW, true);
    if (tc === d) integralRows(g, tr, tc, k, inW, false);
    if (!inW) continue;
    const ro = tr >= 0 ? rho : rho + tr;
    if (ro >= pad && ro < pad + rows) accumulateRow(g, tr, ro);
  }
}

/**
 * Integral row k of shift (tr, tc) (and of (tr, tc + 1) when `pair`), then, for reference row k - offset
 * when `inW`, the weights of its pixels (columns pad - tc .. pad + cols - 1) into the shift's weight ring.
 */
function integralRows(g: Group, tr: number, tc: number, k: number, inW: boolean, pair: boolean): void {
  const { padded, integral: I, C, NI, offset: o, pad, cols, varDiff } = g;
  const ringI = NI * C;
  const o2 = 2 * o;
  const base = tc * ringI + (k % NI) * C;
  const up = tc * ringI + ((k - 1) % NI) * C;
  const top = tc * ringI + ((((k - o2) % NI) + NI) % NI) * C;
  const pk = k * C;
  const sh = (k + tr) * C + tc;
  const cEnd = pad + cols + o;
  // first column with a weight to compute (for a pair: that of tc + 1, one to the left of tc's)
  const c0 = inW ? pad - tc - (pair ? 1 : 0) + o : cEnd;
  const h2s2 = g.h2s2;
  const W = g.weight;
  const rho = k - o;
  const wrow = tc * g.NW * C + (rho % g.NW) * C - o;
  const wrow1 = wrow + g.NW * C;
  let left = 0;
  let upLeft = 0;
  if (!pair) {
    for (let c = 1; c < c0; c++) {
      const t = padded[pk + c]! - padded[sh + c]!;
      const u = I[up + c]!;
      const v = t * t - varDiff + u + left - upLeft;
      I[base + c] = v;
      left = v;
      upLeft = u;
    }
    // the same cells, and the distance of pixel c - offset, whose bottom-right corner is the cell just written
    for (let c = c0; c < cEnd; c++) {
      const t = padded[pk + c]! - padded[sh + c]!;
      const u = I[up + c]!;
      const v = t * t - varDiff + u + left - upLeft;
      I[base + c] = v;
      left = v;
      upLeft = u;
      const dist = v + I[top + c - o2]! - I[top + c]! - I[base + c - o2]!;
      W[wrow + c] = (dist > 0 ? dist : 0) / h2s2;
    }
  } else {
    let left1 = 0;
    let upLeft1 = 0;
    const b1 = base + ringI;
    const u1r = up + ringI;
    const t1r = top + ringI;
    for (let c = 1; c < c0; c++) {
      const pc = padded[pk + c]!;
      const t = pc - padded[sh + c]!;
      const u = I[up + c]!;
      const v = t * t - varDiff + u + left - upLeft;
      I[base + c] = v;
      left = v;
      upLeft = u;
      const t1 = pc - padded[sh + 1 + c]!;
      const u1 = I[u1r + c]!;
      const v1 = t1 * t1 - varDiff + u1 + left1 - upLeft1;
      I[b1 + c] = v1;
      left1 = v1;
      upLeft1 = u1;
    }
    for (let c = c0; c < cEnd; c++) {
      const pc = padded[pk + c]!;
      const t = pc - padded[sh + c]!;
      const u = I[up + c]!;
      const v = t * t - varDiff + u + left - upLeft;
      I[base + c] = v;
      left = v;
      upLeft = u;
      const t1 = pc - padded[sh + 1 + c]!;
      const u1 = I[u1r + c]!;
      const v1 = t1 * t1 - varDiff + u1 + left1 - upLeft1;
      I[b1 + c] = v1;
      left1 = v1;
      upLeft1 = u1;
      const dist = v + I[top + c - o2]! - I[top + c]! - I[base + c - o2]!;
      W[wrow + c] = (dist > 0 ? dist : 0) / h2s2;
      const dist1 = v1 + I[t1r + c - o2]! - I[t1r + c]! - I[b1 + c - o2]!;
      W[wrow1 + c] = (dist1 > 0 ? dist1 : 0) / h2s2;
    }
  }
  if (!inW) return;
  weights(W, wrow, c0, cEnd, tc === 0);
  if (pair) weights(W, wrow1, c0, cEnd, false);
}

/** 2^(k - 1043) for every biased exponent k: `((hi & 0xfffff) | 2^20) * POW2M[hi >>> 20]` is fastExpWeight. */
const POW2M = Float64Array.from({ length: 2048 }, (_, k) => 2 ** (k - 1043));
/** POW2M / 2: the weight of a shift with tc = 0 (skimage's alpha 0.5), exactly. */
const POW2H = POW2M.map((v) => v / 2);

/**
 * Distances to weights in place: `alpha * fastExpWeight(-dist)`, 0 past the cut-off (dist > 5). The double
 * with high word `hi` and low word 0 is `(2^20 + (hi & 0xfffff)) * 2^((hi >>> 20) - 1043)`, both factors exact,
 * and alpha (0.5 or 1) scales it exactly; a NaN distance (h = 0) takes skimage's path through the exponential.
 */
function weights(W: Float64Array, wrow: number, c0: number, cEnd: number, half: boolean): void {
  const P = half ? POW2H : POW2M;
  for (let c = c0; c < cEnd; c++) {
    const dist = W[wrow + c]!;
    if (dist <= 5) {
      const hi = ((Math.trunc(EXP_A * -dist) | 0) + EXP_BC) | 0;
      W[wrow + c] = ((hi & 0xfffff) | 0x100000) * P[hi >>> 20]!;
    } else W[wrow + c] = dist > 5 ? 0 : (half ? 0.5 : 1) * fastExpWeight(-dist);
  }
}

/**
 * Output row `ro` (padded coordinates) of every shift of the group: pixel x adds, shift after shift, the weight
 * `b` of its own patch and `a` of its partner's, `a` first when tr >= 0; four (then two, then one) shifts per
 * pass over the row, so each pixel's sums are loaded and stored once per pass.
 */
function accumulateRow(g: Group, tr: number, ro: number): void {
  const { C, NW, pad, cols, d } = g;
  const ringW = NW * C;
  const sRef = (ro % NW) * C;
  const sTgt = ((ro - tr) % NW) * C;
  const ob = 2 * ((ro - pad) * cols - pad);
  const first = tr >= 0;
  let tc = 0;
  for (; tc + 3 <= d; tc += 4)
    accumulate4(g, tc * ringW + sRef, tc * ringW + sTgt - tc, ringW, (ro + tr) * C + tc, (ro - tr) * C - tc, ob, first);
  for (; tc <= d; tc++) accumulate1(g, tc * ringW + sRef, tc * ringW + sTgt - tc, (ro + tr) * C + tc, (ro - tr) * C - tc, ob, first);
}

/**
 * Four consecutive shifts tc .. tc + 3 of {@link accumulateRow}: weight rows at `r0 + j * ringW` (own) and
 * `t0 + j * (ringW - 1)` (partner), partner pixels at `q0 + j` (own patch's partner) and `p0 - j`.
 */
function accumulate4(g: Group, r0: number, t0: number, ringW: number, q0: number, p0: number, ob: number, first: boolean): void {
  const { padded: P, weight: W, acc, pad, cols } = g;
  const r1 = r0 + ringW;
  const r2 = r1 + ringW;
  const r3 = r2 + ringW;
  const t1 = t0 + ringW - 1;
  const t2 = t1 + ringW - 1;
  const t3 = t2 + ringW - 1;
  const x1 = pad + cols;
  for (let x = pad; x < x1; x++) {
    const a0 = W[t0 + x]!;
    const b0 = W[r0 + x]!;
    const a1 = W[t1 + x]!;
    const b1 = W[r1 + x]!;
    const a2 = W[t2 + x]!;
    const b2 = W[r2 + x]!;
    const a3 = W[t3 + x]!;
    const b3 = W[r3 + x]!;
    const i = ob + 2 * x;
    const q = q0 + x;
    const p = p0 + x;
    if (first) {
      acc[i] = acc[i]! + a0 + b0 + a1 + b1 + a2 + b2 + a3 + b3;
      acc[i + 1] =
        acc[i + 1]! +
        a0 * P[p]! +
        b0 * P[q]! +
        a1 * P[p - 1]! +
        b1 * P[q + 1]! +
        a2 * P[p - 2]! +
        b2 * P[q + 2]! +
        a3 * P[p - 3]! +
        b3 * P[q + 3]!;
    } else {
      acc[i] = acc[i]! + b0 + a0 + b1 + a1 + b2 + a2 + b3 + a3;
      acc[i + 1] =
        acc[i + 1]! +
        b0 * P[q]! +
        a0 * P[p]! +
        b1 * P[q + 1]! +
        a1 * P[p - 1]! +
        b2 * P[q + 2]! +
        a2 * P[p - 2]! +
        b3 * P[q + 3]! +
        a3 * P[p - 3]!;
    }
  }
}

/** One shift of {@link accumulateRow} (see {@link accumulate4}). */
function accumulate1(g: Group, r0: number, t0: number, q0: number, p0: number, ob: number, first: boolean): void {
  const { padded: P, weight: W, acc, pad, cols } = g;
  const x1 = pad + cols;
  for (let x = pad; x < x1; x++) {
    const a0 = W[t0 + x]!;
    const b0 = W[r0 + x]!;
    const i = ob + 2 * x;
    if (first) {
      acc[i] = acc[i]! + a0 + b0;
      acc[i + 1] = acc[i + 1]! + a0 * P[p0 + x]! + b0 * P[q0 + x]!;
    } else {
      acc[i] = acc[i]! + b0 + a0;
      acc[i + 1] = acc[i + 1]! + b0 * P[q0 + x]! + a0 * P[p0 + x]!;
    }
  }
}

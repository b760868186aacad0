/**
 * The SSIM band kernel: SSIM map values for output rows `[r0, r1)` of an `H x W` image pair, with scipy's
 * `reflect` border (`d c b a | a b c d | d c b a`), computed from float64 copies of the rows it needs.
 * Used by {@link ssim} on the main thread and by the worker pool of `@hyped/metrics/parallel`. With a Gaussian
 * window it runs the WebAssembly SIMD kernel of `ssim-simd.ts` when the engine has one (same bits, ~3.5x
 * faster); this file's JavaScript path is the fallback and the reference the SIMD kernel is tested against.
 * @internal
 */

import { type RowData, reflectIndex, type SsimKernelParams } from "./band.js";
import { ssimRowsGaussSimd } from "./ssim-simd.js";

export { type RowData, reflectIndex, type SsimKernelParams } from "./band.js";

/**
 * Compute SSIM for rows `[r0, r1)`. `x`/`y` hold image rows `[rowOffset, rowOffset + x.length / W)` (which
 * must cover `[r0 − radius, r1 + radius)` after reflection). Returns the sum of the map over the cropped
 * region (rows and columns `pad .. n − pad − 1`, `pad = (winSize − 1)/2`) inside these rows; when `map` is
 * given, writes row `r` of the map at `map[(r − r0) · W]`.
 */
export function ssimRows(
  x: RowData,
  y: RowData,
  rowOffset: number,
  H: number,
  W: number,
  r0: number,
  r1: number,
  p: SsimKernelParams,
  map: Float64Array | null,
): number {
  if (p.weights) {
    const s = ssimRowsGaussSimd(x, y, rowOffset, H, W, r0, r1, p, p.weights, map);
    if (s !== undefined) return s;
  }
  const R = p.radius;
  const B = r1 - r0;
  const L = B + 2 * R;
  const X = new Float64Array(L * W);
  const Y = new Float64Array(L * W);
  for (let k = 0; k < L; k++) {
    const src = reflectIndex(r0 - R + k, H) - rowOffset;
    X.set(x.subarray(src * W, src * W + W), k * W);
    Y.set(y.subarray(src * W, src * W + W), k * W);
  }
  const P = W + 2 * R;
  const px = new Float64Array(P);
  const py = new Float64Array(P);
  const pxx = new Float64Array(P);
  const pyy = new Float64Array(P);
  const pxy = new Float64Array(P);
  // Column indices of the padded row (reflect at the left and right borders).
  const colIdx = new Int32Array(P);
  for (let t = 0; t < P; t++) colIdx[t] = reflectIndex(t - R, W);
  const pad = (p.winSize - 1) >> 1;
  const c0 = pad;
  const c1 = W - pad;
  let total = 0;
  const vert = p.weights ? verticalGauss : null;
  const ax = new Float64Array(W);
  const ay = new Float64Array(W);
  const axx = new Float64Array(W);
  const ayy = new Float64Array(W);
  const axy = new Float64Array(W);
  if (!vert) boxInit(X, Y, W, 2 * R + 1, ax, ay, axx, ayy, axy);
  const row = new Float64Array(W);
  for (let li = 0; li < B; li++) {
    if (vert) vert(X, Y, W, li, p.weights as Float64Array, ax, ay, axx, ayy, axy);
    else if (li > 0) boxSlide(X, Y, W, li - 1, li + 2 * R, ax, ay, axx, ayy, axy);
    padRow(ax, px, colIdx, R, W);
    padRow(ay, py, colIdx, R, W);
    padRow(axx, pxx, colIdx, R, W);
    padRow(ayy, pyy, colIdx, R, W);
    padRow(axy, pxy, colIdx, R, W);
    if (p.weights) horizontalGaussSsim(px, py, pxx, pyy, pxy, W, p.weights, p.covNorm, p.C1, p.C2, row);
    else horizontalBoxSsim(px, py, pxx, pyy, pxy, W, 2 * R + 1, p.covNorm, p.C1, p.C2, row);
    const r = r0 + li;
    if (map) map.set(row, li * W);
    if (r >= pad && r < H - pad) {
      let s0 = 0;
      let s1 = 0;
      let c = c0;
      for (; c + 2 <= c1; c += 2) {
        s0 += row[c] as number;
        s1 += row[c + 1] as number;
      }
      for (; c < c1; c++) s0 += row[c] as number;
      total += s0 + s1;
    }
  }
  return total;
}

function padRow(src: Float64Array, dst: Float64Array, colIdx: Int32Array, R: number, W: number): void {
  dst.set(src, R);
  for (let t = 0; t < R; t++) {
    dst[t] = src[colIdx[t] as number] as number;
    dst[R + W + t] = src[colIdx[R + W + t] as number] as number;
  }
}

function boxInit(
  X: Float64Array,
  Y: Float64Array,
  W: number,
  size: number,
  ax: Float64Array,
  ay: Float64Array,
  axx: Float64Array,
  ayy: Float64Array,
  axy: Float64Array,
): void {
  ax.fill(0);
  ay.fill(0);
  axx.fill(0);
  ayy.fill(0);
  axy.fill(0);
  for (let k = 0; k < size; k++) {
    const o = k * W;
    for (let c = 0; c < W; c++) {
      const xv = X[o + c] as number;
      const yv = Y[o + c] as number;
      ax[c] = (ax[c] as number) + xv;
      ay[c] = (ay[c] as number) + yv;
      axx[c] = (axx[c] as number) + xv * xv;
      ayy[c] = (ayy[c] as number) + yv * yv;
      axy[c] = (axy[c] as number) + xv * yv;
    }
  }
}

function boxSlide(
  X: Float64Array,
  Y: Float64Array,
  W: number,
  out: number,
  inn: number,
  ax: Float64Array,
  ay: Float64Array,
  axx: Float64Array,
  ayy: Float64Array,
  axy: Float64Array,
): void {
  const o = out * W;
  const n = inn * W;
  for (let c = 0; c < W; c++) {
    const x0 = X[o + c] as number;
    const y0 = Y[o + c] as number;
    const x1 = X[n + c] as number;
    const y1 = Y[n + c] as number;
    ax[c] = (ax[c] as number) + (x1 - x0);
    ay[c] = (ay[c] as number) + (y1 - y0);
    axx[c] = (axx[c] as number) + (x1 * x1 - x0 * x0);
    ayy[c] = (ayy[c] as number) + (y1 * y1 - y0 * y0);
    axy[c] = (axy[c] as number) + (x1 * y1 - x0 * y0);
  }
}

function verticalGauss(
  X: Float64Array,
  Y: Float64Array,
  W: number,
  li: number,
  w: Float64Array,
  ax: Float64Array,
  ay: Float64Array,
  axx: Float64Array,
  ayy: Float64Array,
  axy: Float64Array,
): void {
  const K = w.length;
  const R = (K - 1) >> 1;
  const base = li * W;
  const mid = base + R * W;
  const wc = w[R] as number;
  for (let c = 0; c < W; c++) {
    const xm = X[mid + c] as number;
    const ym = Y[mid + c] as number;
    let sx = wc * xm;
    let sy = wc * ym;
    let sxx = wc * xm * xm;
    let syy = wc * ym * ym;
    let sxy = wc * xm * ym;
    for (let k = 0; k < R; k++) {
      const wk = w[k] as number;
      const o1 = base + k * W + c;
      const o2 = base + (K - 1 - k) * W + c;
      const x1 = X[o1] as number;
      const x2 = X[o2] as number;
      const y1 = Y[o1] as number;
      const y2 = Y[o2] as number;
      sx += wk * (x1 + x2);
      sy += wk * (y1 + y2);
      sxx += wk * (x1 * x1 + x2 * x2);
      syy += wk * (y1 * y1 + y2 * y2);
      sxy += wk * (x1 * y1 + x2 * y2);
    }
    ax[c] = sx;
    ay[c] = sy;
    axx[c] = sxx;
    ayy[c] = syy;
    axy[c] = sxy;
  }
}

function horizontalBoxSsim(
  px: Float64Array,
  py: Float64Array,
  pxx: Float64Array,
  pyy: Float64Array,
  pxy: Float64Array,
  W: number,
  size: number,
  covNorm: number,
  C1: number,
  C2: number,
  out: Float64Array,
): void {
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let t = 0; t < size; t++) {
    sx += px[t] as number;
    sy += py[t] as number;
    sxx += pxx[t] as number;
    syy += pyy[t] as number;
    sxy += pxy[t] as number;
  }
  const inv = 1 / (size * size);
  for (let c = 0; c < W; c++) {
    if (c > 0) {
      const i = c + size - 1;
      const o = c - 1;
      sx += (px[i] as number) - (px[o] as number);
      sy += (py[i] as number) - (py[o] as number);
      sxx += (pxx[i] as number) - (pxx[o] as number);
      syy += (pyy[i] as number) - (pyy[o] as number);
      sxy += (pxy[i] as number) - (pxy[o] as number);
    }
    const ux = sx * inv;
    const uy = sy * inv;
    const vx = covNorm * (sxx * inv - ux * ux);
    const vy = covNorm * (syy * inv - uy * uy);
    const vxy = covNorm * (sxy * inv - ux * uy);
    const a1 = 2 * ux * uy + C1;
    const a2 = 2 * vxy + C2;
    const b1 = ux * ux + uy * uy + C1;
    const b2 = vx + vy + C2;
    out[c] = (a1 * a2) / (b1 * b2);
  }
}

function horizontalGaussSsim(
  px: Float64Array,
  py: Float64Array,
  pxx: Float64Array,
  pyy: Float64Array,
  pxy: Float64Array,
  W: number,
  w: Float64Array,
  covNorm: number,
  C1: number,
  C2: number,
  out: Float64Array,
): void {
  const K = w.length;
  const R = (K - 1) >> 1;
  const wc = w[R] as number;
  for (let c = 0; c < W; c++) {
    const m = c + R;
    let ux = wc * (px[m] as number);
    let uy = wc * (py[m] as number);
    let uxx = wc * (pxx[m] as number);
    let uyy = wc * (pyy[m] as number);
    let uxy = wc * (pxy[m] as number);
    for (let k = 0; k < R; k++) {
      const wk = w[k] as number;
      const i1 = c + k;
      const i2 = c + K - 1 - k;
      ux += wk * ((px[i1] as number) + (px[i2] as number));
      uy += wk * ((py[i1] as number) + (py[i2] as number));
      uxx += wk * ((pxx[i1] as number) + (pxx[i2] as number));
      uyy += wk * ((pyy[i1] as number) + (pyy[i2] as number));
      uxy += wk * ((pxy[i1] as number) + (pxy[i2] as number));
    }
    const vx = covNorm * (uxx - ux * ux);
    const vy = covNorm * (uyy - uy * uy);
    const vxy = covNorm * (uxy - ux * uy);
    const a1 = 2 * ux * uy + C1;
    const a2 = 2 * vxy + C2;
    const b1 = ux * ux + uy * uy + C1;
    const b2 = vx + vy + C2;
    out[c] = (a1 * a2) / (b1 * b2);
  }
}

/** scipy's `_gaussian_kernel1d(sigma, 0, radius)`: `exp(−x²/(2σ²))` for x in [−radius, radius], normalised. */
export function gaussianWeights(sigma: number, radius: number): Float64Array {
  const w = new Float64Array(2 * radius + 1);
  const s2 = sigma * sigma;
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = Math.exp((-0.5 / s2) * i * i);
    w[i + radius] = v;
    sum += v;
  }
  for (let i = 0; i < w.length; i++) w[i] = (w[i] as number) / sum;
  return w;
}

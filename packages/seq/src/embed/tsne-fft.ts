/**
 * FFT-accelerated interpolation of the t-SNE repulsive forces (FIt-SNE, Linderman et al. 2019, as openTSNE's
 * `negative_gradient_method="fft"` does it in 2-D): the square bounding the embedding is cut into equal boxes,
 * each with `p` equispaced interpolation nodes per axis; every point spreads its charges onto the nodes of its
 * box by Lagrange interpolation, the node grid is convolved with the Cauchy kernels by FFT (circulant embedding,
 * zero-padded to twice the grid), and the potentials are interpolated back to the points.
 *
 * Defaults follow openTSNE (`n_interpolation_points=3`, `min_num_intervals=50`, `ints_in_interval=1`: at least
 * 50 boxes per axis, boxes 1 embedding unit wide once the embedding spans 50 units). Deliberate differences,
 * all for speed in JavaScript at the same or better accuracy:
 * - the box width is openTSNE's rounded down to the ladder 2^(j/16) ({@link boxWidth}), so our boxes are never
 *   wider than theirs and the kernel spectra are reused while the width stays put (always, from 50 boxes on);
 * - the circulant size is a power of two (fft.js is radix-4) rather than an FFTW-friendly size;
 * - three charges (1, x, y) are convolved with (1 + r²)⁻², and Z = Σ_{i≠j} (1 + r²)⁻¹ is the interpolated
 *   quadratic form W₀ᵀ(K₁ ⊛ W₀) − n, taken in the Fourier domain by Parseval, instead of openTSNE's fourth
 *   charge x² + y² (whose combination (1 + |y|²)φ₀ − 2y·φ + φ₃ loses digits to cancellation far from 0);
 * - charges are taken relative to the grid centre (translation changes neither forces nor Z).
 */
import FFT from "fft.js";
import { columnConvolve, columnDif, twiddles } from "./fft.js";

/** Grid parameters of the FFT method (openTSNE's names in brackets). */
export interface TsneFftParams {
  /** Interpolation nodes per box and axis [`n_interpolation_points`]. Default 3. */
  nInterpolationPoints?: number;
  /** Minimum number of boxes per axis [`min_num_intervals`]. Default 50. */
  minNumIntervals?: number;
  /** Box width, in embedding units, once the embedding is wide enough [`ints_in_interval`]. Default 1. */
  intsInInterval?: number;
}

/**
 * Box width for an embedding of extent `span`: openTSNE's is span / max(minBoxes, ⌊span / unit⌋); we round it
 * down to the ladder unit·2^(j/16), so it changes in steps of 4.4% rather than at every iteration, and equals
 * `unit` from 50 boxes on. Never wider than openTSNE's boxes.
 */
export function boxWidth(span: number, minBoxes: number, unit: number): number {
  const rel = span / Math.max(minBoxes, Math.trunc(span / unit)) / unit;
  let j = Math.floor(16 * Math.log2(rel));
  while (2 ** (j / 16) > rel) j--;
  return unit * 2 ** (j / 16);
}

/**
 * Largest number of interpolation nodes per axis: the circulant is then at most 4096² (≈ 1 GB of buffers in
 * all). Past it (an extent over 682 units with 3 nodes per box) the boxes grow wider than openTSNE's, which caps
 * the box count at 1000 instead.
 */
const MAX_GRID = 2048;

/** Reusable state of the FFT repulsion for n points (grid buffers follow the grid size). */
export class FftRepulsion {
  private readonly p: number;
  private readonly minBoxes: number;
  private readonly unit: number;
  private readonly nodes: Float64Array;
  private readonly denom: Float64Array;
  /** Per point: first grid column/row of its box and its p Lagrange weights per axis. */
  private readonly gx: Int32Array;
  private readonly gy: Int32Array;
  private readonly wx: Float64Array;
  private readonly wy: Float64Array;
  private m = 0;
  private fft: FFT | undefined;
  private tw = twiddles(2);
  /** Complex grid (x + i·y charges), rows of 2m doubles; its spectrum; real grid of the 1-charges, pairs of rows. */
  private gC = new Float64Array(0);
  private sC = new Float64Array(0);
  private g0 = new Float64Array(0);
  private s0 = new Float64Array(0);
  /** Kernel spectra /m, rows in bit-reversed order: K̂₁ (for Z) and K̂₂ (for the forces), m × m each. */
  private k1 = new Float64Array(0);
  private k2 = new Float64Array(0);
  private kH = Number.NaN;
  private rowA = new Float64Array(0);
  private rowB = new Float64Array(0);
  /** Potentials per node: φ₀ (1-charges), φₓ, φᵧ. */
  private pot = new Float64Array(0);
  /** Boxes per axis and circulant size of the last call (for tests and diagnostics). */
  lastBoxes = 0;
  lastFftSize = 0;

  constructor(n: number, params: TsneFftParams = {}) {
    this.p = params.nInterpolationPoints ?? 3;
    this.minBoxes = params.minNumIntervals ?? 50;
    this.unit = params.intsInInterval ?? 1;
    const p = this.p;
    this.nodes = Float64Array.from({ length: p }, (_, k) => (k + 0.5) / p);
    this.denom = new Float64Array(p);
    for (let k = 0; k < p; k++) {
      let d = 1;
      for (let l = 0; l < p; l++) if (l !== k) d *= (this.nodes[k] as number) - (this.nodes[l] as number);
      this.denom[k] = d;
    }
    this.gx = new Int32Array(n);
    this.gy = new Int32Array(n);
    this.wx = new Float64Array(n * p);
    this.wy = new Float64Array(n * p);
  }

  private ensure(m: number): void {
    if (m === this.m) return;
    this.m = m;
    this.fft = new FFT(m);
    this.tw = twiddles(m);
    this.gC = new Float64Array(m * m); // nGrid ≤ m/2 rows of 2m
    this.sC = new Float64Array(2 * m * m);
    this.g0 = new Float64Array(m * m);
    this.s0 = new Float64Array(m * (m + 2)); // m rows of m/2 + 1 complex
    this.k1 = new Float64Array(m * m);
    this.k2 = new Float64Array(m * m);
    this.kH = Number.NaN;
    this.rowA = new Float64Array(2 * m);
    this.rowB = new Float64Array(2 * m);
    this.pot = new Float64Array((3 * m * m) / 4);
  }

  /** Lagrange weights of the p nodes at t ∈ [0, 1] into w[o..o+p). */
  private weights(t: number, w: Float64Array, o: number): void {
    const { p, nodes, denom } = this;
    for (let k = 0; k < p; k++) {
      let v = 1;
      for (let l = 0; l < p; l++) if (l !== k) v *= t - (nodes[l] as number);
      w[o + k] = v / (denom[k] as number);
    }
  }

  /**
   * Repulsive forces of the n points `Y` (n × 2 row-major): writes Σⱼ (1 + |yᵢ − yⱼ|²)⁻²·(yᵢ − yⱼ) into
   * `out[2i..2i+1]` and returns Z = Σ_{i≠j} (1 + |yᵢ − yⱼ|²)⁻¹ (both approximated on the grid).
   */
  repulse(Y: Float64Array, n: number, out: Float64Array): number {
    const { p } = this;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < 2 * n; i++) {
      const v = Y[i] as number;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const span = Math.max(hi - lo, 1e-12);
    let width = boxWidth(span, this.minBoxes, this.unit);
    let boxes = Math.max(1, Math.ceil(span / width));
    if (boxes * p > MAX_GRID) {
      // memory cap (openTSNE caps at 1000 boxes): wider boxes beyond an extent of MAX_GRID / p units
      boxes = Math.floor(MAX_GRID / p);
      width = span / boxes;
    }
    const nGrid = boxes * p;
    let m = 16;
    while (m < 2 * nGrid) m *= 2;
    this.ensure(m);
    this.lastBoxes = boxes;
    this.lastFftSize = m;
    const centre = (lo + hi) / 2;
    const { gx, gy, wx, wy, gC, g0 } = this;
    gC.fill(0, 0, nGrid * 2 * m);
    g0.fill(0, 0, nGrid * m);
    // 1. box, interpolation weights and charges per point: g0 (real, rows of m) = 1, gC (rows of 2m) = x + i·y
    for (let i = 0; i < n; i++) {
      const ux = ((Y[2 * i] as number) - lo) / width;
      const uy = ((Y[2 * i + 1] as number) - lo) / width;
      const bx = Math.min(Math.floor(ux), boxes - 1);
      const by = Math.min(Math.floor(uy), boxes - 1);
      gx[i] = bx * p;
      gy[i] = by * p;
      this.weights(ux - bx, wx, i * p);
      this.weights(uy - by, wy, i * p);
      const x = (Y[2 * i] as number) - centre;
      const y = (Y[2 * i + 1] as number) - centre;
      for (let a = 0; a < p; a++) {
        const wa = wy[i * p + a] as number;
        const node = (by * p + a) * m + bx * p;
        for (let b = 0; b < p; b++) {
          const w = wa * (wx[i * p + b] as number);
          g0[node + b]! += w;
          gC[2 * (node + b)]! += w * x;
          gC[2 * (node + b) + 1]! += w * y;
        }
      }
    }
    // 2. convolutions on the node grid (spacing width / p)
    this.kernelSpectra(width / p);
    this.convolveComplex(nGrid);
    const z = this.convolveReal(nGrid);
    // 3. potentials back to the points
    const pot = this.pot;
    for (let i = 0; i < n; i++) {
      let f0 = 0;
      let f1 = 0;
      let f2 = 0;
      const c0 = gx[i] as number;
      const r0 = gy[i] as number;
      for (let a = 0; a < p; a++) {
        const wa = wy[i * p + a] as number;
        const row = (r0 + a) * nGrid + c0;
        for (let b = 0; b < p; b++) {
          const w = wa * (wx[i * p + b] as number);
          const at = 3 * (row + b);
          f0 += w * (pot[at] as number);
          f1 += w * (pot[at + 1] as number);
          f2 += w * (pot[at + 2] as number);
        }
      }
      out[2 * i] = ((Y[2 * i] as number) - centre) * f0 - f1;
      out[2 * i + 1] = ((Y[2 * i + 1] as number) - centre) * f0 - f2;
    }
    return z - n;
  }

  /**
   * Spectra of the circulant kernels K₁ = (1 + h²(dx² + dy²))⁻¹ and K₂ = K₁², dx, dy the circular offsets
   * min(d, m − d), scaled by 1/m (the unscaled inverse column transform's factor), rows bit-reversed. Both are
   * real (real and even kernels), so K₁ + i·K₂ goes through one complex 2-D transform. Offsets of nGrid or more
   * never meet a charge and an output node both (m ≥ 2·nGrid), so they need no zeroing. Kept while m and h stay.
   */
  private kernelSpectra(h: number): void {
    const { m, k1, k2, sC } = this;
    if (this.kH === h) return;
    this.kH = h;
    const fft = this.fft as FFT;
    const e2 = new Float64Array(m);
    for (let d = 0; d < m; d++) e2[d] = h * h * Math.min(d, m - d) ** 2;
    const row = this.rowA;
    for (let r = 0; r < m; r++) {
      const a = 1 + (e2[r] as number);
      for (let c = 0; c < m; c++) {
        const q = 1 / (a + (e2[c] as number));
        row[2 * c] = q;
        row[2 * c + 1] = q * q;
      }
      fft.transform(sC.subarray(2 * m * r, 2 * m * (r + 1)), row);
    }
    columnDif(sC, m, 2 * m, m, this.tw);
    for (let t = 0; t < m * m; t++) {
      k1[t] = (sC[2 * t] as number) / m;
      k2[t] = (sC[2 * t + 1] as number) / m;
    }
  }

  /** φₓ + i·φᵧ = K₂ ⊛ (x + i·y charges): row FFTs, column FFTs, × K̂₂, inverse columns, inverse rows. */
  private convolveComplex(nGrid: number): void {
    const { m, gC, sC, k2, pot, rowA } = this;
    const fft = this.fft as FFT;
    const rs = 2 * m;
    for (let r = 0; r < nGrid; r++) fft.transform(sC.subarray(r * rs, (r + 1) * rs), gC.subarray(r * rs, (r + 1) * rs));
    columnConvolve(sC, m, rs, nGrid, nGrid, k2, m, this.tw);
    for (let r = 0; r < nGrid; r++) {
      fft.inverseTransform(rowA, sC.subarray(r * rs, (r + 1) * rs));
      for (let c = 0, at = 3 * r * nGrid + 1; c < nGrid; c++, at += 3) {
        pot[at] = rowA[2 * c] as number;
        pot[at + 1] = rowA[2 * c + 1] as number;
      }
    }
  }

  /**
   * φ₀ = K₂ ⊛ W₀ for the real grid W₀ of 1-charges, and Z + n = W₀ᵀ(K₁ ⊛ W₀) = Σ K̂₁·|Ŵ₀|² / m² (Parseval).
   * Real rows go through fft.js two at a time (x + i·x'), and only the m/2 + 1 non-redundant columns of the
   * spectrum are kept (Hermitian symmetry); the inverse rows are rebuilt from them, again two at a time.
   */
  private convolveReal(nGrid: number): number {
    const { m, g0, s0, k1, k2, pot, rowA, rowB } = this;
    const fft = this.fft as FFT;
    const hc = m / 2 + 1;
    const rs = 2 * hc;
    for (let r = 0; r < nGrid; r += 2) {
      for (let c = 0; c < m; c++) {
        rowA[2 * c] = g0[r * m + c] as number;
        rowA[2 * c + 1] = r + 1 < nGrid ? (g0[(r + 1) * m + c] as number) : 0;
      }
      fft.transform(rowB, rowA);
      // unpack: X[k] = (Z[k] + conj Z[m−k]) / 2, X'[k] = (Z[k] − conj Z[m−k]) / 2i
      for (let k = 0; k < hc; k++) {
        const j = k === 0 ? 0 : m - k;
        const zr = rowB[2 * k] as number;
        const zi = rowB[2 * k + 1] as number;
        const yr = rowB[2 * j] as number;
        const yi = rowB[2 * j + 1] as number;
        s0[r * rs + 2 * k] = (zr + yr) / 2;
        s0[r * rs + 2 * k + 1] = (zi - yi) / 2;
        if (r + 1 < m) {
          s0[(r + 1) * rs + 2 * k] = (zi + yi) / 2;
          s0[(r + 1) * rs + 2 * k + 1] = (yr - zr) / 2;
        }
      }
    }
    // × K̂₂, and Parseval over the half spectrum (columns 1 .. m/2 − 1 stand for two) with K̂₁
    const z = columnConvolve(s0, m, rs, nGrid, nGrid, k2, m, this.tw, k1);
    for (let r = 0; r < nGrid; r += 2) {
      // full spectrum of rows r, r+1 from their halves; X + i·X' transforms back to x + i·x'
      const two = r + 1 < nGrid;
      for (let k = 0; k < m; k++) {
        const src = k < hc ? k : m - k;
        const sg = k < hc ? 1 : -1;
        const xr = s0[r * rs + 2 * src] as number;
        const xi = sg * (s0[r * rs + 2 * src + 1] as number);
        const vr = two ? (s0[(r + 1) * rs + 2 * src] as number) : 0;
        const vi = two ? sg * (s0[(r + 1) * rs + 2 * src + 1] as number) : 0;
        rowA[2 * k] = xr - vi;
        rowA[2 * k + 1] = xi + vr;
      }
      fft.inverseTransform(rowB, rowA);
      for (let c = 0; c < nGrid; c++) {
        pot[3 * (r * nGrid + c)] = rowB[2 * c] as number;
        if (two) pot[3 * ((r + 1) * nGrid + c)] = rowB[2 * c + 1] as number;
      }
    }
    return z / m;
  }
}

/**
 * FFT-accelerated interpolation of the t-SNE repulsive forces (FIt-SNE, Linderman et al. 2019, as openTSNE's
 * `negative_gradient_method="fft"` does it in 2-D): the square bounding the embedding is cut into equal boxes,
 * each with `p` equispaced interpolation nodes per axis; every point spreads its charges onto the nodes of its
 * box by Lagrange interpolation, the node grid is convolved with the Cauchy kernels by FFT (circulant embedding,
 * zero-padded to twice the grid), and the potentials are interpolated back to the points. The cost of an
 * iteration is O(n·p²) for the interpolation plus a 2-D FFT whose size follows the embedding's extent (3 nodes
 * per embedding unit by default), not n.
 *
 * Defaults follow openTSNE (`n_interpolation_points=3`, `min_num_intervals=50`, `ints_in_interval=1`: at least
 * 50 boxes per axis, boxes 1 embedding unit wide once the embedding spans 50 units). Deliberate differences,
 * all for speed in JavaScript at the same or better accuracy:
 * - the box width is openTSNE's rounded down to the ladder 2^(j/16) ({@link boxWidth}), so our boxes are never
 *   wider than theirs and the kernel spectra are reused while the width stays put (always, from 50 boxes on);
 * - the circulant size M is the smallest 5-smooth integer (2^a·3^b·5^c, {@link fastSize}) ≥ 2G − 1 for a grid
 *   of G nodes per axis, where openTSNE takes 2G and lets FFTW factor it; M is kept while it still fits and is
 *   at most 15% larger than needed, so the kernel spectra are recomputed only when the grid changes;
 * - three charges (1, x, y) are convolved with (1 + r²)⁻², and Z = Σ_{i≠j} (1 + r²)⁻¹ is the interpolated
 *   quadratic form W₀ᵀ(K₁ ⊛ W₀) − n, taken in the Fourier domain by Parseval, instead of openTSNE's fourth
 *   charge x² + y² (whose combination (1 + |y|²)φ₀ − 2y·φ + φ₃ loses digits to cancellation far from 0);
 * - charges are taken relative to the grid centre (translation changes neither forces nor Z).
 */
import { ColumnFft, fastSize, transpose } from "./fft.js";

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
 * Largest number of interpolation nodes per axis: the circulant is then at most 4096 per axis (≈ 1.1 GB of
 * buffers in all). Past it (an extent over 682 units with 3 nodes per box) the boxes grow wider than
 * openTSNE's, which caps the box count at 1000 instead.
 */
const MAX_GRID = 2048;

/** Doubles per grid node: two complex channels, (x + i·y charges) and (1-charges + i·0). */
const LANES = 4;
/** Doubles per half-spectrum cell: the three real charges' y-spectra (x, y, 1), complex each. */
const HALF = 6;

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
  private fft: ColumnFft | undefined;
  /**
   * Node grids: `a`, `a2` hold M (+1 zero) rows of G nodes (y, then x), LANES doubles per node; `b`, `b2`
   * M (+1 zero) rows of M/2 + 1 frequencies (x, then k_y), HALF doubles per cell. The FFTs ping-pong between
   * each pair.
   */
  private a = new Float64Array(0);
  private a2 = new Float64Array(0);
  private b = new Float64Array(0);
  private b2 = new Float64Array(0);
  /** Kernel spectra /M², M × M: K̂₁ (for Z) and K̂₂ (for the forces), and the node spacing they were made for. */
  private k1 = new Float64Array(0);
  private k2 = new Float64Array(0);
  private kH = Number.NaN;
  /** Boxes per axis and circulant size of the last call (for tests and diagnostics). */
  lastBoxes = 0;
  lastFftSize = 0;
  /** How many times the kernel spectra were computed (for tests and diagnostics). */
  kernelBuilds = 0;

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

  /** Circulant size for G nodes per axis: the current one while it fits and is ≤ 15% too large. */
  private size(nGrid: number): number {
    const need = 2 * nGrid - 1;
    if (this.m >= need && this.m <= 1.15 * need) return this.m;
    return fastSize(Math.max(need, 8));
  }

  private ensure(m: number): void {
    if (m === this.m) return;
    this.m = m;
    this.fft = new ColumnFft(m);
    // buffers only grow (a shrinking grid reuses them): their zero rows are cleared on every use
    const grow = (x: Float64Array<ArrayBuffer>, len: number) => (x.length >= len ? x : new Float64Array(len));
    const lenA = (m + 1) * Math.ceil(m / 2) * LANES;
    const lenB = (m + 1) * ((m >> 1) + 1) * HALF;
    this.a = grow(this.a, lenA);
    this.a2 = grow(this.a2, lenA);
    this.b = grow(this.b, lenB);
    this.b2 = grow(this.b2, lenB);
    this.k1 = grow(this.k1, m * m);
    this.k2 = grow(this.k2, m * m);
    this.kH = Number.NaN;
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
    this.ensure(this.size(nGrid));
    const m = this.m;
    this.lastBoxes = boxes;
    this.lastFftSize = m;
    const w = nGrid * LANES;
    const { gx, gy, wx, wy, a } = this;
    a.fill(0, 0, nGrid * w);
    // 1. box, interpolation weights and charges per point: node (y, x) gets (x, y, 1, 0)·weight
    const centre = (lo + hi) / 2;
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
      for (let r = 0; r < p; r++) {
        const wr = wy[i * p + r] as number;
        const row = (by * p + r) * w + bx * p * LANES;
        for (let c = 0; c < p; c++) {
          const wt = wr * (wx[i * p + c] as number);
          const at = row + c * LANES;
          a[at]! += wt * x;
          a[at + 1]! += wt * y;
          a[at + 2]! += wt;
        }
      }
    }
    // 2. convolution on the node grid (spacing width / p)
    this.kernelSpectra(width / p);
    const { pot, z } = this.convolve(nGrid);
    // 3. potentials back to the points
    for (let i = 0; i < n; i++) {
      let f0 = 0;
      let f1 = 0;
      let f2 = 0;
      const c0 = gx[i] as number;
      const r0 = gy[i] as number;
      for (let r = 0; r < p; r++) {
        const wr = wy[i * p + r] as number;
        const row = (r0 + r) * w + c0 * LANES;
        for (let c = 0; c < p; c++) {
          const wt = wr * (wx[i * p + c] as number);
          const at = row + c * LANES;
          f1 += wt * (pot[at] as number);
          f2 += wt * (pot[at + 1] as number);
          f0 += wt * (pot[at + 2] as number);
        }
      }
      out[2 * i] = ((Y[2 * i] as number) - centre) * f0 - f1;
      out[2 * i + 1] = ((Y[2 * i + 1] as number) - centre) * f0 - f2;
    }
    return z - n;
  }

  /**
   * The charges in `a` (G × G nodes) convolved with K₂ on the M × M circulant: FFT along y (G columns of
   * nodes; rows from G on are zero), then the y-spectra of the three real charges are unpacked from the two
   * complex channels and transposed, keeping the non-redundant k_y ≤ M/2 (Hermitian symmetry), FFT along x,
   * × K̂₂, and back the same way. Z + n = W₀ᵀ(K₁ ⊛ W₀) = Σ K̂₁·|Ŵ₀|² / M² (Parseval, the half spectrum counted
   * twice) is summed on the way. Returns the potentials (rows of G nodes: φₓ, φᵧ, φ₀, unused) and Z + n.
   */
  private convolve(nGrid: number): { pot: Float64Array; z: number } {
    const { m, k1, k2, a, a2, b, b2 } = this;
    const fft = this.fft as ColumnFft;
    const w = nGrid * LANES;
    const h = (m >> 1) + 1;
    const wb = h * HALF;
    a.fill(0, m * w, (m + 1) * w);
    a2.fill(0, m * w, (m + 1) * w);
    b.fill(0, m * wb, (m + 1) * wb);
    b2.fill(0, m * wb, (m + 1) * wb);
    const ya = fft.run(a, a2, w, false, nGrid);
    // X̂ = (C₀(k) + conj C₀(M − k)) / 2, Ŷ = (C₀(k) − conj C₀(M − k)) / 2i, Ŵ₀ = C₁(k); b[x][k] = (X̂, Ŷ, Ŵ₀)
    for (let ky = 0; ky < h; ky++) {
      const r = ky * w;
      const rc = ((m - ky) % m) * w;
      for (let x = 0, e = r, f = rc, o = ky * HALF; x < nGrid; x++, e += LANES, f += LANES, o += wb) {
        const ar = ya[e] as number;
        const ai = ya[e + 1] as number;
        const br = ya[f] as number;
        const bi = ya[f + 1] as number;
        b[o] = (ar + br) / 2;
        b[o + 1] = (ai - bi) / 2;
        b[o + 2] = (ai + bi) / 2;
        b[o + 3] = (br - ar) / 2;
        b[o + 4] = ya[e + 2] as number;
        b[o + 5] = ya[e + 3] as number;
      }
    }
    const s = fft.run(b, b2, wb, false, nGrid);
    let z = 0;
    for (let kx = 0; kx < m; kx++) {
      const kr = kx * m;
      for (let ky = 0, e = kx * wb; ky < h; ky++, e += HALF) {
        const q = k2[kr + ky] as number;
        const r0 = s[e + 4] as number;
        const i0 = s[e + 5] as number;
        z += (ky === 0 || 2 * ky === m ? 1 : 2) * (k1[kr + ky] as number) * (r0 * r0 + i0 * i0);
        s[e]! *= q;
        s[e + 1]! *= q;
        s[e + 2]! *= q;
        s[e + 3]! *= q;
        s[e + 4] = r0 * q;
        s[e + 5] = i0 * q;
      }
    }
    const xs = fft.run(s, s === b ? b2 : b, wb, true);
    // back to two complex channels over every k_y: (Φₓ + i·Φᵧ, Φ₀), with Φ(M − k) = conj Φ(k)
    for (let x = 0; x < nGrid; x++) {
      const src = x * wb;
      for (let ky = 0, o = x * LANES; ky < m; ky++, o += w) {
        const up = ky < h;
        const e = src + (up ? ky : m - ky) * HALF;
        const sg = up ? 1 : -1;
        const xi = sg * (xs[e + 1] as number);
        const yr = xs[e + 2] as number;
        a[o] = (xs[e] as number) - sg * (xs[e + 3] as number);
        a[o + 1] = xi + yr;
        a[o + 2] = xs[e + 4] as number;
        a[o + 3] = sg * (xs[e + 5] as number);
      }
    }
    return { pot: fft.run(a, a2, w, true), z };
  }

  /**
   * Spectra of the circulant kernels K₁ = (1 + h²(dx² + dy²))⁻¹ and K₂ = K₁², dx, dy the circular offsets
   * min(d, M − d), scaled by 1/M² (the unscaled transforms' factor). Both are real (real, even kernels), so
   * K₁ + i·K₂ goes through one complex 2-D transform. Offsets of G or more never meet a charge and an output node
   * both (M ≥ 2G − 1), so they need no zeroing. Kept while M and h stay.
   */
  private kernelSpectra(h: number): void {
    const { m, k1, k2, b, b2 } = this;
    if (this.kH === h) return;
    this.kH = h;
    this.kernelBuilds++;
    const fft = this.fft as ColumnFft;
    const w = 2 * m;
    const e2 = new Float64Array(m);
    for (let d = 0; d < m; d++) e2[d] = h * h * Math.min(d, m - d) ** 2;
    for (let r = 0; r < m; r++) {
      const base = 1 + (e2[r] as number);
      for (let c = 0; c < m; c++) {
        const q = 1 / (base + (e2[c] as number));
        b[r * w + 2 * c] = q;
        b[r * w + 2 * c + 1] = q * q;
      }
    }
    b.fill(0, m * w, (m + 1) * w);
    b2.fill(0, m * w, (m + 1) * w);
    const s = fft.run(b, b2, w, false);
    const t = s === b ? b2 : b;
    transpose(s, w, t, w, m, m, 2);
    const f = fft.run(t, s, w, false);
    const scale = 1 / (m * m);
    for (let q = 0; q < m * m; q++) {
      k1[q] = (f[2 * q] as number) * scale;
      k2[q] = (f[2 * q + 1] as number) * scale;
    }
  }
}

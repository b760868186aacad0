/**
 * Mixed-radix (2, 3, 4, 5) FFTs along the first axis of a row-major grid, for the FFT-accelerated t-SNE
 * (`tsne-fft.ts`). The transform runs a whole row at a time: every butterfly combines rows element by element,
 * so each pass walks memory sequentially and the inner loops are long (one row of every complex lane). The
 * 2-D transform is this pass, a transpose, and this pass again. Stockham's self-sorting form (Van Loan,
 * "Computational Frameworks for the FFT", §1.7): out of place between two buffers, output in natural order,
 * no bit reversal. Sizes are 5-smooth (2^a·3^b·5^c; the t-SNE grid picks 3-smooth ones, {@link fastSize}),
 * where openTSNE lets FFTW factor any size; fft.js (radix 4, powers of two only) forced a circulant up to 1.6×
 * wider per axis than needed.
 *
 * A grid has `m` rows of `w` doubles (w/2 interleaved complex lanes) plus one trailing row that stays zero:
 * inputs past row `nz` are read from it, so the zero rows of a zero-padded input need neither be stored nor
 * cleared. Neither direction scales its output.
 */

/**
 * Smallest 3-smooth integer (2^a·3^b) ≥ n (n ≥ 1): consecutive ones are at most 12.5% apart from 8 on. Sizes
 * with a factor 5 are transformed correctly too, but our radix-5 butterfly is slower per bit of the size
 * (measured 2.7–3.3 ns per complex element·log₂M against 1.7–2.2 for 2^a·3^b), so we never pick them.
 */
export function fastSize(n: number): number {
  for (let m = Math.max(1, Math.ceil(n)); ; m++) {
    let r = m;
    while (r % 2 === 0) r /= 2;
    while (r % 3 === 0) r /= 3;
    if (r === 1) return m;
  }
}

/** Radices of a 5-smooth m: fours first, then a two, threes and fives. Throws for other m. */
export function radices(m: number): number[] {
  const out: number[] = [];
  let r = m;
  while (r % 4 === 0) {
    out.push(4);
    r /= 4;
  }
  if (r % 2 === 0) {
    out.push(2);
    r /= 2;
  }
  while (r % 3 === 0) {
    out.push(3);
    r /= 3;
  }
  while (r % 5 === 0) {
    out.push(5);
    r /= 5;
  }
  if (r !== 1) throw new RangeError(`FFT size ${m} is not 5-smooth`);
  return out;
}

const S3 = Math.sqrt(3) / 2;
const C51 = Math.cos((2 * Math.PI) / 5);
const C52 = Math.cos((4 * Math.PI) / 5);
const S51 = Math.sin((2 * Math.PI) / 5);
const S52 = Math.sin((4 * Math.PI) / 5);

/** A transform of length m along the first axis, with its twiddles cos/sin(2πt/m). */
export class ColumnFft {
  readonly m: number;
  readonly radices: number[];
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  constructor(m: number) {
    this.m = m;
    this.radices = radices(m);
    this.cos = new Float64Array(m);
    this.sin = new Float64Array(m);
    for (let t = 0; t < m; t++) {
      this.cos[t] = Math.cos((2 * Math.PI * t) / m);
      this.sin[t] = Math.sin((2 * Math.PI * t) / m);
    }
  }

  /**
   * DFT along the first axis of the grid `x` ((m + 1) rows of `w` doubles, the last one zero), sign −1
   * (`inverse` false) or +1, unscaled. Rows from `nz` on are taken as zero whatever they hold. `tmp` has x's
   * size, its last row zero too; both are overwritten. Returns the buffer that holds the result (x or tmp).
   */
  run(x: Float64Array, tmp: Float64Array, w: number, inverse: boolean, nz = this.m): Float64Array {
    const { m, cos, sin } = this;
    const sg = inverse ? 1 : -1;
    const zero = m * w;
    let src = x;
    let dst = tmp;
    let n = m;
    let s = 1;
    for (const P of this.radices) {
      const q = n / P;
      const len = s * w;
      for (let p = 0; p < q; p++) {
        // inputs: element blocks s·(p + k·q); outputs: s·(P·p + j); twiddle ω_n^{p·j} = ω_m^{p·j·s}
        const at = (k: number) => (s === 1 && p + k * q >= nz ? zero : s * (p + k * q) * w);
        const o = s * P * p * w;
        const t = p * s;
        if (P === 4)
          bf4(
            src,
            dst,
            at(0),
            at(1),
            at(2),
            at(3),
            o,
            len,
            sg,
            cos[t]!,
            sg * sin[t]!,
            cos[2 * t]!,
            sg * sin[2 * t]!,
            cos[3 * t]!,
            sg * sin[3 * t]!,
          );
        else if (P === 2) bf2(src, dst, at(0), at(1), o, len, cos[t]!, sg * sin[t]!);
        else if (P === 3) bf3(src, dst, at(0), at(1), at(2), o, len, sg, cos[t]!, sg * sin[t]!, cos[2 * t]!, sg * sin[2 * t]!);
        else bf5(src, dst, [at(0), at(1), at(2), at(3), at(4)], o, len, sg, t, cos, sin, m);
      }
      n = q;
      s *= P;
      const sw = src;
      src = dst;
      dst = sw;
    }
    return src;
  }
}

/** Radix-2 butterfly over `len` doubles: y₀ = a₀ + a₁, y₁ = (a₀ − a₁)·w. */
function bf2(x: Float64Array, y: Float64Array, i0: number, i1: number, o: number, len: number, wr: number, wi: number): void {
  const o1 = o + len;
  for (let e = 0; e < len; e += 2) {
    const ar = x[i0 + e]!;
    const ai = x[i0 + e + 1]!;
    const br = x[i1 + e]!;
    const bi = x[i1 + e + 1]!;
    y[o + e] = ar + br;
    y[o + e + 1] = ai + bi;
    const dr = ar - br;
    const di = ai - bi;
    y[o1 + e] = dr * wr - di * wi;
    y[o1 + e + 1] = dr * wi + di * wr;
  }
}

/** Radix-3 butterfly: yⱼ = Σₖ aₖ·ω₃^{jk}, then yⱼ·wⱼ (ω₃ = e^{sg·2πi/3}). */
function bf3(
  x: Float64Array,
  y: Float64Array,
  i0: number,
  i1: number,
  i2: number,
  o: number,
  len: number,
  sg: number,
  w1r: number,
  w1i: number,
  w2r: number,
  w2i: number,
): void {
  const o1 = o + len;
  const o2 = o1 + len;
  const s3 = sg * S3;
  for (let e = 0; e < len; e += 2) {
    const ar = x[i0 + e]!;
    const ai = x[i0 + e + 1]!;
    const br = x[i1 + e]!;
    const bi = x[i1 + e + 1]!;
    const cr = x[i2 + e]!;
    const ci = x[i2 + e + 1]!;
    const tr = br + cr;
    const ti = bi + ci;
    const ur = ar - 0.5 * tr;
    const ui = ai - 0.5 * ti;
    // i·s3·(b − c)
    const vr = -s3 * (bi - ci);
    const vi = s3 * (br - cr);
    y[o + e] = ar + tr;
    y[o + e + 1] = ai + ti;
    const y1r = ur + vr;
    const y1i = ui + vi;
    const y2r = ur - vr;
    const y2i = ui - vi;
    y[o1 + e] = y1r * w1r - y1i * w1i;
    y[o1 + e + 1] = y1r * w1i + y1i * w1r;
    y[o2 + e] = y2r * w2r - y2i * w2i;
    y[o2 + e + 1] = y2r * w2i + y2i * w2r;
  }
}

/** Radix-4 butterfly: yⱼ = Σₖ aₖ·(sg·i)^{jk}, then yⱼ·wⱼ. */
function bf4(
  x: Float64Array,
  y: Float64Array,
  i0: number,
  i1: number,
  i2: number,
  i3: number,
  o: number,
  len: number,
  sg: number,
  w1r: number,
  w1i: number,
  w2r: number,
  w2i: number,
  w3r: number,
  w3i: number,
): void {
  const o1 = o + len;
  const o2 = o1 + len;
  const o3 = o2 + len;
  for (let e = 0; e < len; e += 2) {
    const ar = x[i0 + e]!;
    const ai = x[i0 + e + 1]!;
    const br = x[i1 + e]!;
    const bi = x[i1 + e + 1]!;
    const cr = x[i2 + e]!;
    const ci = x[i2 + e + 1]!;
    const dr = x[i3 + e]!;
    const di = x[i3 + e + 1]!;
    const t0r = ar + cr;
    const t0i = ai + ci;
    const t1r = ar - cr;
    const t1i = ai - ci;
    const t2r = br + dr;
    const t2i = bi + di;
    // sg·i·(b − d)
    const t3r = -sg * (bi - di);
    const t3i = sg * (br - dr);
    y[o + e] = t0r + t2r;
    y[o + e + 1] = t0i + t2i;
    const y1r = t1r + t3r;
    const y1i = t1i + t3i;
    const y2r = t0r - t2r;
    const y2i = t0i - t2i;
    const y3r = t1r - t3r;
    const y3i = t1i - t3i;
    y[o1 + e] = y1r * w1r - y1i * w1i;
    y[o1 + e + 1] = y1r * w1i + y1i * w1r;
    y[o2 + e] = y2r * w2r - y2i * w2i;
    y[o2 + e + 1] = y2r * w2i + y2i * w2r;
    y[o3 + e] = y3r * w3r - y3i * w3i;
    y[o3 + e + 1] = y3r * w3i + y3i * w3r;
  }
}

/** Radix-5 butterfly: yⱼ = Σₖ aₖ·ω₅^{jk}, then yⱼ·ω_m^{j·t}. */
function bf5(
  x: Float64Array,
  y: Float64Array,
  i: number[],
  o: number,
  len: number,
  sg: number,
  t: number,
  cos: Float64Array,
  sin: Float64Array,
  m: number,
): void {
  const [i0, i1, i2, i3, i4] = i as [number, number, number, number, number];
  const w1r = cos[t]!;
  const w1i = sg * sin[t]!;
  const w2r = cos[(2 * t) % m]!;
  const w2i = sg * sin[(2 * t) % m]!;
  const w3r = cos[(3 * t) % m]!;
  const w3i = sg * sin[(3 * t) % m]!;
  const w4r = cos[(4 * t) % m]!;
  const w4i = sg * sin[(4 * t) % m]!;
  const s1 = sg * S51;
  const s2 = sg * S52;
  const o1 = o + len;
  const o2 = o1 + len;
  const o3 = o2 + len;
  const o4 = o3 + len;
  for (let e = 0; e < len; e += 2) {
    const ar = x[i0 + e]!;
    const ai = x[i0 + e + 1]!;
    const b1r = x[i1 + e]! + x[i4 + e]!;
    const b1i = x[i1 + e + 1]! + x[i4 + e + 1]!;
    const d1r = x[i1 + e]! - x[i4 + e]!;
    const d1i = x[i1 + e + 1]! - x[i4 + e + 1]!;
    const b2r = x[i2 + e]! + x[i3 + e]!;
    const b2i = x[i2 + e + 1]! + x[i3 + e + 1]!;
    const d2r = x[i2 + e]! - x[i3 + e]!;
    const d2i = x[i2 + e + 1]! - x[i3 + e + 1]!;
    y[o + e] = ar + b1r + b2r;
    y[o + e + 1] = ai + b1i + b2i;
    const pr = ar + C51 * b1r + C52 * b2r;
    const pi = ai + C51 * b1i + C52 * b2i;
    const qr = ar + C52 * b1r + C51 * b2r;
    const qi = ai + C52 * b1i + C51 * b2i;
    // i·(s1·d1 + s2·d2) and i·(s2·d1 − s1·d2)
    const ur = -(s1 * d1i + s2 * d2i);
    const ui = s1 * d1r + s2 * d2r;
    const vr = -(s2 * d1i - s1 * d2i);
    const vi = s2 * d1r - s1 * d2r;
    let zr = pr + ur;
    let zi = pi + ui;
    y[o1 + e] = zr * w1r - zi * w1i;
    y[o1 + e + 1] = zr * w1i + zi * w1r;
    zr = pr - ur;
    zi = pi - ui;
    y[o4 + e] = zr * w4r - zi * w4i;
    y[o4 + e + 1] = zr * w4i + zi * w4r;
    zr = qr + vr;
    zi = qi + vi;
    y[o2 + e] = zr * w2r - zi * w2i;
    y[o2 + e + 1] = zr * w2i + zi * w2r;
    zr = qr - vr;
    zi = qi - vi;
    y[o3 + e] = zr * w3r - zi * w3i;
    y[o3 + e + 1] = zr * w3i + zi * w3r;
  }
}

/**
 * Transpose of the first `rows` rows and first `cols` c-double cells of `src` (row stride `ws` doubles) into
 * `dst` (row stride `wd`): dst[c][r] = src[r][c], cell by cell, in 32 × 32 blocks.
 */
export function transpose(src: Float64Array, ws: number, dst: Float64Array, wd: number, rows: number, cols: number, c: number): void {
  const B = 32;
  for (let r0 = 0; r0 < rows; r0 += B) {
    const r1 = Math.min(rows, r0 + B);
    for (let c0 = 0; c0 < cols; c0 += B) {
      const c1 = Math.min(cols, c0 + B);
      for (let j = c0; j < c1; j++) {
        const d = j * wd;
        for (let r = r0; r < r1; r++) {
          const s = r * ws + j * c;
          const t = d + r * c;
          for (let k = 0; k < c; k++) dst[t + k] = src[s + k]!;
        }
      }
    }
  }
}

/**
 * Column FFTs of a row-major complex grid, done a whole row at a time: each radix-2 butterfly combines two
 * rows element by element, so every pass walks memory sequentially (no column gather/scatter). Used by the
 * FFT t-SNE (`tsne-fft.ts`) after fft.js has transformed the rows. Rows hold interleaved (re, im) pairs,
 * `rowLen` doubles each; the row count `m` is a power of two. Neither transform scales its output.
 */

/** cos/sin of 2πk/m for k < m/2 (the twiddles of every stage of a length-m transform). */
export function twiddles(m: number): { cos: Float64Array; sin: Float64Array } {
  const cos = new Float64Array(m / 2);
  const sin = new Float64Array(m / 2);
  for (let k = 0; k < m / 2; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / m);
    sin[k] = Math.sin((2 * Math.PI * k) / m);
  }
  return { cos, sin };
}

/** b ← (a − b)·w, a ← a + b, over one pair of rows (a DIF butterfly). */
function difRows(g: Float64Array, a: number, b: number, e0: number, e1: number, wr: number, wi: number): void {
  for (let e = e0; e < e1; e += 2) {
    const ar = g[a + e] as number;
    const ai = g[a + e + 1] as number;
    const br = g[b + e] as number;
    const bi = g[b + e + 1] as number;
    g[a + e] = ar + br;
    g[a + e + 1] = ai + bi;
    const dr = ar - br;
    const di = ai - bi;
    g[b + e] = dr * wr - di * wi;
    g[b + e + 1] = dr * wi + di * wr;
  }
}

/** t = w·b; a ← a + t, b ← a − t, over one pair of rows (a DIT butterfly). */
function ditRows(g: Float64Array, a: number, b: number, e0: number, e1: number, wr: number, wi: number): void {
  for (let e = e0; e < e1; e += 2) {
    const br = g[b + e] as number;
    const bi = g[b + e + 1] as number;
    const tr = br * wr - bi * wi;
    const ti = br * wi + bi * wr;
    const ar = g[a + e] as number;
    const ai = g[a + e + 1] as number;
    g[a + e] = ar + tr;
    g[a + e + 1] = ai + ti;
    g[b + e] = ar - tr;
    g[b + e + 1] = ai - ti;
  }
}

/** Two DIF stages (spans 4q then 2q) on rows r, r+q, r+2q, r+3q: twiddles w₁ = w_{4q}^j, w₂ = w_{4q}^{j+q}, w₃ = w_{2q}^j. */
function dif4(
  g: Float64Array,
  r0: number,
  r1: number,
  r2: number,
  r3: number,
  e0: number,
  e1: number,
  c1: number,
  s1: number,
  c2: number,
  s2: number,
  c3: number,
  s3: number,
): void {
  for (let e = e0; e < e1; e += 2) {
    const ar = g[r0 + e] as number;
    const ai = g[r0 + e + 1] as number;
    const br = g[r1 + e] as number;
    const bi = g[r1 + e + 1] as number;
    const cr = g[r2 + e] as number;
    const ci = g[r2 + e + 1] as number;
    const dr = g[r3 + e] as number;
    const di = g[r3 + e + 1] as number;
    // span 4q: (a, c) with w1, (b, d) with w2
    const pr = ar + cr;
    const pi = ai + ci;
    const xr = ar - cr;
    const xi = ai - ci;
    const qr = xr * c1 - xi * s1;
    const qi = xr * s1 + xi * c1;
    const ur = br + dr;
    const ui = bi + di;
    const yr = br - dr;
    const yi = bi - di;
    const vr = yr * c2 - yi * s2;
    const vi = yr * s2 + yi * c2;
    // span 2q: (p, u) and (q, v) with w3
    g[r0 + e] = pr + ur;
    g[r0 + e + 1] = pi + ui;
    const fr = pr - ur;
    const fi = pi - ui;
    g[r1 + e] = fr * c3 - fi * s3;
    g[r1 + e + 1] = fr * s3 + fi * c3;
    g[r2 + e] = qr + vr;
    g[r2 + e + 1] = qi + vi;
    const hr = qr - vr;
    const hi = qi - vi;
    g[r3 + e] = hr * c3 - hi * s3;
    g[r3 + e + 1] = hr * s3 + hi * c3;
  }
}

/** Two DIT stages (spans 2q then 4q) on rows r, r+q, r+2q, r+3q: w₃ = w_{2q}^j first, then w₁ = w_{4q}^j, w₂ = w_{4q}^{j+q}. */
function dit4(
  g: Float64Array,
  r0: number,
  r1: number,
  r2: number,
  r3: number,
  e0: number,
  e1: number,
  c1: number,
  s1: number,
  c2: number,
  s2: number,
  c3: number,
  s3: number,
): void {
  for (let e = e0; e < e1; e += 2) {
    const ar = g[r0 + e] as number;
    const ai = g[r0 + e + 1] as number;
    const br = g[r1 + e] as number;
    const bi = g[r1 + e + 1] as number;
    const cr = g[r2 + e] as number;
    const ci = g[r2 + e + 1] as number;
    const dr = g[r3 + e] as number;
    const di = g[r3 + e + 1] as number;
    // span 2q: (a, b) and (c, d) with w3
    const tr = br * c3 - bi * s3;
    const ti = br * s3 + bi * c3;
    const pr = ar + tr;
    const pi = ai + ti;
    const qr = ar - tr;
    const qi = ai - ti;
    const sr = dr * c3 - di * s3;
    const si = dr * s3 + di * c3;
    const ur = cr + sr;
    const ui = ci + si;
    const vr = cr - sr;
    const vi = ci - si;
    // span 4q: (p, u) with w1, (q, v) with w2
    const xr = ur * c1 - ui * s1;
    const xi = ur * s1 + ui * c1;
    g[r0 + e] = pr + xr;
    g[r0 + e + 1] = pi + xi;
    g[r2 + e] = pr - xr;
    g[r2 + e + 1] = pi - xi;
    const yr = vr * c2 - vi * s2;
    const yi = vr * s2 + vi * c2;
    g[r1 + e] = qr + yr;
    g[r1 + e + 1] = qi + yi;
    g[r3 + e] = qr - yr;
    g[r3 + e + 1] = qi - yi;
  }
}

/**
 * Forward DFT (sign −1) along the columns of the m × (rowLen/2) complex grid `g`, in place, by decimation in
 * frequency: rows come out in bit-reversed order. Only the first `nz` rows are read (rows from `nz` on are taken
 * as zero, whatever they hold), which saves the first stage's additions when nz ≤ m/2. `e0`..`e1` (doubles
 * within a row, even) restricts the work to a strip of columns, so a strip can stay in cache through all stages.
 */
export function columnDif(g: Float64Array, m: number, rowLen: number, nz: number, tw = twiddles(m), e0 = 0, e1 = rowLen): void {
  const { cos, sin } = tw;
  const h = m / 2;
  if (m < 2) return;
  // first stage (span m): with the lower half zero, a keeps its value and b = a·w
  for (let j = 0; j < h; j++) {
    const a = j * rowLen;
    const b = (j + h) * rowLen;
    const wr = cos[j] as number;
    const wi = -(sin[j] as number);
    const aIn = j < nz;
    const bIn = j + h < nz;
    if (!aIn) {
      g.fill(0, a + e0, a + e1);
      g.fill(0, b + e0, b + e1);
    } else if (!bIn) {
      for (let e = e0; e < e1; e += 2) {
        const ar = g[a + e] as number;
        const ai = g[a + e + 1] as number;
        g[b + e] = ar * wr - ai * wi;
        g[b + e + 1] = ar * wi + ai * wr;
      }
    } else difRows(g, a, b, e0, e1, wr, wi);
  }
  let span = h;
  // remaining stages two at a time (spans s and s/2 fused over 4 rows), then a last single one if any
  for (; span >= 4; span >>= 2) {
    const q = span >> 2;
    const step = m / span;
    for (let k = 0; k < m; k += span)
      for (let j = 0; j < q; j++) {
        const r0 = (k + j) * rowLen;
        const d = q * rowLen;
        dif4(
          g,
          r0,
          r0 + d,
          r0 + 2 * d,
          r0 + 3 * d,
          e0,
          e1,
          cos[j * step] as number,
          -(sin[j * step] as number),
          cos[(j + q) * step] as number,
          -(sin[(j + q) * step] as number),
          cos[2 * j * step] as number,
          -(sin[2 * j * step] as number),
        );
      }
  }
  if (span === 2) for (let k = 0; k < m; k += 2) difRows(g, k * rowLen, (k + 1) * rowLen, e0, e1, 1, 0);
}

/**
 * Inverse DFT (sign +1, unscaled) along the columns of `g`, in place, by decimation in time: rows go in
 * bit-reversed order (as {@link columnDif} leaves them) and come out in natural order. Only the first `nOut`
 * rows of the result are computed (the others hold garbage); the last stage is halved when nOut ≤ m/2.
 * `e0`..`e1` as in {@link columnDif}.
 */
export function columnDit(g: Float64Array, m: number, rowLen: number, nOut: number, tw = twiddles(m), e0 = 0, e1 = rowLen): void {
  const { cos, sin } = tw;
  if (m < 2) return;
  const h = m / 2;
  // stages of span 2 .. m/2, two at a time (spans s/2 and s fused over 4 rows) after a single first one if
  // their count is odd
  let span = 2;
  const stages = Math.log2(m) - 1;
  if (stages % 2 === 1) {
    for (let k = 0; k < m; k += 2) ditRows(g, k * rowLen, (k + 1) * rowLen, e0, e1, 1, 0);
    span = 4;
  }
  for (; 2 * span <= h; span <<= 2) {
    const s4 = 2 * span;
    const q = s4 >> 2;
    const step = m / s4;
    for (let k = 0; k < m; k += s4)
      for (let j = 0; j < q; j++) {
        const r0 = (k + j) * rowLen;
        const d = q * rowLen;
        dit4(
          g,
          r0,
          r0 + d,
          r0 + 2 * d,
          r0 + 3 * d,
          e0,
          e1,
          cos[j * step] as number,
          sin[j * step] as number,
          cos[(j + q) * step] as number,
          sin[(j + q) * step] as number,
          cos[2 * j * step] as number,
          sin[2 * j * step] as number,
        );
      }
  }
  // last stage (span m)
  for (let j = 0; j < h; j++) {
    const a = j * rowLen;
    const b = (j + h) * rowLen;
    const wr = cos[j] as number;
    const wi = sin[j] as number;
    if (j + h < nOut) ditRows(g, a, b, e0, e1, wr, wi);
    else if (j < nOut) {
      for (let e = e0; e < e1; e += 2) {
        const br = g[b + e] as number;
        const bi = g[b + e + 1] as number;
        g[a + e] = (g[a + e] as number) + br * wr - bi * wi;
        g[a + e + 1] = (g[a + e + 1] as number) + br * wi + bi * wr;
      }
    }
  }
}

/**
 * Circular convolution along the columns with a real spectrum, strip by strip so each strip of columns stays
 * in cache: forward columns ({@link columnDif}, first `nz` rows non-zero), × `kern[q·kStride + c]` (rows
 * bit-reversed, c = complex column), inverse columns ({@link columnDit}, first `nOut` rows). With `parseval`,
 * also returns Σ parseval[q·kStride + c]·|X|² over the forward spectrum X, columns 1 .. rowLen/2 − 2 counted
 * twice (the half spectrum of a real signal, as `rowLen/2 = m'/2 + 1` columns hold it); otherwise returns 0.
 */
export function columnConvolve(
  g: Float64Array,
  m: number,
  rowLen: number,
  nz: number,
  nOut: number,
  kern: Float64Array,
  kStride: number,
  tw: { cos: Float64Array; sin: Float64Array },
  parseval?: Float64Array,
): number {
  let sum = 0;
  const lastCol = rowLen / 2 - 1;
  for (let e0 = 0; e0 < rowLen; e0 += STRIP) {
    const e1 = Math.min(rowLen, e0 + STRIP);
    columnDif(g, m, rowLen, nz, tw, e0, e1);
    for (let q = 0; q < m; q++) {
      const row = q * rowLen;
      const kr = q * kStride;
      for (let e = e0; e < e1; e += 2) {
        const c = e >> 1;
        const re = g[row + e] as number;
        const im = g[row + e + 1] as number;
        if (parseval) sum += (c === 0 || c === lastCol ? 1 : 2) * (parseval[kr + c] as number) * (re * re + im * im);
        const k = kern[kr + c] as number;
        g[row + e] = re * k;
        g[row + e + 1] = im * k;
      }
    }
    columnDit(g, m, rowLen, nOut, tw, e0, e1);
  }
  return sum;
}

/** Doubles per strip of {@link columnConvolve}: 32 complex columns, 256 KiB of a 1024-row grid. */
const STRIP = 4096;

/** Bit reversal of `i` over log2(m) bits. */
export function bitReverse(i: number, m: number): number {
  let r = 0;
  for (let b = m >> 1, v = i; b > 0; b >>= 1, v >>= 1) r = (r << 1) | (v & 1);
  return r;
}

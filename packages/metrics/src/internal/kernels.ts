/**
 * Monomorphic float64 kernels over one chunk. Each returns a plain sum of at most {@link CHUNK} terms using
 * four partial sums; callers add the result into a {@link CompensatedSum}.
 */

/** Σ (a_i − b_i)². */
export function sumSqDiff(a: Float64Array, b: Float64Array, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const d0 = (a[i] as number) - (b[i] as number);
    const d1 = (a[i + 1] as number) - (b[i + 1] as number);
    const d2 = (a[i + 2] as number) - (b[i + 2] as number);
    const d3 = (a[i + 3] as number) - (b[i + 3] as number);
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    s0 += d * d;
  }
  return s0 + s1 + (s2 + s3);
}

/** Σ |a_i − b_i|. */
export function sumAbsDiff(a: Float64Array, b: Float64Array, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += Math.abs((a[i] as number) - (b[i] as number));
    s1 += Math.abs((a[i + 1] as number) - (b[i + 1] as number));
    s2 += Math.abs((a[i + 2] as number) - (b[i + 2] as number));
    s3 += Math.abs((a[i + 3] as number) - (b[i + 3] as number));
  }
  for (; i < n; i++) s0 += Math.abs((a[i] as number) - (b[i] as number));
  return s0 + s1 + (s2 + s3);
}

/** Σ ((a_i − b_i)/scale)², for the overflow/underflow-safe fallbacks. */
export function sumSqDiffScaled(a: Float64Array, b: Float64Array, n: number, inv: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = ((a[i] as number) - (b[i] as number)) * inv;
    s += d * d;
  }
  return s;
}

/** max |a_i − b_i| (NaN if any difference is NaN). */
export function maxAbsDiff(a: Float64Array, b: Float64Array, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    if (Number.isNaN(d)) return d;
    if (d > m) m = d;
  }
  return m;
}

/** The three products [Σ a·a, Σ b·b, Σ a·b] of `(a − ma)·sa` and `(b − mb)·sb`, added into `out`. */
export function centredProducts(
  a: Float64Array,
  b: Float64Array,
  n: number,
  ma: number,
  mb: number,
  sa: number,
  sb: number,
  out: Float64Array,
): void {
  let aa0 = 0;
  let bb0 = 0;
  let ab0 = 0;
  let aa1 = 0;
  let bb1 = 0;
  let ab1 = 0;
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const x0 = ((a[i] as number) - ma) * sa;
    const y0 = ((b[i] as number) - mb) * sb;
    const x1 = ((a[i + 1] as number) - ma) * sa;
    const y1 = ((b[i + 1] as number) - mb) * sb;
    aa0 += x0 * x0;
    bb0 += y0 * y0;
    ab0 += x0 * y0;
    aa1 += x1 * x1;
    bb1 += y1 * y1;
    ab1 += x1 * y1;
  }
  for (; i < n; i++) {
    const x0 = ((a[i] as number) - ma) * sa;
    const y0 = ((b[i] as number) - mb) * sb;
    aa0 += x0 * x0;
    bb0 += y0 * y0;
    ab0 += x0 * y0;
  }
  out[0] = aa0 + aa1;
  out[1] = bb0 + bb1;
  out[2] = ab0 + ab1;
}

/** [Σ a, Σ b, max |a|, max |b|] over one chunk into `out`; also returns whether a and b were each constant. */
export function sumsAndMax(a: Float64Array, b: Float64Array, n: number, out: Float64Array): void {
  let sa = 0;
  let sb = 0;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    sa += x;
    sb += y;
    const ax = Math.abs(x);
    const ay = Math.abs(y);
    if (ax > ma) ma = ax;
    if (ay > mb) mb = ay;
  }
  out[0] = sa;
  out[1] = sb;
  out[2] = ma;
  out[3] = mb;
}

/** True if every value of `a[0..n)` equals `v` (NaN never equals). */
export function allEqual(a: Float64Array, n: number, v: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== v) return false;
  return true;
}

/**
 * [Σ a·a, Σ b·b, Σ a·b, max |a|, max |b|, Σ a + Σ b] over one chunk into `out` (one pass, for cosine
 * similarity; the last sum is NaN exactly when an input holds NaN or both infinities).
 */
export function dotsAndMax(a: Float64Array, b: Float64Array, n: number, out: Float64Array): void {
  let aa = 0;
  let bb = 0;
  let ab = 0;
  let ma = 0;
  let mb = 0;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    s += x + y;
    aa += x * x;
    bb += y * y;
    ab += x * y;
    const ax = Math.abs(x);
    const ay = Math.abs(y);
    if (ax > ma) ma = ax;
    if (ay > mb) mb = ay;
  }
  out[0] = aa;
  out[1] = bb;
  out[2] = ab;
  out[3] = ma;
  out[4] = mb;
  out[5] = s;
}

// The fast paths of Pearson and cosine (`vector/impl.ts`). `sums` and `dots` compute only the sums of
// `sumsAndMax` and `dotsAndMax`, in the same order and so to the same bits, without the maxima and the NaN
// probe: those matter only when a sum is not finite or out of the safe range, and then the caller reruns the
// full kernels. The `F32` twins read float32 storage in place (`a[oa + i]`) with the same float64 operations
// in the same order; float32 → float64 is exact, so they give the bits the float64 kernels give on a widened
// copy, without the copy (`vector/__tests__/float32.test.ts` checks both claims). Separate functions rather
// than one over both array types: a kernel V8 sees with two element kinds goes polymorphic and slows down.

/** [Σ a, Σ b] over one chunk into `out` (the sums of {@link sumsAndMax}). */
export function sums(a: Float64Array, b: Float64Array, n: number, out: Float64Array): void {
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < n; i++) {
    sa += a[i] as number;
    sb += b[i] as number;
  }
  out[0] = sa;
  out[1] = sb;
}

/** {@link sums} on float32 `a[oa..oa+n)`, `b[ob..ob+n)`. */
export function sumsF32(a: Float32Array, oa: number, b: Float32Array, ob: number, n: number, out: Float64Array): void {
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < n; i++) {
    sa += a[oa + i] as number;
    sb += b[ob + i] as number;
  }
  out[0] = sa;
  out[1] = sb;
}

/** [Σ a·a, Σ b·b, Σ a·b] over one chunk into `out` (the sums of {@link dotsAndMax}). */
export function dots(a: Float64Array, b: Float64Array, n: number, out: Float64Array): void {
  let aa = 0;
  let bb = 0;
  let ab = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    aa += x * x;
    bb += y * y;
    ab += x * y;
  }
  out[0] = aa;
  out[1] = bb;
  out[2] = ab;
}

/** {@link dots} on float32 `a[oa..oa+n)`, `b[ob..ob+n)`. */
export function dotsF32(a: Float32Array, oa: number, b: Float32Array, ob: number, n: number, out: Float64Array): void {
  let aa = 0;
  let bb = 0;
  let ab = 0;
  for (let i = 0; i < n; i++) {
    const x = a[oa + i] as number;
    const y = b[ob + i] as number;
    aa += x * x;
    bb += y * y;
    ab += x * y;
  }
  out[0] = aa;
  out[1] = bb;
  out[2] = ab;
}

/** {@link allEqual} on float32 `a[oa..oa+n)`. */
export function allEqualF32(a: Float32Array, oa: number, n: number, v: number): boolean {
  for (let i = 0; i < n; i++) if (a[oa + i] !== v) return false;
  return true;
}

/** {@link centredProducts} on float32 `a[oa..oa+n)`, `b[ob..ob+n)`. */
export function centredProductsF32(
  a: Float32Array,
  oa: number,
  b: Float32Array,
  ob: number,
  n: number,
  ma: number,
  mb: number,
  sa: number,
  sb: number,
  out: Float64Array,
): void {
  let aa0 = 0;
  let bb0 = 0;
  let ab0 = 0;
  let aa1 = 0;
  let bb1 = 0;
  let ab1 = 0;
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const x0 = ((a[oa + i] as number) - ma) * sa;
    const y0 = ((b[ob + i] as number) - mb) * sb;
    const x1 = ((a[oa + i + 1] as number) - ma) * sa;
    const y1 = ((b[ob + i + 1] as number) - mb) * sb;
    aa0 += x0 * x0;
    bb0 += y0 * y0;
    ab0 += x0 * y0;
    aa1 += x1 * x1;
    bb1 += y1 * y1;
    ab1 += x1 * y1;
  }
  for (; i < n; i++) {
    const x0 = ((a[oa + i] as number) - ma) * sa;
    const y0 = ((b[ob + i] as number) - mb) * sb;
    aa0 += x0 * x0;
    bb0 += y0 * y0;
    ab0 += x0 * y0;
  }
  out[0] = aa0 + aa1;
  out[1] = bb0 + bb1;
  out[2] = ab0 + ab1;
}

/** Compensated (Neumaier) summation, the accumulator every metric adds its block sums into. */

/**
 * A Neumaier-compensated running sum. Blocks of up to {@link CHUNK} terms are summed in a few plain partial
 * sums (like numpy's pairwise inner loop) and those block sums are added here, so the total error stays
 * within a few ulps of the exact sum for any length.
 */
export class CompensatedSum {
  /** The running sum. */
  s = 0;
  /** The accumulated rounding error of {@link s}. */
  c = 0;

  /** Add one term. */
  add(x: number): void {
    const s = this.s;
    const t = s + x;
    if (Math.abs(s) >= Math.abs(x)) this.c += s - t + x;
    else this.c += x - t + s;
    this.s = t;
  }

  /** Add another sum's total (for merging partial results). */
  merge(o: { s: number; c: number }): void {
    this.add(o.s);
    this.add(o.c);
  }

  /** The compensated total (the plain sum when it has overflowed). */
  value(): number {
    return Number.isFinite(this.s) ? this.s + this.c : this.s;
  }
}

/** Exact-order sum of a Float64Array range with 4 partial sums (used inside one chunk). */
export function blockSum(a: Float64Array, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] as number;
    s1 += a[i + 1] as number;
    s2 += a[i + 2] as number;
    s3 += a[i + 3] as number;
  }
  for (; i < n; i++) s0 += a[i] as number;
  return s0 + s1 + (s2 + s3);
}

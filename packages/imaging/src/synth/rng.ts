/**
 * A small seeded random number generator for the synthetic generators: sfc32 seeded through splitmix32,
 * with normal (Box–Muller), log-normal and Poisson (Knuth below 12, Hörmann's PTRS above) samplers.
 * Deterministic across platforms: only 32-bit integer arithmetic and `Math` functions are used.
 */

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** log Γ(x) for x ≥ 1 (Stirling series with a shift for small x; |error| < 1e-10). */
export function logGamma(x: number): number {
  let shift = 0;
  let y = x;
  while (y < 7) {
    shift += Math.log(y);
    y += 1;
  }
  const y2 = 1 / (y * y);
  const series = ((((-1 / 1680) * y2 + 1 / 1260) * y2 - 1 / 360) * y2 + 1 / 12) / y;
  return (y - 0.5) * Math.log(y) - y + 0.5 * Math.log(2 * Math.PI) + series - shift;
}

/** A seeded generator of uniform, normal and Poisson variates. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Box–Muller's second variate, kept as its radius and angle and computed only when asked for (NaN = none). */
  private spareR = Number.NaN;
  private spareV = 0;

  /** `seed` is any integer (or several, combined); the same seeds give the same stream. */
  constructor(...seeds: number[]) {
    const st = { s: 0x1234567 };
    for (const s of seeds) st.s = (st.s ^ Math.imul((s | 0) ^ Math.floor(s / 2 ** 32), 0x27d4eb2d)) | 0;
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Combine integers into one 32-bit stream key (for {@link Rng.reset}). */
  static mix(...keys: number[]): number {
    let h = 0x243f6a88;
    for (const k of keys) {
      h = Math.imul(h ^ (k | 0), 0x9e3779b1);
      h ^= h >>> 15;
      h = Math.imul(h ^ Math.floor(k / 2 ** 32), 0x85ebca77);
      h ^= h >>> 13;
    }
    return h >>> 0;
  }

  /**
   * Re-seed in place from a stream key and an index (cheap: no allocation, 4 warm-up rounds), for one short
   * stream per pixel.
   */
  reset(stream: number, index: number): void {
    let x = (stream ^ Math.imul(index | 0, 0x2c1b3c6d) ^ Math.imul(Math.floor(index / 2 ** 32), 0x297a2d39)) | 0;
    let z: number;
    x = (x + 0x9e3779b9) | 0;
    z = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    this.a = z ^ (z >>> 16);
    x = (x + 0x9e3779b9) | 0;
    z = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    this.b = z ^ (z >>> 16) ^ index;
    x = (x + 0x9e3779b9) | 0;
    z = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    this.c = z ^ (z >>> 16);
    this.d = 1;
    this.spareR = Number.NaN;
    for (let i = 0; i < 4; i++) this.nextUint32();
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform number in [0, 1). */
  random(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform number in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.random();
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** A normal variate with mean `mu` and standard deviation `sd`. */
  normal(mu = 0, sd = 1): number {
    if (!Number.isNaN(this.spareR)) {
      const s = this.spareR * Math.sin(2 * Math.PI * this.spareV);
      this.spareR = Number.NaN;
      return mu + sd * s;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareR = r;
    this.spareV = v;
    return mu + sd * r * Math.cos(2 * Math.PI * v);
  }

  /** A log-normal variate exp(N(log(median), sigma)). */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(this.normal(0, sigma));
  }

  /** A Poisson variate with mean `lam` (≥ 0). */
  poisson(lam: number): number {
    if (!(lam > 0)) return 0;
    if (lam < 12) {
      const l = Math.exp(-lam);
      let k = 0;
      let p = this.random();
      while (p > l) {
        k++;
        p *= this.random();
      }
      return k;
    }
    // PTRS: transformed rejection with squeeze (W. Hörmann, 1993).
    const slam = Math.sqrt(lam);
    let loglam = Number.NaN; // only the slow acceptance test needs it
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.random() - 0.5;
      const v = this.random();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + lam + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Number.isNaN(loglam)) loglam = Math.log(lam);
      if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lam + k * loglam - logGamma(k + 1)) return k;
    }
  }
}

/**
 * The toolkit's one seeded random number generator, and the fixed integer streams our Python reference scripts
 * rebuild. Deterministic across platforms (only 32-bit integer arithmetic and `Math` functions); not for
 * cryptography.
 *
 * - {@link Random}: sfc32 seeded through splitmix32, with the derived draws every simulator and randomised
 *   algorithm uses (uniform, integer, normal, log-normal, gamma, Poisson, negative binomial). The same seeds give
 *   the same stream on every platform; the stream is ours, not numpy's.
 * - {@link Random.mulberry32}: the same draws on a mulberry32 stream, kept because committed results of seq's
 *   simulators, clustering and k-NN descent were made with it.
 * - {@link Lcg32}, {@link lcgUniform} and {@link hash32}: integer streams that Python reference scripts reproduce bit
 *   for bit.
 */
import { HypedError } from "./errors.js";
import { logGamma } from "./special.js";

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A seeded generator of uniform, normal, gamma and Poisson variates.
 *
 * `new Random(...seeds)` uses sfc32 (128-bit state, seeded through splitmix32); {@link Random.mulberry32} gives
 * the 32-bit mulberry32 stream. Both run the same derived draws.
 */
export class Random {
  // sfc32 state, set in the constructor (no field initialisers: they made per-pixel reset + draw ~1.4x slower in V8)
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Box–Muller's second variate, kept as its radius and angle and computed only when asked for (NaN = none). */
  private spareR = Number.NaN;
  private spareV = 0;

  /** `seeds` are any integers (several are combined); the same seeds give the same sfc32 stream. */
  constructor(...seeds: number[]) {
    const st = { s: 0x1234567 };
    for (const s of seeds) st.s = (st.s ^ Math.imul((s | 0) ^ Math.floor(s / 2 ** 32), 0x27d4eb2d)) | 0;
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    // warm up on sfc32 itself, whatever a subclass draws from
    for (let i = 0; i < 12; i++) Random.prototype.nextUint32.call(this);
  }

  /**
   * A generator on the mulberry32 stream from a 32-bit `seed` (taken modulo 2^32). Its normal draws do not keep
   * Box–Muller's second variate, and its Poisson draw is inversion below 30 and a rounded normal above, as seq's
   * simulators were written; use `new Random(seed)` for new code.
   */
  static mulberry32(seed: number): Random {
    return new Mulberry32(seed);
  }

  /** Combine integers into one 32-bit stream key (for {@link Random.reset}). */
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
   * Re-seed an sfc32 generator in place from a stream key and an index (cheap: no allocation, 4 warm-up rounds),
   * for one short stream per pixel.
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

  /** A uniform number in [0, 1) (32 random bits). */
  random(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform number in [0, 1): the same as {@link Random.random}. */
  next(): number {
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

  /** A normal variate with mean `mu` (default 0) and standard deviation `sd` (default 1), by Box–Muller. */
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

  /** A Gamma(shape, scale = 1) variate, by Marsaglia–Tsang (shape < 1 boosted by U^(1/shape)). */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * this.random() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.random();
      if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /**
   * A Poisson variate with mean `lam` (≤ 0 gives 0). sfc32: Knuth's product method below 12, Hörmann's PTRS
   * (transformed rejection with squeeze, 1993) above. mulberry32: inversion below 30, a rounded normal above.
   */
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

  /** A negative-binomial variate with mean `mu` and size (inverse dispersion) `size`, as a gamma–Poisson mixture. */
  negBinomial(mu: number, size: number): number {
    if (!Number.isFinite(size)) return this.poisson(mu);
    return this.poisson((this.gamma(size) * mu) / size);
  }
}

/**
 * The mulberry32 stream (32-bit state) behind {@link Random.mulberry32}, with the normal and Poisson draws seq's
 * simulators were written with. Not exported: construct it through {@link Random.mulberry32}.
 */
class Mulberry32 extends Random {
  private s: number;

  constructor(seed: number) {
    super(0);
    this.s = seed >>> 0;
  }

  override reset(): void {
    throw new HypedError("UNSUPPORTED", "Random.reset needs the sfc32 stream (new Random(...)), not mulberry32", {});
  }

  override nextUint32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Box–Muller without keeping the second variate. */
  override normal(mu = 0, sd = 1): number {
    let u = 0;
    while (u === 0) u = this.random();
    return mu + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.random());
  }

  /** Inversion below 30, a rounded normal above. */
  override poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda < 30) {
      const l = Math.exp(-lambda);
      let k = 0;
      let p = 1;
      do {
        k++;
        p *= this.random();
      } while (p > l);
      return k - 1;
    }
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
  }
}

/**
 * The Numerical Recipes LCG `s = (1664525 s + 1013904223) mod 2^32`, starting from `seed` (mod 2^32). Python
 * reference scripts rebuild it with `s = (1664525 * s + 1013904223) & 0xFFFFFFFF`; embeddings use it for their
 * seeded starts. Each call of {@link Lcg32.nextUint32} returns the next state.
 */
export class Lcg32 {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** The next state, a uniform 32-bit unsigned integer. */
  nextUint32(): number {
    this.s = (Math.imul(1664525, this.s) + 1013904223) >>> 0;
    return this.s;
  }
}

/** `n` float64 values in [0, 1) from {@link Lcg32}: `u = s / 2^32` for the states after `seed`. */
export function lcgUniform(seed: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const g = new Lcg32(seed);
  for (let i = 0; i < n; i++) out[i] = g.nextUint32() / 4294967296;
  return out;
}

/** A 32-bit integer hash of `(index, seed)`: multiply-xorshift (the same in numpy with uint64 masking). */
export function hash32(index: number, seed: number): number {
  let h = (Math.imul(index >>> 0, 0x9e3779b1) + Math.imul(seed >>> 0, 0x85ebca77)) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d) >>> 0;
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39) >>> 0;
  h ^= h >>> 15;
  return h >>> 0;
}

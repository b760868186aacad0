/**
 * Negative-binomial maximum-likelihood fit and quantile, as HTODemux uses them
 * (`fitdistrplus::fitdist(x, "nbinom")` and `quantile(fit, probs)` → R's `qnbinom`).
 */
import { logGamma } from "@hyped/core";

/** A fitted negative binomial: mean `mu` and size `size` (`Infinity` = Poisson, when variance ≤ mean). */
export interface NegBinomialFit {
  mu: number;
  size: number;
}

/**
 * Maximum-likelihood negative binomial for non-negative counts (rounded to integers). The MLE of `mu` is the
 * sample mean; `size` solves the profile score equation Σ[ψ(xᵢ+r) − ψ(r)] = n·ln(1 + μ/r), with
 * ψ(x+r) − ψ(r) = Σ_{k<x} 1/(r+k) for integer x. Under-dispersed data give `size = Infinity` (Poisson).
 * fitdistrplus reaches the same optimum numerically (Nelder–Mead), to its tolerance.
 */
export function fitNegBinomial(values: ArrayLike<number>): NegBinomialFit {
  const n = values.length;
  if (n === 0) return { mu: 0, size: Number.POSITIVE_INFINITY };
  const counts = new Map<number, number>();
  let sum = 0;
  let sum2 = 0;
  for (let i = 0; i < n; i++) {
    const x = Math.max(0, Math.round(values[i] as number));
    counts.set(x, (counts.get(x) ?? 0) + 1);
    sum += x;
    sum2 += x * x;
  }
  const mu = sum / n;
  const variance = sum2 / n - mu * mu;
  if (mu === 0 || variance <= mu) return { mu, size: Number.POSITIVE_INFINITY };
  const entries = [...counts].filter(([x]) => x > 0);
  const score = (r: number) => {
    let s = 0;
    for (const [x, c] of entries) {
      let h = 0;
      for (let k = 0; k < x; k++) h += 1 / (r + k);
      s += c * h;
    }
    return s - n * Math.log1p(mu / r);
  };
  // score > 0 for small r (over-dispersion), → 0⁻ as r → ∞ when variance > mean; bisection on log r
  let lo = Math.log(1e-8);
  let hi = Math.log(1e8);
  if (score(Math.exp(hi)) > 0) return { mu, size: Number.POSITIVE_INFINITY };
  for (let it = 0; it < 200 && hi - lo > 1e-12; it++) {
    const mid = 0.5 * (lo + hi);
    if (score(Math.exp(mid)) > 0) lo = mid;
    else hi = mid;
  }
  return { mu, size: Math.exp(0.5 * (lo + hi)) };
}

/** ln P(X = k) of a negative binomial (Poisson when `size` is infinite). */
export function logNegBinomialPmf(k: number, fit: NegBinomialFit): number {
  const { mu, size } = fit;
  if (mu === 0) return k === 0 ? 0 : Number.NEGATIVE_INFINITY;
  if (!Number.isFinite(size)) return k * Math.log(mu) - mu - logGamma(k + 1);
  return logGamma(k + size) - logGamma(size) - logGamma(k + 1) + size * Math.log(size / (size + mu)) + k * Math.log(mu / (size + mu));
}

/** P(X ≤ k) of a negative binomial. */
export function negBinomialCdf(k: number, fit: NegBinomialFit): number {
  if (k < 0) return 0;
  let s = 0;
  for (let j = 0; j <= k; j++) s += Math.exp(logNegBinomialPmf(j, fit));
  return Math.min(1, s);
}

/** The smallest integer k with P(X ≤ k) ≥ p (R's `qnbinom(p, size, mu = mu)`). */
export function negBinomialQuantile(p: number, fit: NegBinomialFit): number {
  if (fit.mu === 0) return 0;
  let s = 0;
  const limit = 1e7;
  for (let k = 0; k < limit; k++) {
    s += Math.exp(logNegBinomialPmf(k, fit));
    if (s >= p * (1 - 64 * Number.EPSILON)) return k;
  }
  return limit;
}

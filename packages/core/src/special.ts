/**
 * Special functions shared by the analyses. One log-gamma for the whole toolkit (seq's DE tests and
 * negative-binomial fits, imaging's Poisson sampler).
 */

/** Lanczos coefficients for g = 7, n = 9. */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/**
 * ln Γ(x) for x > 0, matching `scipy.special.gammaln` to about 1e-14 relative (tested on 168 points from 0.001 to
 * 1e12, `reference/special/gammaln.json`). Lanczos (g = 7) up to 20, the Stirling series with Bernoulli terms above
 * (keeps the relative error small for large counts), and the reflection formula below ½. Unlike scipy, which returns
 * ln|Γ(x)| for negative non-integers and +Inf at the poles, arguments ≤ 0 are outside the contract.
 */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  if (x > 20) return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + stirlingTail(x);
  const z = x - 1;
  let a = LANCZOS[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (LANCZOS[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * The Stirling correction s(x) = ln Γ(x) − [(x − ½) ln x − x + ½ ln 2π] for x > 20 (five Bernoulli terms), for
 * callers that combine log-gamma differences analytically (e.g. ln B(a, b) with a large argument).
 */
export function stirlingTail(x: number): number {
  const x2 = x * x;
  return 1 / (12 * x) - 1 / (360 * x * x2) + 1 / (1260 * x2 * x2 * x) - 1 / (1680 * x2 * x2 * x2 * x) + 1 / (1188 * x2 * x2 * x2 * x2 * x);
}

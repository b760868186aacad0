/**
 * The t-SNE benches' input (`tsne.bench.ts` and the diagnostics `tsne-exact.ts`, `tsne-forces.ts`): a seeded
 * n × {@link TSNE_DIM} Gaussian mixture of 16 clusters with 3 sub-clusters each, cluster c with spread
 * 0.6 + 0.8·c/16. The first m rows of `mixture(n)` are the same for every n ≥ m.
 */

/** Columns of the mixture (a PCA-sized input). */
export const TSNE_DIM = 50;

/** The mixture's n × TSNE_DIM values, row-major. */
export function mixture(n: number, seed = 11): Float64Array {
  const dim = TSNE_DIM;
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(1664525, s) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  const g = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const nC = 16;
  const nS = 3;
  const centres = Float64Array.from({ length: nC * dim }, () => 6 * g());
  const subs = Float64Array.from({ length: nC * nS * dim }, () => 2 * g());
  const X = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(u() * nC);
    const t = Math.floor(u() * nS);
    const sd = 0.6 + 0.8 * (c / nC);
    for (let d = 0; d < dim; d++) X[i * dim + d] = (centres[c * dim + d] as number) + (subs[(c * nS + t) * dim + d] as number) + sd * g();
  }
  return X;
}

/**
 * Trustworthiness of an embedding (Venna & Kaski 2001; scikit-learn's `sklearn.manifold.trustworthiness`):
 * T(k) = 1 − 2 / (n·k·(2n − 3k − 1)) · Σᵢ Σ_{j ∈ Uₖ(i)} max(0, r(i, j) − k), where Uₖ(i) are i's k nearest
 * neighbours in the embedding and r(i, j) is j's rank among i's neighbours in the input space (1 = nearest).
 * Euclidean distances in both spaces, as scikit-learn's default. Used by the t-SNE tests and bench.
 */

/**
 * Trustworthiness of `Y` (n × yDim) as an embedding of `X` (n × xDim), both row-major.
 * `queries` (default: every point) restricts the outer sum to those points, with the normalisation taken over
 * their count: an unbiased estimate of T for a large n (each query costs O(n·(xDim + k)), no n × n matrix).
 */
export function trustworthiness(
  X: Float64Array,
  Y: Float64Array,
  n: number,
  xDim: number,
  yDim: number,
  k = 10,
  queries?: ArrayLike<number>,
): number {
  if (!(k >= 1 && k < n / 2)) throw new RangeError(`trustworthiness needs 1 <= k < n/2, got k=${k}, n=${n}`);
  const dx = new Float64Array(n);
  const nbr = new Int32Array(k);
  const nbd = new Float64Array(k);
  const qs = queries ?? { length: n };
  const nq = qs.length;
  let penalty = 0;
  for (let t = 0; t < nq; t++) {
    const i = queries ? (queries[t] as number) : t;
    // k nearest in the embedding (insertion into a sorted list of k)
    let filled = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let d = 0;
      for (let c = 0; c < yDim; c++) d += ((Y[i * yDim + c] as number) - (Y[j * yDim + c] as number)) ** 2;
      if (filled === k && d >= (nbd[k - 1] as number)) continue;
      let at = filled < k ? filled++ : k - 1;
      while (at > 0 && (nbd[at - 1] as number) > d) {
        nbd[at] = nbd[at - 1] as number;
        nbr[at] = nbr[at - 1] as number;
        at--;
      }
      nbd[at] = d;
      nbr[at] = j;
    }
    // input-space distances from i, then the rank of each embedded neighbour
    for (let j = 0; j < n; j++) {
      let d = 0;
      for (let c = 0; c < xDim; c++) d += ((X[i * xDim + c] as number) - (X[j * xDim + c] as number)) ** 2;
      dx[j] = d;
    }
    dx[i] = Number.POSITIVE_INFINITY;
    for (let a = 0; a < k; a++) {
      const dj = dx[nbr[a] as number] as number;
      let rank = 1;
      for (let j = 0; j < n; j++) if ((dx[j] as number) < dj) rank++;
      if (rank > k) penalty += rank - k;
    }
  }
  return 1 - (2 / (nq * k * (2 * n - 3 * k - 1))) * penalty;
}

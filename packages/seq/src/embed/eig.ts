/**
 * Dense symmetric eigendecomposition on flat Float64Arrays: Householder reduction to tridiagonal form, then
 * the implicit QL algorithm with Wilkinson-type shifts (the classic EISPACK pair), with eigenvectors kept as
 * rows so every rotation touches two contiguous rows. Used for the Rayleigh–Ritz steps of PCA.
 */
import { HypedError } from "@hyped/core";

/** Eigenvalues in descending order and the matching unit eigenvectors as rows (`vectors[r·n + j]`). */
export interface SymEig {
  values: Float64Array;
  vectors: Float64Array;
}

/** Eigen-decompose the symmetric n × n matrix `A` (row-major; only read, not modified). */
export function symEig(A: Float64Array, n: number): SymEig {
  if (A.length !== n * n) throw new HypedError("SHAPE_MISMATCH", `symEig: ${A.length} values for ${n}×${n}`, {});
  const T = Float64Array.from(A);
  const Qt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Qt[i * n + i] = 1;
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  const acc = new Float64Array(n);
  // Householder: zero T[k+2.., k] for each column k
  for (let k = 0; k < n - 2; k++) {
    const m0 = k + 1;
    let norm2 = 0;
    for (let i = m0; i < n; i++) norm2 += (T[i * n + k] as number) ** 2;
    const x0 = T[m0 * n + k] as number;
    if (norm2 - x0 * x0 <= 0) continue; // already tridiagonal in this column
    const alpha = x0 > 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
    let vn = 0;
    for (let i = m0; i < n; i++) {
      v[i] = (T[i * n + k] as number) - (i === m0 ? alpha : 0);
      vn += (v[i] as number) ** 2;
    }
    vn = Math.sqrt(vn);
    for (let i = m0; i < n; i++) v[i] = (v[i] as number) / vn;
    // p = T22 v, K = vᵀp, w = 2p − 2K v; T22 ← T22 − v wᵀ − w vᵀ
    let K = 0;
    for (let i = m0; i < n; i++) {
      let s = 0;
      const row = i * n;
      for (let j = m0; j < n; j++) s += (T[row + j] as number) * (v[j] as number);
      p[i] = s;
      K += s * (v[i] as number);
    }
    for (let i = m0; i < n; i++) p[i] = 2 * (p[i] as number) - 2 * K * (v[i] as number);
    for (let i = m0; i < n; i++) {
      const vi = v[i] as number;
      const wi = p[i] as number;
      const row = i * n;
      for (let j = m0; j < n; j++) T[row + j]! -= vi * (p[j] as number) + wi * (v[j] as number);
    }
    T[m0 * n + k] = alpha;
    T[k * n + m0] = alpha;
    for (let i = m0 + 1; i < n; i++) {
      T[i * n + k] = 0;
      T[k * n + i] = 0;
    }
    // Qt ← H Qt on rows m0..n-1 (row-wise: s = vᵀ Qt, then Qt −= 2 v sᵀ)
    acc.fill(0);
    for (let i = m0; i < n; i++) {
      const vi = v[i] as number;
      if (vi === 0) continue;
      const row = i * n;
      for (let j = 0; j < n; j++) acc[j]! += vi * (Qt[row + j] as number);
    }
    for (let i = m0; i < n; i++) {
      const vi = 2 * (v[i] as number);
      if (vi === 0) continue;
      const row = i * n;
      for (let j = 0; j < n; j++) Qt[row + j]! -= vi * (acc[j] as number);
    }
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n); // e[i] couples i and i+1
  for (let i = 0; i < n; i++) d[i] = T[i * n + i] as number;
  for (let i = 0; i < n - 1; i++) e[i] = T[(i + 1) * n + i] as number;
  // implicit QL; Vt rows are eigenvectors, starting from Qt
  const Vt = Qt;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m] as number) + Math.abs(d[m + 1] as number);
        if (Math.abs(e[m] as number) <= Number.EPSILON * dd) break;
      }
      if (m === l) break;
      if (++iter > 60) throw new HypedError("INVALID_ARGUMENT", "symEig: QL iteration did not converge", { l });
      let g = ((d[l + 1] as number) - (d[l] as number)) / (2 * (e[l] as number));
      let r = Math.sqrt(g * g + 1);
      g = (d[m] as number) - (d[l] as number) + (e[l] as number) / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let pp = 0;
      let i = m - 1;
      let deflated = false;
      for (; i >= l; i--) {
        const f = s * (e[i] as number);
        const b = c * (e[i] as number);
        r = Math.sqrt(f * f + g * g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1]! -= pp;
          e[m] = 0;
          deflated = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = (d[i + 1] as number) - pp;
        r = ((d[i] as number) - g) * s + 2 * c * b;
        pp = s * r;
        d[i + 1] = g + pp;
        g = c * r - b;
        const ri = i * n;
        const rj = (i + 1) * n;
        for (let k = 0; k < n; k++) {
          const fv = Vt[rj + k] as number;
          const fi = Vt[ri + k] as number;
          Vt[rj + k] = s * fi + c * fv;
          Vt[ri + k] = c * fi - s * fv;
        }
      }
      if (deflated) continue;
      d[l]! -= pp;
      e[l] = g;
      e[m] = 0;
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (d[b] as number) - (d[a] as number));
  const values = Float64Array.from(order, (i) => d[i] as number);
  const vectors = new Float64Array(n * n);
  order.forEach((src, r) => {
    vectors.set(Vt.subarray(src * n, src * n + n), r * n);
  });
  return { values, vectors };
}

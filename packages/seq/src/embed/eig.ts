/**
 * Dense symmetric eigendecomposition on flat Float64Arrays: Householder reduction to tridiagonal form, then
 * the implicit QL algorithm with Wilkinson-type shifts (the classic EISPACK pair), with eigenvectors kept as
 * rows so every rotation touches two contiguous rows. Used for the Rayleigh–Ritz steps of PCA.
 */
import { HypedError, Lcg32 } from "@hyped/core";

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
  householderTridiagonalise(T, Qt, n);
  const d = new Float64Array(n);
  const e = new Float64Array(n); // e[i] couples i and i+1
  for (let i = 0; i < n; i++) d[i] = T[i * n + i] as number;
  for (let i = 0; i < n - 1; i++) e[i] = T[(i + 1) * n + i] as number;
  // Vt rows are eigenvectors, starting from Qt
  const Vt = Qt;
  implicitQl(d, e, Vt, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (d[b] as number) - (d[a] as number));
  const values = Float64Array.from(order, (i) => d[i] as number);
  const vectors = new Float64Array(n * n);
  order.forEach((src, r) => {
    vectors.set(Vt.subarray(src * n, src * n + n), r * n);
  });
  return { values, vectors };
}

/**
 * Householder reduction of the symmetric n × n `T` (row-major, overwritten) to tridiagonal form, applying each
 * reflection H to the rows of `Qt` too (Qt ← H·Qt), so that Qt·A·Qtᵀ = T on return.
 */
function householderTridiagonalise(T: Float64Array, Qt: Float64Array, n: number): void {
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
}

/**
 * Implicit QL with Wilkinson-type shifts on the tridiagonal (`d` diagonal, `e[i]` coupling i and i+1; both
 * overwritten: `d` ends as the eigenvalues, unsorted), rotating the rows of `Vt` alongside so that they end as
 * the matching eigenvectors.
 */
function implicitQl(d: Float64Array, e: Float64Array, Vt: Float64Array, n: number): void {
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
}

/**
 * The `k` largest eigenpairs of the symmetric n × n matrix `A` (row-major; only its lower triangle is read,
 * and `A` is overwritten). Method (LAPACK's `dsytrd` + `dstebz` + `dstein` + `dormtr` route, in our own code):
 * Householder reduction to tridiagonal form using the lower triangle only (≈ ⅔n³ multiply–adds, the
 * reflectors are kept in the vacated lower part), bisection with Sturm counts for the k largest eigenvalues,
 * inverse iteration on the tridiagonal matrix (re-orthogonalised within clusters of close eigenvalues), and
 * back-transformation of the k vectors only. Much cheaper than {@link symEig} when k ≪ n.
 * Returns eigenvalues in descending order and unit eigenvectors as rows (`vectors[r·n + j]`, r < k).
 */
export function symEigTop(A: Float64Array, n: number, k: number): SymEig {
  if (A.length !== n * n) throw new HypedError("SHAPE_MISMATCH", `symEigTop: ${A.length} values for ${n}×${n}`, {});
  if (!(Number.isInteger(k) && k >= 0 && k <= n))
    throw new HypedError("INVALID_ARGUMENT", `symEigTop: k must be in 0..${n}, got ${k}`, { k });
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  const reflect = new Uint8Array(n); // 1 when column c holds a reflector in A[c+1.., c]
  const p = new Float64Array(n);
  const w = new Float64Array(n);
  const v = new Float64Array(n);
  for (let c = 0; c < n - 2; c++) {
    const m0 = c + 1;
    let norm2 = 0;
    for (let i = m0; i < n; i++) {
      const x = A[i * n + c] as number;
      norm2 += x * x;
    }
    const x0 = A[m0 * n + c] as number;
    if (norm2 - x0 * x0 <= 1e-300 * Math.max(1, norm2)) {
      e[c] = x0;
      continue;
    }
    const alpha = x0 > 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
    let vn = 0;
    for (let i = m0; i < n; i++) {
      const x = (A[i * n + c] as number) - (i === m0 ? alpha : 0);
      v[i] = x;
      vn += x * x;
    }
    vn = 1 / Math.sqrt(vn);
    for (let i = m0; i < n; i++) v[i] = (v[i] as number) * vn;
    // p = A22·v from the lower triangle
    p.fill(0, m0);
    for (let i = m0; i < n; i++) {
      const row = i * n;
      const vi = v[i] as number;
      let s = (A[row + i] as number) * vi;
      for (let j = m0; j < i; j++) {
        const a = A[row + j] as number;
        s += a * (v[j] as number);
        p[j]! += a * vi;
      }
      p[i]! += s;
    }
    let K = 0;
    for (let i = m0; i < n; i++) K += (p[i] as number) * (v[i] as number);
    for (let i = m0; i < n; i++) w[i] = 2 * (p[i] as number) - 2 * K * (v[i] as number);
    // A22 ← A22 − v wᵀ − w vᵀ (lower triangle)
    for (let i = m0; i < n; i++) {
      const row = i * n;
      const vi = v[i] as number;
      const wi = w[i] as number;
      for (let j = m0; j <= i; j++) A[row + j]! -= vi * (w[j] as number) + wi * (v[j] as number);
    }
    e[c] = alpha;
    for (let i = m0; i < n; i++) A[i * n + c] = v[i] as number;
    reflect[c] = 1;
  }
  for (let i = 0; i < n; i++) d[i] = A[i * n + i] as number;
  if (n >= 2) e[n - 2] = A[(n - 1) * n + (n - 2)] as number;
  const { values, vectors: Y } = tridiagTop(d, e, k);
  // back-transform: z = H₀ H₁ … y (apply the last reflector first)
  const vectors = new Float64Array(k * n);
  for (let r = 0; r < k; r++) {
    const z = vectors.subarray(r * n, r * n + n);
    z.set(Y.subarray(r * n, r * n + n));
    for (let c = n - 3; c >= 0; c--) {
      if (!reflect[c]) continue;
      let s = 0;
      for (let i = c + 1; i < n; i++) s += (A[i * n + c] as number) * (z[i] as number);
      s *= 2;
      for (let i = c + 1; i < n; i++) z[i]! -= s * (A[i * n + c] as number);
    }
  }
  return { values, vectors };
}

/** The `k` largest eigenvalues of the tridiagonal (`d`, `e`) by bisection on Sturm counts, descending, and ‖T‖ (Gershgorin). */
function sturmBisectTop(d: Float64Array, e: Float64Array, k: number): { values: Float64Array; tnorm: number } {
  const n = d.length;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let maxE2 = 0;
  for (let i = 0; i < n; i++) {
    const r = (i > 0 ? Math.abs(e[i - 1] as number) : 0) + (i < n - 1 ? Math.abs(e[i] as number) : 0);
    lo = Math.min(lo, (d[i] as number) - r);
    hi = Math.max(hi, (d[i] as number) + r);
    if (i < n - 1) maxE2 = Math.max(maxE2, (e[i] as number) ** 2);
  }
  const tnorm = Math.max(Math.abs(lo), Math.abs(hi), Number.MIN_VALUE);
  const pivmin = 1e-290 * Math.max(1, maxE2);
  // number of eigenvalues < x
  const count = (x: number): number => {
    let c = 0;
    let q = (d[0] as number) - x;
    if (q < 0) c++;
    for (let i = 1; i < n; i++) {
      if (Math.abs(q) < pivmin) q = -pivmin;
      q = (d[i] as number) - x - (e[i - 1] as number) ** 2 / q;
      if (q < 0) c++;
    }
    return c;
  };
  const values = new Float64Array(k);
  let upper = hi + 1e-12 * tnorm + pivmin;
  for (let r = 0; r < k; r++) {
    const m = n - 1 - r; // ascending index
    let a = lo - 1e-12 * tnorm - pivmin;
    let b = upper;
    for (let it = 0; it < 200 && b - a > 4 * Number.EPSILON * Math.max(Math.abs(a), Math.abs(b)) + 2 * pivmin; it++) {
      const mid = 0.5 * (a + b);
      if (count(mid) <= m) a = mid;
      else b = mid;
    }
    values[r] = 0.5 * (a + b);
    upper = b;
  }
  return { values, tnorm };
}

/**
 * The `k` largest eigenpairs of the symmetric tridiagonal matrix with diagonal `d` and off-diagonal `e`
 * (`e[i]` couples i and i+1): bisection on Sturm counts, then inverse iteration with partial pivoting,
 * re-orthogonalising against earlier vectors whose eigenvalues lie within 1e-3·‖T‖ (as LAPACK's `dstein`).
 */
export function tridiagTop(d: Float64Array, e: Float64Array, k: number): SymEig {
  const n = d.length;
  const { values, tnorm } = sturmBisectTop(d, e, k);
  // inverse iteration
  const vectors = new Float64Array(k * n);
  const u0 = new Float64Array(n);
  const u1 = new Float64Array(n);
  const u2 = new Float64Array(n);
  const l = new Float64Array(n);
  const piv = new Uint8Array(n);
  const x = new Float64Array(n);
  const tiny = Math.max(Number.EPSILON * tnorm, 1e-300);
  const lcg = new Lcg32(0x2545f491);
  const rnd = () => lcg.nextUint32() / 4294967296 - 0.5;
  let clusterStart = 0;
  for (let r = 0; r < k; r++) {
    const lam = values[r] as number;
    if (r > 0 && (values[r - 1] as number) - lam > 1e-3 * tnorm) clusterStart = r;
    // LU of T − λI with partial pivoting
    let D = (d[0] as number) - lam;
    let S1 = n > 1 ? (e[0] as number) : 0;
    let S2 = 0;
    for (let i = 0; i < n - 1; i++) {
      const sub = e[i] as number;
      const dn = (d[i + 1] as number) - lam;
      const sn = i + 1 < n - 1 ? (e[i + 1] as number) : 0;
      if (Math.abs(sub) > Math.abs(D)) {
        const mult = D / sub;
        u0[i] = sub;
        u1[i] = dn;
        u2[i] = sn;
        l[i] = mult;
        piv[i] = 1;
        D = S1 - mult * dn;
        S1 = S2 - mult * sn;
      } else {
        if (D === 0) D = tiny;
        const mult = sub / D;
        u0[i] = D;
        u1[i] = S1;
        u2[i] = S2;
        l[i] = mult;
        piv[i] = 0;
        D = dn - mult * S1;
        S1 = sn - mult * S2;
      }
      S2 = 0;
    }
    u0[n - 1] = D === 0 ? tiny : D;
    for (let i = 0; i < n; i++) x[i] = rnd();
    const z = vectors.subarray(r * n, r * n + n);
    for (let it = 0; it < 5; it++) {
      // forward elimination on the right-hand side
      for (let i = 0; i < n - 1; i++) {
        if (piv[i]) {
          const t = x[i] as number;
          x[i] = x[i + 1] as number;
          x[i + 1] = t;
        }
        x[i + 1]! -= (l[i] as number) * (x[i] as number);
      }
      for (let i = n - 1; i >= 0; i--) {
        let t = x[i] as number;
        if (i + 1 < n) t -= (u1[i] as number) * (x[i + 1] as number);
        if (i + 2 < n) t -= (u2[i] as number) * (x[i + 2] as number);
        const piv0 = u0[i] as number;
        x[i] = t / (Math.abs(piv0) < tiny ? (piv0 < 0 ? -tiny : tiny) : piv0);
      }
      // orthogonalise within the cluster, normalise
      for (let q = clusterStart; q < r; q++) {
        const zq = vectors.subarray(q * n, q * n + n);
        let dot = 0;
        for (let i = 0; i < n; i++) dot += (zq[i] as number) * (x[i] as number);
        for (let i = 0; i < n; i++) x[i]! -= dot * (zq[i] as number);
      }
      let nrm = 0;
      for (let i = 0; i < n; i++) nrm += (x[i] as number) ** 2;
      nrm = Math.sqrt(nrm);
      if (!(nrm > 0) || !Number.isFinite(nrm)) {
        // overflow or a start vector in the span of earlier vectors: restart from a fresh random vector
        nrm = 0;
        for (let i = 0; i < n; i++) {
          x[i] = rnd();
          nrm += (x[i] as number) ** 2;
        }
        nrm = Math.sqrt(nrm);
      }
      for (let i = 0; i < n; i++) x[i] = (x[i] as number) / nrm;
    }
    z.set(x);
  }
  return { values, vectors };
}

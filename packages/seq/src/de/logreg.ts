/**
 * L2-penalised logistic regression as scikit-learn's `LogisticRegression()` fits it for scanpy's
 * `rank_genes_groups(method="logreg")`: binary for two classes, multinomial (softmax) for more, intercept not
 * penalised, objective `Σᵢ lossᵢ + ‖W‖² / (2C)`, solved by L-BFGS.
 *
 * scikit-learn stops at its default `tol=1e-4` / `max_iter=100`, often before the optimum; we iterate until the
 * gradient vanishes (max |∇| ≤ `gtol`·n), so coefficients equal the exact optimum (what scikit-learn returns with a
 * tight `tol`) and can differ from a default scikit-learn run in the last digits.
 */
import { denseToCsr, HypedError, isSparse, type LongTaskOptions, throwIfAborted } from "@hyped/core";
import type { Matrix } from "../anndata/index.js";
import { asCsr, numbers, shapeOf } from "../preprocess/matrix.js";

/** Options of {@link logisticRegression}. */
export interface LogisticRegressionOptions extends LongTaskOptions {
  /** Inverse regularisation strength. Default 1 (scikit-learn's `C`). */
  C?: number;
  /** Stop when max |gradient| ≤ gtol · nSamples. Default 1e-10. */
  gtol?: number;
  /** Iteration cap. Default 2000. */
  maxIter?: number;
}

/** Fitted coefficients: `coef` is rows × genes (1 row for two classes, else one per class), `intercept` per row. */
export interface LogisticRegressionFit {
  coef: Float64Array;
  intercept: Float64Array;
  rows: number;
  nIter: number;
}

/** Minimise f by L-BFGS (history 10, backtracking Armijo line search). */
function lbfgs(
  f: (x: Float64Array, g: Float64Array) => number,
  x0: Float64Array,
  gtolAbs: number,
  maxIter: number,
  signal?: AbortSignal,
): { x: Float64Array; nIter: number } {
  const n = x0.length;
  const m = 10;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let fx = f(x, g);
  const maxAbs = (v: Float64Array) => v.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
  const dot = (a: Float64Array, b: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (a[i] as number) * (b[i] as number);
    return s;
  };
  let it = 0;
  for (; it < maxIter && maxAbs(g) > gtolAbs; it++) {
    if ((it & 15) === 0) throwIfAborted(signal, "logreg");
    // two-loop recursion: d = −H·g
    const q = Float64Array.from(g);
    const alpha: number[] = [];
    for (let k = S.length - 1; k >= 0; k--) {
      const a = (rho[k] as number) * dot(S[k] as Float64Array, q);
      alpha[k] = a;
      const y = Y[k] as Float64Array;
      for (let i = 0; i < n; i++) q[i] = (q[i] as number) - a * (y[i] as number);
    }
    const gamma = S.length
      ? dot(S[S.length - 1] as Float64Array, Y[Y.length - 1] as Float64Array) /
        dot(Y[Y.length - 1] as Float64Array, Y[Y.length - 1] as Float64Array)
      : 1 / Math.max(1, maxAbs(g));
    for (let i = 0; i < n; i++) q[i] = (q[i] as number) * gamma;
    for (let k = 0; k < S.length; k++) {
      const b = (rho[k] as number) * dot(Y[k] as Float64Array, q);
      const s = S[k] as Float64Array;
      for (let i = 0; i < n; i++) q[i] = (q[i] as number) + ((alpha[k] as number) - b) * (s[i] as number);
    }
    const d = q.map((v) => -v);
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // not a descent direction: restart from steepest descent
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -(g[i] as number) / Math.max(1, maxAbs(g));
      slope = dot(g, d);
    }
    let step = 1;
    const xn = new Float64Array(n);
    const gn = new Float64Array(n);
    let fn = 0;
    for (let ls = 0; ls < 60; ls++) {
      for (let i = 0; i < n; i++) xn[i] = (x[i] as number) + step * (d[i] as number);
      fn = f(xn, gn);
      if (fn <= fx + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    const s = xn.map((v, i) => v - (x[i] as number));
    const y = gn.map((v, i) => v - (g[i] as number));
    const sy = dot(s, y);
    if (sy > 1e-300) {
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
      if (S.length > m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
    }
    if (fn >= fx && maxAbs(s) === 0) break; // no progress possible at double precision
    x = xn;
    g = gn;
    fx = fn;
  }
  return { x, nIter: it };
}

/**
 * Fit `y` (class 0..K−1 per row; rows with −1 are left out) on the rows of `X`. Two classes give one row of
 * coefficients (for class 1, scikit-learn's `coef_`), more give one row per class (multinomial).
 */
export function logisticRegression(
  X: Matrix,
  y: ArrayLike<number>,
  nClasses: number,
  options: LogisticRegressionOptions = {},
): LogisticRegressionFit {
  const { C = 1, gtol = 1e-10, maxIter = 2000 } = options;
  if (!(C > 0)) throw new HypedError("INVALID_ARGUMENT", `C must be > 0, got ${C}`, { C });
  if (!(nClasses >= 2)) throw new HypedError("INVALID_ARGUMENT", "logistic regression needs at least two classes", { nClasses });
  const [n, d] = shapeOf(X);
  if (y.length !== n) throw new HypedError("SHAPE_MISMATCH", `${y.length} labels for ${n} rows`, {});
  const csr = isSparse(X) ? asCsr(X) : denseToCsr(X as never);
  const data = numbers(csr.data);
  const rows = Array.from({ length: n }, (_, i) => i).filter((i) => (y[i] as number) >= 0);
  const R = nClasses === 2 ? 1 : nClasses;
  const P = R * (d + 1); // coefficients then intercepts
  const z = new Float64Array(R);
  const f = (w: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    for (const i of rows) {
      const a = Number(csr.indptr[i]);
      const b = Number(csr.indptr[i + 1]);
      for (let r = 0; r < R; r++) {
        let s = w[R * d + r] as number;
        for (let p = a; p < b; p++) s += (w[r * d + (csr.indices[p] as number)] as number) * (data[p] as number);
        z[r] = s;
      }
      const yi = y[i] as number;
      if (R === 1) {
        const t = z[0] as number;
        // log(1 + e^t) − y·t, stably
        loss += (t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t))) - yi * t;
        z[0] = 1 / (1 + Math.exp(-t)) - yi;
      } else {
        let mx = Number.NEGATIVE_INFINITY;
        for (let r = 0; r < R; r++) mx = Math.max(mx, z[r] as number);
        let se = 0;
        for (let r = 0; r < R; r++) se += Math.exp((z[r] as number) - mx);
        const lse = mx + Math.log(se);
        loss += lse - (z[yi] as number);
        for (let r = 0; r < R; r++) z[r] = Math.exp((z[r] as number) - lse) - (r === yi ? 1 : 0);
      }
      for (let r = 0; r < R; r++) {
        const e = z[r] as number;
        grad[R * d + r]! += e;
        for (let p = a; p < b; p++) grad[r * d + (csr.indices[p] as number)]! += e * (data[p] as number);
      }
    }
    let pen = 0;
    for (let q = 0; q < R * d; q++) {
      pen += (w[q] as number) ** 2;
      grad[q]! += (w[q] as number) / C;
    }
    return loss + pen / (2 * C);
  };
  const { x, nIter } = lbfgs(f, new Float64Array(P), gtol * Math.max(1, rows.length), maxIter, options.signal);
  return { coef: x.slice(0, R * d), intercept: x.slice(R * d), rows: R, nIter };
}

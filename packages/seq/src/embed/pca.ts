/**
 * Principal component analysis of a cells × genes matrix, as scanpy's `pp.pca` (and scikit-learn's `PCA`).
 *
 * Methods (see {@link PcaOptions.solver}): by default thick-restart Lanczos on AᵀA with A = X − 1·μᵀ the implicitly
 * centred matrix (pca-lanczos.ts, lanczos.ts), which is ARPACK's method and so scanpy's default
 * `svd_solver="arpack"`, converged to machine precision from a seeded start vector; the exact covariance solver
 * (`"gram"`, tridiagonal reduction of the genes × genes covariance, eig.ts) is kept as an option and is what the
 * tests compare against; a block Krylov solver (`"krylov"`) serves many genes with many components. Sparse input
 * is never densified.
 *
 * Signs follow scikit-learn ≥ 1.5 (what current scanpy returns): each component is flipped so that its loading of
 * largest magnitude is positive (`svd_flip(u_based_decision=False)`). scikit-learn < 1.5 made the largest score
 * positive instead, so components of older stored results may differ by sign.
 */
import { HypedError, isSparse, Lcg32, type LongTaskOptions, progressReporter, throwIfAborted } from "@hyped/core";
import type { AnnData, Matrix } from "../anndata/index.js";
import { inputMatrix, resolveMaskVar } from "../preprocess/adata.js";
import { asCsr, colMeanVar, denseFrom, denseValues, numbers, shapeOf } from "../preprocess/matrix.js";
import { symEig, symEigTop } from "./eig.js";
import { centredGramLower } from "./lanczos.js";
import { type LanczosOperator, lanczosPca, type PcaSolver, planSolver } from "./pca-lanczos.js";

/** Options of {@link pcaMatrix}. */
export interface PcaOptions extends LongTaskOptions {
  /** Number of components. Default 50, capped at min(nObs, nVars) − 1 as scanpy does. */
  nComps?: number;
  /** Subtract gene means (PCA). `false` gives a truncated SVD of X. Default true. */
  zeroCenter?: boolean;
  /** Seed of the Lanczos start vector / Krylov starting block (core's `Lcg32` stream). Default 0. */
  seed?: number;
  /**
   * Convergence tolerance. Lanczos: a Ritz pair is accepted when its residual estimate is ≤ tol·|θ| (ARPACK's
   * test); default 0, meaning machine precision (scipy's `svds(tol=0)`, what scanpy calls). Krylov: Ritz residual
   * ‖AᵀAv − θv‖ relative to θ₁, default 1e-8. Not used by `"gram"`.
   */
  tol?: number;
  /**
   * `"lanczos"`: thick-restart Lanczos on AᵀA (the method of ARPACK, which scanpy's default
   * `svd_solver="arpack"` runs through scipy's `svds`), basis size {@link PcaOptions.ncv}, seeded start vector;
   * iterative but converged to machine precision, so it agrees with the exact solvers to ~1e-10 for
   * well-separated components. `"gram"`: exact; eigendecomposition of the genes × genes covariance
   * AᵀA = XᵀX − n·μμᵀ accumulated from the stored values (sparse input is never densified), by tridiagonal
   * reduction + bisection + inverse iteration, then one Rayleigh–Ritz step with the exact centred operator; cost
   * ≈ Σ nnz(row)² + ½·genes³ whatever the number of components; the oracle of the tests. `"krylov"`:
   * thick-restarted block Krylov on the implicit operator. `"auto"` (default): Lanczos when nComps ≪ min(n,
   * genes) (its basis is smaller than the genes) and a cost model says it is cheaper than `"gram"` (always so for
   * 50 components of 2,000 genes), else `"gram"` (≤ 4096 genes), else `"krylov"`.
   */
  solver?: PcaSolver;
  /**
   * How Lanczos applies AᵀA. `"implicit"`: AᵀA·v = Xᵀ(X·v − 1·μᵀv) − μ·Σ(…), one pass over the stored values of
   * X per product, as scanpy's centred `LinearOperator`. `"gram"`: one d × d covariance formed first (8·genes²
   * bytes, ≤ 4096 genes), then dense products; X is still never densified. `"auto"` (default): the cheaper by the
   * cost model. For 20,000 cells × 2,000 log-normalised genes at 8.7% density that is `"gram"`: one implicit
   * product (a CSR gather and scatter) costs ≈ 11 ms of CPU in V8 against 3.4 ms for scipy's C loop, while the
   * covariance (≈ 0.7 s to form) is applied in ≈ 1.6 ms (WebAssembly SIMD, 2.7 ms in JavaScript); the ≈ 440
   * products that 50 components take to converge decide it.
   */
  lanczosOperator?: LanczosOperator;
  /** Lanczos basis size before a thick restart. Default max(2·nComps + 1, 20), at most genes (scipy's `ncv`). */
  ncv?: number;
}

/** Result of {@link pcaMatrix}. Arrays are row-major float64. */
export interface PcaResult {
  /** Cells × components scores (`X_pca`, U·S). */
  scores: Float64Array;
  /** Components × genes loadings (rows are unit principal axes; scanpy's `PCs` is the transpose). */
  components: Float64Array;
  /**
   * Explained variance per component: S² / (n − 1) when centred (scikit-learn's `PCA`); with `zeroCenter: false`,
   * the ddof-0 variance of each score column (scikit-learn's `TruncatedSVD`, which scanpy uses then).
   */
  variance: Float64Array;
  /** Fraction of the total variance of X (ddof 1 when centred, ddof 0 with `zeroCenter: false`, as scikit-learn). */
  varianceRatio: Float64Array;
  /** Gene means that were subtracted (zeros when `zeroCenter` is false). */
  mean: Float64Array;
  nObs: number;
  nVars: number;
  nComps: number;
}

/** A seeded uniform(−1, 1) stream (core's {@link Lcg32} from `seed ^ 0x9e3779b9`, deterministic across platforms). */
function lcgSigned(seed: number): () => number {
  const g = new Lcg32(seed ^ 0x9e3779b9);
  return () => (g.nextUint32() / 4294967296) * 2 - 1;
}

/** Multiply the centred operator: out(n×b) = A · V(d×b). */
function makeOps(X: Matrix, mean: Float64Array) {
  const [n, d] = shapeOf(X);
  const sparse = isSparse(X);
  const csr = sparse ? asCsr(X) : null;
  const data = csr ? numbers(csr.data) : denseValues(X as never);
  const av = (V: Float64Array, b: number): Float64Array => {
    const out = new Float64Array(n * b);
    const mu = new Float64Array(b);
    for (let j = 0; j < d; j++) {
      const m = mean[j] as number;
      if (m === 0) continue;
      for (let c = 0; c < b; c++) mu[c]! += m * (V[j * b + c] as number);
    }
    for (let i = 0; i < n; i++) {
      const o = i * b;
      if (csr) {
        for (let p = Number(csr.indptr[i]); p < Number(csr.indptr[i + 1]); p++) {
          const x = data[p] as number;
          const vj = (csr.indices[p] as number) * b;
          for (let c = 0; c < b; c++) out[o + c]! += x * (V[vj + c] as number);
        }
      } else {
        for (let j = 0; j < d; j++) {
          const x = data[i * d + j] as number;
          if (x === 0) continue;
          const vj = j * b;
          for (let c = 0; c < b; c++) out[o + c]! += x * (V[vj + c] as number);
        }
      }
      for (let c = 0; c < b; c++) out[o + c]! -= mu[c] as number;
    }
    return out;
  };
  const atu = (U: Float64Array, b: number): Float64Array => {
    const out = new Float64Array(d * b);
    const colSum = new Float64Array(b);
    for (let i = 0; i < n; i++) {
      const o = i * b;
      for (let c = 0; c < b; c++) colSum[c]! += U[o + c] as number;
      if (csr) {
        for (let p = Number(csr.indptr[i]); p < Number(csr.indptr[i + 1]); p++) {
          const x = data[p] as number;
          const oj = (csr.indices[p] as number) * b;
          for (let c = 0; c < b; c++) out[oj + c]! += x * (U[o + c] as number);
        }
      } else {
        for (let j = 0; j < d; j++) {
          const x = data[i * d + j] as number;
          if (x === 0) continue;
          const oj = j * b;
          for (let c = 0; c < b; c++) out[oj + c]! += x * (U[o + c] as number);
        }
      }
    }
    for (let j = 0; j < d; j++) {
      const m = mean[j] as number;
      if (m === 0) continue;
      for (let c = 0; c < b; c++) out[j * b + c]! -= m * (colSum[c] as number);
    }
    return out;
  };
  return { av, atu };
}

/** Dot product of two vectors. */
function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j] as number) * (b[j] as number);
  return s;
}

/** y += α·x. */
function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  for (let j = 0; j < x.length; j++) y[j]! += alpha * (x[j] as number);
}

/**
 * Orthonormalise `vs` against the basis vectors and among themselves (two Gram–Schmidt passes). Vectors whose
 * norm collapses below `drop` of their original norm are dropped.
 */
function orthonormalise(vs: Float64Array[], basis: Float64Array[], drop: number): Float64Array[] {
  const kept: Float64Array[] = [];
  for (const v of vs) {
    const n0 = Math.sqrt(dot(v, v));
    let before = n0;
    let nrm = n0;
    // "twice is enough": repeat the projection only when it removed most of the vector
    for (let pass = 0; pass < 2; pass++) {
      for (const q of basis) axpy(-dot(q, v), q, v);
      for (const q of kept) axpy(-dot(q, v), q, v);
      nrm = Math.sqrt(dot(v, v));
      if (nrm > 0.7 * before) break;
      before = nrm;
    }
    if (nrm === 0 || nrm <= drop * n0) continue;
    for (let j = 0; j < v.length; j++) v[j] = (v[j] as number) / nrm;
    kept.push(v);
  }
  return kept;
}

/** Column vectors → d × b row-major block. */
function toRows(vs: Float64Array[], d: number): Float64Array {
  const b = vs.length;
  const out = new Float64Array(d * b);
  vs.forEach((v, c) => {
    for (let j = 0; j < d; j++) out[j * b + c] = v[j] as number;
  });
  return out;
}

/** d × b row-major block → column vectors. */
function toCols(B: Float64Array, d: number, b: number): Float64Array[] {
  return Array.from({ length: b }, (_, c) => {
    const v = new Float64Array(d);
    for (let j = 0; j < d; j++) v[j] = B[j * b + c] as number;
    return v;
  });
}

type BlockOp = (V: Float64Array, b: number) => Float64Array;

/**
 * Top-k eigenpairs (θ = σ², right singular vectors) of AᵀA by thick-restarted block Krylov (see module docs).
 * Longer than ~100 lines on purpose: one algorithm whose stages (expand the basis, Rayleigh–Ritz, residual test,
 * thick restart) all read and rewrite the same basis Q, its images W and the projected matrix T; split apart they
 * would pass that whole state back and forth.
 */
function krylovTop(d: number, k: number, av: BlockOp, atu: BlockOp, seed: number, tol: number, options: LongTaskOptions) {
  const { signal } = options;
  const block = Math.min(d, k + 10);
  const rnd = lcgSigned(seed);
  const Q: Float64Array[] = []; // orthonormal basis vectors (length d)
  const W: Float64Array[] = []; // their images AᵀA q
  let T = new Float64Array(0); // Qᵀ W, grown as vectors arrive (row-major, stride cap)
  let cap = 0;
  const setT = (r: number, c: number, v: number) => {
    T[r * cap + c] = v;
  };
  const ensureCap = (need: number) => {
    if (need <= cap) return;
    const nc = Math.max(need, 2 * cap, 64);
    const nt = new Float64Array(nc * nc);
    for (let r = 0; r < cap; r++) for (let c = 0; c < cap; c++) nt[r * nc + c] = T[r * cap + c] as number;
    T = nt;
    cap = nc;
  };
  const addVectors = (vs: Float64Array[]) => {
    if (vs.length === 0) return;
    const img = toCols(atu(av(toRows(vs, d), vs.length), vs.length), d, vs.length);
    const start = Q.length;
    ensureCap(start + vs.length);
    vs.forEach((q, a) => {
      Q.push(q);
      W.push(img[a] as Float64Array);
    });
    for (let r = start; r < Q.length; r++) {
      for (let c = 0; c <= r; c++) {
        const v = dot(Q[c] as Float64Array, W[r] as Float64Array);
        setT(r, c, v);
        setT(c, r, v);
      }
    }
  };
  const maxDim = Math.max(4 * block, 2 * k + 2 * block);
  let next = orthonormalise(
    Array.from({ length: block }, () => Float64Array.from({ length: d }, () => rnd())),
    [],
    1e-10,
  );
  const progress = progressReporter(options.onProgress, "Krylov blocks", undefined, "pca");
  let theta = new Float64Array(k);
  let V: Float64Array[] = []; // Ritz vectors (top k)
  for (;;) {
    throwIfAborted(signal, "pca");
    const lastStart = Q.length;
    addVectors(next);
    progress.tick();
    const dim = Q.length;
    const fresh = W.slice(lastStart).map((w) => Float64Array.from(w));
    const candidate = dim < d ? orthonormalise(fresh, Q, 1e-10) : [];
    const exhausted = candidate.length === 0;
    if (!exhausted && (dim < k || (dim < 2 * block && dim + block <= maxDim))) {
      next = candidate;
      continue;
    }
    // Rayleigh–Ritz
    const Tm = new Float64Array(dim * dim);
    for (let r = 0; r < dim; r++) for (let c = 0; c < dim; c++) Tm[r * dim + c] = T[r * cap + c] as number;
    const eig = symEig(Tm, dim);
    const m = Math.min(dim, Math.max(k, Math.min(dim, k + block)));
    const ritz = (c: number, from: Float64Array[]) => {
      const out = new Float64Array(d);
      for (let r = 0; r < dim; r++) {
        const y = eig.vectors[c * dim + r] as number;
        if (y !== 0) axpy(y, from[r] as Float64Array, out);
      }
      return out;
    };
    theta = Float64Array.from({ length: k }, (_, c) => (c < dim ? (eig.values[c] as number) : 0));
    V = Array.from({ length: Math.min(k, dim) }, (_, c) => ritz(c, Q));
    if (exhausted) break;
    let worst = 0;
    const resid: Float64Array[] = [];
    for (let c = 0; c < Math.min(k, dim); c++) {
      const r = ritz(c, W);
      axpy(-(theta[c] as number), V[c] as Float64Array, r);
      worst = Math.max(worst, Math.sqrt(dot(r, r)) / Math.max(theta[0] as number, 1e-300));
      resid.push(r);
    }
    if (worst < tol) break;
    if (dim + block > maxDim) {
      // thick restart: keep the top m Ritz vectors (T becomes diagonal) and expand from the residuals
      const keepQ = Array.from({ length: m }, (_, c) => (c < V.length ? (V[c] as Float64Array) : ritz(c, Q)));
      const keepW = Array.from({ length: m }, (_, c) => ritz(c, W));
      Q.length = 0;
      W.length = 0;
      T.fill(0);
      keepQ.forEach((q, c) => {
        Q.push(q);
        W.push(keepW[c] as Float64Array);
        setT(c, c, eig.values[c] as number);
      });
      next = orthonormalise(resid.slice(0, block), Q, 1e-10);
      if (next.length === 0) break;
      continue;
    }
    next = candidate;
  }
  progress.finish();
  return { theta, V };
}

/**
 * Top-k eigenpairs of AᵀA from the explicit genes × genes covariance (see {@link PcaOptions.solver}):
 * G = XᵀX − n·μμᵀ ({@link centredGramLower}); the k + 10 largest eigenpairs by {@link symEigTop}; then one
 * Rayleigh–Ritz step with the exact centred operator (AᵀA V computed from X, so the cancellation in
 * XᵀX − n·μμᵀ does not limit the accuracy of the variances).
 */
function gramTop(X: Matrix, mean: Float64Array, k: number, av: BlockOp, atu: BlockOp, options: LongTaskOptions) {
  const d = shapeOf(X)[1];
  const G = centredGramLower(X, mean, options);
  const kk = Math.min(d, k + 10);
  const top = symEigTop(G, d, kk);
  // Rayleigh–Ritz with the exact operator on the kk vectors
  const Vs = orthonormalise(
    Array.from({ length: kk }, (_, r) => Float64Array.from(top.vectors.subarray(r * d, r * d + d))),
    [],
    1e-8,
  );
  const b = Vs.length;
  const W = toCols(atu(av(toRows(Vs, d), b), b), d, b);
  const B = new Float64Array(b * b);
  for (let r = 0; r < b; r++) {
    for (let c = 0; c <= r; c++) {
      const v = 0.5 * (dot(Vs[r] as Float64Array, W[c] as Float64Array) + dot(Vs[c] as Float64Array, W[r] as Float64Array));
      B[r * b + c] = v;
      B[c * b + r] = v;
    }
  }
  const eig = symEig(B, b);
  const m = Math.min(k, b);
  const theta = Float64Array.from({ length: k }, (_, c) => (c < b ? (eig.values[c] as number) : 0));
  const V = Array.from({ length: m }, (_, c) => {
    const out = new Float64Array(d);
    for (let r = 0; r < b; r++) {
      const y = eig.vectors[c * b + r] as number;
      if (y !== 0) axpy(y, Vs[r] as Float64Array, out);
    }
    return out;
  });
  return { theta, V };
}

/**
 * PCA of `X` (cells × genes, dense or sparse). Matches `sklearn.decomposition.PCA(n_components, svd_solver="full")`
 * (and scanpy's `pp.pca` with `zero_center=True`) up to ~1e-10, with scikit-learn's sign convention.
 *
 * scanpy's default solver is `svd_solver="arpack"`: for sparse input scipy's `svds` (ARPACK, `tol=0`) on the
 * implicitly centred operator, started from a random vector of `random_state=0`. Ours by default (nComps ≪ genes)
 * is the same method, thick-restart Lanczos converged to machine precision (4ε), from our own seeded start vector
 * (`seed`, default 0); so results equal ARPACK's to rounding (1 − |cos| ≈ 1e-14 per component on 20k × 2,000),
 * not bit for bit. `solver: "gram"` is the exact covariance solver the tests use as the oracle.
 */
export function pcaMatrix(X: Matrix, options: PcaOptions = {}): PcaResult {
  const [n, d] = shapeOf(X);
  const { zeroCenter = true, seed = 0 } = options;
  const maxComps = Math.min(n, d) - (zeroCenter ? 1 : 0);
  const k = Math.min(options.nComps ?? 50, maxComps);
  if (!(k >= 1)) throw new HypedError("INVALID_ARGUMENT", `PCA needs at least 2 cells and 2 genes (got ${n}×${d})`, { n, d });
  const stats = colMeanVar(X, 1);
  const mean = zeroCenter ? stats.mean : new Float64Array(d);
  const { av, atu } = makeOps(X, mean);
  const plan = planSolver(X, k, options);
  const top =
    plan.solver === "gram"
      ? gramTop(X, mean, k, av, atu, options)
      : plan.solver === "krylov"
        ? krylovTop(d, k, av, atu, seed, options.tol ?? 1e-8, options)
        : lanczosPca(X, mean, k, plan.operator, options);
  const theta = top.theta;
  const V = top.V;
  if (V.length === 0) throw new HypedError("INVALID_ARGUMENT", "PCA: the matrix has rank 0", {});
  const components = new Float64Array(k * d);
  V.forEach((v, c) => {
    components.set(v, c * d);
  });
  // scores = A · Vᵀ
  const Vt = new Float64Array(d * k);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) Vt[j * k + c] = components[c * d + j] as number;
  const scores = av(Vt, k);
  // scikit-learn ≥ 1.5 `svd_flip(u_based_decision=False)`: the loading of largest magnitude of each component
  // is positive (first such gene on ties, as numpy's argmax)
  for (let c = 0; c < k; c++) {
    let best = -1;
    let at = 0;
    for (let j = 0; j < d; j++) {
      const v = Math.abs(components[c * d + j] as number);
      if (v > best) {
        best = v;
        at = j;
      }
    }
    if ((components[c * d + at] as number) < 0) {
      for (let i = 0; i < n; i++) scores[i * k + c] = -(scores[i * k + c] as number);
      for (let j = 0; j < d; j++) components[c * d + j] = -(components[c * d + j] as number);
    }
  }
  let variance: Float64Array;
  let totalVar = 0;
  if (zeroCenter) {
    // PCA: S² / (n − 1), over the total ddof-1 variance of X
    variance = Float64Array.from(theta, (t) => Math.max(t, 0) / (n - 1));
    for (const v of stats.var) totalVar += v;
  } else {
    // TruncatedSVD: the ddof-0 variance of each score column, over the total ddof-0 variance of X
    variance = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      let m = 0;
      for (let i = 0; i < n; i++) m += scores[i * k + c] as number;
      m /= n;
      let s = 0;
      for (let i = 0; i < n; i++) s += ((scores[i * k + c] as number) - m) ** 2;
      variance[c] = s / n;
    }
    for (const v of stats.var) totalVar += (v * (n - 1)) / n;
  }
  const varianceRatio = variance.map((v) => v / totalVar);
  return { scores, components, variance, varianceRatio, mean, nObs: n, nVars: d, nComps: k };
}

/** Options of {@link pca} (the AnnData wrapper). */
export interface PcaAnnDataOptions extends PcaOptions {
  /** Layer to use instead of X. */
  layer?: string;
  /**
   * Genes to use, as scanpy's `mask_var`: a boolean var column name, a mask (one 0/1 per gene) or `null` for all
   * genes. Default: `"highly_variable"` when that column exists, else all genes (scanpy's default).
   */
  maskVar?: string | ArrayLike<number | boolean> | null;
  /** Deprecated in scanpy (use `maskVar`): `true` = `maskVar: "highly_variable"`, `false` = `maskVar: null`. */
  useHighlyVariable?: boolean;
  /**
   * Precision of what is stored (`X_pca`, `PCs`, variances). scanpy's `dtype` default is `"float32"`; ours is
   * `"float64"` (computation is float64 either way; `"float32"` rounds the stored values as scanpy does).
   */
  dtype?: "float64" | "float32";
}

/**
 * {@link pcaMatrix} on an AnnData, as `scanpy.pp.pca`: uses only the genes of `maskVar` (default
 * `var.highly_variable` when that column exists, as scanpy); writes `obsm.X_pca` (cells × comps), `varm.PCs`
 * (genes × comps, zero rows for masked-out genes) and `uns.pca = { variance, variance_ratio, params }`.
 * The solver follows scanpy's default `svd_solver="arpack"` by method (Lanczos, see {@link pcaMatrix} and
 * {@link PcaOptions.solver}). Returns `adata`.
 */
export function pca(adata: AnnData, options: PcaAnnDataOptions = {}): AnnData {
  const maskArg =
    options.maskVar !== undefined
      ? options.maskVar
      : options.useHighlyVariable === undefined
        ? undefined
        : options.useHighlyVariable
          ? "highly_variable"
          : null;
  if (options.useHighlyVariable && !adata.var.has("highly_variable"))
    throw new HypedError("NOT_FOUND", "useHighlyVariable is set but var.highly_variable is missing; run highlyVariableGenes first", {});
  const genes = resolveMaskVar(adata, maskArg);
  let X = inputMatrix(adata, options.layer);
  if (genes) {
    const sub = adata.varSubset(genes);
    X = (options.layer !== undefined ? sub.layers.get(options.layer) : sub.X) as Matrix;
  }
  const r = pcaMatrix(X, options);
  const f32 = options.dtype === "float32";
  if (options.dtype !== undefined && options.dtype !== "float32" && options.dtype !== "float64")
    throw new HypedError("INVALID_ARGUMENT", `dtype must be 'float32' or 'float64', got '${String(options.dtype)}'`, {});
  const cast = (a: Float64Array) => (f32 ? Float32Array.from(a) : a);
  adata.obsm.set("X_pca", denseFrom(cast(r.scores), r.nObs, r.nComps));
  const pcs = new Float64Array(adata.nVars * r.nComps);
  for (let c = 0; c < r.nComps; c++) {
    for (let jj = 0; jj < r.nVars; jj++) {
      const j = genes ? (genes[jj] as number) : jj;
      pcs[j * r.nComps + c] = r.components[c * r.nVars + jj] as number;
    }
  }
  adata.varm.set("PCs", denseFrom(cast(pcs), adata.nVars, r.nComps));
  adata.uns.pca = {
    variance: cast(r.variance),
    variance_ratio: cast(r.varianceRatio),
    params: { zero_center: options.zeroCenter ?? true, use_highly_variable: genes !== null, mask_var: genes !== null, n_comps: r.nComps },
  };
  return adata;
}

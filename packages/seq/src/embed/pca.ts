/**
 * Principal component analysis of a cells × genes matrix, as scanpy's `pp.pca` (and scikit-learn's `PCA`).
 *
 * Method: block Krylov iteration on the implicitly centred operator A = X − 1·μᵀ (sparse input is never
 * densified), full re-orthogonalisation, Rayleigh–Ritz with a dense symmetric eigensolver (eig.ts), iterated
 * until every wanted Ritz pair has a relative residual below `tol`. The result equals a full SVD to
 * ~1e-10 for well-separated components. Signs follow scikit-learn's `svd_flip`: the entry of largest
 * magnitude of each score column is positive.
 */
import { HypedError, isSparse, type LongTaskOptions, progressReporter, throwIfAborted } from "@hyped/core";
import type { AnnData, Matrix } from "../anndata/index.js";
import { inputMatrix } from "../preprocess/adata.js";
import { asCsr, colMeanVar, denseFrom, denseValues, numbers, shapeOf } from "../preprocess/matrix.js";
import { symEig } from "./eig.js";

/** Options of {@link pcaMatrix}. */
export interface PcaOptions extends LongTaskOptions {
  /** Number of components. Default 50, capped at min(nObs, nVars) − 1 as scanpy does. */
  nComps?: number;
  /** Subtract gene means (PCA). `false` gives a truncated SVD of X. Default true. */
  zeroCenter?: boolean;
  /** Seed of the random starting block. Default 0. */
  seed?: number;
  /** Convergence: relative Ritz residual. Default 1e-12. */
  tol?: number;
}

/** Result of {@link pcaMatrix}. Arrays are row-major float64. */
export interface PcaResult {
  /** Cells × components scores (`X_pca`, U·S). */
  scores: Float64Array;
  /** Components × genes loadings (rows are unit principal axes; scanpy's `PCs` is the transpose). */
  components: Float64Array;
  /** Explained variance per component (S² / (n − 1)). */
  variance: Float64Array;
  /** Fraction of the total variance. */
  varianceRatio: Float64Array;
  /** Gene means that were subtracted (zeros when `zeroCenter` is false). */
  mean: Float64Array;
  nObs: number;
  nVars: number;
  nComps: number;
}

/** A seeded uniform(−1, 1) stream (integer LCG, deterministic across platforms). */
function lcgUniform(seed: number): () => number {
  let s = (seed ^ 0x9e3779b9) >>> 0;
  return () => {
    s = (Math.imul(1664525, s) + 1013904223) >>> 0;
    return (s / 4294967296) * 2 - 1;
  };
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

/**
 * Orthonormalise the columns of `B` (d×b, row-major) against the basis columns (`basis`, list of d×bᵢ blocks)
 * and among themselves (two passes of Gram–Schmidt). Columns whose norm collapses below `drop` are removed.
 */
function orthonormalise(
  B: Float64Array,
  d: number,
  b: number,
  basis: Array<{ Q: Float64Array; b: number }>,
  drop: number,
): { Q: Float64Array; b: number } {
  const cols: Float64Array[] = [];
  for (let c = 0; c < b; c++) {
    const v = new Float64Array(d);
    for (let j = 0; j < d; j++) v[j] = B[j * b + c] as number;
    cols.push(v);
  }
  const kept: Float64Array[] = [];
  for (const v of cols) {
    const n0 = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    for (let pass = 0; pass < 2; pass++) {
      for (const blk of basis) {
        for (let c = 0; c < blk.b; c++) {
          let dot = 0;
          for (let j = 0; j < d; j++) dot += (blk.Q[j * blk.b + c] as number) * (v[j] as number);
          for (let j = 0; j < d; j++) v[j]! -= dot * (blk.Q[j * blk.b + c] as number);
        }
      }
      for (const u of kept) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += (u[j] as number) * (v[j] as number);
        for (let j = 0; j < d; j++) v[j]! -= dot * (u[j] as number);
      }
    }
    const nrm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    if (nrm <= drop * Math.max(n0, 1e-300) || nrm === 0) continue;
    for (let j = 0; j < d; j++) v[j] = (v[j] as number) / nrm;
    kept.push(v);
  }
  const nb = kept.length;
  const Q = new Float64Array(d * nb);
  kept.forEach((v, c) => {
    for (let j = 0; j < d; j++) Q[j * nb + c] = v[j] as number;
  });
  return { Q, b: nb };
}

/**
 * PCA of `X` (cells × genes, dense or sparse). Matches `sklearn.decomposition.PCA(n_components, svd_solver="full")`
 * (and scanpy's `pp.pca` with `zero_center=True`) up to ~1e-10, with scikit-learn's sign convention.
 */
export function pcaMatrix(X: Matrix, options: PcaOptions = {}): PcaResult {
  const [n, d] = shapeOf(X);
  const { zeroCenter = true, seed = 0, tol = 1e-12, signal } = options;
  const maxComps = Math.min(n, d) - (zeroCenter ? 1 : 0);
  const k = Math.min(options.nComps ?? 50, maxComps);
  if (!(k >= 1)) throw new HypedError("INVALID_ARGUMENT", `PCA needs at least 2 cells and 2 genes (got ${n}×${d})`, { n, d });
  const stats = colMeanVar(X, 1);
  const mean = zeroCenter ? stats.mean : new Float64Array(d);
  const { av, atu } = makeOps(X, mean);
  const block = Math.min(d, k + 10);
  const rnd = lcgUniform(seed);
  const start = Float64Array.from({ length: d * block }, () => rnd());
  const basis: Array<{ Q: Float64Array; b: number }> = [];
  const images: Float64Array[] = []; // Wᵢ = AᵀA Qᵢ
  const tCache = new Map<string, Float64Array>(); // Qᵢᵀ Wⱼ blocks
  let next = orthonormalise(start, d, block, basis, 1e-10);
  const progress = progressReporter(options.onProgress, "Krylov blocks", undefined, "pca");
  let theta: number[] = [];
  let Y: Float64Array | null = null; // dim × k Ritz coefficients (row-major)
  let dim = 0;
  for (let iter = 0; ; iter++) {
    throwIfAborted(signal, "pca");
    if (next.b === 0) break;
    basis.push(next);
    dim += next.b;
    const W = atu(av(next.Q, next.b), next.b);
    images.push(W);
    progress.tick();
    const exhausted = dim >= d;
    if (dim >= k && (exhausted || iter % 2 === 1 || dim >= 2 * k)) {
      // Rayleigh–Ritz on the whole basis
      const T = new Float64Array(dim * dim);
      let r0 = 0;
      for (let bi = 0; bi < basis.length; bi++) {
        const Qi = basis[bi] as { Q: Float64Array; b: number };
        let c0 = 0;
        for (let bj = 0; bj < images.length; bj++) {
          const bjb = (basis[bj] as { b: number }).b;
          if (bj >= bi) {
            const key = `${bi},${bj}`;
            let blk = tCache.get(key);
            if (!blk) {
              const Wj = images[bj] as Float64Array;
              blk = new Float64Array(Qi.b * bjb);
              for (let j = 0; j < d; j++) {
                for (let a = 0; a < Qi.b; a++) {
                  const q = Qi.Q[j * Qi.b + a] as number;
                  if (q === 0) continue;
                  for (let c = 0; c < bjb; c++) blk[a * bjb + c]! += q * (Wj[j * bjb + c] as number);
                }
              }
              tCache.set(key, blk);
            }
            for (let a = 0; a < Qi.b; a++) {
              for (let c = 0; c < bjb; c++) {
                const v = blk[a * bjb + c] as number;
                T[(r0 + a) * dim + c0 + c] = v;
                T[(c0 + c) * dim + r0 + a] = v;
              }
            }
          }
          c0 += bjb;
        }
        r0 += Qi.b;
      }
      const eig = symEig(T, dim);
      theta = Array.from(eig.values.subarray(0, k));
      Y = new Float64Array(dim * k);
      for (let c = 0; c < k; c++) for (let r = 0; r < dim; r++) Y[r * k + c] = eig.vectors[c * dim + r] as number;
      if (exhausted) break;
      // residuals ‖W y − θ Q y‖ / θ₁
      let worst = 0;
      for (let c = 0; c < k; c++) {
        const qy = new Float64Array(d);
        const wy = new Float64Array(d);
        let r = 0;
        for (let bi = 0; bi < basis.length; bi++) {
          const { Q, b } = basis[bi] as { Q: Float64Array; b: number };
          const Wb = images[bi] as Float64Array;
          for (let a = 0; a < b; a++) {
            const y = (Y as Float64Array)[(r + a) * k + c] as number;
            if (y === 0) continue;
            for (let j = 0; j < d; j++) {
              qy[j]! += y * (Q[j * b + a] as number);
              wy[j]! += y * (Wb[j * b + a] as number);
            }
          }
          r += b;
        }
        let res = 0;
        const th = theta[c] as number;
        for (let j = 0; j < d; j++) {
          const e = (wy[j] as number) - th * (qy[j] as number);
          res += e * e;
        }
        worst = Math.max(worst, Math.sqrt(res) / Math.max(theta[0] as number, 1e-300));
      }
      if (worst < tol) break;
    }
    if (dim >= d) break;
    next = orthonormalise(W, d, next.b, basis, 1e-10);
  }
  progress.finish();
  if (!Y) throw new HypedError("INVALID_ARGUMENT", "PCA: the matrix has rank 0", {});
  // components (k×d)
  const components = new Float64Array(k * d);
  let r = 0;
  for (const { Q, b } of basis) {
    for (let a = 0; a < b; a++) {
      for (let c = 0; c < k; c++) {
        const y = (Y as Float64Array)[(r + a) * k + c] as number;
        if (y === 0) continue;
        for (let j = 0; j < d; j++) components[c * d + j]! += y * (Q[j * b + a] as number);
      }
    }
    r += b;
  }
  // scores = A · Vᵀ
  const Vt = new Float64Array(d * k);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) Vt[j * k + c] = components[c * d + j] as number;
  const scores = av(Vt, k);
  for (let c = 0; c < k; c++) {
    let best = 0;
    let at = 0;
    for (let i = 0; i < n; i++) {
      const v = Math.abs(scores[i * k + c] as number);
      if (v > best) {
        best = v;
        at = i;
      }
    }
    if ((scores[at * k + c] as number) < 0) {
      for (let i = 0; i < n; i++) scores[i * k + c] = -(scores[i * k + c] as number);
      for (let j = 0; j < d; j++) components[c * d + j] = -(components[c * d + j] as number);
    }
  }
  const variance = Float64Array.from(theta, (t) => Math.max(t, 0) / (n - 1));
  let totalVar = 0;
  if (zeroCenter) for (const v of stats.var) totalVar += v;
  else {
    // uncentred: total "variance" as scikit-learn's TruncatedSVD reports it (variance of X)
    for (const v of stats.var) totalVar += v;
  }
  const varianceRatio = variance.map((v) => v / totalVar);
  return { scores, components, variance, varianceRatio, mean, nObs: n, nVars: d, nComps: k };
}

/**
 * {@link pcaMatrix} on an AnnData, as `scanpy.pp.pca`: uses only the genes with `var.highly_variable` when that
 * column exists (scanpy's default `mask_var`) unless `useHighlyVariable: false`; writes `obsm.X_pca`
 * (cells × comps), `varm.PCs` (genes × comps, zero rows for masked-out genes) and
 * `uns.pca = { variance, variance_ratio, params }`. Returns `adata`.
 */
export function pca(adata: AnnData, options: PcaOptions & { layer?: string; useHighlyVariable?: boolean } = {}): AnnData {
  let X = inputMatrix(adata, options.layer);
  let genes: Int32Array | null = null;
  const useHv = options.useHighlyVariable ?? adata.var.has("highly_variable");
  if (useHv) {
    if (!adata.var.has("highly_variable"))
      throw new HypedError("NOT_FOUND", "useHighlyVariable is set but var.highly_variable is missing; run highlyVariableGenes first", {});
    const mask = adata.var.get("highly_variable").toFloat64();
    genes = Int32Array.from(Array.from(mask.keys()).filter((j) => (mask[j] as number) !== 0));
    X = adata.varSubset(genes).X as Matrix;
    if (options.layer !== undefined) X = adata.varSubset(genes).layers.get(options.layer) as Matrix;
  }
  const r = pcaMatrix(X, options);
  adata.obsm.set("X_pca", denseFrom(r.scores, r.nObs, r.nComps));
  const pcs = new Float64Array(adata.nVars * r.nComps);
  for (let c = 0; c < r.nComps; c++) {
    for (let jj = 0; jj < r.nVars; jj++) {
      const j = genes ? (genes[jj] as number) : jj;
      pcs[j * r.nComps + c] = r.components[c * r.nVars + jj] as number;
    }
  }
  adata.varm.set("PCs", denseFrom(pcs, adata.nVars, r.nComps));
  adata.uns.pca = {
    variance: r.variance,
    variance_ratio: r.varianceRatio,
    params: { zero_center: options.zeroCenter ?? true, use_highly_variable: useHv, n_comps: r.nComps },
  };
  return adata;
}

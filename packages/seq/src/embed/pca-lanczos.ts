/**
 * PCA's solver choice and its Lanczos path (ARPACK's method, scanpy's default `svd_solver="arpack"`). Kept apart
 * from pca.ts so that each file stays one idea: pca.ts assembles scores, signs and variances; this file picks how
 * the top eigenpairs of AᵀA are found.
 */
import { HypedError, isSparse, type LongTaskOptions } from "@hyped/core";
import type { Matrix } from "../anndata/index.js";
import { shapeOf } from "../preprocess/matrix.js";
import { centredGramLower, centredGramOperator, denseSymmetricOperator, lanczosTop } from "./lanczos.js";

/** PCA eigensolvers (see `PcaOptions.solver`). */
export type PcaSolver = "auto" | "lanczos" | "gram" | "krylov";
/** How the Lanczos solver applies AᵀA (see `PcaOptions.lanczosOperator`). */
export type LanczosOperator = "auto" | "implicit" | "gram";

/** Largest genes count for which a genes × genes covariance (8·d² bytes, 128 MiB at 4096) is formed. */
export const GRAM_MAX_GENES = 4096;

/** The solver options read by {@link planSolver} and {@link lanczosPca}. */
export interface LanczosPlanOptions extends LongTaskOptions {
  solver?: PcaSolver;
  lanczosOperator?: LanczosOperator;
  ncv?: number;
  tol?: number;
  seed?: number;
}

/** Basis size of the Lanczos solver: scipy's/ARPACK's default `ncv = max(2k + 1, 20)`, at most d. */
export function lanczosNcv(k: number, d: number, ncv?: number): number {
  return Math.min(d, ncv ?? Math.max(2 * k + 1, 20));
}

/**
 * Pick the solver and, for Lanczos, its operator, from a cost model in multiply–adds weighted by what each loop
 * costs in V8 on x86-64 (measured: a CSR gather/scatter ≈ 1.5 ns per stored value and vector, a contiguous dense
 * dot ≈ 0.66 ns, the same in WebAssembly SIMD ≈ 0.4 ns, the covariance scatter ≈ 2.5 ns per pair of stored values of a row). Lanczos is assumed to need ≈ 4.5·ncv operator products (what it
 * and ARPACK take for 50 components of log-normalised counts at machine precision).
 */
export function planSolver(
  X: Matrix,
  k: number,
  options: LanczosPlanOptions,
): { solver: "lanczos" | "gram" | "krylov"; operator: "implicit" | "gram" } {
  const [n, d] = shapeOf(X);
  const solver = options.solver ?? "auto";
  const wanted = options.lanczosOperator ?? "auto";
  if (!["auto", "lanczos", "gram", "krylov"].includes(solver))
    throw new HypedError("INVALID_ARGUMENT", `unknown PCA solver '${String(solver)}' (auto, lanczos, gram, krylov)`, { solver });
  if (!["auto", "implicit", "gram"].includes(wanted))
    throw new HypedError("INVALID_ARGUMENT", `unknown Lanczos operator '${String(wanted)}' (auto, implicit, gram)`, { wanted });
  const sparse = isSparse(X);
  let nnz = n * d;
  let pairs = (n * d * (d + 1)) / 2;
  if (sparse) {
    nnz = X.data.length;
    pairs = 0;
    const major = X.format === "csr" ? n : d;
    // per-row counts of a CSC matrix are not at hand; its average row stands in
    for (let i = 0; i < major; i++) {
      const r = Number(X.indptr[i + 1]) - Number(X.indptr[i]);
      pairs += (r * (r + 1)) / 2;
    }
    if (X.format !== "csr") pairs = (n * (nnz / n) * (nnz / n + 1)) / 2;
  }
  const ops = 4.5 * lanczosNcv(k, d, options.ncv);
  const gramOk = d <= GRAM_MAX_GENES;
  const costImplicit = ops * 2 * nnz * (sparse ? 1.5 : 0.66);
  const costLanczosGram = gramOk ? 2.5 * pairs + ops * d * d * 0.4 : Number.POSITIVE_INFINITY;
  const operator = wanted !== "auto" ? wanted : costLanczosGram < costImplicit ? "gram" : "implicit";
  if (solver === "lanczos" || solver === "gram" || solver === "krylov") return { solver, operator };
  const costExact = gramOk ? 2.5 * pairs + 0.5 * d * d * d + (k + 10) * 2 * nnz * 0.66 : Number.POSITIVE_INFINITY;
  const lanczosOk = lanczosNcv(k, d, options.ncv) < d;
  const costLanczos = lanczosOk ? Math.min(costImplicit, costLanczosGram) : Number.POSITIVE_INFINITY;
  if (costLanczos <= costExact && lanczosOk) return { solver: "lanczos", operator };
  return { solver: gramOk ? "gram" : "krylov", operator };
}

/**
 * Top-k eigenpairs (θ = σ², right singular vectors as rows) of AᵀA for the centred (or, with `mean` zero,
 * uncentred) X by thick-restart Lanczos ({@link lanczosTop}), applying AᵀA implicitly from the stored values of X
 * or through the explicit covariance.
 */
export function lanczosPca(
  X: Matrix,
  mean: Float64Array,
  k: number,
  operator: "implicit" | "gram",
  options: LanczosPlanOptions,
): { theta: Float64Array; V: Float64Array[] } {
  const d = shapeOf(X)[1];
  const apply = operator === "gram" ? denseSymmetricOperator(centredGramLower(X, mean, options), d) : centredGramOperator(X, mean);
  const r = lanczosTop(d, k, apply, {
    ncv: lanczosNcv(k, d, options.ncv),
    tol: options.tol ?? 0,
    seed: options.seed ?? 0,
    signal: options.signal,
    onProgress: options.onProgress,
  });
  return { theta: r.values, V: Array.from({ length: k }, (_, c) => r.vectors.subarray(c * d, (c + 1) * d)) };
}

/**
 * The Lanczos PCA path (ARPACK's method, scanpy's default) against the exact covariance solver as oracle:
 * eigenpairs of random PSD operators, PCA components on log-normalised counts (per-component |cos| and the
 * largest principal angle), both operators (implicit centring and the covariance), the seed, cancellation and
 * progress, unsorted/duplicate CSR input and the solver choice.
 */
import { HypedError, type SparseMatrix, sparseToDense } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { log1pMatrix, normalizeTotalMatrix } from "../../preprocess/index.js";
import { colMeanVar } from "../../preprocess/matrix.js";
import { lcgCounts } from "../../preprocess/synthetic.js";
import { symEig } from "../eig.js";
import { pcaMatrix } from "../index.js";
import { centredGramLower, centredGramOperator, denseSymmetricOperator, lanczosTop } from "../lanczos.js";
import { planSolver } from "../pca-lanczos.js";
import { matvecModuleBytes, wasmSymmetricOperator } from "../simd.js";

function counts(nCells: number, nGenes: number, seed: number): SparseMatrix {
  const { X } = lcgCounts({ nCells, nGenes, nGroups: 5, seed });
  return log1pMatrix(normalizeTotalMatrix(X, { targetSum: 1e4 }).X) as SparseMatrix;
}

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(1664525, s) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32 - 0.5;
  };
}

/** Largest sine of the principal angles between the row spaces of two k × d orthonormal row blocks. */
function maxSinAngle(A: Float64Array, B: Float64Array, k: number, d: number): number {
  // singular values of A Bᵀ are the cosines; smallest cosine² = smallest eigenvalue of (ABᵀ)(ABᵀ)ᵀ
  const M = new Float64Array(k * k);
  for (let r = 0; r < k; r++)
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (A[r * d + j] as number) * (B[c * d + j] as number);
      M[r * k + c] = s;
    }
  const MMt = new Float64Array(k * k);
  for (let r = 0; r < k; r++)
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += (M[r * k + t] as number) * (M[c * k + t] as number);
      MMt[r * k + c] = s;
    }
  const minCos2 = Math.min(...symEig(MMt, k).values);
  return Math.sqrt(Math.max(0, 1 - minCos2));
}

function absCos(A: Float64Array, B: Float64Array, c: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += (A[c * d + j] as number) * (B[c * d + j] as number);
  return Math.abs(s);
}

describe("lanczosTop (thick-restart Lanczos)", () => {
  it("property: equals the dense eigensolver's top k on random PSD matrices (values 1e-10, vectors |cos| 1e-10)", () => {
    const rnd = lcg(7);
    for (const [n, k, ncv] of [
      [40, 3, undefined],
      [120, 10, undefined],
      [150, 20, 45],
      [60, 25, undefined],
    ] as const) {
      // A = BᵀB with a spread spectrum (columns scaled), well separated at the top
      const B = Float64Array.from({ length: n * n }, (_, t) => rnd() * (1 + 4 / (1 + (t % n))));
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let t = 0; t < n; t++) s += (B[t * n + i] as number) * (B[t * n + j] as number);
          A[i * n + j] = s;
        }
      const exact = symEig(A, n);
      const r = lanczosTop(
        n,
        k,
        (x, y) => {
          for (let i = 0; i < n; i++) {
            let s = 0;
            for (let j = 0; j < n; j++) s += (A[i * n + j] as number) * (x[j] as number);
            y[i] = s;
          }
        },
        { ncv },
      );
      for (let c = 0; c < k; c++) {
        expect(Math.abs((r.values[c] as number) - (exact.values[c] as number))).toBeLessThan(1e-10 * (exact.values[0] as number));
        const gap = Math.min(
          c > 0 ? (exact.values[c - 1] as number) - (exact.values[c] as number) : Number.POSITIVE_INFINITY,
          (exact.values[c] as number) - (exact.values[c + 1] as number),
        );
        if (gap > 1e-3 * (exact.values[0] as number)) expect(1 - absCos(r.vectors, exact.vectors, c, n)).toBeLessThan(1e-10);
      }
      expect(maxSinAngle(r.vectors, exact.vectors.subarray(0, k * n), k, n)).toBeLessThan(1e-6);
    }
  });

  it("is deterministic per seed, and seeds agree to 1e-8; an invariant subspace (rank 2) is handled", () => {
    const n = 30;
    const u = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const v = Float64Array.from({ length: n }, (_, i) => Math.cos(2 * i));
    const apply = (x: Float64Array, y: Float64Array) => {
      let a = 0;
      let b = 0;
      for (let i = 0; i < n; i++) {
        a += (u[i] as number) * (x[i] as number);
        b += (v[i] as number) * (x[i] as number);
      }
      for (let i = 0; i < n; i++) y[i] = 3 * a * (u[i] as number) + b * (v[i] as number);
    };
    const a = lanczosTop(n, 4, apply);
    const b = lanczosTop(n, 4, apply);
    expect(Array.from(a.vectors)).toEqual(Array.from(b.vectors));
    const c = lanczosTop(n, 4, apply, { seed: 99 });
    for (let t = 0; t < 4; t++)
      expect(Math.abs((a.values[t] as number) - (c.values[t] as number))).toBeLessThan(1e-8 * (a.values[0] as number));
    expect(Math.abs(a.values[2] as number)).toBeLessThan(1e-10 * (a.values[0] as number));
    expect(() => lanczosTop(n, 0, apply)).toThrow(HypedError);
  });
});

describe("pcaMatrix solver: 'lanczos' against the exact covariance solver", () => {
  const X = counts(600, 300, 11);
  for (const lanczosOperator of ["implicit", "gram"] as const) {
    for (const zeroCenter of [true, false]) {
      it(`${lanczosOperator} operator, zeroCenter ${zeroCenter}: |cos| per component and the subspace angle within 1e-6, variances 1e-9`, () => {
        const k = 40;
        const exact = pcaMatrix(X, { nComps: k, solver: "gram", zeroCenter });
        const r = pcaMatrix(X, { nComps: k, solver: "lanczos", lanczosOperator, zeroCenter });
        for (let c = 0; c < k; c++) expect(1 - absCos(r.components, exact.components, c, 300)).toBeLessThan(1e-6);
        expect(maxSinAngle(r.components, exact.components, k, 300)).toBeLessThan(1e-6);
        for (let c = 0; c < k; c++) {
          expect(Math.abs((r.variance[c] as number) - (exact.variance[c] as number))).toBeLessThan(1e-9 * (exact.variance[c] as number));
          expect(Math.abs((r.varianceRatio[c] as number) - (exact.varianceRatio[c] as number))).toBeLessThan(1e-9);
        }
        // signs follow svd_flip (largest loading positive) on both
        let maxDiff = 0;
        for (let t = 0; t < r.components.length; t++)
          maxDiff = Math.max(maxDiff, Math.abs((r.components[t] as number) - (exact.components[t] as number)));
        expect(maxDiff).toBeLessThan(1e-6);
      });
    }
  }

  it("dense input gives the sparse result", () => {
    const a = pcaMatrix(X, { nComps: 10, solver: "lanczos" });
    const b = pcaMatrix(sparseToDense(X), { nComps: 10, solver: "lanczos" });
    for (let t = 0; t < a.scores.length; t++) expect(Math.abs((a.scores[t] as number) - (b.scores[t] as number))).toBeLessThan(1e-8);
  });

  it("is cancellable and reports progress", () => {
    const ac = new AbortController();
    ac.abort();
    expect(() => pcaMatrix(X, { nComps: 10, solver: "lanczos", signal: ac.signal })).toThrow(/cancelled/);
    const events: string[] = [];
    pcaMatrix(X, { nComps: 10, solver: "lanczos", lanczosOperator: "gram", onProgress: (e) => events.push(e.unit) });
    expect(events).toContain("Lanczos steps");
    expect(events).toContain("genes");
  });

  it("unsorted and duplicate CSR entries: the covariance equals the implicit operator (duplicates summed)", () => {
    // 3 cells × 4 genes; row 0 unsorted, row 1 has gene 2 twice (0.5 + 1.5)
    const M: SparseMatrix = {
      format: "csr",
      shape: [3, 4],
      data: Float64Array.of(2, 1, 0.5, 3, 1.5, 4, 1),
      indices: Int32Array.of(3, 0, 2, 1, 2, 0, 3),
      indptr: Float64Array.of(0, 2, 5, 7),
    } as never;
    const mean = colMeanVar(M, 1).mean;
    const G = centredGramLower(M, mean);
    const dense = denseSymmetricOperator(G, 4);
    const implicit = centredGramOperator(M, mean);
    for (let j = 0; j < 4; j++) {
      const e = new Float64Array(4);
      e[j] = 1;
      const y1 = new Float64Array(4);
      const y2 = new Float64Array(4);
      dense(e, y1);
      implicit(e, y2);
      for (let i = 0; i < 4; i++) expect(y1[i]).toBeCloseTo(y2[i] as number, 12);
    }
  });
});

describe("covariance product in WebAssembly SIMD", () => {
  it("validates, and equals the JavaScript loop to rounding for sizes around the 8-wide padding", () => {
    expect(WebAssembly.validate(matvecModuleBytes())).toBe(true);
    const rnd = lcg(3);
    for (const d of [1, 2, 7, 8, 9, 16, 33, 130]) {
      const G = Float64Array.from({ length: d * d }, () => rnd());
      const wasm = wasmSymmetricOperator(G, d);
      expect(wasm).not.toBeNull();
      const js = denseSymmetricOperator(Float64Array.from(G), d, false);
      const x = Float64Array.from({ length: d }, () => rnd());
      const y1 = new Float64Array(d);
      const y2 = new Float64Array(d);
      wasm?.(x, y1);
      js(x, y2);
      for (let i = 0; i < d; i++) expect(Math.abs((y1[i] as number) - (y2[i] as number))).toBeLessThan(1e-13 * d);
    }
  });
});

describe("solver choice", () => {
  it("auto: Lanczos for 50 components of 2,000 genes (covariance operator at 9% density), exact covariance when nComps ≈ genes", () => {
    const n = 20000;
    const d = 2000;
    const per = 174;
    const indptr = Float64Array.from({ length: n + 1 }, (_, i) => i * per);
    const sparse = { format: "csr", shape: [n, d], data: new Float64Array(n * per), indices: new Int32Array(n * per), indptr } as never;
    expect(planSolver(sparse, 50, {})).toEqual({ solver: "lanczos", operator: "gram" });
    expect(planSolver(sparse, 50, { lanczosOperator: "implicit" })).toEqual({ solver: "lanczos", operator: "implicit" });
    expect(planSolver(sparse, 1500, {}).solver).toBe("gram");
    const verySparse = {
      format: "csr",
      shape: [n, d],
      data: new Float64Array(n * 5),
      indices: new Int32Array(n * 5),
      indptr: Float64Array.from({ length: n + 1 }, (_, i) => i * 5),
    } as never;
    expect(planSolver(verySparse, 50, {})).toEqual({ solver: "lanczos", operator: "implicit" });
    expect(() => planSolver(sparse, 5, { solver: "svd" as never })).toThrow(/unknown PCA solver/);
    expect(() => planSolver(sparse, 5, { lanczosOperator: "x" as never })).toThrow(/unknown Lanczos operator/);
  });
});

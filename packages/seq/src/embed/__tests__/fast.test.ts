/**
 * The fast paths of the embeddings: the top-k tridiagonal eigensolver, the covariance ("gram") PCA solver
 * against the Krylov one, the symmetric blocked kNN against a naive scan, and the stackless Barnes–Hut
 * traversal against an exact O(n²) t-SNE.
 */
import { sparseToDense } from "@hyped/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expectClose } from "../../preprocess/__tests__/helpers.js";
import { log1pMatrix, normalizeTotalMatrix } from "../../preprocess/index.js";
import { lcgCounts } from "../../preprocess/synthetic.js";
import { symEig, symEigTop } from "../eig.js";
import { knn, pcaMatrix, tsneEmbed } from "../index.js";

/** The PCA reference input of pca.test.ts: log1p(normalize_total(counts, 1e4)). */
function pcaInput() {
  const { X } = lcgCounts({ nCells: 200, nGenes: 60, seed: 5 });
  return log1pMatrix(normalizeTotalMatrix(X, { targetSum: 1e4 }).X) as import("@hyped/core").SparseMatrix;
}

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(1664525, s) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
}

describe("symEigTop (tridiagonal reduction + bisection + inverse iteration)", () => {
  it("property: agrees with the full solver on random symmetric matrices, including repeated eigenvalues", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 0, max: 2 ** 31 }), fc.boolean(), (n, seed, repeated) => {
        const u = lcg(seed);
        const A = new Float64Array(n * n);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j <= i; j++) {
            // integer entries make exact ties likely; `repeated` builds a block-diagonal matrix with two equal blocks
            const v = repeated && i >= n >> 1 !== j >= n >> 1 ? 0 : Math.floor(u() * 7) - 3;
            A[i * n + j] = v;
            A[j * n + i] = v;
          }
        }
        if (repeated) {
          const h = n >> 1;
          for (let i = 0; i < h; i++) for (let j = 0; j < h; j++) A[(i + n - 2 * h + h) * n + (j + n - 2 * h + h)] = A[i * n + j] as number;
        }
        const k = Math.max(1, Math.ceil(n / 2));
        const full = symEig(A, n);
        const top = symEigTop(Float64Array.from(A), n, k);
        const scale = Math.max(1, Math.abs(full.values[0] as number), Math.abs(full.values[n - 1] as number));
        for (let r = 0; r < k; r++) {
          expect(Math.abs((top.values[r] as number) - (full.values[r] as number))).toBeLessThan(1e-10 * scale);
          const v = top.vectors.subarray(r * n, r * n + n);
          let res = 0;
          for (let i = 0; i < n; i++) {
            let t = 0;
            for (let j = 0; j < n; j++) t += (A[i * n + j] as number) * (v[j] as number);
            res += (t - (top.values[r] as number) * (v[i] as number)) ** 2;
          }
          expect(Math.sqrt(res)).toBeLessThan(1e-9 * scale);
          for (let q = 0; q <= r; q++) {
            let d = 0;
            for (let i = 0; i < n; i++) d += (v[i] as number) * (top.vectors[q * n + i] as number);
            expect(Math.abs(d - (q === r ? 1 : 0))).toBeLessThan(1e-9);
          }
        }
      }),
      { numRuns: 150, seed: 8 },
    );
  });
});

describe("PCA solvers", () => {
  it("gram and krylov give the same components (sparse and dense input)", () => {
    for (const X of [pcaInput(), sparseToDense(pcaInput())]) {
      const g = pcaMatrix(X, { nComps: 12, solver: "gram" });
      const k = pcaMatrix(X, { nComps: 12, solver: "krylov" });
      expectClose(g.scores, k.scores, 1e-7, 1e-7, "scores");
      expectClose(g.components, k.components, 1e-7, 1e-7, "components");
      expectClose(g.variance, k.variance, 1e-10, 0, "variance");
    }
  });
  it("uncentred (zeroCenter: false) agrees between solvers; unknown solver is INVALID_ARGUMENT", () => {
    const g = pcaMatrix(pcaInput(), { nComps: 5, zeroCenter: false, solver: "gram" });
    const k = pcaMatrix(pcaInput(), { nComps: 5, zeroCenter: false, solver: "krylov" });
    expectClose(g.scores, k.scores, 1e-7, 1e-7, "scores");
    expect(() => pcaMatrix(pcaInput(), { solver: "svd" as never })).toThrow(/unknown PCA solver/);
  });
});

describe("knn (symmetric blocked scan)", () => {
  it("equals a naive per-point scan across tile boundaries", () => {
    const n = 301;
    const dim = 7;
    const k = 9;
    const u = lcg(11);
    const data = Float64Array.from({ length: n * dim }, () => Math.floor(u() * 5)); // many exact ties
    const r = knn(data, n, dim, k);
    for (let i = 0; i < n; i++) {
      const cand = Array.from({ length: n }, (_, j) => {
        let s = 0;
        for (let c = 0; c < dim; c++) s += ((data[i * dim + c] as number) - (data[j * dim + c] as number)) ** 2;
        return { j, d: j === i ? -1 : Math.sqrt(s) };
      }).sort((a, b) => a.d - b.d || a.j - b.j);
      expect(r.indices[i * k]).toBe(i);
      for (let c = 0; c < k; c++) expect(r.distances[i * k + c]).toBeCloseTo(Math.max(cand[c]!.d, 0), 12);
    }
  });
});

/** Exact t-SNE (O(n²) gradient) with scikit-learn's schedule, P on the 3·perplexity nearest neighbours. */
function exactTsne(data: Float64Array, n: number, dim: number, nIter: number, Y0: Float64Array): Float64Array {
  const perplexity = 30;
  const nn = knn(data, n, dim, Math.min(n - 1, 91) + 1);
  const m = nn.k - 1;
  const P = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let beta = 1;
    let lo = -Infinity;
    let hi = Infinity;
    const p = new Float64Array(m);
    for (let it = 0; it < 100; it++) {
      let sum = 0;
      for (let c = 0; c < m; c++) {
        p[c] = Math.exp(-((nn.distances[i * nn.k + 1 + c] as number) ** 2) * beta);
        sum += p[c] as number;
      }
      if (sum === 0) sum = 1e-8;
      let sdp = 0;
      for (let c = 0; c < m; c++) {
        p[c] = (p[c] as number) / sum;
        sdp += (nn.distances[i * nn.k + 1 + c] as number) ** 2 * (p[c] as number);
      }
      const diff = Math.log(sum) + beta * sdp - Math.log(perplexity);
      if (Math.abs(diff) <= 1e-5) break;
      if (diff > 0) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
      }
    }
    for (let c = 0; c < m; c++) {
      const j = nn.indices[i * nn.k + 1 + c] as number;
      P[i * n + j]! += p[c] as number;
      P[j * n + i]! += p[c] as number;
    }
  }
  let tot = 0;
  for (const v of P) tot += v;
  for (let a = 0; a < n * n; a++) P[a] = (P[a] as number) / tot;
  const Y = Float64Array.from(Y0);
  const upd = new Float64Array(2 * n);
  const gains = new Float64Array(2 * n).fill(1);
  const lr = Math.max(n / 12 / 4, 50); // the tests below pass learningRate: "auto"
  for (let it = 0; it < nIter; it++) {
    const exag = it < 250 ? 12 : 1;
    const mom = it < 250 ? 0.5 : 0.8;
    let Z = 0;
    const g = new Float64Array(2 * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) if (i !== j) Z += 1 / (1 + ((Y[2 * i]! - Y[2 * j]!) ** 2 + (Y[2 * i + 1]! - Y[2 * j + 1]!) ** 2));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const dx = Y[2 * i]! - Y[2 * j]!;
        const dy = Y[2 * i + 1]! - Y[2 * j + 1]!;
        const q = 1 / (1 + dx * dx + dy * dy);
        const coef = (exag * P[i * n + j]! - q / Z) * q;
        g[2 * i]! += coef * dx;
        g[2 * i + 1]! += coef * dy;
      }
    }
    for (let p = 0; p < 2 * n; p++) {
      const gp = 4 * g[p]!;
      gains[p] = Math.max(upd[p]! * gp < 0 ? gains[p]! + 0.2 : gains[p]! * 0.8, 0.01);
      upd[p] = mom * upd[p]! - lr * gains[p]! * gp;
      Y[p]! += upd[p]!;
    }
  }
  return Y;
}

describe("Barnes–Hut traversal", () => {
  it("with θ = 0 follows the exact O(n²) t-SNE step for step", () => {
    const n = 150;
    const dim = 5;
    const u = lcg(3);
    const data = Float64Array.from({ length: n * dim }, (_, p) => (u() - 0.5) * 2 + (p % dim === Math.floor(p / dim) % 3 ? 4 : 0));
    // tsneEmbed starts from its own init: recover it with 0 iterations, then run both from there
    const start = tsneEmbed(data, n, dim, { nIter: 0, init: "random", seed: 5, learningRate: "auto" });
    // rounding differences grow chaotically through the gains (≈1e-12 after 10 steps, 1e-8 after 20)
    const ours = tsneEmbed(data, n, dim, { nIter: 10, init: "random", seed: 5, theta: 0, learningRate: "auto" });
    const exact = exactTsne(data, n, dim, 10, start);
    expectClose(ours, exact, 1e-9, 1e-9, "embedding after 10 iterations");
    // θ = 0.5 stays within ~10% of the exact step over the same iterations (0.089 at the time of writing)
    const bh = tsneEmbed(data, n, dim, { nIter: 10, init: "random", seed: 5, learningRate: "auto" });
    let worst = 0;
    let scale = 0;
    for (let p = 0; p < 2 * n; p++) {
      worst = Math.max(worst, Math.abs((bh[p] as number) - (exact[p] as number)));
      scale = Math.max(scale, Math.abs(exact[p] as number));
    }
    expect(worst / scale).toBeLessThan(0.15);
  });
});

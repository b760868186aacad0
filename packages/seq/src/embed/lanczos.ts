/**
 * Thick-restart Lanczos for the largest eigenpairs of a symmetric positive semi-definite operator given only by
 * its product (`y = A·x`), and the PCA operator it is used with: the Gram matrix of the implicitly centred
 * cells × genes matrix, AᵀA·v = Xᵀ(X·v − 1·μᵀv) − μ·Σ(X·v − 1·μᵀv), applied in one pass over the stored values of
 * X (sparse input is never densified, the centred matrix is never formed).
 *
 * This is the method ARPACK runs for scanpy's default `svd_solver="arpack"` (scipy's `svds` on the centred
 * `LinearOperator`, an implicitly restarted Lanczos on XᵀX), in the thick-restart form of Wu & Simon (2000): after
 * `ncv` Lanczos steps with full re-orthogonalisation, the Ritz vectors of the wanted end are kept, the projected
 * matrix becomes diagonal plus one arrow row, and the recurrence continues from the last residual. In exact
 * arithmetic this spans the same Krylov subspaces as ARPACK's implicit restart with exact shifts.
 *
 * Convergence test (ARPACK's): a Ritz pair (θ, y) is accepted when its residual estimate β·|eₘᵀs| is at most
 * `tol`·max(ε^⅔, |θ|). `tol = 0` (the default, as ARPACK's and scipy's) means machine precision, which here is
 * 4ε ({@link TOL_FLOOR}).
 */
import { HypedError, isSparse, Lcg32, type LongTaskOptions, progressReporter, throwIfAborted } from "@hyped/core";
import type { Matrix } from "../anndata/index.js";
import { asCsr, denseValues, numbers, shapeOf } from "../preprocess/matrix.js";
import { symEig } from "./eig.js";
import { wasmSymmetricOperator } from "./simd.js";

/** Options of {@link lanczosTop}. */
export interface LanczosOptions extends LongTaskOptions {
  /** Lanczos basis size before a restart. Default max(2k + 1, 20) capped at the dimension (ARPACK's/scipy's `ncv`). */
  ncv?: number;
  /** Relative residual tolerance; 0 (default) means machine precision (4ε, see the module docs), as ARPACK's 0. */
  tol?: number;
  /** Seed of the start vector (uniform(−1, 1) entries from core's `Lcg32`). Default 0. */
  seed?: number;
  /** Restarts before giving up with an `INVALID_ARGUMENT` error naming the converged count. Default 1000. */
  maxRestarts?: number;
}

/** Result of {@link lanczosTop}: eigenvalues in descending order and unit eigenvectors as rows. */
export interface LanczosResult {
  values: Float64Array;
  /** `k` × `dim` row-major. */
  vectors: Float64Array;
  /** Operator applications used. */
  matvecs: number;
  /** Restarts used. */
  restarts: number;
}

const EPS = Number.EPSILON;
/**
 * The smallest tolerance used: 4ε (`tol = 0` means this). The Ritz estimates β·|eₘᵀs| come from a dense
 * eigensolver of the projected matrix whose eigenvector components carry absolute errors of a few ε, so a test at
 * exactly ε passes only by chance: on 50 components of 20k × 2,000 log-normalised counts it took 699 products
 * against 439 at 4ε (the count numpy's `eigh` gives at ε), with the same eigenpairs to 1e-14.
 */
const TOL_FLOOR = 4 * EPS;

/**
 * The `k` largest eigenpairs of the symmetric `dim` × `dim` operator `apply` (writes A·x into y; y arrives
 * zeroed) by thick-restart Lanczos with full re-orthogonalisation (see module docs). Deterministic for a given
 * seed. Longer than ~100 lines on purpose: the Lanczos steps, the Ritz test and the restart share the basis V and
 * the projected matrix T; split apart they would pass that whole state back and forth.
 */
export function lanczosTop(
  dim: number,
  k: number,
  apply: (x: Float64Array, y: Float64Array) => void,
  options: LanczosOptions = {},
): LanczosResult {
  if (!(Number.isInteger(k) && k >= 1 && k <= dim))
    throw new HypedError("INVALID_ARGUMENT", `lanczosTop: k must be in 1..${dim}, got ${k}`, { k, dim });
  const m = Math.min(dim, Math.max(options.ncv ?? Math.max(2 * k + 1, 20), k + 1));
  const tol = Math.max(options.tol ?? 0, TOL_FLOOR);
  const maxRestarts = options.maxRestarts ?? 1000;
  const { signal } = options;
  const V = new Float64Array((m + 1) * dim); // basis vectors as rows; row m holds the residual direction
  const T = new Float64Array(m * m); // projected matrix VᵀAV (row-major, symmetric)
  const w = new Float64Array(dim);
  const h = new Float64Array(m + 1);
  const g = new Lcg32((options.seed ?? 0) ^ 0x9e3779b9);
  const rnd = () => (g.nextUint32() / 4294967296) * 2 - 1;
  const row = (r: number) => V.subarray(r * dim, (r + 1) * dim);
  /**
   * Project w against rows from..j (classical Gram–Schmidt, repeated while a pass removes more than 1 − 1/√2 of
   * the norm: Kahan–Parlett's "twice is enough"), adding the coefficients to `coef`; returns ‖w‖.
   */
  const orthogonalise = (from: number, j: number, coef: Float64Array | null, before0?: number): number => {
    let before = before0 ?? Math.sqrt(dotN(w, w, dim));
    for (let pass = 0; pass < 3; pass++) {
      for (let r = from; r <= j; r++) h[r] = dotAt(V, r * dim, w, dim);
      for (let r = from; r <= j; r++) {
        const c = h[r] as number;
        if (coef) coef[r]! += c;
        if (c !== 0) axpyAt(-c, V, r * dim, w, dim);
      }
      const after = Math.sqrt(dotN(w, w, dim));
      if (after > Math.SQRT1_2 * before) return after;
      before = after;
    }
    return before;
  };
  /** A random unit vector orthogonal to rows 0..j into row j + 1 (invariant subspace found); false if none. */
  const randomRow = (j: number): boolean => {
    for (let attempt = 0; attempt < 3; attempt++) {
      for (let i = 0; i < dim; i++) w[i] = rnd();
      const n0 = Math.sqrt(dotN(w, w, dim));
      const nrm = j >= 0 ? orthogonalise(0, j, null) : n0;
      if (nrm > 1e-8 * n0) {
        const out = row(j + 1);
        for (let i = 0; i < dim; i++) out[i] = (w[i] as number) / nrm;
        return true;
      }
    }
    return false;
  };
  randomRow(-1);
  const progress = progressReporter(options.onProgress, "Lanczos steps", undefined, "pca");
  const coef = new Float64Array(m + 1);
  let start = 0; // first row whose Lanczos step is still to run
  let matvecs = 0;
  let restarts = 0;
  let beta = 0; // ‖residual‖ after the last step; row `m` holds its direction
  let size = m; // basis rows in use (< m only when the whole space was exhausted)
  for (;;) {
    for (let j = start; j < m; j++) {
      throwIfAborted(signal, "pca");
      w.fill(0);
      apply(row(j), w);
      matvecs++;
      coef.fill(0);
      if (j > start) {
        // the three-term recurrence first (α and the previous β), then one full pass (full re-orthogonalisation)
        const prev = beta; // β_{j−1}: row j's coupling to row j − 1
        axpyAt(-prev, V, (j - 1) * dim, w, dim);
        const alpha = dotAt(V, j * dim, w, dim);
        axpyAt(-alpha, V, j * dim, w, dim);
        coef[j - 1] = prev;
        coef[j] = alpha;
        beta = orthogonalise(0, j, coef, Math.sqrt(dotN(w, w, dim)));
      } else beta = orthogonalise(0, j, coef);
      // column j of T: the full projection (the arrow after a restart, α, and the previous β), kept symmetric
      for (let r = 0; r <= j; r++) {
        T[j * m + r] = coef[r] as number;
        T[r * m + j] = coef[r] as number;
      }
      const scale = Math.abs(coef[j] as number) + (j > 0 ? Math.abs(T[j * m + j - 1] as number) : 0);
      if (beta <= EPS * Math.max(scale, 1e-300) * 10) {
        // invariant subspace: continue from a fresh direction (its coupling to the basis is zero)
        beta = 0;
        if (j + 1 >= dim || !randomRow(j)) {
          size = j + 1;
          break;
        }
        if (j + 1 < m) for (let r = 0; r <= j; r++) T[(j + 1) * m + r] = T[r * m + j + 1] = 0;
        progress.tick();
        continue;
      }
      const next = row(j + 1);
      for (let i = 0; i < dim; i++) next[i] = (w[i] as number) / beta;
      progress.tick();
    }
    // Rayleigh–Ritz on the projected matrix
    const Tm = new Float64Array(size * size);
    for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) Tm[r * size + c] = T[r * m + c] as number;
    const eig = symEig(Tm, size);
    const lastComp = (c: number) => eig.vectors[c * size + size - 1] as number;
    let nconv = 0;
    for (let c = 0; c < Math.min(k, size); c++) {
      const theta = eig.values[c] as number;
      if (Math.abs(beta * lastComp(c)) <= tol * Math.max(EPS ** (2 / 3), Math.abs(theta))) nconv++;
      else break;
    }
    const done = nconv >= k || size < m || restarts >= maxRestarts;
    // keep the top `keep` Ritz vectors (all wanted ones plus half of the rest, as TRLan), then restart
    const kept = done ? Math.min(k, size) : Math.min(size - 1, k + Math.max(1, Math.floor((size - k) / 2)));
    const Y = new Float64Array(kept * dim);
    for (let c = 0; c < kept; c++) {
      const out = Y.subarray(c * dim, (c + 1) * dim);
      for (let r = 0; r < size; r++) {
        const y = eig.vectors[c * size + r] as number;
        if (y !== 0) axpyAt(y, V, r * dim, out, dim);
      }
    }
    if (done) {
      if (nconv < k && size >= m)
        throw new HypedError("INVALID_ARGUMENT", `Lanczos: ${nconv} of ${k} eigenpairs converged after ${restarts} restarts`, {
          nconv,
          k,
          restarts,
        });
      progress.finish();
      const values = Float64Array.from({ length: k }, (_, c) => (c < size ? (eig.values[c] as number) : 0));
      const vectors = new Float64Array(k * dim);
      vectors.set(Y.subarray(0, Math.min(k, size) * dim));
      return { values, vectors, matvecs, restarts };
    }
    restarts++;
    V.set(V.subarray(m * dim, (m + 1) * dim), kept * dim); // the residual direction becomes row `kept`
    V.set(Y, 0);
    T.fill(0);
    for (let c = 0; c < kept; c++) {
      T[c * m + c] = eig.values[c] as number;
      const s = beta * lastComp(c);
      T[kept * m + c] = s;
      T[c * m + kept] = s;
    }
    start = kept;
  }
}

function dotN(a: Float64Array, b: Float64Array, n: number): number {
  return dotAt(a, 0, b, n);
}

function dotAt(a: Float64Array, off: number, b: Float64Array, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += (a[off + i] as number) * (b[i] as number);
    s1 += (a[off + i + 1] as number) * (b[i + 1] as number);
    s2 += (a[off + i + 2] as number) * (b[i + 2] as number);
    s3 += (a[off + i + 3] as number) * (b[i + 3] as number);
  }
  for (; i < n; i++) s0 += (a[off + i] as number) * (b[i] as number);
  return s0 + s1 + (s2 + s3);
}

/** y += α·a[off .. off + n). */
function axpyAt(alpha: number, a: Float64Array, off: number, y: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) y[i]! += alpha * (a[off + i] as number);
}

/**
 * The centred Gram operator of a cells × genes matrix: `y = AᵀA·x` with A = X − 1·μᵀ, in one pass over X per
 * product (each row's X·x is formed, centred, and scattered back while the row is in cache). Sparse input stays
 * CSR (values read as stored, indices as int32); dense input is read row by row.
 */
export function centredGramOperator(X: Matrix, mean: Float64Array): (x: Float64Array, y: Float64Array) => void {
  const [n, d] = shapeOf(X);
  if (isSparse(X)) {
    const csr = asCsr(X);
    const data = Float64Array.from(numbers(csr.data));
    const idx = csr.indices instanceof Int32Array ? csr.indices : Int32Array.from(numbers(csr.indices as never));
    const ptr = Float64Array.from(numbers(csr.indptr as never));
    return (x, y) => {
      let mx = 0;
      for (let j = 0; j < d; j++) mx += (mean[j] as number) * (x[j] as number);
      let su = 0;
      for (let i = 0; i < n; i++) {
        const a = ptr[i] as number;
        const b = ptr[i + 1] as number;
        let s = 0;
        for (let p = a; p < b; p++) s += (data[p] as number) * (x[idx[p] as number] as number);
        s -= mx;
        su += s;
        if (s === 0) continue;
        for (let p = a; p < b; p++) y[idx[p] as number]! += s * (data[p] as number);
      }
      for (let j = 0; j < d; j++) y[j]! -= su * (mean[j] as number);
    };
  }
  const raw = denseValues(X as never);
  const data = raw instanceof Float64Array ? raw : Float64Array.from(raw);
  return (x, y) => {
    let mx = 0;
    for (let j = 0; j < d; j++) mx += (mean[j] as number) * (x[j] as number);
    let su = 0;
    for (let i = 0; i < n; i++) {
      const s = dotAt(data, i * d, x, d) - mx;
      su += s;
      if (s !== 0) axpyAt(s, data, i * d, y, d);
    }
    for (let j = 0; j < d; j++) y[j]! -= su * (mean[j] as number);
  };
}

/** Rows of G accumulated per sweep over X (128 rows × 2000 genes × 8 bytes = 2 MiB: the block stays in cache; measured best of 16–128). */
const GRAM_ROW_BLOCK = 128;

/**
 * X as CSR with sorted column indices per row, in plain typed arrays (dense input: its non-zeros), for
 * {@link centredGramLower}.
 */
function sortedRows(X: Matrix): { ptr: Float64Array; idx: Int32Array; val: Float64Array } {
  const [n, d] = shapeOf(X);
  if (!isSparse(X)) {
    const data = denseValues(X as never);
    let nnz = 0;
    for (let t = 0; t < n * d; t++) if ((data[t] as number) !== 0) nnz++;
    const ptr = new Float64Array(n + 1);
    const idx = new Int32Array(nnz);
    const val = new Float64Array(nnz);
    let p = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0, o = i * d; j < d; j++) {
        const x = data[o + j] as number;
        if (x === 0) continue;
        idx[p] = j;
        val[p++] = x;
      }
      ptr[i + 1] = p;
    }
    return { ptr, idx, val };
  }
  const csr = asCsr(X);
  const ptr = Float64Array.from(numbers(csr.indptr as never));
  const idx = Int32Array.from(numbers(csr.indices as never));
  const val = Float64Array.from(numbers(csr.data));
  let ok = true;
  for (let i = 0; i < n && ok; i++)
    for (let p = (ptr[i] as number) + 1; p < (ptr[i + 1] as number); p++) if ((idx[p] as number) <= (idx[p - 1] as number)) ok = false;
  if (ok) return { ptr, idx, val };
  // unsorted rows or duplicate entries (scipy allows both; duplicates mean their sum): sort and merge
  const out = { ptr: new Float64Array(n + 1), idx: new Int32Array(idx.length), val: new Float64Array(val.length) };
  let w = 0;
  for (let i = 0; i < n; i++) {
    const a = ptr[i] as number;
    const order = Array.from({ length: (ptr[i + 1] as number) - a }, (_, t) => a + t).sort(
      (u, v) => (idx[u] as number) - (idx[v] as number),
    );
    const first = w;
    for (const t of order) {
      if (w > first && out.idx[w - 1] === idx[t]) out.val[w - 1]! += val[t] as number;
      else {
        out.idx[w] = idx[t] as number;
        out.val[w++] = val[t] as number;
      }
    }
    out.ptr[i + 1] = w;
  }
  return out;
}

/**
 * The genes × genes centred Gram matrix AᵀA = XᵀX − n·μμᵀ, lower triangle only (row-major d × d, the strict
 * upper triangle left zero), accumulated over the stored values of X (sparse input is never densified): cost
 * Σ nnz(row)² / 2 multiply–adds and 8·d² bytes. The rows of G are filled in blocks of {@link GRAM_ROW_BLOCK}, one
 * sweep over X per block, so that the scattered additions land in cache.
 */
export function centredGramLower(X: Matrix, mean: Float64Array, options: LongTaskOptions = {}): Float64Array {
  const [n, d] = shapeOf(X);
  const progress = progressReporter(options.onProgress, "genes", d, "pca covariance");
  const G = new Float64Array(d * d);
  const { ptr, idx, val } = sortedRows(X);
  const cur = Float64Array.from(ptr.subarray(0, n)); // per row: first entry not yet used as a G row
  for (let a0 = 0; a0 < d; a0 += GRAM_ROW_BLOCK) {
    throwIfAborted(options.signal, "pca");
    const a1 = Math.min(d, a0 + GRAM_ROW_BLOCK);
    for (let i = 0; i < n; i++) {
      const start = ptr[i] as number;
      const end = ptr[i + 1] as number;
      let p = cur[i] as number;
      for (; p < end; p++) {
        const ia = idx[p] as number;
        if (ia >= a1) break;
        const xa = val[p] as number;
        const row = ia * d;
        let q = start;
        // rows are strictly increasing (sortedRows), so the two updates never hit the same entry
        for (; q + 1 <= p; q += 2) {
          const i0 = row + (idx[q] as number);
          const i1 = row + (idx[q + 1] as number);
          const g0 = (G[i0] as number) + xa * (val[q] as number);
          const g1 = (G[i1] as number) + xa * (val[q + 1] as number);
          G[i0] = g0;
          G[i1] = g1;
        }
        if (q <= p) G[row + (idx[q] as number)]! += xa * (val[q] as number);
      }
      cur[i] = p;
    }
    progress.tick(a1 - a0);
  }
  for (let a = 0; a < d; a++) {
    const ma = n * (mean[a] as number);
    if (ma === 0) continue;
    for (let b = 0; b <= a; b++) G[a * d + b]! -= ma * (mean[b] as number);
  }
  progress.finish();
  throwIfAborted(options.signal, "pca");
  return G;
}

/**
 * `y = G·x` for a symmetric d × d `G` given by its lower triangle: the WebAssembly SIMD kernel (matvec.wat via
 * simd.ts, ≈ 1.7× faster) where available, else a JavaScript loop (G is then mirrored into its upper triangle, in place).
 * `useWasm: false` forces the JavaScript loop (tests compare the two).
 */
export function denseSymmetricOperator(G: Float64Array, d: number, useWasm = true): (x: Float64Array, y: Float64Array) => void {
  const fast = useWasm ? wasmSymmetricOperator(G, d) : null;
  if (fast) return fast;
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) G[b * d + a] = G[a * d + b] as number;
  return (x, y) => {
    for (let i = 0; i < d; i++) y[i] = dotAt(G, i * d, x, d);
  };
}

/**
 * One-dimensional LOESS (Cleveland, Grosse & Shyu 1992) as the netlib `loess` library computes it (the code
 * that scikit-misc wraps and scanpy's `seurat_v3` flavour calls): local polynomial regression over the
 * `floor(n·span)` nearest neighbours with tricube weights, either evaluated exactly at each point
 * (`surface: "direct"`) or, the library's default, evaluated at the vertices of a k-d tree and blended with
 * cubic Hermite interpolation (`surface: "interpolate"`).
 */
import { HypedError } from "@hyped/core";

/** Options of {@link loessFit}. */
export interface LoessOptions {
  /** Fraction of points in each neighbourhood. Default 0.75 (netlib); scanpy's seurat_v3 uses 0.3. */
  span?: number;
  /** Local polynomial degree, 1 or 2. Default 2. */
  degree?: 1 | 2;
  /** `"interpolate"` (default, k-d tree + Hermite blending) or `"direct"` (exact fit at every point). */
  surface?: "interpolate" | "direct";
  /** Cell size of the k-d tree as a fraction of the span: a cell holds at most `floor(n·span·cell)` points. Default 0.2. */
  cell?: number;
}

/**
 * Fitted LOESS values at every `x` (matches `skmisc.loess.loess(x, y, span=, degree=, surface=)
 * .outputs.fitted_values`, family gaussian, no robustness iterations).
 */
export function loessFit(x: ArrayLike<number>, y: ArrayLike<number>, options: LoessOptions = {}): Float64Array {
  const { span = 0.75, degree = 2, surface = "interpolate", cell = 0.2 } = options;
  const n = x.length;
  if (y.length !== n) throw new HypedError("SHAPE_MISMATCH", `loess: x has ${n} values, y has ${y.length}`, {});
  if (!(span > 0)) throw new HypedError("INVALID_ARGUMENT", `loess span must be > 0, got ${span}`, { span });
  if (degree !== 1 && degree !== 2) throw new HypedError("UNSUPPORTED", `loess degree ${degree} (supported: 1, 2)`, { degree });
  const q = Math.min(n, Math.floor(n * span));
  if (q < degree + 1) {
    throw new HypedError("INVALID_ARGUMENT", `loess: span ${span} keeps ${q} of ${n} points; need at least ${degree + 1}`, { span, n });
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (x[a] as number) - (x[b] as number));
  const xs = Float64Array.from(order, (i) => x[i] as number);
  const ys = Float64Array.from(order, (i) => y[i] as number);
  const fit = new LocalFit(xs, ys, q, degree, span);
  const fitted = new Float64Array(n);
  if (surface === "direct") {
    for (let s = 0; s < n; s++) fitted[order[s] as number] = fit.at(xs[s] as number)[0] as number;
    return fitted;
  }
  if (surface !== "interpolate") throw new HypedError("UNSUPPORTED", `loess surface '${surface}'`, { surface });
  const tree = buildTree(xs, Math.floor(n * span * cell), Math.max(200, n));
  const val = new Float64Array(tree.vertices.length);
  const slope = new Float64Array(tree.vertices.length);
  tree.vertices.forEach((v, k) => {
    const b = fit.at(v);
    val[k] = b[0] as number;
    slope[k] = b[1] as number;
  });
  for (let s = 0; s < n; s++) {
    const z = xs[s] as number;
    let c = 0;
    while (tree.split[c] !== undefined && !Number.isNaN(tree.split[c] as number))
      c = z <= (tree.split[c] as number) ? (tree.lo[c] as number) : (tree.hi[c] as number);
    const a = tree.vlo[c] as number;
    const b = tree.vhi[c] as number;
    const va = tree.vertices[a] as number;
    const vb = tree.vertices[b] as number;
    const w = vb - va;
    const h = (z - va) / w;
    const phi0 = (1 - h) * (1 - h) * (1 + 2 * h);
    const phi1 = h * h * (3 - 2 * h);
    const psi0 = h * (1 - h) * (1 - h);
    const psi1 = h * h * (h - 1);
    fitted[order[s] as number] =
      phi0 * (val[a] as number) + phi1 * (val[b] as number) + (psi0 * (slope[a] as number) + psi1 * (slope[b] as number)) * w;
  }
  return fitted;
}

/** The 1-D k-d tree of netlib's `ehg126`/`ehg124`: cells split at the median until they hold ≤ fc points. */
function buildTree(xs: Float64Array, fc: number, maxCells: number) {
  const n = xs.length;
  const lo0 = xs[0] as number;
  const hi0 = xs[n - 1] as number;
  const mu = 0.005 * Math.max(hi0 - lo0, 1e-10 * Math.max(Math.abs(lo0), Math.abs(hi0)) + 1e-30);
  const vertices = [lo0 - mu, hi0 + mu];
  // per cell: point range [l, u] (0-based, inclusive), vertex indices, split value (NaN for leaves), children
  const l: number[] = [0];
  const u: number[] = [n - 1];
  const vlo: number[] = [0];
  const vhi: number[] = [1];
  const split: number[] = [Number.NaN];
  const lo: number[] = [-1];
  const hi: number[] = [-1];
  for (let p = 0; p < l.length; p++) {
    const a = l[p] as number;
    const b = u[p] as number;
    let leaf = b - a + 1 <= fc || (vertices[vhi[p] as number] as number) - (vertices[vlo[p] as number] as number) <= 0;
    if (!leaf) leaf = maxCells < l.length + 2 || maxCells < vertices.length + 1;
    let m = 0;
    if (!leaf) {
      // median position as Fortran's integer division of 1-based (l+u)/2, then move off ties outward
      m = Math.floor((a + 1 + (b + 1)) / 2) - 1;
      for (let off = 0; ; ) {
        const t = m + off;
        if (t >= b || t < a) break;
        if ((xs[t] as number) === (xs[t + 1] as number)) {
          off = -off;
          if (off >= 0) off += 1;
          continue;
        }
        m = t;
        break;
      }
      const xm = xs[m] as number;
      leaf = (vertices[vlo[p] as number] as number) === xm || (vertices[vhi[p] as number] as number) === xm;
    }
    if (leaf) continue;
    const xm = xs[m] as number;
    let vk = vertices.indexOf(xm);
    if (vk < 0) {
      vk = vertices.length;
      vertices.push(xm);
    }
    split[p] = xm;
    lo[p] = l.length;
    l.push(a);
    u.push(m);
    vlo.push(vlo[p] as number);
    vhi.push(vk);
    split.push(Number.NaN);
    lo.push(-1);
    hi.push(-1);
    hi[p] = l.length;
    l.push(m + 1);
    u.push(b);
    vlo.push(vk);
    vhi.push(vhi[p] as number);
    split.push(Number.NaN);
    lo.push(-1);
    hi.push(-1);
  }
  return { vertices, vlo, vhi, split, lo, hi };
}

/** Weighted local polynomial fits over the q nearest neighbours of a point in sorted data. */
class LocalFit {
  private readonly p: number;
  private readonly A: Float64Array;
  private readonly b: Float64Array;
  constructor(
    private readonly xs: Float64Array,
    private readonly ys: Float64Array,
    private readonly q: number,
    degree: number,
    private readonly span: number,
  ) {
    this.p = degree + 1;
    this.A = new Float64Array(this.p * this.p);
    this.b = new Float64Array(this.p);
  }

  /** Coefficients `[value, slope, (curvature/2)]` of the local polynomial in `(x − x0)` at `x0`. */
  at(x0: number): Float64Array {
    const { xs, ys, q, p, A, b } = this;
    const n = xs.length;
    // first index with xs >= x0, then grow a window of the q nearest
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((xs[mid] as number) < x0) lo = mid + 1;
      else hi = mid;
    }
    let left = lo - 1;
    let right = lo;
    let h = 0;
    for (let k = 0; k < q; k++) {
      const dl = left >= 0 ? x0 - (xs[left] as number) : Number.POSITIVE_INFINITY;
      const dr = right < n ? (xs[right] as number) - x0 : Number.POSITIVE_INFINITY;
      if (dl <= dr) {
        h = dl;
        left--;
      } else {
        h = dr;
        right++;
      }
    }
    // netlib: rho = d_q^2 · max(1, span) on squared distances
    if (this.span > 1) h *= Math.sqrt(this.span);
    if (!(h > 0))
      throw new HypedError("INVALID_ARGUMENT", `loess: zero-width neighbourhood at x = ${x0} (too many tied x values)`, { x: x0 });
    A.fill(0);
    b.fill(0);
    let a0 = left + 1;
    while (a0 > 0 && x0 - (xs[a0 - 1] as number) < h) a0--;
    let a1 = right;
    while (a1 < n && (xs[a1] as number) - x0 < h) a1++;
    for (let k = a0; k < a1; k++) {
      const u = (xs[k] as number) - x0;
      const d = Math.abs(u) / h;
      if (d >= 1) continue;
      const t = 1 - d * d * d;
      const w = t * t * t;
      const yk = ys[k] as number;
      let pi = 1;
      for (let r = 0; r < p; r++) {
        let pj = 1;
        for (let c = 0; c < p; c++) {
          A[r * p + c]! += w * pi * pj;
          pj *= u;
        }
        b[r]! += w * pi * yk;
        pi *= u;
      }
    }
    return solveSmall(A, b, p);
  }
}

/** Solve the small system A·β = b (Gaussian elimination with partial pivoting); singular pivots give 0. */
function solveSmall(A: Float64Array, b: Float64Array, p: number): Float64Array {
  const M = Float64Array.from(A);
  const v = Float64Array.from(b);
  for (let c = 0; c < p; c++) {
    let best = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(M[r * p + c] as number) > Math.abs(M[best * p + c] as number)) best = r;
    if (best !== c) {
      for (let k = 0; k < p; k++) {
        const t = M[c * p + k] as number;
        M[c * p + k] = M[best * p + k] as number;
        M[best * p + k] = t;
      }
      const t = v[c] as number;
      v[c] = v[best] as number;
      v[best] = t;
    }
    const piv = M[c * p + c] as number;
    if (piv === 0) continue;
    for (let r = c + 1; r < p; r++) {
      const f = (M[r * p + c] as number) / piv;
      if (f === 0) continue;
      for (let k = c; k < p; k++) M[r * p + k]! -= f * (M[c * p + k] as number);
      v[r]! -= f * (v[c] as number);
    }
  }
  const beta = new Float64Array(p);
  for (let r = p - 1; r >= 0; r--) {
    let s = v[r] as number;
    for (let k = r + 1; k < p; k++) s -= (M[r * p + k] as number) * (beta[k] as number);
    const piv = M[r * p + r] as number;
    beta[r] = piv === 0 ? 0 : s / piv;
  }
  return beta;
}

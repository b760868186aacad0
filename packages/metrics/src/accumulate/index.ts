/**
 * Streaming accumulators for data too large to hold at once (e.g. 200 frames of 4 x 2826 x 3245): feed
 * matching pieces of the two inputs with `update(a, b)`, read `value()` at any time. `state()` is a plain
 * object (JSON- and `postMessage`-safe); `merge()` combines accumulators filled in parallel (workers,
 * processes), giving the same value as one accumulator fed everything, to rounding.
 */
import { HypedError } from "@hyped/core";
import { psnrDefaultRange, psnrFromMse } from "../image/impl.js";
import { assertFinitePair, CHUNK, flatPair, type MetricInput, SCRATCH_A, SCRATCH_B } from "../internal/input.js";
import { centredProducts, sumAbsDiff, sumSqDiff } from "../internal/kernels.js";
import { CompensatedSum } from "../internal/sum.js";

/** A streaming paired metric. */
export interface Accumulator<S extends { kind: string }> {
  /** Add matching pieces of the two inputs (same length). Returns `this`. */
  update(a: MetricInput, b: MetricInput): this;
  /** Fold in another accumulator of the same kind, or its {@link state}. Returns `this`. */
  merge(other: Accumulator<S> | S): this;
  /** The metric over everything added so far. */
  value(): number;
  /** Element pairs added so far. */
  readonly count: number;
  /** A plain-object snapshot (restore with the matching `create…Accumulator(state)`). */
  state(): S;
}

/** State of the sum-of-errors accumulators. */
export interface ErrorSumState {
  kind: "mse" | "rmse" | "mae" | "psnr";
  n: number;
  s: number;
  c: number;
  dataRange?: number;
}

function stateOf<S extends { kind: string }>(o: Accumulator<S> | S, kind: string): S {
  const s = typeof (o as Accumulator<S>).state === "function" ? (o as Accumulator<S>).state() : (o as S);
  if (s.kind !== kind)
    throw new HypedError("INVALID_ARGUMENT", `cannot merge a '${s.kind}' accumulator into a '${kind}' one`, { kind: s.kind });
  return s;
}

class ErrorSum implements Accumulator<ErrorSumState> {
  private n = 0;
  private sum = new CompensatedSum();
  constructor(
    private readonly kind: ErrorSumState["kind"],
    private dataRange: number | undefined,
    init?: ErrorSumState,
  ) {
    if (init) this.merge(init);
  }
  get count(): number {
    return this.n;
  }
  update(a: MetricInput, b: MetricInput): this {
    const [fa, fb] = flatPair(a, b);
    if (this.kind === "psnr" && this.dataRange === undefined) this.dataRange = psnrDefaultRange(a, fa);
    const abs = this.kind === "mae";
    const part = new CompensatedSum();
    for (let i = 0; i < fa.length; i += CHUNK) {
      const m = Math.min(CHUNK, fa.length - i);
      const x = fa.read(i, m, SCRATCH_A);
      const y = fb.read(i, m, SCRATCH_B);
      part.add(abs ? sumAbsDiff(x, y, m) : sumSqDiff(x, y, m));
    }
    if (!Number.isFinite(part.value())) assertFinitePair(fa, fb, this.kind);
    this.sum.merge(part);
    this.n += fa.length;
    return this;
  }
  merge(other: Accumulator<ErrorSumState> | ErrorSumState): this {
    const s = stateOf(other, this.kind);
    this.sum.merge(s);
    this.n += s.n;
    if (this.dataRange === undefined && s.dataRange !== undefined) this.dataRange = s.dataRange;
    return this;
  }
  value(): number {
    if (this.n === 0) throw new HypedError("INVALID_ARGUMENT", `${this.kind}: no data added yet`, {});
    const mean = this.sum.value() / this.n;
    if (this.kind === "rmse") return Math.sqrt(mean);
    if (this.kind === "psnr") return psnrFromMse(mean, this.dataRange as number);
    return mean;
  }
  state(): ErrorSumState {
    return {
      kind: this.kind,
      n: this.n,
      s: this.sum.s,
      c: this.sum.c,
      ...(this.dataRange === undefined ? {} : { dataRange: this.dataRange }),
    };
  }
}

/** Streaming {@link mse} (mean of squared differences, compensated). NaN/±Infinity input throws `INVALID_ARGUMENT`. */
export function createMseAccumulator(state?: ErrorSumState): Accumulator<ErrorSumState> {
  return new ErrorSum("mse", undefined, state);
}
/** Streaming {@link rmse}. */
export function createRmseAccumulator(state?: ErrorSumState): Accumulator<ErrorSumState> {
  return new ErrorSum("rmse", undefined, state);
}
/** Streaming {@link mae}. */
export function createMaeAccumulator(state?: ErrorSumState): Accumulator<ErrorSumState> {
  return new ErrorSum("mae", undefined, state);
}
/**
 * Streaming {@link psnr} in dB over all pixels added (one MSE over everything, not a mean of per-frame
 * PSNRs). `dataRange` defaults by the first reference piece's dtype, as {@link psnr}.
 */
export function createPsnrAccumulator(options: { dataRange?: number } = {}, state?: ErrorSumState): Accumulator<ErrorSumState> {
  return new ErrorSum("psnr", options.dataRange ?? state?.dataRange, state);
}

/** State of {@link createPearsonAccumulator}: count, means and centred co-moments. */
export interface PearsonState {
  kind: "pearson";
  n: number;
  mx: number;
  my: number;
  sxx: number;
  syy: number;
  sxy: number;
}

const F3 = new Float64Array(3);

class PearsonAcc implements Accumulator<PearsonState> {
  private s: PearsonState = { kind: "pearson", n: 0, mx: 0, my: 0, sxx: 0, syy: 0, sxy: 0 };
  constructor(init?: PearsonState) {
    if (init) this.merge(init);
  }
  get count(): number {
    return this.s.n;
  }
  update(a: MetricInput, b: MetricInput): this {
    const [fa, fb] = flatPair(a, b);
    for (let i = 0; i < fa.length; i += CHUNK) {
      const m = Math.min(CHUNK, fa.length - i);
      const x = fa.read(i, m, SCRATCH_A);
      const y = fb.read(i, m, SCRATCH_B);
      let sx = 0;
      let sy = 0;
      for (let j = 0; j < m; j++) {
        sx += x[j] as number;
        sy += y[j] as number;
      }
      const mx = sx / m;
      const my = sy / m;
      if (!Number.isFinite(mx) || !Number.isFinite(my)) assertFinitePair(fa, fb, "pearson");
      centredProducts(x, y, m, mx, my, 1, 1, F3);
      this.combine({ kind: "pearson", n: m, mx, my, sxx: F3[0] as number, syy: F3[1] as number, sxy: F3[2] as number });
    }
    return this;
  }
  private combine(o: PearsonState): void {
    const a = this.s;
    if (o.n === 0) return;
    if (a.n === 0) {
      this.s = { ...o };
      return;
    }
    const n = a.n + o.n;
    const dx = o.mx - a.mx;
    const dy = o.my - a.my;
    const f = (a.n * o.n) / n;
    this.s = {
      kind: "pearson",
      n,
      mx: a.mx + (dx * o.n) / n,
      my: a.my + (dy * o.n) / n,
      sxx: a.sxx + o.sxx + dx * dx * f,
      syy: a.syy + o.syy + dy * dy * f,
      sxy: a.sxy + o.sxy + dx * dy * f,
    };
  }
  merge(other: Accumulator<PearsonState> | PearsonState): this {
    this.combine(stateOf(other, "pearson"));
    return this;
  }
  value(): number {
    const { n, sxx, syy, sxy } = this.s;
    if (n < 2) throw new HypedError("INVALID_ARGUMENT", `pearson: needs at least 2 elements, got ${n}`, { n });
    if (sxx === 0 || syy === 0) return Number.NaN;
    const r = sxy / (Math.sqrt(sxx) * Math.sqrt(syy));
    return r > 1 ? 1 : Math.max(r, -1);
  }
  state(): PearsonState {
    return { ...this.s };
  }
}

/**
 * Streaming {@link pearson}: per-chunk two-pass moments merged with Chan et al.'s pairwise update, so it
 * stays accurate over billions of pixels. Zero variance gives NaN; NaN/±Infinity input throws `INVALID_ARGUMENT`.
 */
export function createPearsonAccumulator(state?: PearsonState): Accumulator<PearsonState> {
  return new PearsonAcc(state);
}

/** State of {@link createCosineAccumulator}: compensated Σa², Σb², Σab. */
export interface CosineState {
  kind: "cosine";
  n: number;
  aa: [number, number];
  bb: [number, number];
  ab: [number, number];
}

class CosineAcc implements Accumulator<CosineState> {
  private n = 0;
  private aa = new CompensatedSum();
  private bb = new CompensatedSum();
  private ab = new CompensatedSum();
  constructor(init?: CosineState) {
    if (init) this.merge(init);
  }
  get count(): number {
    return this.n;
  }
  update(a: MetricInput, b: MetricInput): this {
    const [fa, fb] = flatPair(a, b);
    for (let i = 0; i < fa.length; i += CHUNK) {
      const m = Math.min(CHUNK, fa.length - i);
      centredProducts(fa.read(i, m, SCRATCH_A), fb.read(i, m, SCRATCH_B), m, 0, 0, 1, 1, F3);
      this.aa.add(F3[0] as number);
      this.bb.add(F3[1] as number);
      this.ab.add(F3[2] as number);
    }
    this.n += fa.length;
    return this;
  }
  merge(other: Accumulator<CosineState> | CosineState): this {
    const s = stateOf(other, "cosine");
    this.aa.merge({ s: s.aa[0], c: s.aa[1] });
    this.bb.merge({ s: s.bb[0], c: s.bb[1] });
    this.ab.merge({ s: s.ab[0], c: s.ab[1] });
    this.n += s.n;
    return this;
  }
  value(): number {
    if (this.n === 0) throw new HypedError("INVALID_ARGUMENT", "cosineSimilarity: no data added yet", {});
    const aa = this.aa.value();
    const bb = this.bb.value();
    const r = this.ab.value() / (Math.sqrt(aa) * Math.sqrt(bb));
    return r > 1 ? 1 : Math.max(r, -1);
  }
  state(): CosineState {
    return { kind: "cosine", n: this.n, aa: [this.aa.s, this.aa.c], bb: [this.bb.s, this.bb.c], ab: [this.ab.s, this.ab.c] };
  }
}

/**
 * Streaming {@link cosineSimilarity}. A zero vector gives NaN. Unlike the one-shot function it does not
 * rescale, so values beyond ~1e150 overflow.
 */
export function createCosineAccumulator(state?: CosineState): Accumulator<CosineState> {
  return new CosineAcc(state);
}

/** State of {@link createR2Accumulator}. */
export interface R2State {
  kind: "r2";
  /** Σ (y − ŷ)², compensated. */
  num: [number, number];
  /** Moments of y_true: count, mean and Σ (y − ȳ)². */
  n: number;
  mean: number;
  m2: number;
  forceFinite: boolean;
}

class R2Acc implements Accumulator<R2State> {
  private num = new CompensatedSum();
  private s = { n: 0, mean: 0, m2: 0 };
  constructor(
    private readonly forceFinite: boolean,
    init?: R2State,
  ) {
    if (init) this.merge(init);
  }
  get count(): number {
    return this.s.n;
  }
  update(yTrue: MetricInput, yPred: MetricInput): this {
    const [ft, fp] = flatPair(yTrue, yPred, ["yTrue", "yPred"]);
    for (let i = 0; i < ft.length; i += CHUNK) {
      const m = Math.min(CHUNK, ft.length - i);
      const x = ft.read(i, m, SCRATCH_A);
      const y = fp.read(i, m, SCRATCH_B);
      const sq = sumSqDiff(x, y, m);
      let sx = 0;
      for (let j = 0; j < m; j++) sx += x[j] as number;
      const mean = sx / m;
      if (!Number.isFinite(sq) || !Number.isFinite(mean)) assertFinitePair(ft, fp, "r2", ["yTrue", "yPred"]);
      let m2 = 0;
      let constant = true;
      const x0 = x[0] as number;
      for (let j = 0; j < m; j++) {
        const d = (x[j] as number) - mean;
        m2 += d * d;
        if (x[j] !== x0) constant = false;
      }
      this.num.add(sq);
      this.combine(m, constant ? x0 : mean, constant ? 0 : m2);
    }
    return this;
  }
  private combine(n: number, mean: number, m2: number): void {
    const a = this.s;
    if (n === 0) return;
    if (a.n === 0) {
      this.s = { n, mean, m2 };
      return;
    }
    const t = a.n + n;
    const d = mean - a.mean;
    this.s = { n: t, mean: a.mean + (d * n) / t, m2: a.m2 + m2 + (d * d * a.n * n) / t };
  }
  merge(other: Accumulator<R2State> | R2State): this {
    const s = stateOf(other, "r2");
    this.num.merge({ s: s.num[0], c: s.num[1] });
    this.combine(s.n, s.mean, s.m2);
    return this;
  }
  value(): number {
    if (this.s.n < 2) throw new HypedError("INVALID_ARGUMENT", `r2: R² is not defined for fewer than 2 samples, got ${this.s.n}`, {});
    const num = this.num.value();
    const den = this.s.m2;
    if (den !== 0 && num !== 0) return 1 - num / den;
    if (num === 0) return this.forceFinite ? 1 : den === 0 ? Number.NaN : 1;
    return this.forceFinite ? 0 : Number.NEGATIVE_INFINITY;
  }
  state(): R2State {
    return { kind: "r2", num: [this.num.s, this.num.c], n: this.s.n, mean: this.s.mean, m2: this.s.m2, forceFinite: this.forceFinite };
  }
}

/** Streaming {@link r2} (`yTrue` first in each update), scikit-learn's rules for a constant `yTrue`. */
export function createR2Accumulator(options: { forceFinite?: boolean } = {}, state?: R2State): Accumulator<R2State> {
  return new R2Acc(options.forceFinite ?? state?.forceFinite ?? true, state);
}

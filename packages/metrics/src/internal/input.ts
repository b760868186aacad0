/**
 * Input plumbing shared by every metric: any {@link MetricInput} is read as float64 chunks, so the numeric
 * kernels stay monomorphic (they only ever see `Float64Array`) whatever the caller's dtype or layout.
 */
import { type ArrayInput, contiguous, HypedError, isNdArray, shapeSize } from "@hyped/core";

/**
 * What the metrics accept: a scijs ndarray of any dtype and strides, any TypedArray (BigInt arrays included),
 * or a plain array of numbers or BigInts. BigInt values beyond ±(2^53 − 1) throw `OUT_OF_RANGE`.
 */
export type MetricInput = ArrayInput;

/** Elements per chunk in the streaming kernels (a multiple of 8). */
export const CHUNK = 4096;

/**
 * Two shared chunk buffers. Every metric is synchronous and reads one chunk of each input at a time, so the
 * buffers are never used by two computations at once; sharing them avoids allocating per call (which matters
 * for row-wise metrics over 20,000 rows).
 */
export const SCRATCH_A = new Float64Array(CHUNK);
/** The second shared chunk buffer, see {@link SCRATCH_A}. */
export const SCRATCH_B = new Float64Array(CHUNK);

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A flat, chunk-readable view of an input. */
export interface FlatInput {
  /** Number of elements. */
  readonly length: number;
  /** Shape when the input was an ndarray, else `[length]`. */
  readonly shape: readonly number[];
  /** True when the shape came from an ndarray. */
  readonly isNd: boolean;
  /** The element values as float64 in C order, `count` of them from `start`: a view when possible, else `scratch`. */
  read(start: number, count: number, scratch: Float64Array): Float64Array;
  /** The whole input as float64 (a view for `Float64Array` input, else a copy). */
  all(): Float64Array;
  /** The integer dtype limits when the storage is an integer TypedArray (`undefined` for float/plain arrays). */
  readonly storage: "float32" | "float64" | "int" | "bigint" | "plain";
  /** The underlying TypedArray, or undefined for plain arrays. */
  readonly typed?: ArrayBufferView;
}

/** The numeric TypedArrays the metrics read in place (every kind but the bigint ones). */
export type NumTyped =
  | Float64Array
  | Float32Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint8ClampedArray
  | Uint16Array
  | Uint32Array;

function bigToNumber(v: bigint, i: number, what: string): number {
  if (v > SAFE || v < -SAFE) {
    throw new HypedError("OUT_OF_RANGE", `${what}[${i}] = ${v} is beyond 2^53 and cannot be converted to a float64 exactly`, {
      index: i,
      what,
    });
  }
  return Number(v);
}

/** Read any {@link MetricInput} as a {@link FlatInput}. `what` names it in error messages. */
export function flat(x: MetricInput, what = "input"): FlatInput {
  if (x === null || typeof x !== "object") {
    throw new HypedError("INVALID_ARGUMENT", `${what} must be an array, TypedArray or ndarray, got ${x === null ? "null" : typeof x}`, {
      what,
    });
  }
  let data: ArrayLike<number> | ArrayLike<bigint>;
  let shape: number[];
  let isNd = false;
  if (isNdArray(x)) {
    const c = contiguous(x);
    const n = shapeSize(c.shape);
    data = (c.data as unknown as { subarray(a: number, b: number): ArrayLike<number> }).subarray(0, n);
    shape = [...x.shape];
    isNd = true;
  } else {
    data = x as ArrayLike<number>;
    if (typeof (data as { length?: unknown }).length !== "number") {
      throw new HypedError("INVALID_ARGUMENT", `${what} has no length; expected an array, TypedArray or ndarray`, { what });
    }
    shape = [data.length];
  }
  const n = data.length;
  if (
    data instanceof BigInt64Array ||
    data instanceof BigUint64Array ||
    (n > 0 && !ArrayBuffer.isView(data) && typeof data[0] === "bigint")
  ) {
    const b = data as unknown as ArrayLike<bigint>;
    return {
      length: n,
      shape,
      isNd,
      storage: "bigint",
      ...(ArrayBuffer.isView(b) ? { typed: b as unknown as ArrayBufferView } : {}),
      read(start, count, scratch) {
        for (let i = 0; i < count; i++) scratch[i] = bigToNumber(b[start + i] as bigint, start + i, what);
        return scratch;
      },
      all() {
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = bigToNumber(b[i] as bigint, i, what);
        return out;
      },
    };
  }
  if (data instanceof Float64Array) {
    const f = data;
    return {
      length: n,
      shape,
      isNd,
      storage: "float64",
      typed: f,
      read: (start, count) => f.subarray(start, start + count),
      all: () => f,
    };
  }
  if (ArrayBuffer.isView(data)) {
    const t = data as unknown as NumTyped;
    return {
      length: n,
      shape,
      isNd,
      storage: t instanceof Float32Array ? "float32" : "int",
      typed: t,
      read(start, count, scratch) {
        const s = count === scratch.length ? scratch : scratch.subarray(0, count);
        s.set(t.subarray(start, start + count));
        return s;
      },
      all: () => Float64Array.from(t),
    };
  }
  const p = data as ArrayLike<number>;
  return {
    length: n,
    shape,
    isNd,
    storage: "plain",
    read(start, count, scratch) {
      for (let i = 0; i < count; i++) scratch[i] = +(p[start + i] as number);
      return scratch;
    },
    all() {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = +(p[i] as number);
      return out;
    },
  };
}

/** Flatten two inputs and check they hold the same number of elements (and the same shape for two ndarrays). */
export function flatPair(a: MetricInput, b: MetricInput, names: [string, string] = ["a", "b"]): [FlatInput, FlatInput] {
  const fa = flat(a, names[0]);
  const fb = flat(b, names[1]);
  if (fa.length !== fb.length || (fa.isNd && fb.isNd && !sameShape(fa.shape, fb.shape))) {
    throw new HypedError(
      "SHAPE_MISMATCH",
      `${names[0]} and ${names[1]} must have the same shape: [${fa.shape}] (${fa.length} elements) vs [${fb.shape}] (${fb.length} elements)`,
      { a: [...fa.shape], b: [...fb.shape] },
    );
  }
  return [fa, fb];
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Index of the first non-finite value of `f`, or -1. */
export function firstNonFinite(f: FlatInput): number {
  const scratch = new Float64Array(CHUNK);
  for (let s = 0; s < f.length; s += CHUNK) {
    const m = Math.min(CHUNK, f.length - s);
    const v = f.read(s, m, scratch);
    for (let i = 0; i < m; i++) if (!Number.isFinite(v[i] as number)) return s + i;
  }
  return -1;
}

/** Throws `INVALID_ARGUMENT` naming the first NaN/±Infinity in either input (scikit-learn's `check_array` rule). */
export function assertFinitePair(fa: FlatInput, fb: FlatInput, fn: string, names: [string, string] = ["a", "b"]): void {
  for (const [f, name] of [
    [fa, names[0]],
    [fb, names[1]],
  ] as const) {
    const i = firstNonFinite(f);
    if (i >= 0) {
      const v = f.read(i, 1, new Float64Array(1))[0];
      throw new HypedError("INVALID_ARGUMENT", `${fn}: ${name}[${i}] is ${v}; inputs must be finite (as scikit-learn requires)`, {
        index: i,
        value: v,
        input: name,
      });
    }
  }
}

/**
 * The shared array currency: scijs `ndarray` over the TypedArrays of {@link DType}.
 *
 * Boolean arrays are `Uint8Array`-backed; the toolkit marks them with an own `dtype: "bool"` property
 * (see {@link markBool}) because ndarray itself reports `uint8`. Views made by `lo/hi/step/pick/transpose`
 * do not keep the mark; pass the dtype explicitly where it matters (e.g. `writeNpy(a, { dtype: "bool" })`).
 */
import ndarray, { type NdArray as ScijsNdArray } from "ndarray";
import { type AnyTypedArray, allocate, type DType, dtypeOf, type TypedArrayFor } from "./dtype.js";
import { HypedError } from "./errors.js";

/** An ndarray over a TypedArray of dtype `D`. */
export type NdArray<D extends DType = DType> = ScijsNdArray<TypedArrayFor<D> & ndarray.Data>;
/** An ndarray over any of the toolkit's TypedArrays. */
export type AnyNdArray = ScijsNdArray<AnyTypedArray & ndarray.Data>;

export { ndarray };

/** Number of elements of a shape (1 for the empty shape). Throws `OUT_OF_RANGE` for invalid extents. */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) {
    if (!Number.isSafeInteger(s) || s < 0) throw new HypedError("OUT_OF_RANGE", `invalid extent ${s} in shape [${shape}]`, { shape });
    n *= s;
  }
  if (!Number.isSafeInteger(n)) throw new HypedError("OUT_OF_RANGE", `shape [${shape}] has too many elements`, { shape });
  return n;
}

/** C-order (row-major) strides for `shape`. */
export function cStrides(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[i] = s;
    s *= shape[i] as number;
  }
  return st;
}

/** Fortran-order (column-major) strides for `shape`. */
export function fStrides(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let i = 0; i < shape.length; i++) {
    st[i] = s;
    s *= shape[i] as number;
  }
  return st;
}

/** A new zero-filled C-order ndarray of `dtype` and `shape`. */
export function zeros<D extends DType>(dtype: D, shape: readonly number[]): NdArray<D> {
  const a = ndarray(allocate(dtype, shapeSize(shape)) as TypedArrayFor<D> & ndarray.Data, [...shape]) as NdArray<D>;
  if (dtype === "bool") markBool(a);
  return a;
}

/**
 * Wrap a TypedArray as a C-order ndarray of `shape` (default: 1-D). Throws `SHAPE_MISMATCH` if the sizes disagree.
 */
export function fromTyped<T extends AnyTypedArray>(data: T, shape: readonly number[] = [data.length]): ScijsNdArray<T & ndarray.Data> {
  const n = shapeSize(shape);
  if (n !== data.length) {
    throw new HypedError("SHAPE_MISMATCH", `shape [${shape}] needs ${n} elements, data has ${data.length}`, {
      shape,
      length: data.length,
    });
  }
  return ndarray(data as T & ndarray.Data, [...shape]);
}

/** Mark a Uint8Array-backed ndarray as holding booleans (sets an own `dtype` of `"bool"`). */
export function markBool<A extends { data: unknown }>(a: A): A {
  Object.defineProperty(a, "dtype", { value: "bool", enumerable: false, configurable: true, writable: true });
  return a;
}

/** The toolkit dtype of an ndarray, honouring the bool mark. */
export function ndDtype(a: { data: unknown; dtype?: unknown }): DType {
  if (a.dtype === "bool") return "bool";
  return dtypeOf(a.data as ArrayBufferView);
}

/** True if `a` is C-contiguous starting at offset 0 over exactly its data. */
export function isCContiguous(a: { shape: number[]; stride: number[]; offset: number; data: { length: number } }): boolean {
  if (a.offset !== 0) return false;
  const want = cStrides(a.shape);
  for (let i = 0; i < a.shape.length; i++) if ((a.shape[i] as number) > 1 && a.stride[i] !== want[i]) return false;
  return shapeSize(a.shape) === a.data.length;
}

/**
 * A C-contiguous copy of `a` (or `a` itself when it already is one and `copy` is false).
 * Works for any dimension and stride pattern, including negative strides.
 */
export function contiguous<A extends AnyNdArray>(a: A, copy = false): A {
  if (!copy && isCContiguous(a)) return a;
  const dtype = ndDtype(a);
  const out = zeros(dtype, a.shape) as unknown as A;
  const src = a.data as unknown as { [i: number]: number | bigint };
  const dst = out.data as unknown as { [i: number]: number | bigint };
  const d = a.shape.length;
  if (d === 0) {
    dst[0] = src[a.offset] as number;
    return out;
  }
  const shape = a.shape;
  const stride = a.stride;
  const idx = new Array<number>(d).fill(0);
  const n = out.size;
  const last = d - 1;
  const lastN = shape[last] as number;
  const lastS = stride[last] as number;
  let o = 0;
  let base = a.offset;
  while (o < n) {
    for (let k = 0, p = base; k < lastN; k++, p += lastS) dst[o++] = src[p] as number;
    // advance the outer index
    let ax = last - 1;
    while (ax >= 0) {
      idx[ax] = (idx[ax] as number) + 1;
      base += stride[ax] as number;
      if ((idx[ax] as number) < (shape[ax] as number)) break;
      base -= (stride[ax] as number) * (shape[ax] as number);
      idx[ax] = 0;
      ax--;
    }
    if (ax < 0) break;
  }
  if (dtype === "bool") markBool(out);
  return out;
}

/** A view of `a` with a new shape of the same size. Copies first if `a` is not C-contiguous. */
export function reshape<A extends AnyNdArray>(a: A, shape: readonly number[]): A {
  const n = shapeSize(shape);
  if (n !== a.size) {
    throw new HypedError("SHAPE_MISMATCH", `cannot reshape [${a.shape}] (${a.size} elements) to [${shape}]`, {
      from: a.shape,
      to: shape,
    });
  }
  const c = contiguous(a);
  const out = ndarray(c.data, [...shape], cStrides(shape), 0) as unknown as A;
  if (ndDtype(a) === "bool") markBool(out);
  return out;
}

/** True if two shapes are equal. */
export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Throws `SHAPE_MISMATCH` naming both shapes unless they are equal. */
export function assertSameShape(a: readonly number[], b: readonly number[], what = "arrays"): void {
  if (!shapesEqual(a, b)) {
    throw new HypedError("SHAPE_MISMATCH", `${what} have different shapes: [${a}] vs [${b}]`, { a: [...a], b: [...b] });
  }
}

/** Throws `INVALID_ARGUMENT` unless `a` is 2-D; returns `[rows, cols]`. */
export function assert2D(a: { shape: number[] }, what = "image"): [number, number] {
  if (a.shape.length !== 2) {
    throw new HypedError("INVALID_ARGUMENT", `${what} must be 2-D, got shape [${a.shape}]`, { shape: a.shape });
  }
  return [a.shape[0] as number, a.shape[1] as number];
}

/** Loose input accepted by numeric functions: an ndarray, a TypedArray or a plain array. */
export type ArrayInput = AnyNdArray | ArrayLike<number> | ArrayLike<bigint>;

/** True if `x` looks like a scijs ndarray. */
export function isNdArray(x: unknown): x is AnyNdArray {
  return (
    x !== null &&
    typeof x === "object" &&
    Array.isArray((x as { shape?: unknown }).shape) &&
    Array.isArray((x as { stride?: unknown }).stride) &&
    typeof (x as { offset?: unknown }).offset === "number"
  );
}

/**
 * The values of an {@link ArrayInput} in C order as a flat array-like (no copy when already flat and
 * contiguous). BigInt storage is returned as is; convert with `toFloat64` where numbers are needed.
 */
export function flatValues(x: ArrayInput): ArrayLike<number> | ArrayLike<bigint> {
  if (isNdArray(x)) {
    const c = contiguous(x);
    return c.data as unknown as ArrayLike<number>;
  }
  return x;
}

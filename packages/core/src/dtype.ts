/**
 * The single dtype table of the toolkit.
 *
 * Rules, written down once:
 * - **64-bit integers** (`int64`, `uint64`) are held in `BigInt64Array` / `BigUint64Array`, never silently
 *   narrowed. Use {@link toNumberArray} to get float64 numbers; it throws `OUT_OF_RANGE` past ±2^53.
 * - **Booleans** (`bool`) are held in a `Uint8Array` of 0/1. Any non-zero byte read from a file means true and
 *   is normalised to 1 by readers.
 * - **float16** has no TypedArray on Node 20 (nor in every browser), so it is not a {@link DType}. Readers
 *   widen it exactly to `float32` (every half value is a float32 value) and mark the result with
 *   {@link markFloat16}; writers that see the mark store float16 again, rounding to nearest-even
 *   ({@link floatToHalf}, as numpy's `astype(np.float16)`), so a read–write round trip keeps the dtype and
 *   the values bit for bit. Arithmetic on a widened array gives an unmarked float32 result.
 * - Byte order in memory is always the platform's (little-endian on every supported platform); readers swap.
 */
import { HypedError } from "./errors.js";

/** The dtype names the toolkit understands. */
export type DType = "float32" | "float64" | "int8" | "int16" | "int32" | "uint8" | "uint16" | "uint32" | "int64" | "uint64" | "bool";

/** The TypedArray that holds each dtype. */
export interface DTypeArrayMap {
  float32: Float32Array;
  float64: Float64Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  uint8: Uint8Array;
  uint16: Uint16Array;
  uint32: Uint32Array;
  int64: BigInt64Array;
  uint64: BigUint64Array;
  bool: Uint8Array;
}

/** The TypedArray type for dtype `D`. */
export type TypedArrayFor<D extends DType> = DTypeArrayMap[D];
/** Any TypedArray the toolkit uses. */
export type AnyTypedArray = DTypeArrayMap[DType];
/** TypedArrays holding plain numbers (everything except the BigInt arrays). */
export type NumericTypedArray = Exclude<AnyTypedArray, BigInt64Array | BigUint64Array>;

type Ctor = { new (n: number): AnyTypedArray; new (b: ArrayBufferLike, o?: number, n?: number): AnyTypedArray; BYTES_PER_ELEMENT: number };

/** The runtime constructor table. */
export const DTYPE_CTORS: { readonly [D in DType]: Ctor } = {
  float32: Float32Array as unknown as Ctor,
  float64: Float64Array as unknown as Ctor,
  int8: Int8Array as unknown as Ctor,
  int16: Int16Array as unknown as Ctor,
  int32: Int32Array as unknown as Ctor,
  uint8: Uint8Array as unknown as Ctor,
  uint16: Uint16Array as unknown as Ctor,
  uint32: Uint32Array as unknown as Ctor,
  int64: BigInt64Array as unknown as Ctor,
  uint64: BigUint64Array as unknown as Ctor,
  bool: Uint8Array as unknown as Ctor,
};

/** All dtype names, in table order. */
export const DTYPES: readonly DType[] = Object.keys(DTYPE_CTORS) as DType[];

/** True if `s` is a dtype name. */
export function isDType(s: unknown): s is DType {
  return typeof s === "string" && Object.hasOwn(DTYPE_CTORS, s);
}

/** Bytes per element of `dtype`. */
export function dtypeSize(dtype: DType): number {
  return DTYPE_CTORS[dtype].BYTES_PER_ELEMENT;
}

/** True for `int64`/`uint64` (BigInt storage). */
export function isBigIntDType(dtype: DType): dtype is "int64" | "uint64" {
  return dtype === "int64" || dtype === "uint64";
}

/** True for the floating-point dtypes. */
export function isFloatDType(dtype: DType): dtype is "float32" | "float64" {
  return dtype === "float32" || dtype === "float64";
}

/** True for the integer dtypes (bool excluded). */
export function isIntegerDType(dtype: DType): boolean {
  return !isFloatDType(dtype) && dtype !== "bool";
}

/**
 * Allocate a zeroed TypedArray of `length` elements. Throws `OUT_OF_RANGE` for negative, non-integer or
 * unallocatable lengths, before allocating.
 */
export function allocate<D extends DType>(dtype: D, length: number): TypedArrayFor<D> {
  checkAllocation(length, dtypeSize(dtype), dtype);
  return new DTYPE_CTORS[dtype](length) as TypedArrayFor<D>;
}

/** Largest number of bytes one TypedArray may take (V8's limit on 64-bit platforms, 2^32 elements x size). */
export const MAX_TYPED_ARRAY_BYTES = 2 ** 32 * 8;

/** Throws `OUT_OF_RANGE` unless `length` elements of `bytesPerElement` can be allocated. */
export function checkAllocation(length: number, bytesPerElement: number, what = "array"): void {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new HypedError("OUT_OF_RANGE", `invalid element count ${length} for ${what}`, { length, what });
  }
  if (length > 2 ** 32 || length * bytesPerElement > MAX_TYPED_ARRAY_BYTES) {
    throw new HypedError("OUT_OF_RANGE", `${what} of ${length} elements x ${bytesPerElement} B is too large to allocate`, {
      length,
      bytesPerElement,
      what,
    });
  }
}

/**
 * The dtype of a TypedArray. A `Uint8Array` is reported as `uint8`; pass `bool` explicitly where it holds
 * booleans. `Uint8ClampedArray` maps to `uint8`.
 */
export function dtypeOf(a: ArrayBufferView): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int8Array) return "int8";
  if (a instanceof Int16Array) return "int16";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return "uint8";
  if (a instanceof Uint16Array) return "uint16";
  if (a instanceof Uint32Array) return "uint32";
  if (a instanceof BigInt64Array) return "int64";
  if (a instanceof BigUint64Array) return "uint64";
  throw new HypedError("UNSUPPORTED", `no dtype for ${a.constructor.name}`, { type: a.constructor.name });
}

/** View `bytes` (copied if unaligned) as a TypedArray of `dtype` with `length` elements, little-endian platform order. */
export function viewAs<D extends DType>(dtype: D, bytes: Uint8Array, length?: number): TypedArrayFor<D> {
  const size = dtypeSize(dtype);
  const n = length ?? Math.floor(bytes.byteLength / size);
  if (n * size > bytes.byteLength) {
    throw new HypedError("OUT_OF_RANGE", `need ${n * size} bytes for ${n} ${dtype}, have ${bytes.byteLength}`, { dtype });
  }
  if (bytes.byteOffset % size !== 0) {
    const copy = new Uint8Array(n * size);
    copy.set(bytes.subarray(0, n * size));
    return new DTYPE_CTORS[dtype](copy.buffer, 0, n) as TypedArrayFor<D>;
  }
  return new DTYPE_CTORS[dtype](bytes.buffer, bytes.byteOffset, n) as TypedArrayFor<D>;
}

/** Largest integer that converts from BigInt to number without loss. */
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Convert any array of numbers or BigInts to a `Float64Array` (a copy). BigInt values beyond ±(2^53 − 1)
 * throw `OUT_OF_RANGE` naming the index, rather than losing precision silently.
 */
export function toFloat64(a: ArrayLike<number> | ArrayLike<bigint>, what = "input"): Float64Array {
  const n = a.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  if (typeof a[0] === "bigint" || a instanceof BigInt64Array || a instanceof BigUint64Array) {
    const b = a as ArrayLike<bigint>;
    for (let i = 0; i < n; i++) {
      const v = b[i] as bigint;
      if (v > SAFE || v < -SAFE) {
        throw new HypedError("OUT_OF_RANGE", `${what}[${i}] = ${v} is beyond 2^53 and cannot be converted exactly`, {
          index: i,
          what,
        });
      }
      out[i] = Number(v);
    }
    return out;
  }
  const x = a as ArrayLike<number>;
  for (let i = 0; i < n; i++) out[i] = x[i] as number;
  return out;
}

/** Like {@link toFloat64} but returns plain-number TypedArrays unchanged (no copy). */
export function toNumberArray(a: ArrayLike<number> | ArrayLike<bigint>, what = "input"): ArrayLike<number> {
  if (a instanceof BigInt64Array || a instanceof BigUint64Array) return toFloat64(a, what);
  if (a.length > 0 && typeof a[0] === "bigint") return toFloat64(a, what);
  return a as ArrayLike<number>;
}

/** numpy's type-string (`<f4`, `|u1`, `|b1`, ...) for a dtype, little-endian. */
export function numpyDescr(dtype: DType): string {
  return NUMPY_DESCR[dtype];
}

const NUMPY_DESCR: Record<DType, string> = {
  float32: "<f4",
  float64: "<f8",
  int8: "|i1",
  int16: "<i2",
  int32: "<i4",
  uint8: "|u1",
  uint16: "<u2",
  uint32: "<u4",
  int64: "<i8",
  uint64: "<u8",
  bool: "|b1",
};

/**
 * Parse a numpy type-string into a dtype and byte order. Returns `undefined` for kinds the toolkit does not
 * hold (complex, strings, objects, datetimes); `float16` (`<f2`) is reported as `{ dtype: 'float32', half: true }`.
 */
export function parseNumpyDescr(descr: string): { dtype: DType; littleEndian: boolean; itemsize: number; half?: boolean } | undefined {
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  if (!m) return undefined;
  const order = m[1] as string;
  const kind = m[2] as string;
  const size = Number(m[3]);
  const littleEndian = order !== ">";
  const table: Record<string, DType | undefined> = {
    f4: "float32",
    f8: "float64",
    i1: "int8",
    i2: "int16",
    i4: "int32",
    i8: "int64",
    u1: "uint8",
    u2: "uint16",
    u4: "uint32",
    u8: "uint64",
    b1: "bool",
  };
  if (kind === "f" && size === 2) return { dtype: "float32", littleEndian, itemsize: 2, half: true };
  const dtype = table[`${kind}${size}`];
  return dtype ? { dtype, littleEndian, itemsize: size } : undefined;
}

/** Decode an IEEE 754 half-precision value stored as 16 bits. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Non-enumerable property that records the storage dtype of a widened array (see {@link markFloat16}). */
const STORED_AS = "storedAs";

/**
 * Mark an array (an ndarray, or a TypedArray) as widened from float16 storage; returns it. Writers store a
 * marked array as float16 (the rule at the top of this file).
 */
export function markFloat16<A extends object>(a: A): A {
  Object.defineProperty(a, STORED_AS, { value: "float16", enumerable: false, configurable: true, writable: true });
  return a;
}

/** True if `a` was marked by {@link markFloat16} (it holds float32 values read from float16). */
export function isFloat16(a: unknown): boolean {
  return typeof a === "object" && a !== null && (a as { [STORED_AS]?: unknown })[STORED_AS] === "float16";
}

/** Widen IEEE 754 half-precision bit patterns to float32 (exact). */
export function widenHalf(bits: Uint16Array, out: Float32Array = new Float32Array(bits.length)): Float32Array {
  for (let i = 0; i < bits.length; i++) out[i] = halfToFloat(bits[i] as number);
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The IEEE 754 half-precision bit pattern nearest to `x` (round to nearest, ties to even; overflow to
 * ±Infinity; NaN stays NaN), as numpy's `np.float16(x)` for a float32 `x`.
 */
export function floatToHalf(x: number): number {
  f32[0] = x;
  const b = u32[0] as number;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // a carry out of the mantissa moves to the next binade, or to Infinity: both correct
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  return sign | h;
}

/** Narrow numbers to half-precision bit patterns with {@link floatToHalf}. */
export function narrowToHalf(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = floatToHalf(values[i] as number);
  return out;
}

/**
 * A new TypedArray of `dtype` holding `values`: BigInt for `int64`/`uint64` (a non-integer throws
 * `RangeError`, as `BigInt` does), 0/1 for `bool`, anything else converted as the TypedArray converts numbers.
 */
export function typedFrom<D extends DType>(dtype: D, values: ArrayLike<number | bigint | boolean>): TypedArrayFor<D> {
  const out = allocate(dtype, values.length) as unknown as { [i: number]: number | bigint };
  const big = isBigIntDType(dtype);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number | bigint | boolean;
    out[i] = big ? BigInt(v) : dtype === "bool" ? (Number(v) ? 1 : 0) : Number(v);
  }
  return out as unknown as TypedArrayFor<D>;
}

/**
 * The element type code h5wasm takes for `dtype` (Python `struct` letters, little-endian: `<f`, `<d`, `<q`,
 * ...). Booleans are `<b` here; writers that store h5py boolean enums mark them separately.
 */
export function structCode(dtype: DType): string {
  return STRUCT_CODES[dtype];
}

const STRUCT_CODES: Record<DType, string> = {
  float32: "<f",
  float64: "<d",
  int8: "<b",
  int16: "<h",
  int32: "<i",
  uint8: "<B",
  uint16: "<H",
  uint32: "<I",
  int64: "<q",
  uint64: "<Q",
  bool: "<b",
};

/** The integer dtype of `size` bytes (1, 2, 4 or 8), signed or not; `undefined` for other sizes. */
export function integerDType(size: number, signed: boolean): DType | undefined {
  return (signed ? SIGNED_INTS : UNSIGNED_INTS)[size];
}

const SIGNED_INTS: Record<number, DType> = { 1: "int8", 2: "int16", 4: "int32", 8: "int64" };
const UNSIGNED_INTS: Record<number, DType> = { 1: "uint8", 2: "uint16", 4: "uint32", 8: "uint64" };

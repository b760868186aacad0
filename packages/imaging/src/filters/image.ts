/**
 * Shared plumbing for the 2-D filters: reading any numeric ndarray as a flat, C-ordered array of numbers,
 * and building output ndarrays. Internal to the filters/segmentation areas.
 */
import {
  type AnyNdArray,
  assert2D,
  contiguous,
  type DType,
  fromTyped,
  HypedError,
  isNdArray,
  markBool,
  type NdArray,
  ndDtype,
  toFloat64,
} from "@hyped/core";

/** A 2-D image seen as flat C-ordered numbers. */
export interface Flat2D {
  /** Values in C order (rows of `cols`). Not a copy when the input was already contiguous. */
  data: ArrayLike<number>;
  rows: number;
  cols: number;
  /** The toolkit dtype of the input (`bool` when marked). */
  dtype: DType;
}

/** Any 2-D ndarray of a toolkit dtype accepted by the filters. */
export type Image2D = AnyNdArray;

/** Read a 2-D ndarray as flat numbers; BigInt storage is converted exactly (or throws `OUT_OF_RANGE`). */
export function flat2D(image: Image2D, what = "image"): Flat2D {
  if (!isNdArray(image)) throw new HypedError("INVALID_ARGUMENT", `${what} must be a 2-D ndarray`, { what });
  const [rows, cols] = assert2D(image, what);
  const dtype = ndDtype(image);
  const st = image.stride;
  if (
    (rows <= 1 || st[0] === cols) &&
    (cols <= 1 || st[1] === 1) &&
    !(image.data instanceof BigInt64Array || image.data instanceof BigUint64Array) &&
    ArrayBuffer.isView(image.data)
  ) {
    // a C-ordered view (e.g. one channel picked from a CYX frame): a subarray, no copy
    const raw = image.data as unknown as Float64Array;
    return { data: raw.subarray(image.offset, image.offset + rows * cols), rows, cols, dtype };
  }
  const c = contiguous(image);
  const raw = c.data as unknown as ArrayLike<number> | ArrayLike<bigint>;
  const data = raw instanceof BigInt64Array || raw instanceof BigUint64Array ? toFloat64(raw, what) : (raw as ArrayLike<number>);
  return { data, rows, cols, dtype };
}

/** Wrap a Uint8Array of 0/1 as a bool-marked 2-D ndarray. */
export function boolImage(data: Uint8Array, rows: number, cols: number): NdArray<"bool"> {
  return markBool(fromTyped(data, [rows, cols])) as unknown as NdArray<"bool">;
}

/** Throws `SHAPE_MISMATCH` unless the two flat images have the same shape. */
export function sameShape(a: { rows: number; cols: number }, b: { rows: number; cols: number }, what: string): void {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new HypedError("SHAPE_MISMATCH", `${what}: shapes differ, [${a.rows},${a.cols}] vs [${b.rows},${b.cols}]`, {
      a: [a.rows, a.cols],
      b: [b.rows, b.cols],
    });
  }
}

/** Integer range of an integer dtype (bool → [0, 1]); undefined for floats. */
export function integerRange(dtype: DType): [number, number] | undefined {
  switch (dtype) {
    case "bool":
      return [0, 1];
    case "uint8":
      return [0, 255];
    case "int8":
      return [-128, 127];
    case "uint16":
      return [0, 65535];
    case "int16":
      return [-32768, 32767];
    case "uint32":
      return [0, 4294967295];
    case "int32":
      return [-2147483648, 2147483647];
    case "uint64":
      return [0, 2 ** 64];
    case "int64":
      return [-(2 ** 63), 2 ** 63];
    default:
      return undefined;
  }
}

/** A binary mask (non-zero = true) as a flat Uint8Array of 0/1. Reuses the data when already 0/1 uint8. */
export function flatMask(mask: Image2D, what = "mask"): { data: Uint8Array; rows: number; cols: number } {
  const f = flat2D(mask, what);
  const src = f.data;
  if (src instanceof Uint8Array) {
    let ok = true;
    for (let i = 0; i < src.length; i++)
      if (src[i]! > 1) {
        ok = false;
        break;
      }
    if (ok) return { data: src, rows: f.rows, cols: f.cols };
  }
  const out = new Uint8Array(f.rows * f.cols);
  for (let i = 0; i < out.length; i++) out[i] = src[i] !== 0 ? 1 : 0;
  return { data: out, rows: f.rows, cols: f.cols };
}

/** Throws `INVALID_ARGUMENT` unless `x` is a finite number (or a non-negative one when asked). */
export function checkNumber(x: unknown, name: string, opts: { min?: number; integer?: boolean } = {}): number {
  if (typeof x !== "number" || !Number.isFinite(x) || (opts.integer && !Number.isInteger(x)) || (opts.min !== undefined && x < opts.min)) {
    throw new HypedError(
      "INVALID_ARGUMENT",
      `${name} must be a finite ${opts.integer ? "integer" : "number"}${opts.min !== undefined ? ` >= ${opts.min}` : ""}, got ${String(x)}`,
      { [name]: x },
    );
  }
  return x;
}

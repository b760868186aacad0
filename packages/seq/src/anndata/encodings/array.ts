/**
 * `array` 0.2.0: a numeric (or h5py boolean) dataset of any shape.
 *
 * Written for ndarrays (booleans as h5py boolean enums, float16-marked ones as float16), flat TypedArrays,
 * lists of numbers (float64) or booleans, and numeric/boolean DataFrame columns.
 */
import { type AnyNdArray, type AnyTypedArray, contiguous, HypedError, isFloat16, isNdArray, ndDtype } from "@hyped/core";
import type { Encoding, EncodingSpec, ReadContext, WriteContext } from "../registry.js";
import { setEncoding } from "../registry.js";
import type { StringNdArray } from "../types.js";
import { isColumnOf, readNumeric, writeData } from "./io.js";
import { readStringArray } from "./string-array.js";

/** `array` 0.2.0. */
export const ARRAY: EncodingSpec = { type: "array", version: "0.2.0" };

/** `array` 0.2.0: a numeric ndarray (strings here are tolerated and read as a string array). */
export function readArray(ctx: ReadContext, path: string): AnyNdArray | string[] | StringNdArray {
  const info = ctx.f.info(path);
  if (info.typeClass === "string") return readStringArray(ctx, path);
  return readNumeric(ctx, path, info);
}

/** Write a flat TypedArray as a 1-D `array` (`bool` stores an h5py boolean enum). */
export function writeFlatArray(ctx: WriteContext, path: string, data: AnyTypedArray, bool = false): void {
  writeData(ctx, path, data, bool ? { dtype: "bool" } : {});
  setEncoding(ctx, path, ARRAY);
}

/** Write an ndarray as an `array` of its shape. */
export function writeNdArray(ctx: WriteContext, path: string, a: AnyNdArray): void {
  const flat = contiguous(a).data as unknown as AnyTypedArray;
  writeData(ctx, path, flat, { shape: [...a.shape], ...(ndDtype(a) === "bool" ? { dtype: "bool" as const } : {}), half: isFloat16(a) });
  setEncoding(ctx, path, ARRAY);
}

/** A list that is not all strings (lists of strings are `string-array`s). */
const isNonStringList = (v: unknown): v is unknown[] => Array.isArray(v) && !v.every((x) => typeof x === "string");

/** The flat data of a value `writeArray` takes that is not an ndarray, and whether it holds booleans. */
function flatData(path: string, v: unknown): { data: AnyTypedArray; bool: boolean } {
  if (ArrayBuffer.isView(v)) return { data: v as unknown as AnyTypedArray, bool: false };
  if (isColumnOf(v, "numeric")) return { data: v.values, bool: false };
  if (isColumnOf(v, "boolean")) return { data: v.values, bool: true };
  const list = v as unknown[];
  if (list.every((x) => typeof x === "number")) return { data: Float64Array.from(list as number[]), bool: false };
  if (list.every((x) => typeof x === "boolean")) return { data: Uint8Array.from(list as boolean[], (x) => (x ? 1 : 0)), bool: true };
  throw new HypedError("UNSUPPORTED", `${path}: a list of mixed values cannot be written`, { element: path });
}

function writeArray(ctx: WriteContext, path: string, v: unknown): void {
  if (isNdArray(v)) writeNdArray(ctx, path, v as AnyNdArray);
  else {
    const { data, bool } = flatData(path, v);
    writeFlatArray(ctx, path, data, bool);
  }
}

/** The `array` encoding: reader and writer. */
export const arrayEncoding: Encoding = {
  ...ARRAY,
  read: readArray,
  accepts: (v) => isNdArray(v) || ArrayBuffer.isView(v) || isNonStringList(v) || isColumnOf(v, "numeric") || isColumnOf(v, "boolean"),
  write: writeArray,
};

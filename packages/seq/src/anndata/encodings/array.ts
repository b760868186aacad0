/**
 * Readers for the leaf encodings: `array`, `string-array`, `numeric-scalar`, `string`, `null`, and the
 * helpers other encodings use to read numeric and string datasets with typed checks.
 */
import { type AnyNdArray, type AnyTypedArray, contiguous, type DType, HypedError } from "@hyped/core";
import type { H5Info } from "@hyped/core/hdf5";
import { formatFail, type ReadContext } from "../registry.js";
import type { StringNdArray } from "../types.js";

/** Read a numeric (or h5py boolean) dataset as an ndarray; `FORMAT` if it holds anything else. */
export function readNumeric(ctx: ReadContext, path: string, info: H5Info = ctx.f.info(path)): AnyNdArray {
  if (ctx.f.kind(path) !== "dataset") formatFail(ctx, path, `expected a dataset, found a ${ctx.f.kind(path)}`);
  if (!info.dtype) formatFail(ctx, path, `expected numbers, found ${info.typeClass}${info.vlen ? " (variable length)" : ""} elements`);
  const ahead = ctx.prefetched?.get(path);
  if (ahead) ctx.prefetched?.delete(path);
  const a = ahead ?? ctx.f.read(path, { signal: ctx.signal });
  if (info.shape && info.shape.length === 0) return a; // scalar read as [1]
  return a;
}

/** The flat TypedArray of a numeric 1-D dataset. */
export function readNumeric1D(ctx: ReadContext, path: string): AnyTypedArray {
  const info = ctx.f.info(path);
  if (info.shape && info.shape.length !== 1) formatFail(ctx, path, `expected a 1-D array, found shape [${info.shape}]`);
  return contiguous(readNumeric(ctx, path, info)).data as unknown as AnyTypedArray;
}

/** Read a string dataset of any shape; `FORMAT` if it is not strings. */
export function readStringsChecked(ctx: ReadContext, path: string): { values: string[]; shape: number[] } {
  if (ctx.f.kind(path) !== "dataset") formatFail(ctx, path, `expected a string dataset, found a ${ctx.f.kind(path)}`);
  const info = ctx.f.info(path);
  if (info.typeClass !== "string") formatFail(ctx, path, `expected strings, found ${info.typeClass} elements`);
  const r = ctx.f.readStrings(path);
  return { values: r.values, shape: info.shape ?? [] };
}

/** A 1-D string dataset as `string[]`. */
export function readStrings1D(ctx: ReadContext, path: string): string[] {
  const r = readStringsChecked(ctx, path);
  if (r.shape.length !== 1) formatFail(ctx, path, `expected a 1-D string array, found shape [${r.shape}]`);
  return r.values;
}

/** `string-array` 0.2.0: 1-D → `string[]`, N-D → {@link StringNdArray}. */
export function readStringArray(ctx: ReadContext, path: string): string[] | StringNdArray {
  const r = readStringsChecked(ctx, path);
  if (r.shape.length === 1) return r.values;
  return { kind: "string-array", shape: r.shape, values: r.values };
}

/** `array` 0.2.0: a numeric ndarray (strings here are tolerated and read as a string array). */
export function readArray(ctx: ReadContext, path: string): AnyNdArray | string[] | StringNdArray {
  const info = ctx.f.info(path);
  if (info.typeClass === "string") return readStringArray(ctx, path);
  return readNumeric(ctx, path, info);
}

/** `numeric-scalar` 0.2.0: a number (boolean for bools, bigint when an int64 exceeds 2^53). */
export function readNumericScalar(ctx: ReadContext, path: string): number | bigint | boolean {
  const info = ctx.f.info(path);
  if (!info.dtype) formatFail(ctx, path, `expected a numeric scalar, found ${info.typeClass}`);
  if (info.shape && info.shape.length > 0 && info.shape.reduce((a, b) => a * b, 1) !== 1)
    formatFail(ctx, path, `expected a scalar, found shape [${info.shape}]`);
  const v = ctx.f.read(path).data[0] as number | bigint;
  return scalarValue(v, info.dtype);
}

/** A number read from a dataset of `dtype` as the JS scalar the toolkit uses. */
export function scalarValue(v: number | bigint, dtype: DType): number | bigint | boolean {
  if (dtype === "bool") return Number(v) !== 0;
  if (typeof v === "bigint") return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  return v;
}

/** `string` 0.2.0: a scalar string. */
export function readStringScalar(ctx: ReadContext, path: string): string {
  const r = readStringsChecked(ctx, path);
  if (r.values.length !== 1) formatFail(ctx, path, `expected one string, found ${r.values.length}`);
  return r.values[0] as string;
}

/** `null`: nothing. */
export function readNull(): null {
  return null;
}

/** Throw `UNSUPPORTED` for an element kind the caller cannot hold. */
export function cannotHold(ctx: ReadContext, path: string, what: string): never {
  throw new HypedError("UNSUPPORTED", `${ctx.f.name}: ${path}: ${what}`, { file: ctx.f.name, element: path });
}

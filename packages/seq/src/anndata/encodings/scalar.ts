/**
 * The scalar encodings: `numeric-scalar` 0.2.0 (numbers, booleans, bigints), `string` 0.2.0 and `null`
 * 0.1.0. Numeric scalars are written with the dtype they were read with when their parent object recorded
 * it (`setScalarDtype`), else `int64` for integers and bigints, `float64` otherwise (as h5py stores Python
 * ints and floats).
 */
import { type AnyTypedArray, type DType, typedFrom } from "@hyped/core";
import type { Encoding, EncodingSpec, ReadContext, WriteContext, WriteHint } from "../registry.js";
import { formatFail, setEncoding } from "../registry.js";
import { readStringsChecked } from "./io.js";

/** `numeric-scalar` 0.2.0. */
export const NUMERIC_SCALAR: EncodingSpec = { type: "numeric-scalar", version: "0.2.0" };
/** `string` 0.2.0 (a scalar string). */
export const STRING: EncodingSpec = { type: "string", version: "0.2.0" };
/** `null` 0.1.0. */
export const NULL: EncodingSpec = { type: "null", version: "0.1.0" };

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

function writeNumericScalar(ctx: WriteContext, path: string, v: number | bigint | boolean, hint?: WriteHint): void {
  const dt: DType = typeof v === "boolean" ? "bool" : (hint?.dtype ?? (typeof v === "bigint" || Number.isInteger(v) ? "int64" : "float64"));
  const arr = typedFrom(dt, [typeof v === "boolean" ? Number(v) : v]) as AnyTypedArray;
  ctx.f.writeDataset(path, arr, { shape: [], ...(dt === "bool" ? { dtype: "bool" as const } : {}) });
  setEncoding(ctx, path, NUMERIC_SCALAR);
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

/** The `numeric-scalar` encoding. */
export const numericScalarEncoding: Encoding<number | bigint | boolean> = {
  ...NUMERIC_SCALAR,
  read: readNumericScalar,
  accepts: (v) => typeof v === "number" || typeof v === "bigint" || typeof v === "boolean",
  write: writeNumericScalar,
};

/** The `string` encoding. */
export const stringEncoding: Encoding<string> = {
  ...STRING,
  read: readStringScalar,
  accepts: (v) => typeof v === "string",
  write: (ctx, path, v) => {
    ctx.f.writeDataset(path, [v], { shape: [] });
    setEncoding(ctx, path, STRING);
  },
};

/** The `null` encoding (`null` and `undefined` are written as it). */
export const nullEncoding: Encoding<null | undefined> = {
  ...NULL,
  read: readNull,
  accepts: (v) => v === null || v === undefined,
  write: (ctx, path) => {
    ctx.f.writeDataset(path, new Float64Array(0), { shape: [0] });
    setEncoding(ctx, path, NULL);
  },
};

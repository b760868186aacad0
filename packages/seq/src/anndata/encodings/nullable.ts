/**
 * The pandas nullable arrays: `nullable-integer` 0.1.0, `nullable-boolean` 0.1.0 and
 * `nullable-string-array` 0.1.0. Each is a group with `values` and a boolean `mask` (1 = missing; an absent
 * mask means nothing is missing); strings also carry an `na-value` attribute (`NA` or `NaN`; we write `NA`).
 */
import type { AnyTypedArray, NumericTypedArray } from "@hyped/core";
import type { Column, NullableBooleanColumn, NullableIntegerColumn, NullableStringColumn } from "../dataframe.js";
import {
  createEncodedGroup,
  type Encoding,
  type EncodingSpec,
  formatFail,
  joinPath,
  type ReadContext,
  type WriteContext,
} from "../registry.js";
import { writeFlatArray } from "./array.js";
import { isColumnOf, readNumeric1D, readStringsChecked } from "./io.js";
import { writeStringArray } from "./string-array.js";

/** `nullable-integer` 0.1.0. */
export const NULLABLE_INTEGER: EncodingSpec = { type: "nullable-integer", version: "0.1.0" };
/** `nullable-boolean` 0.1.0. */
export const NULLABLE_BOOLEAN: EncodingSpec = { type: "nullable-boolean", version: "0.1.0" };
/** `nullable-string-array` 0.1.0. */
export const NULLABLE_STRING: EncodingSpec = { type: "nullable-string-array", version: "0.1.0" };

function readMask(ctx: ReadContext, path: string, n: number): Uint8Array {
  const p = joinPath(path, "mask");
  if (!ctx.f.has(p)) return new Uint8Array(n);
  const m = readNumeric1D(ctx, p);
  if (m.length !== n) formatFail(ctx, p, `mask has ${m.length} entries, values ${n}`);
  return Uint8Array.from(m as ArrayLike<number>, (x) => (x ? 1 : 0));
}

/** `nullable-integer` 0.1.0: `values` plus an optional boolean `mask` (1 = missing). */
export function readNullableInteger(ctx: ReadContext, path: string): Column {
  const values = readNumeric1D(ctx, joinPath(path, "values"));
  if (values instanceof Float32Array || values instanceof Float64Array)
    formatFail(ctx, `${path}/values`, "nullable-integer values must be integers");
  return { kind: "nullable-integer", values: values as NumericTypedArray, mask: readMask(ctx, path, values.length) };
}

/** `nullable-boolean` 0.1.0. */
export function readNullableBoolean(ctx: ReadContext, path: string): Column {
  const v = readNumeric1D(ctx, joinPath(path, "values"));
  const values = Uint8Array.from(v as ArrayLike<number>, (x) => (x ? 1 : 0));
  return { kind: "nullable-boolean", values, mask: readMask(ctx, path, values.length) };
}

/** `nullable-string-array` 0.1.0: `values` strings, `mask`, and an `na-value` attribute (`NA` or `NaN`). */
export function readNullableString(ctx: ReadContext, path: string): Column {
  const values = readStringsChecked(ctx, joinPath(path, "values")).values;
  return { kind: "nullable-string", values, mask: readMask(ctx, path, values.length) };
}

/** The `nullable-integer` encoding. */
export const nullableIntegerEncoding: Encoding<NullableIntegerColumn> = {
  ...NULLABLE_INTEGER,
  read: readNullableInteger,
  accepts: (v) => isColumnOf(v, "nullable-integer"),
  write: (ctx: WriteContext, path, col) => {
    createEncodedGroup(ctx, path, NULLABLE_INTEGER);
    writeFlatArray(ctx, joinPath(path, "values"), col.values as AnyTypedArray);
    writeFlatArray(ctx, joinPath(path, "mask"), col.mask, true);
  },
};

/** The `nullable-boolean` encoding. */
export const nullableBooleanEncoding: Encoding<NullableBooleanColumn> = {
  ...NULLABLE_BOOLEAN,
  read: readNullableBoolean,
  accepts: (v) => isColumnOf(v, "nullable-boolean"),
  write: (ctx, path, col) => {
    createEncodedGroup(ctx, path, NULLABLE_BOOLEAN);
    writeFlatArray(ctx, joinPath(path, "values"), col.values, true);
    writeFlatArray(ctx, joinPath(path, "mask"), col.mask, true);
  },
};

/** The `nullable-string-array` encoding. */
export const nullableStringEncoding: Encoding<NullableStringColumn> = {
  ...NULLABLE_STRING,
  read: readNullableString,
  accepts: (v) => isColumnOf(v, "nullable-string"),
  write: (ctx, path, col) => {
    createEncodedGroup(ctx, path, NULLABLE_STRING);
    ctx.f.setAttr(path, "na-value", "NA");
    writeStringArray(ctx, joinPath(path, "values"), col.values);
    writeFlatArray(ctx, joinPath(path, "mask"), col.mask, true);
  },
};

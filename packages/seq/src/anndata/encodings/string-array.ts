/**
 * `string-array` 0.2.0: a variable-length UTF-8 string dataset. 1-D reads as `string[]`, N-D as a
 * {@link StringNdArray}; both are written back, as are string DataFrame columns.
 */
import type { Encoding, EncodingSpec, ReadContext, WriteContext } from "../registry.js";
import { setEncoding } from "../registry.js";
import type { StringNdArray } from "../types.js";
import { isColumnOf, readStringsChecked, writeData } from "./io.js";

/** `string-array` 0.2.0. */
export const STRING_ARRAY: EncodingSpec = { type: "string-array", version: "0.2.0" };

/** `string-array` 0.2.0: 1-D → `string[]`, N-D → {@link StringNdArray}. */
export function readStringArray(ctx: ReadContext, path: string): string[] | StringNdArray {
  const r = readStringsChecked(ctx, path);
  if (r.shape.length === 1) return r.values;
  return { kind: "string-array", shape: r.shape, values: r.values };
}

/** Write strings as a `string-array` of `shape` (default 1-D). */
export function writeStringArray(ctx: WriteContext, path: string, values: string[], shape?: number[]): void {
  writeData(ctx, path, values, shape ? { shape } : {});
  setEncoding(ctx, path, STRING_ARRAY);
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");
const isStringNd = (v: unknown): v is StringNdArray =>
  (v as { kind?: unknown })?.kind === "string-array" && Array.isArray((v as StringNdArray).values);

/** The `string-array` encoding: reader and writer. */
export const stringArrayEncoding: Encoding = {
  ...STRING_ARRAY,
  read: readStringArray,
  accepts: (v) => isStringList(v) || isStringNd(v) || isColumnOf(v, "string"),
  write: (ctx, path, v) => {
    if (isStringList(v)) writeStringArray(ctx, path, v);
    else if (isStringNd(v)) writeStringArray(ctx, path, v.values, v.shape);
    else writeStringArray(ctx, path, (v as { values: string[] }).values);
  },
};

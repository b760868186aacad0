/**
 * `dataframe` 0.2.0 (and 0.1.0, anndata 0.7): a group with the `_index` attribute naming the index dataset,
 * the `column-order` attribute, and one element per column (any column encoding: `array`, `string-array`,
 * `categorical`, the nullable arrays, or anndata 0.7's referenced categoricals).
 */
import { type AnyNdArray, type AnyTypedArray, contiguous, HypedError, isNdArray, ndDtype } from "@hyped/core";
import type { Column } from "../dataframe.js";
import { DataFrame } from "../dataframe.js";
import {
  createEncodedGroup,
  type Encoding,
  type EncodingSpec,
  formatFail,
  joinPath,
  type ReadContext,
  SKIPPED,
  type WriteContext,
} from "../registry.js";
import { isReferencedCategorical, readReferencedCategorical } from "./categorical.js";
import { COLUMN_KINDS } from "./io.js";
import { writeStringArray } from "./string-array.js";

/** `dataframe` 0.2.0 (0.1.0 is read too). */
export const DATAFRAME: EncodingSpec = { type: "dataframe", version: "0.2.0" };

/** Turn an element value into a DataFrame column, or `FORMAT` if it cannot be one. */
export function toColumn(ctx: ReadContext, path: string, v: unknown): Column {
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return { kind: "string", values: v as string[] };
  if (isNdArray(v)) {
    const a = v as AnyNdArray;
    if (a.shape.length !== 1) formatFail(ctx, path, `a column must be 1-D, found shape [${a.shape}]`);
    const data = contiguous(a).data as unknown as AnyTypedArray;
    if (ndDtype(a) === "bool") return { kind: "boolean", values: data as Uint8Array };
    return { kind: "numeric", values: data };
  }
  if (v && typeof v === "object" && COLUMN_KINDS.includes((v as Column).kind)) return v as Column;
  return formatFail(ctx, path, "cannot be a dataframe column");
}

/** Read one dataframe member (column or index). */
function readMember(ctx: ReadContext, path: string): Column | typeof SKIPPED {
  if (isReferencedCategorical(ctx, path)) return readReferencedCategorical(ctx, path);
  const v = ctx.readAny(path);
  if (v === SKIPPED) return SKIPPED;
  return toColumn(ctx, path, v);
}

/** Index values as strings (numeric indexes are stringified, as anndata does on read). */
function indexStrings(ctx: ReadContext, path: string, c: Column): string[] {
  switch (c.kind) {
    case "string":
      return c.values;
    case "nullable-string":
      return c.values;
    case "numeric":
      return Array.from(c.values as ArrayLike<number | bigint>, (x) => String(x));
    case "categorical":
      return Array.from(c.codes, (k) => String(k < 0 ? "nan" : c.categories[k]));
    default:
      return formatFail(ctx, path, `the index must hold strings, found ${c.kind}`);
  }
}

/** The `column-order` attribute as names. */
function columnOrder(ctx: ReadContext, path: string): string[] {
  const raw = ctx.f.attr(path, "column-order");
  if (raw === undefined) return [];
  if (typeof raw === "string") return [raw];
  if (Array.isArray(raw)) return raw.map(String);
  if (ArrayBuffer.isView(raw) && (raw as unknown as ArrayLike<unknown>).length === 0) return []; // h5py's empty float64 array
  return formatFail(ctx, path, `column-order must be strings, found ${String(raw)}`);
}

/** `dataframe` 0.1.0 / 0.2.0. */
export function readDataFrame(ctx: ReadContext, path: string): DataFrame {
  const idx = ctx.f.attr(path, "_index");
  if (typeof idx !== "string") formatFail(ctx, path, "dataframe without an _index attribute");
  const idxPath = joinPath(path, idx);
  if (!ctx.f.has(idxPath)) formatFail(ctx, path, `the index '${idx}' is missing`);
  const order = columnOrder(ctx, path);
  const ic = readMember(ctx, idxPath);
  if (ic === SKIPPED) formatFail(ctx, idxPath, "the index has an unknown encoding");
  const index = indexStrings(ctx, idxPath, ic);
  const df = new DataFrame(index, {}, idx);
  for (const name of order) {
    const p = joinPath(path, name);
    if (!ctx.f.has(p)) formatFail(ctx, path, `column '${name}' is listed in column-order but missing`);
    const c = readMember(ctx, p);
    if (c === SKIPPED) continue;
    const n = c.kind === "categorical" ? c.codes.length : c.values.length;
    if (n !== index.length) formatFail(ctx, p, `column has ${n} values, the index ${index.length}`);
    df.set(name, c);
  }
  return df;
}

/** Write a DataFrame: the index as strings, then each column through the context's registry. */
export function writeDataFrame(ctx: WriteContext, path: string, df: DataFrame): void {
  createEncodedGroup(ctx, path, DATAFRAME);
  const indexName = df.indexName || "_index";
  ctx.f.setAttr(path, "_index", indexName);
  const cols = df.columns;
  if (cols.includes(indexName))
    throw new HypedError("INVALID_ARGUMENT", `${path}: a column is named like the index ('${indexName}')`, { element: path });
  // h5py writes an empty column-order as an empty float64 array; anndata expects that exact shape
  if (cols.length) ctx.f.setAttr(path, "column-order", cols);
  else ctx.f.setAttr(path, "column-order", new Float64Array(0));
  writeStringArray(ctx, joinPath(path, indexName), df.index);
  for (const name of cols) ctx.writeAny(joinPath(path, name), df.column(name) as Column);
}

/** The `dataframe` encoding. */
export const dataFrameEncoding: Encoding<DataFrame> = {
  ...DATAFRAME,
  readsVersions: ["0.1.0"],
  read: readDataFrame,
  accepts: (v) => v instanceof DataFrame,
  write: writeDataFrame,
};

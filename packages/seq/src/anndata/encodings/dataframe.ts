/**
 * `dataframe` (0.1.0, 0.2.0), `categorical` 0.2.0 and the pandas nullable arrays (`nullable-integer`,
 * `nullable-boolean`, `nullable-string-array`), plus the anndata 0.7 categorical columns whose
 * `categories` attribute is an HDF5 object reference into `__categories/<col>`.
 */
import { type AnyNdArray, type AnyTypedArray, contiguous, type DType, isNdArray, type NumericTypedArray, ndDtype } from "@hyped/core";
import type { CategoricalColumn, Column } from "../dataframe.js";
import { DataFrame } from "../dataframe.js";
import { readAny } from "../read.js";
import { formatFail, joinPath, type ReadContext, SKIPPED } from "../registry.js";
import { readNumeric1D, readStringsChecked } from "./array.js";

/** Categories dataset → `string[]` or `number[]` plus the stored dtype of numeric categories. */
function readCategories(ctx: ReadContext, path: string): { categories: string[] | number[]; dtype?: DType } {
  if (ctx.f.kind(path) === "group") {
    // nullable-string categories (anndata ≥ 0.11 may write them): use the values, missing entries are invalid
    const v = readAny(ctx, path);
    if (v && typeof v === "object" && (v as Column).kind === "nullable-string") return { categories: (v as { values: string[] }).values };
    formatFail(ctx, path, "categories must be strings or numbers");
  }
  const info = ctx.f.info(path);
  if (info.typeClass === "string") return { categories: readStringsChecked(ctx, path).values };
  const a = readNumeric1D(ctx, path);
  return { categories: Array.from(a as ArrayLike<number | bigint>, Number), dtype: info.dtype };
}

/** Validate codes against the number of categories and return them as Int32Array. */
function checkCodes(ctx: ReadContext, path: string, raw: AnyTypedArray, nCategories: number): Int32Array {
  if (raw instanceof Float32Array || raw instanceof Float64Array) formatFail(ctx, path, "categorical codes must be integers, found floats");
  const codes = new Int32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const c = Number(raw[i]);
    if (!(c >= -1 && c < nCategories))
      formatFail(ctx, path, `code ${c} at row ${i} is outside -1..${nCategories - 1} (${nCategories} categories)`, { row: i, code: c });
    codes[i] = c;
  }
  return codes;
}

/** `categorical` 0.2.0: a group with `codes`, `categories` and the `ordered` attribute. */
export function readCategorical(ctx: ReadContext, path: string): CategoricalColumn {
  for (const k of ["codes", "categories"]) if (!ctx.f.has(joinPath(path, k))) formatFail(ctx, path, `categorical without '${k}'`);
  const { categories, dtype } = readCategories(ctx, joinPath(path, "categories"));
  const codes = checkCodes(ctx, joinPath(path, "codes"), readNumeric1D(ctx, joinPath(path, "codes")), categories.length);
  const ordered = Boolean(ctx.f.attr(path, "ordered") ?? false);
  // an empty categories array carries no element type worth keeping (h5wasm writes empty string arrays as float64)
  return { kind: "categorical", codes, categories, ordered, ...(dtype && categories.length > 0 ? { categoriesDtype: dtype } : {}) };
}

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

/** Turn an element value into a DataFrame column, or `FORMAT` if it cannot be one. */
export function toColumn(ctx: ReadContext, path: string, v: unknown): Column {
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return { kind: "string", values: v as string[] };
  if (isNdArray(v)) {
    const a = v as AnyNdArray;
    if (a.shape.length !== 1) formatFail(ctx, path, `a column must be 1-D, found shape [${a.shape}]`);
    const dt = ndDtype(a);
    const data = contiguous(a).data as unknown as AnyTypedArray;
    if (dt === "bool") return { kind: "boolean", values: data as Uint8Array };
    return { kind: "numeric", values: data };
  }
  if (v && typeof v === "object" && typeof (v as Column).kind === "string") {
    const k = (v as Column).kind;
    if (["categorical", "nullable-integer", "nullable-boolean", "nullable-string", "string", "numeric", "boolean"].includes(k))
      return v as Column;
  }
  return formatFail(ctx, path, "cannot be a dataframe column");
}

/** A column dataset of anndata 0.7 (dataframe 0.1.0) that points at its categories with an object reference. */
function readReferencedCategorical(ctx: ReadContext, path: string, ref: unknown): CategoricalColumn {
  const target = ctx.f.dereference(Array.isArray(ref) ? ref[0] : ref); // h5wasm gives scalar references as [ref]
  if (!target) formatFail(ctx, path, "the categories reference points nowhere");
  const { categories, dtype } = readCategories(ctx, target);
  const codes = checkCodes(ctx, path, readNumeric1D(ctx, path), categories.length);
  const ordered = Boolean(ctx.f.attr(target, "ordered") ?? false);
  // an empty categories array carries no element type worth keeping (h5wasm writes empty string arrays as float64)
  return { kind: "categorical", codes, categories, ordered, ...(dtype && categories.length > 0 ? { categoriesDtype: dtype } : {}) };
}

/** Read one dataframe member (column or index). */
function readMember(ctx: ReadContext, path: string): Column | typeof SKIPPED {
  if (ctx.f.kind(path) === "dataset") {
    if (ctx.f.attrNames(path).includes("categories") && ctx.f.attrInfo(path, "categories").typeClass === "reference")
      return readReferencedCategorical(ctx, path, ctx.f.attr(path, "categories"));
  }
  const v = readAny(ctx, path);
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

/** `dataframe` 0.1.0 / 0.2.0. */
export function readDataFrame(ctx: ReadContext, path: string): DataFrame {
  const idx = ctx.f.attr(path, "_index");
  if (typeof idx !== "string") formatFail(ctx, path, "dataframe without an _index attribute");
  const idxPath = joinPath(path, idx);
  if (!ctx.f.has(idxPath)) formatFail(ctx, path, `the index '${idx}' is missing`);
  const rawOrder = ctx.f.attr(path, "column-order");
  let order: string[];
  if (rawOrder === undefined) order = [];
  else if (typeof rawOrder === "string") order = [rawOrder];
  else if (Array.isArray(rawOrder)) order = rawOrder.map(String);
  else if (ArrayBuffer.isView(rawOrder) && (rawOrder as unknown as ArrayLike<unknown>).length === 0)
    order = []; // h5py's empty float64 array
  else return formatFail(ctx, path, `column-order must be strings, found ${String(rawOrder)}`);
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

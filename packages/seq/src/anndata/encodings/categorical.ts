/**
 * `categorical` 0.2.0 (pandas `Categorical`): a group with `codes` (−1 = missing), `categories` and the
 * `ordered` attribute; plus the anndata 0.7 form, a codes dataset whose `categories` attribute is an HDF5
 * object reference into `__categories/<col>` (read only).
 *
 * Written with the narrowest signed codes anndata would pick (int8 below 128 categories, int16, int32) and
 * numeric categories in their recorded dtype (`categoriesDtype`), else int64 for integers, float64 otherwise.
 */
import { type AnyTypedArray, type DType, typedFrom } from "@hyped/core";
import type { CategoricalColumn, Column } from "../dataframe.js";
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

/** `categorical` 0.2.0. */
export const CATEGORICAL: EncodingSpec = { type: "categorical", version: "0.2.0" };

/** Categories dataset → `string[]` or `number[]` plus the stored dtype of numeric categories. */
function readCategories(ctx: ReadContext, path: string): { categories: string[] | number[]; dtype?: DType } {
  if (ctx.f.kind(path) === "group") {
    // nullable-string categories (anndata ≥ 0.11 may write them): use the values, missing entries are invalid
    const v = ctx.readAny(path);
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

/** The column from codes, categories and `ordered`. */
function column(codes: Int32Array, c: { categories: string[] | number[]; dtype?: DType }, ordered: boolean): CategoricalColumn {
  const { categories, dtype } = c;
  // an empty categories array carries no element type worth keeping (h5wasm writes empty string arrays as float64)
  return { kind: "categorical", codes, categories, ordered, ...(dtype && categories.length > 0 ? { categoriesDtype: dtype } : {}) };
}

/** `categorical` 0.2.0: a group with `codes`, `categories` and the `ordered` attribute. */
export function readCategorical(ctx: ReadContext, path: string): CategoricalColumn {
  for (const k of ["codes", "categories"]) if (!ctx.f.has(joinPath(path, k))) formatFail(ctx, path, `categorical without '${k}'`);
  const cats = readCategories(ctx, joinPath(path, "categories"));
  const codes = checkCodes(ctx, joinPath(path, "codes"), readNumeric1D(ctx, joinPath(path, "codes")), cats.categories.length);
  return column(codes, cats, Boolean(ctx.f.attr(path, "ordered") ?? false));
}

/** True if the dataset at `path` is an anndata 0.7 categorical column (its `categories` attribute is a reference). */
export function isReferencedCategorical(ctx: ReadContext, path: string): boolean {
  return (
    ctx.f.kind(path) === "dataset" &&
    ctx.f.attrNames(path).includes("categories") &&
    ctx.f.attrInfo(path, "categories").typeClass === "reference"
  );
}

/** A column dataset of anndata 0.7 (dataframe 0.1.0) that points at its categories with an object reference. */
export function readReferencedCategorical(ctx: ReadContext, path: string): CategoricalColumn {
  const ref = ctx.f.attr(path, "categories");
  const target = ctx.f.dereference(Array.isArray(ref) ? ref[0] : ref); // h5wasm gives scalar references as [ref]
  if (!target) formatFail(ctx, path, "the categories reference points nowhere");
  const cats = readCategories(ctx, target);
  const codes = checkCodes(ctx, path, readNumeric1D(ctx, path), cats.categories.length);
  return column(codes, cats, Boolean(ctx.f.attr(target, "ordered") ?? false));
}

/** The narrowest signed integer array anndata uses for `n` categories' codes. */
function codesArray(n: number, codes: Int32Array): AnyTypedArray {
  return typedFrom(n < 128 ? "int8" : n < 32768 ? "int16" : "int32", codes);
}

function writeCategories(ctx: WriteContext, path: string, cats: string[] | number[], dtype?: DType): void {
  if (cats.length === 0 || typeof cats[0] === "string") {
    writeStringArray(ctx, path, cats as string[]);
    return;
  }
  const nums = cats as number[];
  writeFlatArray(ctx, path, typedFrom(dtype ?? (nums.every(Number.isInteger) ? "int64" : "float64"), nums));
}

/** Write a categorical column. */
export function writeCategorical(ctx: WriteContext, path: string, col: CategoricalColumn): void {
  createEncodedGroup(ctx, path, CATEGORICAL);
  ctx.f.setAttr(path, "ordered", Boolean(col.ordered));
  writeFlatArray(ctx, joinPath(path, "codes"), codesArray(col.categories.length, col.codes));
  writeCategories(ctx, joinPath(path, "categories"), col.categories, col.categoriesDtype);
}

/** The `categorical` encoding. */
export const categoricalEncoding: Encoding<CategoricalColumn> = {
  ...CATEGORICAL,
  read: readCategorical,
  accepts: (v) => isColumnOf(v, "categorical"),
  write: writeCategorical,
};

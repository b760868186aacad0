/**
 * Dataset helpers every encoding family uses: typed reads of numeric and string datasets (`FORMAT` when
 * the file holds anything else) and the one place that writes a dataset (compression, chunking, float16).
 */
import { type AnyNdArray, type AnyTypedArray, contiguous, type DType, HypedError, isFloat16, throwIfAborted } from "@hyped/core";
import type { H5Info, H5WriteOptions } from "@hyped/core/hdf5";
import type { Column } from "../dataframe.js";
import { formatFail, type ReadContext, type WriteContext } from "../registry.js";

/** Read a numeric (or h5py boolean) dataset as an ndarray; `FORMAT` if it holds anything else. */
export function readNumeric(ctx: ReadContext, path: string, info: H5Info = ctx.f.info(path)): AnyNdArray {
  if (ctx.f.kind(path) !== "dataset") formatFail(ctx, path, `expected a dataset, found a ${ctx.f.kind(path)}`);
  if (!info.dtype) formatFail(ctx, path, `expected numbers, found ${info.typeClass}${info.vlen ? " (variable length)" : ""} elements`);
  const ahead = ctx.prefetched?.get(path);
  if (ahead) ctx.prefetched?.delete(path);
  return ahead ?? ctx.f.read(path, { signal: ctx.signal });
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

/** Throw `UNSUPPORTED` for an element kind the caller cannot hold. */
export function cannotHold(ctx: ReadContext, path: string, what: string): never {
  throw new HypedError("UNSUPPORTED", `${ctx.f.name}: ${path}: ${what}`, { file: ctx.f.name, element: path });
}

/** Options of {@link writeData}. */
export interface WriteDataOptions {
  /** Dataset shape (default `[data.length]`; `[]` for a scalar). */
  shape?: number[];
  /** Stored dtype (`bool` stores an h5py boolean enum). */
  dtype?: DType;
  /** Store as float16 (also when `data` is marked as widened from float16). */
  half?: boolean;
}

/**
 * Write one dataset. Non-empty numeric arrays are compressed as the context says; 1-D ones in chunks of
 * 32 Ki values, so a backed slice decompresses little. Scalars and strings are never compressed.
 */
export function writeData(ctx: WriteContext, path: string, data: AnyTypedArray | string[], options: WriteDataOptions = {}): void {
  throwIfAborted(ctx.signal, "writing .h5ad");
  const s = options.shape ?? [data.length];
  const opts: H5WriteOptions = { shape: s };
  if (s.length > 0 && !Array.isArray(data) && data.length > 0 && ctx.compression !== "none") {
    opts.compression = ctx.compression;
    if (s.length === 1) opts.chunks = [Math.min(s[0] as number, 1 << 15)];
  }
  if (options.dtype) opts.dtype = options.dtype;
  // float16 read from a file is held as float32 (core's dtype rule) and stored as float16 again
  if (!Array.isArray(data) && (options.half || isFloat16(data))) opts.float16 = true;
  // strings are variable-length UTF-8 whatever their number, so anndata reads an empty list as strings
  ctx.f.writeDataset(path, data, opts);
  ctx.tick(data.length);
}

/** The `kind`s of DataFrame columns. */
export const COLUMN_KINDS: readonly string[] = [
  "numeric",
  "boolean",
  "string",
  "categorical",
  "nullable-integer",
  "nullable-boolean",
  "nullable-string",
];

/** True if `v` is a DataFrame column value (`kind` one of the column kinds, with codes or values). */
export function isColumn(v: unknown): v is Column {
  const k = (v as { kind?: unknown })?.kind;
  return typeof k === "string" && COLUMN_KINDS.includes(k) && ("codes" in (v as object) || "values" in (v as object));
}

/** True if `v` is a column of kind `kind`. */
export function isColumnOf<K extends Column["kind"]>(v: unknown, kind: K): v is Extract<Column, { kind: K }> {
  return isColumn(v) && v.kind === kind;
}

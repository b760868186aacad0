/**
 * Value types of the AnnData element tree (`uns` and friends) as the reader returns them and the writer
 * accepts them.
 *
 * | encoding | JS value |
 * |---|---|
 * | `dict` | plain object |
 * | `array` | ndarray (`@hyped/core`), booleans as a bool-marked `Uint8Array` ndarray |
 * | `string-array` | `string[]` (1-D) or {@link StringNdArray} (N-D) |
 * | `numeric-scalar` | `number` (`boolean` for bools, `bigint` for int64 beyond 2^53) |
 * | `string` | `string` |
 * | `null` | `null` |
 * | `csr_matrix`/`csc_matrix` | `SparseMatrix` |
 * | `dataframe` | `DataFrame` |
 * | `categorical`, `nullable-*` | a `Column` (`kind` says which) |
 * | `rec-array` | {@link RecArray} |
 * | `awkward-array` | {@link AwkwardArray} |
 */
import type { AnyTypedArray, DType } from "@hyped/core";

/** An N-D array of strings (C order). */
export interface StringNdArray {
  kind: "string-array";
  shape: number[];
  values: string[];
}

/** A numpy record array: equal-length named fields. */
export interface RecArray {
  kind: "rec-array";
  length: number;
  /** Field name → values, in field order. */
  fields: Record<string, AnyTypedArray | string[]>;
}

/** An awkward array (anndata's `awkward-array`), exposed as its parts: the JSON form, length and buffers. */
export interface AwkwardArray {
  kind: "awkward-array";
  /** The awkward form as JSON text. */
  form: string;
  length: number;
  /** Buffer key (e.g. `node0-offsets`) → bytes as stored. */
  buffers: Record<string, AnyTypedArray>;
}

/**
 * Key under which a `uns` object records the stored dtype of its numeric scalars (a non-enumerable map
 * `{ key: dtype }`), so `writeH5ad` writes `int64` scalars back as `int64` and `float64` ones as `float64`.
 * Scalars without an entry are written as `int64` when integral, else `float64`.
 */
export const SCALAR_DTYPES: unique symbol = Symbol.for("hyped.anndata.scalarDtypes");

/** Record the dtype of numeric scalar `key` in `obj` (see {@link SCALAR_DTYPES}). */
export function setScalarDtype(obj: Record<string, unknown>, key: string, dtype: DType): void {
  let m = (obj as { [SCALAR_DTYPES]?: Record<string, DType> })[SCALAR_DTYPES];
  if (!m) {
    m = {};
    Object.defineProperty(obj, SCALAR_DTYPES, { value: m, enumerable: false, writable: true, configurable: true });
  }
  m[key] = dtype;
}

/** The dtype recorded for scalar `key` of `obj`, if any. */
export function scalarDtype(obj: Record<string, unknown>, key: string): DType | undefined {
  return (obj as { [SCALAR_DTYPES]?: Record<string, DType> })[SCALAR_DTYPES]?.[key];
}

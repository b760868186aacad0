/** Small AnnData glue shared by the analyses: pick the input matrix, write numeric/boolean columns. */
import { HypedError } from "@hyped/core";
import type { AnnData, DataFrame, Matrix } from "../anndata/index.js";

/** `adata.X` or `adata.layers[layer]`; `NOT_FOUND` when absent. */
export function inputMatrix(adata: AnnData, layer?: string): Matrix {
  const m = layer === undefined ? adata.X : adata.layers.get(layer);
  if (!m) throw new HypedError("NOT_FOUND", layer === undefined ? "adata.X is empty" : `no layer '${layer}'`, { layer });
  return m;
}

/** Write `m` back to `adata.X` or the layer it came from. */
export function setMatrix(adata: AnnData, m: Matrix, layer?: string): void {
  if (layer === undefined) adata.X = m;
  else adata.layers.set(layer, m);
}

/** Set a float64 column. */
export function setNumeric(df: DataFrame, name: string, values: Float64Array | Float32Array | Int32Array): void {
  df.set(name, { kind: "numeric", values });
}

/** Set a boolean column from 0/1 bytes. */
export function setBoolean(df: DataFrame, name: string, values: Uint8Array): void {
  df.set(name, { kind: "boolean", values });
}

/** The matrix and gene names scanpy's `use_raw=None` rule selects (raw when present, unless a layer is named). */
export function rawOrX(
  adata: AnnData,
  useRaw: boolean | undefined,
  layer: string | undefined,
): { X: Matrix; varNames: string[]; raw: boolean } {
  if (useRaw && layer !== undefined)
    throw new HypedError("INVALID_ARGUMENT", "useRaw and layer cannot both be given (scanpy raises too)", { layer });
  const raw = useRaw ?? (adata.raw != null && layer === undefined);
  if (!raw) return { X: inputMatrix(adata, layer), varNames: adata.varNames, raw };
  if (!adata.raw?.X) throw new HypedError("NOT_FOUND", "useRaw is set but adata.raw has no X", {});
  return { X: adata.raw.X, varNames: adata.raw.var.index, raw };
}

/**
 * Resolve scanpy's `mask_var` to gene positions (null = all genes): a boolean var column name, a 0/1 mask, or null.
 * `undefined` means pca's default, `"highly_variable"` when that column exists.
 */
export function resolveMaskVar(adata: AnnData, maskVar: string | ArrayLike<number | boolean> | null | undefined): Int32Array | null {
  const m = maskVar === undefined ? (adata.var.has("highly_variable") ? "highly_variable" : null) : maskVar;
  if (m === null) return null;
  let mask: ArrayLike<number | boolean>;
  if (typeof m === "string") {
    if (!adata.var.has(m)) throw new HypedError("NOT_FOUND", `maskVar: no var column '${m}'`, { maskVar: m });
    mask = adata.var.get(m).toFloat64();
  } else mask = m;
  if (mask.length !== adata.nVars)
    throw new HypedError("SHAPE_MISMATCH", `maskVar has ${mask.length} entries for ${adata.nVars} genes`, { n: mask.length });
  const out: number[] = [];
  for (let j = 0; j < mask.length; j++) if (mask[j]) out.push(j);
  return Int32Array.from(out);
}

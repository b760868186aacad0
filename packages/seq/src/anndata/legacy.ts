/**
 * Layouts written by anndata before 0.7 (and the clean-ups anndata applies when reading them):
 *
 * - `obs`/`var` (and `raw.var`) as compound datasets whose first field is the index (fixed-length bytes or
 *   int64), the other fields the columns;
 * - `obsm`/`varm` as compound datasets, one field per key (array fields give the columns);
 * - categorical columns stored as integer codes with their categories in `uns/<col>_categories`, applied
 *   only when every code fits (−1 … n−1), and then removed from `uns`;
 * - `uns/neighbors/{connectivities,distances}` moved to `obsp` when `obsp` does not have them.
 */
import { type AnyTypedArray, fromTyped, isNdArray, isSparse } from "@hyped/core";
import type { Matrix } from "./anndata.js";
import { type Column, DataFrame } from "./dataframe.js";
import { readCompoundColumns } from "./encodings/misc.js";
import { formatFail, type ReadContext } from "./registry.js";

/** A compound dataset as a DataFrame (first field = index). */
export function readCompoundFrame(ctx: ReadContext, path: string): DataFrame {
  const { fields } = readCompoundColumns(ctx, path);
  const names = Object.keys(fields);
  if (names.length === 0) formatFail(ctx, path, "a compound dataframe needs at least the index field");
  const first = fields[names[0] as string] as AnyTypedArray | string[];
  const index = Array.isArray(first) ? first : Array.from(first as ArrayLike<number | bigint>, (x) => String(x));
  const df = new DataFrame(index, {}, names[0] as string);
  for (const name of names.slice(1)) {
    const v = fields[name] as AnyTypedArray | string[];
    const col: Column = Array.isArray(v) ? { kind: "string", values: v } : { kind: "numeric", values: v };
    df.set(name, col);
  }
  // booleans: compound enum fields come back as 0/1 numbers; mark those whose file type was a boolean enum
  const info = ctx.f.info(path);
  const members = (
    info.raw.compound_type as { members: Array<{ name: string; type: number; enum_type?: { members: Record<string, number> } }> }
  ).members;
  for (const m of members) {
    if (m.type === 8 && m.enum_type && Object.keys(m.enum_type.members).sort().join() === "FALSE,TRUE" && df.has(m.name)) {
      const c = df.column(m.name);
      if (c?.kind === "numeric")
        df.set(m.name, { kind: "boolean", values: Uint8Array.from(c.values as ArrayLike<number>, (x) => (x ? 1 : 0)) });
    }
  }
  return df;
}

/** A compound `obsm`/`varm` dataset as matrices, one per field. */
export function readCompoundMatrices(ctx: ReadContext, path: string): Map<string, Matrix> {
  const { length, fields, widths } = readCompoundColumns(ctx, path);
  const out = new Map<string, Matrix>();
  for (const [k, v] of Object.entries(fields)) {
    if (Array.isArray(v)) continue; // strings cannot be a matrix
    out.set(k, fromTyped(v, [length, widths[k] ?? 1]) as unknown as Matrix);
  }
  return out;
}

/** Apply `uns/<col>_categories` to integer columns of `df` when valid; returns the uns keys consumed. */
export function applyUnsCategories(df: DataFrame, uns: Record<string, unknown>): string[] {
  const used: string[] = [];
  for (const name of df.columns) {
    const key = `${name}_categories`;
    const cats = uns[key];
    const c = df.column(name);
    if (c?.kind !== "numeric" || !Array.isArray(cats) || !cats.every((x) => typeof x === "string")) continue;
    const v = c.values;
    if (v instanceof Float32Array || v instanceof Float64Array) continue;
    const codes = new Int32Array(v.length);
    let ok = true;
    for (let i = 0; i < v.length; i++) {
      const k = Number(v[i]);
      if (!(Number.isInteger(k) && k >= -1 && k < cats.length)) {
        ok = false;
        break;
      }
      codes[i] = k;
    }
    if (!ok) continue;
    df.set(name, { kind: "categorical", codes, categories: cats as string[], ordered: false });
    used.push(key);
  }
  return used;
}

/** Move `uns.neighbors.{connectivities,distances}` into `obsp` (as anndata ≥ 0.7 does on read). */
export function moveNeighbors(uns: Record<string, unknown>, obsp: Map<string, Matrix>): void {
  const nb = uns.neighbors;
  if (!nb || typeof nb !== "object" || Array.isArray(nb)) return;
  const rec = nb as Record<string, unknown>;
  for (const k of ["distances", "connectivities"]) {
    const m = rec[k];
    if (m && (isSparse(m) || isNdArray(m)) && !obsp.has(k)) {
      obsp.set(k, m as Matrix);
      delete rec[k];
    }
  }
}

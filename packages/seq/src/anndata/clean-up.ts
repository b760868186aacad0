/**
 * anndata's read-time clean-ups, applied to every file as anndata applies them (they matter for files written
 * before anndata 0.7, whose layouts `legacy.ts` reads):
 *
 * - categorical columns stored as integer codes with their categories in `uns/<col>_categories` (anndata's
 *   `_clean_uns`), applied only when every code fits (−1 … n−1), and then removed from `uns`;
 * - `uns/neighbors/{connectivities,distances}` moved to `obsp` when `obsp` does not have them
 *   (`_move_adj_mtx`).
 */
import { isNdArray, isSparse } from "@hyped/core";
import type { DataFrame } from "./dataframe.js";
import type { Matrix } from "./matrix.js";

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

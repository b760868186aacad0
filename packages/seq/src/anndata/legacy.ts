/**
 * Layouts written by anndata before 0.7 (and the clean-ups anndata applies when reading them):
 *
 * - `obs`/`var` (and `raw.var`) as compound datasets whose first field is the index (fixed-length bytes or
 *   int64), the other fields the columns;
 * - `obsm`/`varm` as compound datasets, one field per key (array fields give the columns): read as a plain
 *   object of matrices, which `readMapping` takes as the mapping's entries;
 * - sparse matrices as `h5sparse_format` groups, other groups as dicts;
 * - compound datasets elsewhere (`uns`) as record arrays, and datasets by what they hold.
 *
 * This is only the registry's fallback: {@link readUnencoded} is called for elements without an
 * `encoding-type` attribute (`EncodingRegistry.setFallback`). The clean-ups anndata applies to every file on
 * read (`uns` categories, neighbour graphs) are in `clean-up.ts`.
 */
import { type AnyTypedArray, fromTyped } from "@hyped/core";
import { type Column, DataFrame } from "./dataframe.js";
import { readArray } from "./encodings/array.js";
import { readDict } from "./encodings/dict.js";
import { readCompoundColumns, readRecArray } from "./encodings/rec-array.js";
import { readNumericScalar, readStringScalar } from "./encodings/scalar.js";
import { readSparse } from "./encodings/sparse.js";
import { readStringArray } from "./encodings/string-array.js";
import type { Matrix } from "./matrix.js";
import { formatFail, type ReadContext } from "./registry.js";

/** A compound dataset as a DataFrame (first field = index). */
function readCompoundFrame(ctx: ReadContext, path: string): DataFrame {
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
function readCompoundMatrices(ctx: ReadContext, path: string): Map<string, Matrix> {
  const { length, fields, widths } = readCompoundColumns(ctx, path);
  const out = new Map<string, Matrix>();
  for (const [k, v] of Object.entries(fields)) {
    if (Array.isArray(v)) continue; // strings cannot be a matrix
    out.set(k, fromTyped(v, [length, widths[k] ?? 1]) as unknown as Matrix);
  }
  return out;
}

const FRAME_NAMES = new Set(["obs", "var", "raw.var"]);
const MAPPING_GROUPS = new Set(["layers", "obsm", "varm", "obsp", "varp", "raw.varm"]);

/** What a compound dataset stands for, from where it is: obs/var tables, obsm/varm mappings, or a record array. */
function compoundRole(path: string): "frame" | "mapping" | "records" {
  const parts = path.split("/").filter(Boolean);
  if (parts.includes("uns")) return "records";
  const last = parts[parts.length - 1] ?? "";
  if (FRAME_NAMES.has(last)) return "frame";
  if (MAPPING_GROUPS.has(last)) return "mapping";
  return "records";
}

/** Read an element without encoding attributes by what it is and where it is (pre-0.7 files). */
export function readUnencoded(ctx: ReadContext, path: string): unknown {
  const kind = ctx.f.kind(path);
  if (kind === "group") {
    if (ctx.f.attr(path, "h5sparse_format") !== undefined) return readSparse(ctx, path);
    return readDict(ctx, path);
  }
  if (kind !== "dataset") return null;
  const info = ctx.f.info(path);
  if (info.shape === null) return null;
  const scalar = info.shape.length === 0;
  if (info.typeClass === "string") return scalar ? readStringScalar(ctx, path) : readStringArray(ctx, path);
  if (info.typeClass === "compound") {
    const role = compoundRole(path);
    if (role === "frame") return readCompoundFrame(ctx, path);
    if (role === "mapping") return Object.fromEntries(readCompoundMatrices(ctx, path));
    return readRecArray(ctx, path);
  }
  if (scalar) return readNumericScalar(ctx, path);
  return readArray(ctx, path);
}

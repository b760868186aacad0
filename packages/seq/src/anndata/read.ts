/**
 * Element dispatch: `readAny` reads the element at a path through the registry of the context, falling back
 * to the layout rules of files written before anndata 0.7 (no encoding attributes).
 */
import { readArray, readNumericScalar, readStringArray, readStringScalar } from "./encodings/array.js";
import { readDict, readRecArray } from "./encodings/misc.js";
import { readSparse } from "./encodings/sparse.js";
import { type ReadContext, readElement } from "./registry.js";

/** Read an element without encoding attributes by what it is (pre-0.7 files). */
export function readUnencoded(ctx: ReadContext, path: string): unknown {
  const kind = ctx.f.kind(path);
  if (kind === "group") {
    if (ctx.f.attr(path, "h5sparse_format") !== undefined) return readSparse(ctx, path);
    return readDict(ctx, path);
  }
  if (kind !== "dataset") return null;
  const info = ctx.f.info(path);
  const scalar = info.shape !== null && info.shape.length === 0;
  if (info.shape === null) return null;
  if (info.typeClass === "string") return scalar ? readStringScalar(ctx, path) : readStringArray(ctx, path);
  if (info.typeClass === "compound") return readRecArray(ctx, path);
  if (scalar) return readNumericScalar(ctx, path);
  return readArray(ctx, path);
}

/** Read the element at `path` (any encoding the context's registry knows, or a legacy layout). */
export function readAny(ctx: ReadContext, path: string): unknown {
  return readElement(ctx, path, readUnencoded);
}

/**
 * `dict` 0.1.0: a group of named elements (`uns`, and the mapping groups `layers`, `obsm`, ...). Read as a
 * plain object in file order; numeric scalars remember their stored dtype (`setScalarDtype`) so that they
 * are written back in it. Any plain object is written as a `dict`, each member through the registry.
 */
import type { Encoding, EncodingSpec, ReadContext, WriteContext } from "../registry.js";
import { createEncodedGroup, joinPath, SKIPPED } from "../registry.js";
import { scalarDtype, setScalarDtype } from "../types.js";

/** `dict` 0.1.0. */
export const DICT: EncodingSpec = { type: "dict", version: "0.1.0" };

/** `dict` 0.1.0 (and legacy groups): an object of the members, in file order. Scalars remember their dtype. */
export function readDict(ctx: ReadContext, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ctx.f.keys(path)) {
    const p = joinPath(path, key);
    const v = ctx.readAny(p);
    if (v === SKIPPED) continue;
    out[key] = v;
    if ((typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") && ctx.f.kind(p) === "dataset") {
      const dt = ctx.f.info(p).dtype;
      if (dt) setScalarDtype(out, key, dt);
    }
  }
  return out;
}

/** Write a plain object as a `dict`: each member through the registry, scalars in their recorded dtype. */
export function writeDict(ctx: WriteContext, path: string, obj: Record<string, unknown>): void {
  createEncodedGroup(ctx, path, DICT);
  for (const [k, x] of Object.entries(obj)) {
    const dtype = scalarDtype(obj, k);
    ctx.writeAny(joinPath(path, k), x, dtype ? { dtype } : undefined);
  }
}

/** Write a mapping group (`layers`, `obsm`, ...) as a `dict` of its entries, in the order given. */
export function writeMapping(ctx: WriteContext, path: string, ...entries: Array<Iterable<[string, unknown]> | undefined>): void {
  createEncodedGroup(ctx, path, DICT);
  for (const part of entries) for (const [k, v] of part ?? []) ctx.writeAny(joinPath(path, k), v);
}

/** The `dict` encoding: any plain object (asked last among the built-ins). */
export const dictEncoding: Encoding<Record<string, unknown>> = {
  ...DICT,
  read: readDict,
  accepts: (v) => typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype,
  write: writeDict,
};

/**
 * `awkward-array` 0.1.0: an awkward array as its parts, the JSON `form` and `length` attributes and the
 * buffers under `container/`, read and written as they are (no awkward semantics).
 */
import type { AnyTypedArray } from "@hyped/core";
import {
  createEncodedGroup,
  type Encoding,
  type EncodingSpec,
  formatFail,
  joinPath,
  type ReadContext,
  type WriteContext,
} from "../registry.js";
import type { AwkwardArray } from "../types.js";
import { readNumeric1D, writeData } from "./io.js";

/** `awkward-array` 0.1.0. */
export const AWKWARD_ARRAY: EncodingSpec = { type: "awkward-array", version: "0.1.0" };

/** `awkward-array` 0.1.0: its `form` and `length` attributes and the buffers under `container/`. */
export function readAwkward(ctx: ReadContext, path: string): AwkwardArray {
  const form = ctx.f.attr(path, "form");
  const length = ctx.f.attr(path, "length");
  if (typeof form !== "string") formatFail(ctx, path, "awkward-array without a form attribute");
  const cont = joinPath(path, "container");
  const buffers: Record<string, AnyTypedArray> = {};
  if (ctx.f.kind(cont) === "group") for (const k of ctx.f.keys(cont)) buffers[k] = readNumeric1D(ctx, joinPath(cont, k));
  return { kind: "awkward-array", form, length: Number(length ?? 0), buffers };
}

/** Write an awkward array's form, length and buffers. */
export function writeAwkward(ctx: WriteContext, path: string, a: AwkwardArray): void {
  createEncodedGroup(ctx, path, AWKWARD_ARRAY);
  ctx.f.setAttr(path, "form", a.form);
  ctx.f.setAttr(path, "length", BigInt(a.length));
  const cont = joinPath(path, "container");
  ctx.f.createGroup(cont);
  for (const [k, b] of Object.entries(a.buffers)) writeData(ctx, joinPath(cont, k), b);
}

/** The `awkward-array` encoding. */
export const awkwardEncoding: Encoding<AwkwardArray> = {
  ...AWKWARD_ARRAY,
  read: readAwkward,
  accepts: (v) => (v as { kind?: unknown })?.kind === "awkward-array",
  write: writeAwkward,
};

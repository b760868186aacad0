/** `dict`, `rec-array` and `awkward-array` readers. */
import type { AnyTypedArray, DType } from "@hyped/core";
import { allocate } from "@hyped/core";
import { readAny } from "../read.js";
import { formatFail, joinPath, type ReadContext, SKIPPED } from "../registry.js";
import { type AwkwardArray, type RecArray, setScalarDtype } from "../types.js";
import { readNumeric1D } from "./array.js";

/** `dict` 0.1.0 (and legacy groups): an object of the members, in file order. Scalars remember their dtype. */
export function readDict(ctx: ReadContext, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ctx.f.keys(path)) {
    const p = joinPath(path, key);
    const v = readAny(ctx, p);
    if (v === SKIPPED) continue;
    out[key] = v;
    if ((typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") && ctx.f.kind(p) === "dataset") {
      const dt = ctx.f.info(p).dtype;
      if (dt) setScalarDtype(out, key, dt);
    }
  }
  return out;
}

interface Member {
  name: string;
  type: number;
  size: number;
  signed: boolean;
  vlen?: boolean;
  enum_type?: { members: Record<string, number> };
}

function memberDtype(m: Member): DType | "string" | undefined {
  if (m.type === 3) return "string";
  if (m.type === 1) return m.size === 4 ? "float32" : m.size === 8 ? "float64" : undefined;
  if (m.type === 0 || m.type === 8) {
    if (m.type === 8 && m.enum_type && Object.keys(m.enum_type.members).sort().join() === "FALSE,TRUE") return "bool";
    const t: Record<number, DType> = m.signed
      ? { 1: "int8", 2: "int16", 4: "int32", 8: "int64" }
      : { 1: "uint8", 2: "uint16", 4: "uint32", 8: "uint64" };
    return t[m.size];
  }
  return undefined;
}

/** Read a compound dataset column-wise: field name → TypedArray or strings (array members are flattened per row). */
export function readCompoundColumns(
  ctx: ReadContext,
  path: string,
): { length: number; fields: Record<string, AnyTypedArray | string[]>; widths: Record<string, number> } {
  const info = ctx.f.info(path);
  if (info.typeClass !== "compound") formatFail(ctx, path, `expected a compound dataset, found ${info.typeClass}`);
  const members = ((info.raw.compound_type as { members: Member[] }).members ?? []) as Array<
    Member & { array_type?: Member; shape?: number[] }
  >;
  const rows = ctx.f.readRaw(path) as unknown[][];
  const n = rows.length;
  const fields: Record<string, AnyTypedArray | string[]> = {};
  const widths: Record<string, number> = {};
  members.forEach((m, j) => {
    const isArray = m.type === 10 && m.array_type;
    const base = isArray ? (m.array_type as Member) : m;
    const width = isArray ? ((m.array_type as { shape?: number[] }).shape?.reduce((a, b) => a * b, 1) ?? 1) : 1;
    const dt = memberDtype(base);
    widths[m.name] = width;
    if (dt === "string") {
      fields[m.name] = rows.map((r) => decodeStr(r[j]));
      return;
    }
    if (!dt) formatFail(ctx, path, `field '${m.name}' has an unsupported type (class ${base.type})`);
    const out = allocate(dt, n * width) as unknown as { [i: number]: number | bigint };
    const big = dt === "int64" || dt === "uint64";
    for (let i = 0; i < n; i++) {
      const v = (rows[i] as unknown[])[j];
      if (width === 1) out[i] = conv(v, big);
      else {
        const arr = v as ArrayLike<unknown>;
        for (let k = 0; k < width; k++) out[i * width + k] = conv(arr[k], big);
      }
    }
    fields[m.name] = out as unknown as AnyTypedArray;
  });
  return { length: n, fields, widths };
}

function conv(v: unknown, big: boolean): number | bigint {
  if (big) return typeof v === "bigint" ? v : BigInt(Math.trunc(Number(v)));
  if (typeof v === "boolean") return v ? 1 : 0;
  return Number(v);
}

function decodeStr(v: unknown): string {
  if (typeof v === "string") return v.replace(/\0+$/, "");
  if (v instanceof Uint8Array) return new TextDecoder().decode(v).replace(/\0+$/, "");
  return String(v);
}

/** `rec-array` 0.2.0 (and legacy compound datasets in `uns`). */
export function readRecArray(ctx: ReadContext, path: string): RecArray {
  const { length, fields } = readCompoundColumns(ctx, path);
  return { kind: "rec-array", length, fields };
}

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

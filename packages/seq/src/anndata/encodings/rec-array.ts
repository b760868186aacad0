/**
 * `rec-array` 0.2.0 (numpy record arrays; also the compound datasets of pre-0.7 files): a compound dataset
 * read column-wise. Written through h5wasm's compound support: ASCII string fields as NUL-terminated ASCII
 * (anndata 0.8 decodes only those in compounds), other strings as UTF-8 bytes, numbers in their dtype.
 */
import { type AnyTypedArray, allocate, type DType, dtypeOf, HypedError, integerDType, structCode } from "@hyped/core";
import { type Encoding, type EncodingSpec, formatFail, type ReadContext, setEncoding, type WriteContext } from "../registry.js";
import type { RecArray } from "../types.js";

/** `rec-array` 0.2.0. */
export const REC_ARRAY: EncodingSpec = { type: "rec-array", version: "0.2.0" };

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
    return integerDType(m.size, m.signed);
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

/** Write a record array as one compound dataset. */
export function writeRecArray(ctx: WriteContext, path: string, r: RecArray): void {
  const dtype: Array<[string, string]> = [];
  const columns = new Map<string, unknown>();
  const te = new TextEncoder();
  for (const [name, v] of Object.entries(r.fields)) {
    if (Array.isArray(v)) {
      const width = Math.max(1, ...v.map((s) => te.encode(s).length)) + 1;
      const ascii = v.every((s) => te.encode(s).length === s.length);
      dtype.push([name, `${ascii ? "A" : "S"}${width}`]);
    } else dtype.push([name, structCode(dtypeOf(v))]);
    columns.set(name, v);
  }
  // biome-ignore lint/suspicious/noExplicitAny: h5wasm compound write through the escape hatch
  const raw = (ctx.f as any).f;
  try {
    raw.create_dataset({ name: path, data: columns, shape: [r.length], dtype });
  } catch (e) {
    throw new HypedError(
      "UNSUPPORTED",
      `${path}: this rec-array cannot be written (${(e as Error).message})`,
      { element: path },
      { cause: e },
    );
  }
  setEncoding(ctx, path, REC_ARRAY);
}

/** The `rec-array` encoding. */
export const recArrayEncoding: Encoding<RecArray> = {
  ...REC_ARRAY,
  read: readRecArray,
  accepts: (v) => (v as { kind?: unknown })?.kind === "rec-array",
  write: writeRecArray,
};

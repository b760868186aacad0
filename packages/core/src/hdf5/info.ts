/**
 * Metadata and selections of `H5File`: h5wasm's metadata as {@link H5Info} (element dtypes from the dtype
 * table, `../dtype.ts`), hyperslab selections, and HDF5's name order.
 */
import { type DType, integerDType, parseNumpyDescr } from "../dtype.js";
import { HypedError } from "../errors.js";
import { filterName } from "./filters.js";
import type { H5Runtime } from "./module.js";
import type { H5Filter, H5Info, H5Kind, H5Selection, H5TypeClass } from "./types.js";

const CLASS_NAMES: H5TypeClass[] = [
  "integer",
  "float",
  "time",
  "string",
  "bitfield",
  "opaque",
  "compound",
  "reference",
  "enum",
  "vlen",
  "array",
];

/** `H5Info` from h5wasm's metadata of a dataset or attribute. */
export function toInfo(rt: H5Runtime, meta: Record<string, unknown>, filters: H5Filter[]): H5Info {
  const M = rt.Module;
  const typeClass = CLASS_NAMES[meta.type as number] ?? "opaque";
  const size = meta.size as number;
  let dtype: DType | undefined;
  // the dtype table's numpy type-strings name the element: float16 reads as float32 (core's dtype rule;
  // `half` below records it), and sizes the table lacks have no dtype
  const numeric = (cls: number, sz: number, signed: boolean): DType | undefined => {
    if (cls === M.H5T_class_t.H5T_FLOAT.value) return parseNumpyDescr(`<f${sz}`)?.dtype;
    if (cls === M.H5T_class_t.H5T_INTEGER.value) return integerDType(sz, signed);
    return undefined;
  };
  let enumMembers: Record<string, number> | undefined;
  if (typeClass === "enum") {
    const et = meta.enum_type as { type: number; members: Record<string, number> };
    enumMembers = Object.fromEntries(Object.entries(et.members).map(([k, v]) => [k, Number(v)]));
    dtype = isBoolEnum(meta) ? "bool" : numeric(et.type, size, meta.signed as boolean);
  } else if (!meta.vlen) {
    dtype = numeric(meta.type as number, size, meta.signed as boolean);
  }
  const shape = meta.shape === null || meta.shape === undefined ? null : (meta.shape as number[]).map(Number);
  const chunks = meta.chunks ? (meta.chunks as number[]).map(Number) : undefined;
  return {
    shape,
    typeClass,
    ...(dtype ? { dtype } : {}),
    ...(dtype === "float32" && size === 2 ? { half: true } : {}),
    size,
    vlen: Boolean(meta.vlen),
    ...(enumMembers ? { enumMembers } : {}),
    ...(chunks ? { chunks } : {}),
    filters,
    raw: meta,
  };
}

/** True for h5py's boolean enum (`FALSE` = 0, `TRUE` = 1). */
export function isBoolEnum(meta: Record<string, unknown>): boolean {
  const members = (meta.enum_type as { members?: Record<string, number> } | undefined)?.members;
  if (!members) return false;
  const keys = Object.keys(members).sort();
  return keys.length === 2 && keys[0] === "FALSE" && keys[1] === "TRUE" && Number(members.FALSE) === 0 && Number(members.TRUE) === 1;
}

/** `count`, `offset` and `stride` per dimension of a selection; `OUT_OF_RANGE`/`INVALID_ARGUMENT` when it does not fit. */
export function hyperslab(shape: number[], select: H5Selection | undefined, file: string, element: string) {
  const count: number[] = [];
  const offset: number[] = [];
  const stride: number[] = [];
  if (select && select.length > shape.length) {
    throw new HypedError("INVALID_ARGUMENT", `${file}: ${select.length} selections for ${shape.length}-D dataset ${element}`, {
      file,
      element,
    });
  }
  for (let i = 0; i < shape.length; i++) {
    const s = shape[i] as number;
    const sel = select?.[i];
    let a = 0;
    let b = s;
    let st = 1;
    if (typeof sel === "number") {
      a = sel;
      b = sel + 1;
    } else if (Array.isArray(sel)) {
      a = sel[0];
      b = sel[1];
      st = sel[2] ?? 1;
    }
    if (!(Number.isInteger(a) && Number.isInteger(b) && Number.isInteger(st) && a >= 0 && b <= s && a <= b && st >= 1)) {
      throw new HypedError(
        "OUT_OF_RANGE",
        `${file}: selection [${a}, ${b}) step ${st} is outside dimension ${i} (extent ${s}) of ${element}`,
        {
          file,
          element,
          dim: i,
        },
      );
    }
    count.push(Math.ceil((b - a) / st));
    offset.push(a);
    stride.push(st);
  }
  return { count, offset, stride };
}

/** HDF5's name order (byte-wise, as `strcmp` on UTF-8). */
export function byteOrder(a: string, b: string): number {
  const x = utf8Bytes.encode(a);
  const y = utf8Bytes.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}
const utf8Bytes = new TextEncoder();

/**
 * What h5wasm says is at `path` (every parent must exist and be a group, else HDF5 raises, which reads as
 * `missing`; `onError` sees the exception first).
 */
export function h5wasmKind(
  // biome-ignore lint/suspicious/noExplicitAny: h5wasm Module
  M: any,
  fileId: unknown,
  path: string,
  onError: (e: unknown) => void,
): H5Kind {
  const parts = path.replace(/^\/+/, "").split("/");
  let cur = "";
  for (let i = 0; i < parts.length; i++) {
    cur += `/${parts[i]}`;
    let t: number;
    try {
      t = M.get_type(fileId, cur);
    } catch (e) {
      onError(e);
      return "missing";
    }
    const k: H5Kind =
      t === M.H5G_GROUP
        ? "group"
        : t === M.H5G_DATASET
          ? "dataset"
          : t === M.H5G_TYPE
            ? "datatype"
            : t === M.H5G_LINK
              ? "soft-link"
              : t === M.H5G_UDLINK
                ? "external-link"
                : "missing";
    if (i === parts.length - 1) return k;
    if (k !== "group") return "missing";
  }
  return "missing";
}

/** The metadata of an h5wasm `Dataset` (its type, shape, chunks and filter pipeline). */
// biome-ignore lint/suspicious/noExplicitAny: h5wasm Dataset
export function datasetInfo(rt: H5Runtime, d: any): H5Info {
  const filters = (d.filters as Array<{ id: number; name: string; cd_values: number[] }>).map((f) => ({
    id: f.id,
    name: f.name || filterName(f.id),
    cdValues: f.cd_values,
  }));
  return toInfo(rt, d.metadata, filters);
}

/** A copy of `info` whose arrays (shape, chunks, filters) are its own. */
export function copyInfo(info: H5Info): H5Info {
  return {
    ...info,
    shape: info.shape ? [...info.shape] : null,
    ...(info.chunks ? { chunks: [...info.chunks] } : {}),
    filters: info.filters.map((f) => ({ ...f, cdValues: [...f.cdValues] })),
  };
}

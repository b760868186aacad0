/**
 * The content fingerprint of an AnnData as `scripts/anndata_fingerprint.py` computes it from what anndata
 * reads (same JSON shape, same hashes), so tests can compare our reading with anndata's. See that script
 * for the rules: arrays are `{dtype, shape, sha}` over their C-order little-endian bytes, index arrays and
 * codes as int64, strings as the UTF-8 of their compact JSON list; dicts with sorted keys.
 */
import { createHash } from "node:crypto";
import {
  type AnyNdArray,
  type AnyTypedArray,
  contiguous,
  type DType,
  isFloat16,
  isNdArray,
  isSparse,
  narrowToHalf,
  ndDtype,
  type SparseMatrix,
} from "@hyped/core";
import { type AnnData, type AwkwardArray, type Column, DataFrame, type MuData, type StringNdArray, scalarDtype } from "../index.js";

type Json = unknown;

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex").slice(0, 16);
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function strings(values: string[], shape: number[] = [values.length]): Json {
  return { dtype: "str", shape, sha: sha(new TextEncoder().encode(JSON.stringify(values))) };
}

function typed(data: AnyTypedArray, shape: number[], dtype: DType | "float16"): Json {
  if (dtype === "float16") return { dtype, shape, sha: sha(bytesOf(narrowToHalf(data as Float32Array))) };
  return { dtype, shape, sha: sha(bytesOf(data)) };
}

function array(a: AnyNdArray): Json {
  const c = contiguous(a);
  const dt = isFloat16(a) || isFloat16(a.data) ? "float16" : ndDtype(a);
  return typed(c.data as unknown as AnyTypedArray, [...a.shape], dt);
}

function ints(a: ArrayLike<number | bigint>): string {
  return sha(bytesOf(BigInt64Array.from(Array.from(a), (x) => BigInt(x))));
}

function matrix(m: unknown): Json {
  if (isSparse(m)) {
    const s = m as SparseMatrix;
    const nnz = Number(s.indptr[s.indptr.length - 1] ?? 0);
    const data = s.data.subarray(0, nnz) as AnyTypedArray;
    return {
      kind: s.format,
      shape: [...s.shape],
      data: typed(data, [nnz], isFloat16(s.data) ? "float16" : ndDtype({ data })),
      indices: ints(s.indices.subarray(0, nnz)),
      indptr: ints(s.indptr),
    };
  }
  if (m instanceof DataFrame) return { kind: "dataframe", ...(frame(m) as object) };
  if (isNdArray(m)) return { kind: "dense", ...(array(m as AnyNdArray) as object) };
  throw new Error(`no fingerprint for ${String(m)}`);
}

function column(c: Column): Json {
  switch (c.kind) {
    case "numeric":
      return { kind: "numeric", values: typed(c.values, [c.values.length], isFloat16(c.values) ? "float16" : ndDtype({ data: c.values })) };
    case "boolean":
      return { kind: "boolean", values: typed(c.values, [c.values.length], "bool") };
    case "string":
    case "nullable-string":
      return { kind: "string", values: strings(c.values) };
    case "categorical": {
      const cats = c.categories;
      let categories: Json;
      if (cats.length === 0 || typeof cats[0] === "string") categories = strings(cats as string[]);
      else {
        const dt = c.categoriesDtype ?? "int64";
        const arr =
          dt === "int64"
            ? BigInt64Array.from(cats as number[], (x) => BigInt(x))
            : dt === "float32"
              ? Float32Array.from(cats as number[])
              : Float64Array.from(cats as number[]);
        categories = typed(arr as AnyTypedArray, [cats.length], dt);
      }
      return { kind: "categorical", ordered: c.ordered, categories, codes: ints(c.codes) };
    }
    case "nullable-integer":
    case "nullable-boolean": {
      const values = c.values.slice() as AnyTypedArray;
      const big = values instanceof BigInt64Array || values instanceof BigUint64Array;
      for (let i = 0; i < values.length; i++) if (c.mask[i]) (values as unknown as Array<number | bigint>)[i] = big ? 0n : 0;
      const dt = c.kind === "nullable-boolean" ? "bool" : ndDtype({ data: values });
      return { kind: c.kind, values: typed(values, [values.length], dt), mask: typed(c.mask, [c.mask.length], "bool") };
    }
  }
}

function frame(df: DataFrame): Json {
  return {
    index_name: df.indexName === "_index" ? null : df.indexName,
    index: strings(df.index),
    columns: df.columns.map((k) => [k, column(df.column(k) as Column)]),
  };
}

function awkward(a: AwkwardArray): Json {
  const buffers: Record<string, Json> = {};
  for (const k of Object.keys(a.buffers).sort()) {
    const b = a.buffers[k] as AnyTypedArray;
    buffers[k] = typed(b, [b.length], ndDtype({ data: b }));
  }
  return { form: JSON.parse(a.form), length: a.length, buffers };
}

function element(v: unknown, parent?: Record<string, unknown>, key?: string): Json {
  if (typeof v === "string") return { string: v };
  if (typeof v === "boolean") return { scalar: "bool", value: v };
  if (typeof v === "number" || typeof v === "bigint") {
    const dt = (parent && key ? scalarDtype(parent, key) : undefined) ?? (typeof v === "bigint" ? "int64" : "float64");
    const isInt = !dt.startsWith("float");
    return { scalar: dt, value: isInt ? String(v) : Number.isFinite(v) ? v : String(v) };
  }
  if (isSparse(v)) return { sparse: matrix(v) };
  if (isNdArray(v)) return { array: array(v as AnyNdArray) };
  if (v instanceof DataFrame) return { dataframe: frame(v) };
  if (Array.isArray(v)) return { array: strings(v as string[]) };
  const kind = (v as { kind?: string })?.kind;
  if (kind === "string-array") return { array: strings((v as StringNdArray).values, (v as StringNdArray).shape) };
  if (kind === "awkward-array") return { awkward: awkward(v as AwkwardArray) };
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    const out: Record<string, Json> = {};
    for (const k of Object.keys(o).sort()) out[k] = element(o[k], o, k);
    return { dict: out };
  }
  throw new Error(`no fingerprint for ${String(v)}`);
}

function mapping(mats: Map<string, unknown>, frames?: Map<string, DataFrame>, other?: Map<string, unknown>): Json {
  const all = new Map<string, Json>();
  for (const [k, m] of mats) all.set(k, matrix(m));
  for (const [k, d] of frames ?? []) all.set(k, matrix(d));
  for (const [k, v] of other ?? [])
    all.set(k, (v as { kind?: string }).kind === "awkward-array" ? { awkward: awkward(v as AwkwardArray) } : element(v));
  return Object.fromEntries([...all].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The fingerprint of an AnnData (the JSON `anndata_fingerprint.py` writes for the file it came from). */
export function fingerprint(a: AnnData): Json {
  return {
    X: a.X ? matrix(a.X) : null,
    obs: frame(a.obs),
    var: frame(a.var),
    layers: mapping(a.layers, undefined, a.other.layers),
    obsm: mapping(a.obsm, a.obsmFrames, a.other.obsm),
    varm: mapping(a.varm, a.varmFrames, a.other.varm),
    obsp: mapping(a.obsp, undefined, a.other.obsp),
    varp: mapping(a.varp, undefined, a.other.varp),
    uns: element(a.uns),
    raw: a.raw ? { X: a.raw.X ? matrix(a.raw.X) : null, var: frame(a.raw.var), varm: mapping(a.raw.varm ?? new Map()) } : null,
  };
}

/** The fingerprint of a MuData (global obs/var and each modality). */
export function muFingerprint(md: MuData): Json {
  return { obs: frame(md.obs), var: frame(md.var), mod: Object.fromEntries([...md.mod].map(([k, a]) => [k, fingerprint(a)])) };
}

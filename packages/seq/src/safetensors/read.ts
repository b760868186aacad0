/**
 * Reading `.safetensors` files (Hugging Face's weight format; see `format.md` beside this file).
 *
 * Opening reads the 8-byte header length and the JSON header only, validates every entry against the file, and
 * keeps the parsed table: tensors are then read one at a time, on demand, from the byte source (a local file, a
 * browser `Blob`, bytes, or an HTTP URL with range requests). The header is never parsed twice.
 */
import { type ByteSource, checkAllocation, HypedError, halfToFloat, openSource, type SourceInput, throwIfAborted } from "@hyped/core";

/** Element types of the safetensors format, with their size in bytes. */
export const SAFETENSORS_DTYPES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
} as const;

/** A safetensors element type name, as written in the header (`"F32"`, `"BF16"`, ...). */
export type SafetensorsDType = keyof typeof SAFETENSORS_DTYPES;

/** One tensor of a safetensors file, as its header describes it. */
export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** Absolute byte offset of the data in the file. */
  readonly offset: number;
  /** Data length in bytes (product of the shape × the element size). */
  readonly byteLength: number;
}

/**
 * Largest header we accept (bytes), as the reference Rust implementation does (100 MB): a larger length field is
 * corruption, not a real header.
 */
export const MAX_SAFETENSORS_HEADER = 100_000_000;

/** An opened safetensors file: the validated header, and lazy tensor reads. */
export interface SafetensorsFile {
  /** The byte source read from. */
  readonly source: ByteSource;
  /** The `__metadata__` string map (empty when absent). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Every tensor, by name, in file order. */
  readonly tensors: ReadonlyMap<string, SafetensorsEntry>;
  /** Raw little-endian bytes of one tensor (`NOT_FOUND` for an unknown name). */
  readBytes(name: string, signal?: AbortSignal): Promise<Uint8Array>;
  /**
   * One floating-point tensor widened to `Float32Array` (F32 copied, F16 and BF16 converted exactly; F64 rounded).
   * `out`, when given, receives the values (its length must equal the element count) and is returned.
   */
  readFloat32(name: string, options?: { signal?: AbortSignal; out?: Float32Array }): Promise<Float32Array>;
}

const fail = (where: string, message: string, context: Record<string, unknown> = {}) =>
  new HypedError("FORMAT", `${where}: ${message}`, context);

function parseEntry(where: string, name: string, raw: unknown, dataStart: number, dataLength: number): SafetensorsEntry {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw fail(where, `tensor '${name}' is not an object`, { name });
  const r = raw as Record<string, unknown>;
  const dtype = r.dtype;
  if (typeof dtype !== "string" || !Object.hasOwn(SAFETENSORS_DTYPES, dtype)) {
    throw new HypedError("UNSUPPORTED", `${where}: tensor '${name}' has dtype ${JSON.stringify(dtype)}`, { name, dtype });
  }
  const shape = r.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw fail(where, `tensor '${name}' has shape ${JSON.stringify(shape)}; expected non-negative integers`, { name });
  }
  const offs = r.data_offsets;
  if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isSafeInteger(d) && d >= 0) || offs[1] < offs[0]) {
    throw fail(where, `tensor '${name}' has data_offsets ${JSON.stringify(offs)}; expected [begin, end] with begin ≤ end`, { name });
  }
  const [begin, end] = offs as [number, number];
  if (end > dataLength)
    throw fail(where, `tensor '${name}' ends at ${end}, past the data (${dataLength} bytes)`, { name, end, dataLength });
  const size = SAFETENSORS_DTYPES[dtype as SafetensorsDType];
  let n = 1;
  for (const d of shape as number[]) n *= d;
  if (!Number.isSafeInteger(n * size) || n * size !== end - begin) {
    throw fail(where, `tensor '${name}' holds ${end - begin} bytes but shape [${shape.join(", ")}] × ${size} needs ${n * size}`, { name });
  }
  return { name, dtype: dtype as SafetensorsDType, shape: shape as number[], offset: dataStart + begin, byteLength: end - begin };
}

/**
 * Open a safetensors file: read and validate the header (length field, JSON, every entry's dtype, shape and
 * offsets; the tensors must tile the data section with no gap or overlap, as the format requires). No tensor data
 * is read. Errors: `FORMAT` for a corrupt header, `UNSUPPORTED` for an unknown dtype.
 */
export async function openSafetensors(input: SourceInput, options: { signal?: AbortSignal } = {}): Promise<SafetensorsFile> {
  const { signal } = options;
  const source = await openSource(input);
  const where = source.name;
  if (source.size < 8) throw fail(where, `${source.size} bytes is too short for a safetensors file (8-byte header length first)`);
  const lenBytes = await source.read(0, 8, signal);
  const len64 = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true);
  if (len64 > BigInt(MAX_SAFETENSORS_HEADER) || Number(len64) > source.size - 8) {
    throw fail(where, `header length ${len64} exceeds the file (${source.size} bytes) or the ${MAX_SAFETENSORS_HEADER}-byte limit`);
  }
  const headerLength = Number(len64);
  const headerBytes = await source.read(8, headerLength, signal);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(headerBytes));
  } catch (e) {
    throw new HypedError("FORMAT", `${where}: the header is not UTF-8 JSON (${(e as Error).message})`, {}, { cause: e });
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) throw fail(where, "the header is not a JSON object");
  const dataStart = 8 + headerLength;
  const dataLength = source.size - dataStart;
  const metadata: Record<string, string> = {};
  const entries: Array<SafetensorsEntry> = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw fail(where, "__metadata__ is not an object");
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== "string") throw fail(where, `__metadata__.${k} is not a string`, { key: k });
        metadata[k] = v;
      }
      continue;
    }
    entries.push(parseEntry(where, name, raw, dataStart, dataLength));
  }
  // The data section is exactly the tensors, back to back in some order.
  const sorted = [...entries].sort((a, b) => a.offset - b.offset);
  let at = dataStart;
  for (const e of sorted) {
    if (e.offset !== at)
      throw fail(where, `tensor '${e.name}' starts at data offset ${e.offset - dataStart}, expected ${at - dataStart} (gap or overlap)`, {
        name: e.name,
      });
    at += e.byteLength;
  }
  if (at !== source.size) throw fail(where, `the tensors cover ${at - dataStart} of ${dataLength} data bytes`);
  const tensors = new Map(entries.map((e) => [e.name, e] as const));
  const entry = (name: string) => {
    const e = tensors.get(name);
    if (!e) throw new HypedError("NOT_FOUND", `${where}: no tensor '${name}'`, { name });
    return e;
  };
  const readBytes = async (name: string, sig?: AbortSignal) => {
    const e = entry(name);
    throwIfAborted(sig, `read of ${name}`);
    return source.read(e.offset, e.byteLength, sig);
  };
  return {
    source,
    metadata,
    tensors,
    readBytes,
    async readFloat32(name, o = {}) {
      const e = entry(name);
      const n = e.byteLength / SAFETENSORS_DTYPES[e.dtype];
      if (o.out && o.out.length !== n)
        throw new HypedError("SHAPE_MISMATCH", `out has ${o.out.length} elements, '${name}' has ${n}`, { name });
      if (!["F32", "F16", "BF16", "F64"].includes(e.dtype)) {
        throw new HypedError("UNSUPPORTED", `${where}: tensor '${name}' is ${e.dtype}, not a floating-point type`, {
          name,
          dtype: e.dtype,
        });
      }
      if (!o.out) checkAllocation(n, 4, name);
      const out = o.out ?? new Float32Array(n);
      if (e.dtype === "F32" && source.readInto) {
        // straight into the result: no intermediate copy of the tensor
        throwIfAborted(o.signal, `read of ${name}`);
        await source.readInto(e.offset, new Uint8Array(out.buffer, out.byteOffset, out.byteLength), o.signal);
        return out;
      }
      decodeFloats(e.dtype, await readBytes(name, o.signal), out);
      return out;
    },
  };
}

/** Widen little-endian F32/F16/BF16/F64 bytes into `out`. */
function decodeFloats(dtype: SafetensorsDType, bytes: Uint8Array, out: Float32Array): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = out.length;
  if (dtype === "F32") {
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes);
  } else if (dtype === "BF16") {
    // bfloat16 is the top half of a float32: shifting the bits up is exact.
    const u = new Uint32Array(out.buffer, out.byteOffset, n);
    for (let i = 0; i < n; i++) u[i] = dv.getUint16(2 * i, true) << 16;
  } else if (dtype === "F16") {
    for (let i = 0; i < n; i++) out[i] = halfToFloat(dv.getUint16(2 * i, true));
  } else {
    for (let i = 0; i < n; i++) out[i] = dv.getFloat64(8 * i, true);
  }
}

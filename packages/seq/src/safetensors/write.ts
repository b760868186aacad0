/**
 * Writing `.safetensors` files: used to lay out small random models in Hugging Face's layout (demos, tests), and
 * by anyone saving weights from TypeScript.
 */
import { floatToHalf, HypedError } from "@hyped/core";
import { SAFETENSORS_DTYPES, type SafetensorsDType } from "./read.js";

/** One tensor to write. Float32 data is stored as `dtype` (default F32; F16 and BF16 round to nearest even). */
export interface SafetensorsTensor {
  shape: readonly number[];
  /** F32 / F16 / BF16 from a `Float32Array`; any dtype from raw little-endian bytes of the right length. */
  data: Float32Array | Uint8Array;
  dtype?: SafetensorsDType;
}

/** Round a float32 value to bfloat16 bits (round to nearest, ties to even; NaN stays NaN). */
export function float32ToBfloat16Bits(x: number): number {
  const u = new Uint32Array(new Float32Array([x]).buffer)[0] as number;
  if ((u & 0x7fffffff) > 0x7f800000) return ((u >>> 16) | 0x40) & 0xffff;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

/**
 * Round a number to IEEE half-precision bits (round to nearest, ties to even; overflow → ±Inf): core's
 * `floatToHalf`, under the name this module has always exported.
 */
export function float32ToHalfBits(x: number): number {
  return floatToHalf(x);
}

function encode(t: SafetensorsTensor, dtype: SafetensorsDType, n: number, name: string): Uint8Array {
  if (t.data instanceof Uint8Array) {
    if (t.data.byteLength !== n * SAFETENSORS_DTYPES[dtype]) {
      throw new HypedError("SHAPE_MISMATCH", `'${name}': ${t.data.byteLength} bytes for ${n} ${dtype} elements`, { name });
    }
    return t.data;
  }
  if (t.data.length !== n)
    throw new HypedError("SHAPE_MISMATCH", `'${name}': ${t.data.length} values for shape [${t.shape.join(", ")}]`, { name });
  if (dtype === "F32") return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  if (dtype !== "F16" && dtype !== "BF16")
    throw new HypedError("UNSUPPORTED", `'${name}': Float32Array data cannot be stored as ${dtype}`, { name });
  const out = new Uint8Array(2 * n);
  const dv = new DataView(out.buffer);
  const conv = dtype === "F16" ? float32ToHalfBits : float32ToBfloat16Bits;
  for (let i = 0; i < n; i++) dv.setUint16(2 * i, conv(t.data[i] as number), true);
  return out;
}

/**
 * Serialise tensors to safetensors bytes: the 8-byte header length, a JSON header padded with spaces to a multiple
 * of 8 bytes (as the reference implementation aligns it), then the tensors in the order given.
 */
export function writeSafetensors(
  tensors: Readonly<Record<string, SafetensorsTensor>>,
  options: { metadata?: Record<string, string> } = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (options.metadata) header.__metadata__ = options.metadata;
  const blobs: Uint8Array[] = [];
  let at = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === "__metadata__") throw new HypedError("INVALID_ARGUMENT", "'__metadata__' is reserved", {});
    const dtype = t.dtype ?? "F32";
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw new HypedError("INVALID_ARGUMENT", `'${name}': bad shape`, { name });
    const n = t.shape.reduce((a, b) => a * b, 1);
    const bytes = encode(t, dtype, n, name);
    header[name] = { dtype, shape: [...t.shape], data_offsets: [at, at + bytes.byteLength] };
    blobs.push(bytes);
    at += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  const raw = new TextEncoder().encode(json);
  json += " ".repeat((8 - (raw.byteLength % 8)) % 8);
  const hb = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hb.byteLength + at);
  new DataView(out.buffer).setBigUint64(0, BigInt(hb.byteLength), true);
  out.set(hb, 8);
  let p = 8 + hb.byteLength;
  for (const b of blobs) {
    out.set(b, p);
    p += b.byteLength;
  }
  return out;
}

/**
 * numpy `.npy` read/write, format versions 1.0, 2.0 and 3.0 (see `npy.format.md`).
 *
 * - Reading accepts little- and big-endian data, C and Fortran order, and every {@link DType};
 *   `float16` is widened to `float32`. Fortran-order files come back as an ndarray with column-major
 *   strides over the file's data (no transpose copy).
 * - Writing produces the same bytes numpy's `np.save` does (header layout, 64-byte alignment, the spare
 *   space numpy leaves for growing the first axis, version 1.0 unless the header needs 2.0/3.0).
 */
import { allocate, type DType, dtypeSize, halfToFloat, numpyDescr, parseNumpyDescr } from "./dtype.js";
import { HypedError } from "./errors.js";
import { type AnyNdArray, contiguous, cStrides, fStrides, markBool, ndarray, ndDtype, shapeSize } from "./ndarray.js";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** The parsed header of a `.npy` file. */
export interface NpyHeader {
  /** Format version `[major, minor]`. */
  version: [number, number];
  /** numpy's type-string from the header, e.g. `<u2`. */
  descr: string;
  /** The toolkit dtype the data is read as. */
  dtype: DType;
  /** numpy's dtype name for the stored data (`float16` stays `float16` here). */
  numpyName: string;
  /** True for little-endian or byte-order-free data. */
  littleEndian: boolean;
  /** True if the data is in Fortran (column-major) order. */
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset where the data starts. */
  dataOffset: number;
  /** Bytes per stored element. */
  itemsize: number;
}

const fail = (msg: string, context: Record<string, unknown> = {}): never => {
  throw new HypedError("FORMAT", `npy: ${msg}`, context);
};

/** Parse the header of a `.npy` file; throws `FORMAT` on anything malformed, `UNSUPPORTED` on unknown dtypes. */
export function readNpyHeader(bytes: Uint8Array): NpyHeader {
  if (bytes.length < 10) fail(`file is ${bytes.length} bytes, too short for a header`);
  for (let i = 0; i < 6; i++) if (bytes[i] !== MAGIC[i]) fail("missing the \\x93NUMPY magic string", { offset: i });
  const major = bytes[6] as number;
  const minor = bytes[7] as number;
  if (major < 1 || major > 3 || minor !== 0) fail(`unknown format version ${major}.${minor}`, { major, minor });
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let hlen: number;
  let start: number;
  if (major === 1) {
    hlen = dv.getUint16(8, true);
    start = 10;
  } else {
    if (bytes.length < 12) fail("truncated header length");
    hlen = dv.getUint32(8, true);
    start = 12;
  }
  if (start + hlen > bytes.length) fail(`header length ${hlen} runs past the end of the ${bytes.length}-byte file`, { hlen });
  const raw = bytes.subarray(start, start + hlen);
  let text: string;
  try {
    text = major === 3 ? new TextDecoder("utf-8", { fatal: true }).decode(raw) : latin1(raw);
  } catch (e) {
    throw new HypedError("FORMAT", `npy: format-3.0 header is not valid UTF-8: ${(e as Error).message}`, { hlen }, { cause: e });
  }
  const dict = parseHeaderDict(text);
  const descr = dict.descr;
  if (typeof descr !== "string") {
    throw new HypedError("UNSUPPORTED", "npy: structured (record) dtypes are not supported", { descr });
  }
  if (typeof dict.fortran_order !== "boolean") fail("header field fortran_order is missing or not a boolean");
  if (!Array.isArray(dict.shape)) fail("header field shape is missing or not a tuple");
  const shape = dict.shape as number[];
  const parsed = parseNumpyDescr(descr);
  if (!parsed) throw new HypedError("UNSUPPORTED", `npy: dtype '${descr}' is not supported`, { descr });
  const numpyName = parsed.half ? "float16" : parsed.dtype;
  return {
    version: [major, minor],
    descr,
    dtype: parsed.dtype,
    numpyName,
    littleEndian: parsed.littleEndian,
    fortranOrder: dict.fortran_order as boolean,
    shape,
    dataOffset: start + hlen,
    itemsize: parsed.itemsize,
  };
}

function latin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i] as number);
  return s;
}

/** Parses the Python dict literal of an npy header (strings, booleans, int tuples). */
function parseHeaderDict(text: string): Record<string, unknown> {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  const expect = (c: string) => {
    ws();
    if (text[i] !== c) fail(`header: expected '${c}' at ${i}, found '${text[i] ?? "end"}'`, { header: text });
    i++;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === "'" || c === '"') {
      const q = c;
      i++;
      const s = i;
      while (i < text.length && text[i] !== q) i++;
      if (i >= text.length) fail("header: unterminated string", { header: text });
      return text.slice(s, i++);
    }
    if (c === "(" || c === "[") {
      const close = c === "(" ? ")" : "]";
      i++;
      const items: unknown[] = [];
      ws();
      while (text[i] !== close) {
        items.push(value());
        ws();
        if (text[i] === ",") i++;
        ws();
        if (i >= text.length) fail("header: unterminated tuple", { header: text });
      }
      i++;
      return items;
    }
    const m = /^(True|False|-?\d+L?)/.exec(text.slice(i));
    if (!m) fail(`header: unexpected token at ${i}`, { header: text });
    i += (m as RegExpExecArray)[0].length;
    const tok = (m as RegExpExecArray)[0];
    if (tok === "True") return true;
    if (tok === "False") return false;
    return Number.parseInt(tok, 10);
  };
  expect("{");
  const out: Record<string, unknown> = {};
  ws();
  while (text[i] !== "}") {
    const k = value();
    if (typeof k !== "string") fail("header: dict key is not a string", { header: text });
    expect(":");
    out[k as string] = value();
    ws();
    if (text[i] === ",") i++;
    ws();
    if (i >= text.length) fail("header: unterminated dict", { header: text });
  }
  if (Array.isArray(out.shape)) {
    for (const s of out.shape as unknown[]) {
      if (typeof s !== "number" || !Number.isSafeInteger(s) || s < 0) fail(`header: bad shape entry ${String(s)}`, { header: text });
    }
  }
  return out;
}

/**
 * Read a `.npy` file held in memory. Returns an ndarray with C strides, or Fortran strides for
 * `fortran_order` files. `bool` arrays are marked (see `markBool`). Throws `FORMAT` for corrupt or
 * truncated input, `UNSUPPORTED` for dtypes outside the table.
 */
export function readNpy(bytes: Uint8Array): AnyNdArray {
  const h = readNpyHeader(bytes);
  const n = shapeSize(h.shape);
  const need = n * h.itemsize;
  if (h.dataOffset + need > bytes.length) {
    fail(`data is truncated: need ${need} bytes after the header, have ${bytes.length - h.dataOffset}`, {
      need,
      have: bytes.length - h.dataOffset,
    });
  }
  const out = allocate(h.dtype, n);
  const src = bytes.subarray(h.dataOffset, h.dataOffset + need);
  if (h.itemsize === 2 && h.dtype === "float32") {
    const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
    const f = out as Float32Array;
    for (let k = 0; k < n; k++) f[k] = halfToFloat(dv.getUint16(2 * k, h.littleEndian));
  } else {
    const ob = new Uint8Array(out.buffer, out.byteOffset, need);
    ob.set(src);
    if (!h.littleEndian && h.itemsize > 1) swapInPlace(ob, h.itemsize);
    if (h.dtype === "bool") for (let k = 0; k < n; k++) if (ob[k] !== 0) ob[k] = 1;
  }
  const strides = h.fortranOrder ? fStrides(h.shape) : cStrides(h.shape);
  const arr = ndarray(out as never, [...h.shape], strides, 0) as unknown as AnyNdArray;
  if (h.dtype === "bool") markBool(arr);
  return arr;
}

function swapInPlace(b: Uint8Array, size: number): void {
  for (let i = 0; i + size <= b.length; i += size) {
    for (let a = i, z = i + size - 1; a < z; a++, z--) {
      const t = b[a] as number;
      b[a] = b[z] as number;
      b[z] = t;
    }
  }
}

/** Options of {@link writeNpy}. */
export interface WriteNpyOptions {
  /** Override the dtype (e.g. `"bool"` for an unmarked Uint8Array). Default: the array's own. */
  dtype?: DType;
  /** Memory order to store: `"C"`, `"F"`, or `"auto"` (default): F only when the array is F-contiguous and not C-contiguous, as numpy does. */
  order?: "C" | "F" | "auto";
  /** Store big-endian. Default false (little-endian). */
  bigEndian?: boolean;
  /** Force a format version; default picks 1.0, else 2.0 (long header), else 3.0 (non-latin1), as numpy. */
  version?: [1 | 2 | 3, 0];
}

/** Serialise an ndarray as `.npy` bytes identical to numpy's `np.save` for the same array. */
export function writeNpy(a: AnyNdArray, options: WriteNpyOptions = {}): Uint8Array {
  const dtype = options.dtype ?? ndDtype(a);
  const shape = [...a.shape];
  let order = options.order ?? "auto";
  if (order === "auto") order = isFContiguousOnly(a) ? "F" : "C";
  let descr = numpyDescr(dtype);
  if (options.bigEndian && descr.startsWith("<")) descr = `>${descr.slice(1)}`;
  const shapeRepr = shape.length === 0 ? "()" : shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${order === "F" ? "True" : "False"}, 'shape': ${shapeRepr}, }`;
  if (shape.length > 0) {
    const growth = String(shape[order === "F" ? shape.length - 1 : 0]).length;
    header += " ".repeat(Math.max(0, 21 - growth));
  }
  const encoded = new TextEncoder().encode(header);
  const isLatin1 = [...header].every((c) => c.charCodeAt(0) < 256);
  let version = options.version?.[0] ?? (encoded.length + 1 + 10 <= 65535 ? 1 : 2);
  if (!isLatin1 && !options.version) version = 3;
  const prefix = version === 1 ? 10 : 12;
  const hlen0 = encoded.length + 1;
  const pad = (64 - ((prefix + hlen0) % 64)) % 64;
  const hlen = hlen0 + pad;
  const itemsize = dtypeSize(dtype);
  const n = a.size;
  const out = new Uint8Array(prefix + hlen + n * itemsize);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, hlen, true);
  else dv.setUint32(8, hlen, true);
  out.set(encoded, prefix);
  out.fill(0x20, prefix + encoded.length, prefix + hlen - 1);
  out[prefix + hlen - 1] = 0x0a;
  // data, in the chosen order
  const src = order === "F" ? contiguous(a.transpose(...shape.map((_, i) => shape.length - 1 - i)) as AnyNdArray) : contiguous(a);
  const data = src.data as unknown as ArrayBufferView;
  const body = out.subarray(prefix + hlen);
  body.set(new Uint8Array(data.buffer, data.byteOffset, n * itemsize));
  if (dtype === "bool") for (let k = 0; k < n; k++) if (body[k] !== 0) body[k] = 1;
  if (options.bigEndian && itemsize > 1) swapInPlace(body, itemsize);
  return out;
}

function isFContiguousOnly(a: AnyNdArray): boolean {
  if (a.shape.length < 2) return false;
  const f = fStrides(a.shape);
  const c = cStrides(a.shape);
  const relevant = (st: number[]) => a.shape.every((s, i) => s <= 1 || a.stride[i] === st[i]);
  return a.offset === 0 && relevant(f) && !relevant(c);
}

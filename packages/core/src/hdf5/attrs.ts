/**
 * Attributes read from object headers by our own bounds-checked parser, not by h5wasm (see `format.md`,
 * "Attributes"). Corrupt object headers made HDF5's C code spin forever or write outside its heap; here
 * every size and count is checked against the message and the file before anything is allocated, so a
 * corrupt attribute is a `FORMAT` error. What this parser does not cover (dense attribute storage, shared
 * datatypes, references, compounds, big-endian or odd-sized numbers) is reported as `undefined`, and the
 * caller asks h5wasm.
 */
import { DTYPE_CTORS, parseNumpyDescr } from "../dtype.js";
import { HypedError } from "../errors.js";
import type { DirectReader } from "./direct/index.js";
import { Unhandled } from "./direct/index.js";
import { globalHeapCollection } from "./strings.js";

/** One attribute as stored: its name and the views needed to decode it later. */
export interface RawAttr {
  name: string;
  /** Datatype message bytes. */
  type: DataView;
  /** Dimensions (`[]` scalar); `null` for a null dataspace. */
  shape: number[] | null;
  /** The raw element bytes. */
  data: DataView;
}

const UNDEF = Number.MAX_SAFE_INTEGER;
/** Most elements decoded from one attribute (attributes are metadata; HDF5 caps them at 64 KiB compact). */
const MAX_ATTR_ELEMENTS = 2 ** 24;
const utf8 = new TextDecoder("utf-8");

function u(v: DataView, at: number, n: number): number {
  if (at < 0 || at + n > v.byteLength) throw new Unhandled();
  if (n === 1) return v.getUint8(at);
  if (n === 2) return v.getUint16(at, true);
  if (n === 4) return v.getUint32(at, true);
  const lo = v.getUint32(at, true);
  const hi = v.getUint32(at + 4, true);
  if (hi === 0xffffffff && lo === 0xffffffff) return UNDEF;
  if (hi >= 2 ** 21) throw new Unhandled();
  return hi * 2 ** 32 + lo;
}

function sub(v: DataView, at: number, n: number): DataView {
  if (at < 0 || n < 0 || at + n > v.byteLength) throw new Unhandled();
  return new DataView(v.buffer, v.byteOffset + at, n);
}

const pad8 = (n: number) => Math.ceil(n / 8) * 8;

/** True if the `n`-byte address at `at` is HDF5's undefined address (all bits set). */
function undefinedAddress(v: DataView, at: number, n: number): boolean {
  if (at + n > v.byteLength) throw new Unhandled();
  for (let i = 0; i < n; i++) if (v.getUint8(at + i) !== 0xff) return false;
  return true;
}

/** The attribute reader of one open file; global heap collections are cached. */
export class AttrReader {
  private readonly d: DirectReader;
  private readonly file: string;
  private readonly heaps = new Map<number, Map<number, Uint8Array>>();
  private readonly lists = new Map<number, RawAttr[] | undefined>();

  constructor(direct: DirectReader, file: string) {
    this.d = direct;
    this.file = file;
  }

  private corrupt(what: string, element: string, cause?: unknown): never {
    throw new HypedError("FORMAT", `${this.file}: ${what} of ${element} is corrupt`, { file: this.file, element }, { cause });
  }

  /**
   * The attributes of the object whose header is at `address` (relative to the base address), or
   * `undefined` when they are stored densely (a fractal heap) or in a form this parser leaves to h5wasm.
   * `FORMAT` when the header or an attribute message is inconsistent.
   */
  list(address: number, element: string): RawAttr[] | undefined {
    if (this.lists.has(address)) return this.lists.get(address);
    let out: RawAttr[] | undefined;
    let msgs: Array<{ type: number; data: DataView }>;
    try {
      const { base } = this.d.superblock();
      msgs = this.d.headerMessages(base + address);
    } catch (e) {
      this.corrupt("the object header", element, e);
    }
    const { offsets: O } = this.d.superblock();
    try {
      out = [];
      for (const m of msgs) {
        if (m.type === 0x0015) {
          // attribute info: a defined fractal-heap address means dense storage (left to h5wasm)
          const heapAt = 2 + (u(m.data, 1, 1) & 1 ? 2 : 0);
          if (!undefinedAddress(m.data, heapAt, O)) {
            out = undefined;
            break;
          }
        }
        if (m.type === 0x000c) {
          const a = parseAttrMessage(m.data, this.d.superblock().lengths);
          if (a === null) {
            out = undefined;
            break;
          }
          out.push(a);
        }
      }
    } catch (e) {
      if (!(e instanceof Unhandled)) throw e;
      this.corrupt("an attribute message", element, e);
    }
    this.lists.set(address, out);
    return out;
  }

  /**
   * Decode an attribute's value as h5wasm does (numbers, bigints, strings, TypedArrays, string arrays;
   * h5py boolean enums as booleans), or `undefined` for a type this parser leaves to h5wasm.
   */
  value(a: RawAttr, element: string): unknown {
    try {
      return this.decode(a);
    } catch (e) {
      if (!(e instanceof Unhandled)) throw e;
      this.corrupt(`attribute '${a.name}'`, element, e);
    }
  }

  private decode(a: RawAttr): unknown {
    if (a.shape === null) return undefined;
    const t = a.type;
    const cls = u(t, 0, 1) & 0x0f;
    const bits = u(t, 1, 1) | (u(t, 2, 1) << 8);
    const size = u(t, 4, 4);
    let n = 1;
    for (const d of a.shape) n *= d;
    if (n > MAX_ATTR_ELEMENTS) throw new Unhandled();
    const scalar = a.shape.length === 0;
    if (cls === 0 || cls === 1) {
      const arr = numeric(cls, bits, size, a.data, n);
      if (arr === undefined) return undefined;
      return scalar ? arr[0] : arr;
    }
    if (cls === 8) {
      // h5py booleans: an enum of int8 with FALSE = 0, TRUE = 1
      if (!isBoolEnum(t, size)) return undefined;
      if (n * size > a.data.byteLength) throw new Unhandled();
      const vals = Array.from({ length: n }, (_, i) => a.data.getInt8(i) !== 0);
      return scalar ? vals[0] : vals;
    }
    if (cls === 3) {
      const out = fixedStrings(a.data, n, size, bits & 0x0f);
      return scalar ? out[0] : out;
    }
    if (cls === 9 && (bits & 0x0f) === 1) {
      const out = this.vlen(a.data, n);
      return scalar ? out[0] : out;
    }
    return undefined;
  }

  private vlen(raw: DataView, n: number): string[] {
    const { offsets: O } = this.d.superblock();
    const esz = 4 + O + 4;
    if (n * esz > raw.byteLength) throw new Unhandled();
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const p = i * esz;
      const len = u(raw, p, 4);
      const coll = u(raw, p + 4, O);
      const idx = u(raw, p + 4 + O, 4);
      if (len === 0 || coll === 0 || coll === UNDEF) {
        out.push("");
        continue;
      }
      const obj = this.heap(coll).get(idx);
      if (!obj || obj.length < len) throw new Unhandled();
      out.push(utf8.decode(obj.subarray(0, len)));
    }
    return out;
  }

  /** The objects of the global heap collection at `address` (relative), by index (`strings.ts` reads it). */
  private heap(address: number): Map<number, Uint8Array> {
    const cached = this.heaps.get(address);
    if (cached) return cached;
    const objs = globalHeapCollection(this.d, address, this.d.superblock().lengths);
    if (!objs) throw new Unhandled();
    this.heaps.set(address, objs);
    return objs;
  }
}

/**
 * Decode `n` fixed-length strings of `size` bytes; `pad` is HDF5's padding (0 null-terminated, 1
 * null-padded, 2 space-padded). Text is UTF-8 (ASCII is a subset).
 */
function fixedStrings(data: DataView, n: number, size: number, pad: number): string[] {
  if (size === 0 || n * size > data.byteLength) throw new Unhandled();
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const bytes = new Uint8Array(data.buffer, data.byteOffset + i * size, size);
    let end = size;
    if (pad === 0 || pad === 1) {
      const z = bytes.indexOf(0);
      if (z >= 0) end = z;
    } else while (end > 0 && bytes[end - 1] === 0x20) end--;
    out.push(utf8.decode(bytes.subarray(0, end)));
  }
  return out;
}

/** Parse one attribute message (type 0x0C), versions 1–3; `null` for shared datatypes or dataspaces. */
function parseAttrMessage(m: DataView, L: number): RawAttr | null {
  const version = u(m, 0, 1);
  if (version < 1 || version > 3) throw new Unhandled();
  const flags = u(m, 1, 1);
  if (version >= 2 && flags & 0x03) return null;
  const nameSize = u(m, 2, 2);
  const typeSize = u(m, 4, 2);
  const spaceSize = u(m, 6, 2);
  let p = version === 3 ? 9 : 8;
  const al = version === 1 ? pad8 : (x: number) => x;
  if (nameSize === 0) throw new Unhandled();
  const nameBytes = new Uint8Array(m.buffer, m.byteOffset + p, Math.min(nameSize, Math.max(0, m.byteLength - p)));
  if (nameBytes.length !== nameSize) throw new Unhandled();
  const z = nameBytes.indexOf(0);
  const name = utf8.decode(nameBytes.subarray(0, z >= 0 ? z : nameSize));
  p += al(nameSize);
  const type = sub(m, p, typeSize);
  p += al(typeSize);
  const space = sub(m, p, spaceSize);
  p += al(spaceSize);
  const shape = parseDataspace(space, L);
  const data = sub(m, Math.min(p, m.byteLength), Math.max(0, m.byteLength - p));
  return { name, type, shape, data };
}

/** A dataspace message: dimensions, `[]` for a scalar, `null` for a null dataspace. */
function parseDataspace(v: DataView, L: number): number[] | null {
  const version = u(v, 0, 1);
  const rank = u(v, 1, 1);
  if (rank > 32) throw new Unhandled();
  let p: number;
  if (version === 1) p = 8;
  else if (version === 2) {
    const kind = u(v, 3, 1);
    if (kind === 2) return null;
    if (kind > 2) throw new Unhandled();
    p = 4;
  } else throw new Unhandled();
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) {
    const d = u(v, p + i * L, L);
    if (d === UNDEF) throw new Unhandled();
    dims.push(d);
  }
  return dims;
}

function numeric(cls: number, bits: number, size: number, data: DataView, n: number): ArrayLike<unknown> | undefined {
  if (bits & 0x01) return undefined; // big-endian
  if (n * size > data.byteLength) throw new Unhandled();
  const bytes = data.buffer.slice(data.byteOffset, data.byteOffset + n * size);
  // the dtype table names the element; float16 attributes (and sizes the table lacks) go to h5wasm
  const kind = cls === 1 ? "f" : (bits & 0x08) !== 0 ? "i" : "u";
  const t = parseNumpyDescr(`<${kind}${size}`);
  if (!t || t.half) return undefined;
  return new DTYPE_CTORS[t.dtype](bytes);
}

/** An enum of a 1-byte integer whose two members are FALSE = 0 and TRUE = 1 (h5py's bool). */
function isBoolEnum(t: DataView, size: number): boolean {
  if (size !== 1) return false;
  const version = u(t, 0, 1) >> 4;
  const members = u(t, 1, 1) | (u(t, 2, 1) << 8);
  if (members !== 2) return false;
  const baseCls = u(t, 8, 1) & 0x0f;
  if (baseCls !== 0 || u(t, 12, 4) !== 1) return false;
  // names follow the 12-byte base type (8-byte padded in versions 1–2), then the values
  let p = 8 + 12;
  const names: string[] = [];
  for (let i = 0; i < 2; i++) {
    let e = p;
    while (e < t.byteLength && t.getUint8(e) !== 0) e++;
    if (e >= t.byteLength) return false;
    names.push(utf8.decode(new Uint8Array(t.buffer, t.byteOffset + p, e - p)));
    p = version >= 3 ? e + 1 : p + pad8(e - p + 1);
  }
  const v0 = u(t, p, 1);
  const v1 = u(t, p + 1, 1);
  const m = new Map([
    [names[0], v0],
    [names[1], v1],
  ]);
  return m.get("FALSE") === 0 && m.get("TRUE") === 1;
}

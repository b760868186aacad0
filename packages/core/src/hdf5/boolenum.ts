/**
 * h5py-compatible boolean and float16 writes.
 *
 * h5py stores numpy booleans as an HDF5 enum over int8 with the members `FALSE = 0` and `TRUE = 1`, and
 * reads such enums back as `bool`. anndata (and pandas behind it) insist on real booleans in several places
 * (a categorical's `ordered` attribute, `nullable-boolean` values), so a plain int8 is not enough. numpy's
 * float16 is an IEEE half-precision float datatype.
 *
 * h5wasm can create neither enum datatypes nor 2-byte floats. We therefore write such data with a
 * placeholder datatype of the same element size (a compound with one integer member whose long, unique
 * name reserves room in the header) and, once HDF5 has closed the file, rewrite each placeholder datatype
 * description in place into the real one (the h5py enum, or IEEE float16 little-endian). The element bytes
 * are unchanged (0/1, or the half-precision bit patterns). The real description is shorter than the
 * placeholder; the message keeps its declared size and the tail is zero-filled, which HDF5 readers skip.
 * Version-2 object header chunks (`OHDR`/`OCHK`) carry a Jenkins lookup3 checksum, recomputed after the patch.
 */
import { HypedError } from "../errors.js";
import type { SyncIO } from "./syncio.js";

/** The boolean placeholder compound member name (unique; 38 bytes). */
export const BOOL_PLACEHOLDER_NAME = "__hyped_bool_enum_placeholder_v1_____";

/** The h5wasm dtype spec of the boolean placeholder. */
export const BOOL_PLACEHOLDER_DTYPE: Array<[string, string]> = [[BOOL_PLACEHOLDER_NAME, "<b"]];

/** The float16 placeholder compound member name (unique, as long as the boolean one). */
export const HALF_PLACEHOLDER_NAME = "__hyped_float16_placeholder_v1_______";

/** The h5wasm dtype spec of the float16 placeholder (the half-precision bits as uint16). */
export const HALF_PLACEHOLDER_DTYPE: Array<[string, string]> = [[HALF_PLACEHOLDER_NAME, "<H"]];

const enc = new TextEncoder();
/** int8 base type as HDF5 encodes it (version 1, class integer, signed, size 1, offset 0, precision 8). */
const INT8_TYPE = [0x10, 0x08, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00];
/** uint16 little-endian (version 1, class integer, unsigned, size 2, offset 0, precision 16). */
const UINT16_TYPE = [0x10, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00];
/**
 * IEEE float16 little-endian as h5py writes numpy's float16 (version 1, class float, implied mantissa bit,
 * sign at bit 15, size 2; offset 0, precision 16, exponent at bit 10 of 5 bits, mantissa at 0 of 10 bits,
 * exponent bias 15).
 */
const FLOAT16_TYPE = [0x11, 0x20, 0x0f, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x0a, 0x05, 0x00, 0x0a, 0x0f, 0, 0, 0];

/** A placeholder datatype and the description it is rewritten into. */
export interface Placeholder {
  /** What it stands for, for messages. */
  what: string;
  /** The unique member name searched for. */
  mark: Uint8Array;
  /** The placeholder datatype description, as HDF5 (format version 3 compounds) writes it. */
  bytes: Uint8Array;
  /** The real datatype description written over it. */
  real: Uint8Array;
}

/** A one-member compound of `size` bytes over `member` (its NUL-terminated name, offset 0 in one byte). */
function compoundBytes(mark: Uint8Array, size: number, member: number[]): Uint8Array {
  const out = new Uint8Array(8 + mark.length + 1 + 1 + member.length);
  out.set([0x36, 0x01, 0x00, 0x00, size, 0x00, 0x00, 0x00], 0); // v3 compound, 1 member
  out.set(mark, 8);
  // NUL terminator (0), member offset in 1 byte (0)
  out.set(member, 8 + mark.length + 2);
  return out;
}

/** The h5py boolean enum description (version 3 enum over int8: FALSE=0, TRUE=1). */
function enumBytes(): Uint8Array {
  const names = enc.encode("FALSE\0TRUE\0");
  const out = new Uint8Array(8 + INT8_TYPE.length + names.length + 2);
  out.set([0x38, 0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00], 0); // v3 enum, 2 members, size 1
  out.set(INT8_TYPE, 8);
  out.set(names, 8 + INT8_TYPE.length);
  out.set([0, 1], 8 + INT8_TYPE.length + names.length);
  return out;
}

const BOOL_MARK = enc.encode(BOOL_PLACEHOLDER_NAME);
const HALF_MARK = enc.encode(HALF_PLACEHOLDER_NAME);

/** The boolean placeholder (h5py enum). */
export const BOOL_PLACEHOLDER: Placeholder = {
  what: "boolean",
  mark: BOOL_MARK,
  bytes: compoundBytes(BOOL_MARK, 1, INT8_TYPE),
  real: enumBytes(),
};

/** The float16 placeholder (IEEE half, little-endian). */
export const HALF_PLACEHOLDER: Placeholder = {
  what: "float16",
  mark: HALF_MARK,
  bytes: compoundBytes(HALF_MARK, 2, UINT16_TYPE),
  real: Uint8Array.from(FLOAT16_TYPE),
};

/** Bob Jenkins' lookup3 `hashlittle`, as HDF5 uses for metadata checksums (`H5_checksum_lookup3`). */
export function lookup3(key: Uint8Array, initval = 0): number {
  let length = key.length;
  let a = (0xdeadbeef + length + initval) >>> 0;
  let b = a;
  let c = a;
  const rot = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
  let o = 0;
  const u32 = (i: number) =>
    (key[i] as number) | ((key[i + 1] as number) << 8) | ((key[i + 2] as number) << 16) | ((key[i + 3] as number) << 24);
  while (length > 12) {
    a = (a + u32(o)) >>> 0;
    b = (b + u32(o + 4)) >>> 0;
    c = (c + u32(o + 8)) >>> 0;
    a = (a - c) >>> 0;
    a = (a ^ rot(c, 4)) >>> 0;
    c = (c + b) >>> 0;
    b = (b - a) >>> 0;
    b = (b ^ rot(a, 6)) >>> 0;
    a = (a + c) >>> 0;
    c = (c - b) >>> 0;
    c = (c ^ rot(b, 8)) >>> 0;
    b = (b + a) >>> 0;
    a = (a - c) >>> 0;
    a = (a ^ rot(c, 16)) >>> 0;
    c = (c + b) >>> 0;
    b = (b - a) >>> 0;
    b = (b ^ rot(a, 19)) >>> 0;
    a = (a + c) >>> 0;
    c = (c - b) >>> 0;
    c = (c ^ rot(b, 4)) >>> 0;
    b = (b + a) >>> 0;
    length -= 12;
    o += 12;
  }
  if (length === 0) return c;
  const k = (i: number) => (key[o + i] as number) >>> 0;
  /* falls through by design: add the trailing bytes */
  if (length >= 12) c = (c + (k(11) << 24)) >>> 0;
  if (length >= 11) c = (c + (k(10) << 16)) >>> 0;
  if (length >= 10) c = (c + (k(9) << 8)) >>> 0;
  if (length >= 9) c = (c + k(8)) >>> 0;
  if (length >= 8) b = (b + (k(7) << 24)) >>> 0;
  if (length >= 7) b = (b + (k(6) << 16)) >>> 0;
  if (length >= 6) b = (b + (k(5) << 8)) >>> 0;
  if (length >= 5) b = (b + k(4)) >>> 0;
  if (length >= 4) a = (a + (k(3) << 24)) >>> 0;
  if (length >= 3) a = (a + (k(2) << 16)) >>> 0;
  if (length >= 2) a = (a + (k(1) << 8)) >>> 0;
  a = (a + k(0)) >>> 0;
  c = (c ^ b) >>> 0;
  c = (c - rot(b, 14)) >>> 0;
  a = (a ^ c) >>> 0;
  a = (a - rot(c, 11)) >>> 0;
  b = (b ^ a) >>> 0;
  b = (b - rot(a, 25)) >>> 0;
  c = (c ^ b) >>> 0;
  c = (c - rot(b, 16)) >>> 0;
  a = (a ^ c) >>> 0;
  a = (a - rot(c, 4)) >>> 0;
  b = (b ^ a) >>> 0;
  b = (b - rot(a, 14)) >>> 0;
  c = (c ^ b) >>> 0;
  c = (c - rot(b, 24)) >>> 0;
  return c >>> 0;
}

const rd32 = (b: Uint8Array, p: number) =>
  ((b[p] as number) | ((b[p + 1] as number) << 8) | ((b[p + 2] as number) << 16) | ((b[p + 3] as number) << 24)) >>> 0;
const wr32 = (b: Uint8Array, p: number, v: number) => {
  b[p] = v & 0xff;
  b[p + 1] = (v >>> 8) & 0xff;
  b[p + 2] = (v >>> 16) & 0xff;
  b[p + 3] = (v >>> 24) & 0xff;
};

/**
 * The checksummed object-header chunk that holds byte `at`: `[start, end)` with the checksum at `end`. The
 * nearest `OHDR`/`OCHK` signature before `at` starts it; an `OHDR` chunk gives its size in its prefix, an
 * `OCHK` chunk is walked message by message until the stored checksum matches. `null` for version-1 headers
 * (no signature, no checksum).
 */
function findChunk(buf: Uint8Array, at: number): { start: number; end: number } | null {
  for (let s = at; s >= 0 && at - s < 65536; s--) {
    if (buf[s] !== 0x4f) continue;
    const sig = String.fromCharCode(buf[s] as number, buf[s + 1] as number, buf[s + 2] as number, buf[s + 3] as number);
    if (sig === "OHDR") {
      const flags = buf[s + 5] as number;
      let p = s + 6;
      if (flags & 0x20) p += 16;
      if (flags & 0x10) p += 4;
      const w = 1 << (flags & 3);
      let size = 0;
      for (let i = 0; i < w; i++) size += (buf[p + i] as number) * 2 ** (8 * i);
      p += w;
      const end = p + size;
      if (end > at && end + 4 <= buf.length && lookup3(buf.subarray(s, end)) === rd32(buf, end)) return { start: s, end };
      return null;
    }
    if (sig === "OCHK") {
      const creationOrder = 0; // h5wasm never tracks attribute creation order in OCHK message headers we patch
      let p = s + 4;
      while (p + 4 <= buf.length && p - s < 65536) {
        for (let gap = 0; gap < 4; gap++) {
          const e = p + gap;
          if (e > at && e + 4 <= buf.length && lookup3(buf.subarray(s, e)) === rd32(buf, e)) return { start: s, end: e };
        }
        const size = (buf[p + 1] as number) | ((buf[p + 2] as number) << 8);
        p += 4 + creationOrder + size;
      }
      return null;
    }
  }
  return null;
}

/**
 * Rewrite every `placeholder` datatype (default: boolean) in a closed HDF5 file into the real datatype.
 * Reads the file in pieces through `io` and writes only the patched header chunks. Returns the number of
 * datatypes patched. Throws `FORMAT` if a placeholder is found in an unexpected layout (the file is then
 * not usable).
 */
export function patchBoolEnums(io: SyncIO, placeholder: Placeholder = BOOL_PLACEHOLDER): number {
  const size = io.size();
  const { mark, bytes: ph, real } = placeholder;
  const piece = 16 * 2 ** 20;
  const context = 70000; // room to find the enclosing header chunk
  let patched = 0;
  let pos = 0;
  while (pos < size) {
    const start = Math.max(0, pos - context);
    const end = Math.min(size, pos + piece + mark.length);
    const buf = new Uint8Array(end - start);
    io.read(buf, start);
    let from = pos - start;
    let dirty: { start: number; end: number } | null = null;
    for (;;) {
      const i = indexOf(buf, mark, from);
      if (i < 0 || i + start >= Math.min(size, pos + piece)) break;
      from = i + 1;
      const dt = i - 8;
      if (dt < 0 || !equalAt(buf, dt, ph)) {
        throw new HypedError("FORMAT", `${io.name}: ${placeholder.what} placeholder at byte ${start + i} has an unexpected layout`, {
          file: io.name,
          offset: start + i,
        });
      }
      const chunk = findChunk(buf, dt);
      buf.set(real, dt);
      buf.fill(0, dt + real.length, dt + ph.length);
      if (chunk) wr32(buf, chunk.end, lookup3(buf.subarray(chunk.start, chunk.end)));
      const lo = chunk ? chunk.start : dt;
      const hi = chunk ? chunk.end + 4 : dt + ph.length;
      dirty = dirty ? { start: Math.min(dirty.start, lo), end: Math.max(dirty.end, hi) } : { start: lo, end: hi };
      patched++;
    }
    if (dirty) io.write(buf.subarray(dirty.start, dirty.end), start + dirty.start);
    pos += piece;
  }
  return patched;
}

function equalAt(buf: Uint8Array, at: number, pat: Uint8Array): boolean {
  if (at + pat.length > buf.length) return false;
  for (let k = 0; k < pat.length; k++) if (buf[at + k] !== pat[k]) return false;
  return true;
}

function indexOf(buf: Uint8Array, pat: Uint8Array, from: number): number {
  if (typeof Buffer !== "undefined") return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).indexOf(pat, from);
  const first = pat[0];
  for (let i = buf.indexOf(first as number, from); i >= 0 && i + pat.length <= buf.length; i = buf.indexOf(first as number, i + 1)) {
    if (equalAt(buf, i, pat)) return i;
  }
  return -1;
}

/**
 * Format parsing, first layer: the superblock and object headers (v1 and v2, continuation blocks followed),
 * read with bounds-checked positional reads. Anything outside what we parse throws {@link Unhandled}, which
 * the direct reader turns into "let h5wasm read it". See `../format.md`.
 */
import type { SyncIO } from "../syncio.js";

/** Thrown inside the direct reader when a structure is outside what it parses (callers fall back or report). */
export class Unhandled extends Error {}

/** HDF5's undefined address (all bytes 0xff), as {@link readUint} returns it. */
export const UNDEFINED_ADDRESS = -1;
/** Upper bound for one metadata block we parse (object header chunk, B-tree node, fixed-array block). */
const MAX_META_BYTES = 64 * 2 ** 20;

/** The superblock fields the direct reader needs: offset and length sizes, base address, root object header. */
export interface Superblock {
  offsets: number;
  lengths: number;
  base: number;
  root: number;
}

/** One object-header message: its type and its body. */
export interface HeaderMessage {
  type: number;
  data: DataView;
}

/** The 4-byte ASCII signature at the start of `v`. */
export function tag(v: DataView): string {
  return String.fromCharCode(v.getUint8(0), v.getUint8(1), v.getUint8(2), v.getUint8(3));
}

/** Little-endian unsigned integer of `n` bytes; all-ones (the undefined address) gives -1. */
export function readUint(v: DataView, at: number, n: number): number {
  if (at + n > v.byteLength) throw new Unhandled();
  let allOnes = true;
  let x = 0;
  for (let i = n - 1; i >= 0; i--) {
    const b = v.getUint8(at + i);
    if (b !== 0xff) allOnes = false;
    x = x * 256 + b;
  }
  if (allOnes) return UNDEFINED_ADDRESS;
  if (x > Number.MAX_SAFE_INTEGER) throw new Unhandled();
  return x;
}

/** The HDF5 signature every superblock starts with. */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Reads an HDF5 file's metadata (superblock, object headers, index blocks) through a {@link SyncIO}. */
export class MetaReader {
  readonly io: SyncIO;
  private sb?: Superblock;

  constructor(io: SyncIO) {
    this.io = io;
  }

  /** Fill `view` from absolute file `position`; {@link Unhandled} at the end of the file. */
  readExact(view: Uint8Array, position: number): void {
    let done = 0;
    while (done < view.length) {
      const got = this.io.read(view.subarray(done), position + done);
      if (got <= 0) throw new Unhandled();
      done += got;
    }
  }

  /** `n` bytes at absolute `address`, checked against the file size. */
  readMeta(address: number, n: number): DataView {
    if (n < 0 || n > MAX_META_BYTES || address < 0 || address + n > this.io.size()) throw new Unhandled();
    const b = new Uint8Array(n);
    this.readExact(b, address);
    return new DataView(b.buffer);
  }

  /** The base address that file addresses are relative to. */
  base(): number {
    return this.superblock().base;
  }

  /** The superblock's offset and length sizes, base address and root object header (parsed once). */
  superblock(): Superblock {
    if (this.sb) return this.sb;
    const size = this.io.size();
    for (let at = 0; at < size && at <= 2 ** 40; at = at === 0 ? 512 : at * 2) {
      const v = this.readMeta(at, Math.min(128, size - at));
      if (v.byteLength < 16) break;
      if (!SIGNATURE.every((b, i) => v.getUint8(i) === b)) continue;
      this.sb = parseSuperblock(v, at);
      return this.sb;
    }
    throw new Unhandled();
  }

  /** Every message of the object header at absolute `address` (v1 or v2), continuation blocks followed. */
  headerMessages(address: number): HeaderMessage[] {
    const { offsets: O, lengths: L } = this.superblock();
    const base = this.base();
    const msgs: HeaderMessage[] = [];
    const { first, v2, hasOrder } = this.headerPrefix(address);
    const blocks: Array<{ at: number; len: number; cont: boolean }> = [first];
    for (let b = 0; b < blocks.length; b++) {
      if (b > 1000) throw new Unhandled();
      const blk = blocks[b] as { at: number; len: number; cont: boolean };
      let at = blk.at;
      let len = blk.len;
      if (v2 && blk.cont) {
        const sig = this.readMeta(at, 4);
        if (tag(sig) !== "OCHK") throw new Unhandled();
        at += 4;
        len -= 8;
      }
      const view = this.readMeta(at, len);
      let p = 0;
      const hdr = v2 ? 4 + (hasOrder ? 2 : 0) : 8;
      while (p + hdr <= len) {
        const type = v2 ? view.getUint8(p) : view.getUint16(p, true);
        const size = v2 ? view.getUint16(p + 1, true) : view.getUint16(p + 2, true);
        const start = p + hdr;
        if (start + size > len) throw new Unhandled();
        const data = new DataView(view.buffer, view.byteOffset + start, size);
        if (type === 0x0010) {
          const next = base + readUint(data, 0, O);
          // a continuation that points back at a block already read is a cycle (corrupt file)
          if (blocks.some((x) => x.at === next)) throw new Unhandled();
          blocks.push({ at: next, len: readUint(data, O, L), cont: true });
        } else if (type !== 0) msgs.push({ type, data });
        p = start + size;
      }
    }
    return msgs;
  }

  /** The first message block of the object header at `address`, its version, and whether it stores creation order. */
  private headerPrefix(address: number): { first: { at: number; len: number; cont: boolean }; v2: boolean; hasOrder: boolean } {
    const first = this.readMeta(address, 16);
    if (first.getUint8(0) === 1) {
      const size = first.getUint32(8, true);
      return { first: { at: address + 16, len: size, cont: false }, v2: false, hasOrder: false };
    }
    if (tag(first) !== "OHDR" || first.getUint8(4) !== 2) throw new Unhandled();
    const flags = first.getUint8(5);
    let p = 6;
    if (flags & 0x20) p += 16;
    if (flags & 0x10) p += 4;
    const w = 1 << (flags & 3);
    const pre = this.readMeta(address, p + w);
    const size = readUint(pre, p, w);
    return { first: { at: address + p + w, len: size, cont: false }, v2: true, hasOrder: (flags & 0x04) !== 0 };
  }
}

/** The fields of a superblock found at absolute `at` (its first 128 bytes or fewer in `v`). */
function parseSuperblock(v: DataView, at: number): Superblock {
  const version = v.getUint8(8);
  let offsets: number;
  let lengths: number;
  let baseAt: number;
  if (version <= 1) {
    offsets = v.getUint8(13);
    lengths = v.getUint8(14);
    baseAt = version === 0 ? 24 : 28;
  } else if (version <= 3) {
    offsets = v.getUint8(9);
    lengths = v.getUint8(10);
    baseAt = 12;
  } else throw new Unhandled();
  if (![2, 4, 8].includes(offsets) || ![2, 4, 8].includes(lengths)) throw new Unhandled();
  const base = readUint(v, baseAt, offsets);
  if (base < 0) throw new Unhandled();
  // the root group's object header: in the root symbol-table entry (versions 0-1), or a field (2-3)
  const rootAt = version <= 1 ? baseAt + 4 * offsets + offsets : baseAt + 3 * offsets;
  if (rootAt + offsets > v.byteLength) throw new Unhandled();
  const root = readUint(v, rootAt, offsets);
  return { offsets, lengths, base: base === 0 && at > 0 ? at : base, root };
}

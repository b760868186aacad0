/**
 * String datasets read through the direct path ({@link DirectReader}), so that filters h5wasm cannot decode
 * without a plugin (LZF, which anndata 0.7 used by default) are decoded by our own JavaScript decoders in
 * every environment, browsers included.
 *
 * - Fixed-length strings: the element bytes, cut at the first NUL (as h5wasm and h5py read them).
 * - Variable-length strings: each element is a sequence length (4 bytes), a global heap collection address
 *   (the superblock's offset size) and an object index (4 bytes); the text is the first `length` bytes of
 *   that heap object. A global heap collection is `GCOL`, version 1, 3 reserved bytes, its size (length
 *   size), then objects: index (2), reference count (2), reserved (4), size (length size), data padded to
 *   8 bytes; index 0 is the free space that ends the list.
 *
 * A dataset the direct path does not read returns `undefined` (the caller reads it through h5wasm); an element
 * that points outside its heap collection, or a malformed collection, is `FORMAT` naming the dataset, never
 * handed to h5wasm (whose C code could spin on it). The collection reader is shared with `attrs.ts`.
 */
import { checkAllocation } from "../dtype.js";
import { HypedError } from "../errors.js";
import type { DirectFilter, DirectReader } from "./direct/index.js";

/** What {@link readStringsDirect} needs to know about the dataset. */
export interface StringDatasetInfo {
  shape: number[];
  /** Element size of fixed-length strings (ignored for vlen). */
  size: number;
  vlen: boolean;
  /** 1 = UTF-8, 0 = ASCII. */
  cset: number;
  filters: DirectFilter[];
}

/** Largest global heap collection we read (HDF5 makes them 4 KiB or the size of one large object). */
const MAX_COLLECTION_BYTES = 64 * 2 ** 20;

/** Read `count` strings from `offset` (stride 1), or `undefined` when the direct path does not handle them. */
export function readStringsDirect(
  direct: DirectReader,
  path: string,
  ds: StringDatasetInfo,
  count: number[],
  offset: number[],
): string[] | undefined {
  const n = count.reduce((a, b) => a * b, 1);
  checkAllocation(n, ds.vlen ? 16 : Math.max(1, ds.size), `strings of ${path}`); // before allocating (OUT_OF_RANGE)
  const decoder = new TextDecoder(ds.cset === 1 ? "utf-8" : "latin1");
  if (!ds.vlen) {
    const esz = ds.size;
    const bytes = new Uint8Array(n * esz);
    if (!direct.read(path, { shape: ds.shape, elementSize: esz, filters: ds.filters }, count, offset, bytes)) return undefined;
    const out: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const e = bytes.subarray(i * esz, (i + 1) * esz);
      const z = e.indexOf(0);
      out[i] = decoder.decode(z < 0 ? e : e.subarray(0, z));
    }
    return out;
  }
  const sizes = direct.addressing();
  if (!sizes) return undefined;
  const O = sizes.offsets;
  const esz = 4 + O + 4;
  const bytes = new Uint8Array(n * esz);
  if (!direct.read(path, { shape: ds.shape, elementSize: esz, filters: ds.filters }, count, offset, bytes)) return undefined;
  const heaps = new Map<number, Map<number, Uint8Array> | undefined>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const p = i * esz;
    const len = view.getUint32(p, true);
    if (len === 0) {
      out[i] = "";
      continue;
    }
    const addr = uint(view, p + 4, O);
    const index = view.getUint32(p + 4 + O, true);
    if (!heaps.has(addr ?? -1) && addr !== undefined) heaps.set(addr, globalHeapCollection(direct, addr, sizes.lengths));
    const obj = addr === undefined ? undefined : heaps.get(addr)?.get(index);
    if (!obj || obj.length < len)
      throw new HypedError("FORMAT", `${path}: string ${i} points outside its global heap collection (corrupt file)`, {
        element: path,
        index: i,
      });
    out[i] = decoder.decode(obj.subarray(0, len));
  }
  return out;
}

/** The objects of the global heap collection at `addr` (index → data), or `undefined` when malformed. */
export function globalHeapCollection(direct: DirectReader, addr: number, L: number): Map<number, Uint8Array> | undefined {
  const head = direct.bytesAt(addr, 8 + L);
  if (!head || String.fromCharCode(head[0] ?? 0, head[1] ?? 0, head[2] ?? 0, head[3] ?? 0) !== "GCOL" || head[4] !== 1) return undefined;
  const size = uint(new DataView(head.buffer, head.byteOffset, head.byteLength), 8, L);
  if (size === undefined || size < 8 + L || size > MAX_COLLECTION_BYTES) return undefined;
  const all = direct.bytesAt(addr, size);
  if (!all) return undefined;
  const v = new DataView(all.buffer, all.byteOffset, all.byteLength);
  const objects = new Map<number, Uint8Array>();
  let p = 8 + L;
  while (p + 8 + L <= size) {
    const index = v.getUint16(p, true);
    if (index === 0) break; // free space
    const objSize = uint(v, p + 8, L);
    const start = p + 8 + L;
    if (objSize === undefined || start + objSize > size) return undefined;
    objects.set(index, all.subarray(start, start + objSize));
    p = start + Math.ceil(objSize / 8) * 8;
  }
  return objects;
}

/** Little-endian unsigned integer of `n` bytes; `undefined` for the undefined address or past 2^53. */
function uint(v: DataView, at: number, n: number): number | undefined {
  let x = 0;
  let ones = true;
  for (let i = n - 1; i >= 0; i--) {
    const b = v.getUint8(at + i);
    if (b !== 0xff) ones = false;
    x = x * 256 + b;
  }
  return ones || x > Number.MAX_SAFE_INTEGER ? undefined : x;
}

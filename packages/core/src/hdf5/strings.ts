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
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const heaps = new HeapCache(direct, sizes.lengths, ds.cset === 1);
  const addrs = new Set<number>();
  for (let p = 0; p < bytes.length; p += esz) {
    const a = view.getUint32(p, true) === 0 ? undefined : uint(view, p + 4, O);
    if (a !== undefined) addrs.add(a);
  }
  heaps.load(Float64Array.from(addrs).sort());
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const p = i * esz;
    const len = view.getUint32(p, true);
    if (len === 0) {
      out[i] = "";
      continue;
    }
    const addr = uint(view, p + 4, O);
    const s = addr === undefined ? undefined : heaps.text(addr, view.getUint32(p + 4 + O, true), len, decoder);
    if (s === undefined)
      throw new HypedError("FORMAT", `${path}: string ${i} points outside its global heap collection (corrupt file)`, {
        element: path,
        index: i,
      });
    out[i] = s;
  }
  return out;
}

/**
 * At most this many bytes are read at once when loading global heap collections: a window from one
 * collection's address to that of the last needed collection that follows it closely, plus
 * {@link COLLECTION_BYTES}.
 */
const HEAP_WINDOW_BYTES = 1 << 20;
/** HDF5's usual global heap collection size (a collection holding a larger object is read by itself). */
const COLLECTION_BYTES = 4096;

/** A parsed global heap collection: its bytes, and each object's data offset and size by object index. */
interface Collection {
  bytes: Uint8Array;
  start: number[];
  size: number[];
  /** The collection's bytes as one string, one character per byte (latin1), when every object is ASCII. */
  text: string | undefined;
}

/**
 * The global heap collections of one string read: each parsed once, in address order, read through windows
 * of at most {@link HEAP_WINDOW_BYTES} (the collections of a dataset lie one after another, so one read
 * serves many).
 * Text of an ASCII collection is cut out of one decoded string (`substring`), which gives the same string as
 * decoding the object alone, for UTF-8 and ASCII datasets alike; other objects are decoded one by one.
 */
class HeapCache {
  private readonly parsed = new Map<number, Collection | undefined>();
  private window: Uint8Array = new Uint8Array(0);
  private windowAt = 0;
  private readonly latin1 = new TextDecoder("latin1");

  constructor(
    private readonly direct: DirectReader,
    private readonly L: number,
    private readonly utf8: boolean,
  ) {}

  /** Parse the collections at `sorted` (ascending file-relative addresses), reading them window by window. */
  load(sorted: Float64Array): void {
    for (let i = 0; i < sorted.length; i++) {
      const addr = sorted[i] as number;
      if (!this.inWindow(addr, 8 + this.L)) {
        // the window runs over collections that follow one another (no gap longer than a usual collection),
        // up to HEAP_WINDOW_BYTES, and ends one usual collection past the last one's address
        let last = i;
        while (
          last + 1 < sorted.length &&
          (sorted[last + 1] as number) - (sorted[last] as number) <= 2 * COLLECTION_BYTES &&
          (sorted[last + 1] as number) - addr + COLLECTION_BYTES <= HEAP_WINDOW_BYTES
        )
          last++;
        this.readWindow(addr, (sorted[last] as number) - addr + COLLECTION_BYTES);
      }
      this.parsed.set(addr, this.parse(addr));
    }
  }

  /** The first `len` bytes of object `index` of the collection at `addr`, decoded; `undefined` when absent. */
  text(addr: number, index: number, len: number, decoder: TextDecoder): string | undefined {
    const c = this.parsed.get(addr);
    const start = c?.start[index];
    if (!c || start === undefined || (c.size[index] as number) < len) return undefined;
    if (c.text !== undefined) return c.text.substring(start, start + len);
    return decoder.decode(c.bytes.subarray(start, start + len));
  }

  private inWindow(addr: number, n: number): boolean {
    return addr >= this.windowAt && addr + n <= this.windowAt + this.window.length;
  }

  /** Read up to `want` bytes at `addr` (fewer at the end of the file) as the window. */
  private readWindow(addr: number, want: number): void {
    const got = this.direct.bytesAt(addr, Math.min(want, this.direct.extent() - addr));
    this.window = got ?? new Uint8Array(0);
    this.windowAt = addr;
  }

  /** `n` bytes at `addr`, from the window or read alone; `undefined` outside the file. */
  private bytes(addr: number, n: number): Uint8Array | undefined {
    if (this.inWindow(addr, n)) return this.window.subarray(addr - this.windowAt, addr - this.windowAt + n);
    return this.direct.bytesAt(addr, n);
  }

  private parse(addr: number): Collection | undefined {
    const L = this.L;
    const head = this.bytes(addr, 8 + L);
    if (!head || !isCollectionHead(head)) return undefined;
    const size = uint(new DataView(head.buffer, head.byteOffset, head.byteLength), 8, L);
    if (size === undefined || size < 8 + L || size > MAX_COLLECTION_BYTES) return undefined;
    const all = this.bytes(addr, size);
    if (!all) return undefined;
    const objs = collectionObjects(all, L);
    if (!objs) return undefined;
    // one string per collection when every object is ASCII (or the dataset is ASCII: latin1 anyway)
    const text = objs.bits < 0x80 || !this.utf8 ? this.latin1.decode(all) : undefined;
    return { bytes: all, start: objs.start, size: objs.size, text };
  }
}

function isCollectionHead(head: Uint8Array): boolean {
  return String.fromCharCode(head[0] ?? 0, head[1] ?? 0, head[2] ?? 0, head[3] ?? 0) === "GCOL" && head[4] === 1;
}

/**
 * The objects of the collection `all` (its size checked by the caller) up to the free-space object (index 0):
 * each one's data offset and size by object index, and the OR of all their data bytes (< 0x80: all ASCII);
 * `undefined` when an object runs past the collection.
 */
function collectionObjects(all: Uint8Array, L: number): { start: number[]; size: number[]; bits: number } | undefined {
  const v = new DataView(all.buffer, all.byteOffset, all.byteLength);
  const size = all.length;
  const starts: number[] = [];
  const sizes: number[] = [];
  let bits = 0;
  let p = 8 + L;
  while (p + 8 + L <= size) {
    const index = v.getUint16(p, true);
    if (index === 0) break;
    // 8-byte lengths under 2^32 (all of them in practice) without the byte loop
    const objSize = L === 8 && v.getUint32(p + 12, true) === 0 ? v.getUint32(p + 8, true) : uint(v, p + 8, L);
    const start = p + 8 + L;
    if (objSize === undefined || start + objSize > size) return undefined;
    starts[index] = start;
    sizes[index] = objSize;
    bits |= orBytes(all, start, start + objSize);
    p = start + Math.ceil(objSize / 8) * 8;
  }
  return { start: starts, size: sizes, bits };
}

/**
 * The OR of `a[start, end)`. A function of its own so that V8 optimises this byte loop by itself: inside
 * `collectionObjects`, its loop was compiled on stack before the rest had run, and the first return then
 * threw the code away (five recompiles in the first reads of a process).
 */
function orBytes(a: Uint8Array, start: number, end: number): number {
  let bits = 0;
  for (let k = start; k < end; k++) bits |= a[k] as number;
  return bits;
}

/** The objects of the global heap collection at `addr` (index → data), or `undefined` when malformed. */
export function globalHeapCollection(direct: DirectReader, addr: number, L: number): Map<number, Uint8Array> | undefined {
  const head = direct.bytesAt(addr, 8 + L);
  if (!head || !isCollectionHead(head)) return undefined;
  const size = uint(new DataView(head.buffer, head.byteOffset, head.byteLength), 8, L);
  if (size === undefined || size < 8 + L || size > MAX_COLLECTION_BYTES) return undefined;
  const all = direct.bytesAt(addr, size);
  if (!all) return undefined;
  const objs = collectionObjects(all, L);
  if (!objs) return undefined;
  const objects = new Map<number, Uint8Array>();
  objs.start.forEach((start, index) => {
    objects.set(index, all.subarray(start, start + (objs.size[index] as number)));
  });
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

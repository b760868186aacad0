/**
 * Format parsing, data layout: a dataset's data-layout message (v3 and v4) as compact bytes, a contiguous
 * block, or a chunk grid with its index (`chunk-index.ts`). External storage and layouts we do not parse
 * give `null` (h5wasm reads them).
 */
import { btreeChunks, type ChunkIndex, type ChunkRef, fixedArrayChunks, implicitChunks } from "./chunk-index.js";
import { shapeProduct } from "./geometry.js";
import { type MetaReader, readUint, UNDEFINED_ADDRESS, Unhandled } from "./meta.js";

/** Where a dataset's elements are stored. */
export type Layout =
  | { kind: "compact"; bytes: Uint8Array }
  | { kind: "contiguous"; address: number; size: number }
  | { kind: "chunked"; chunk: number[]; index: ChunkIndex };

/** Walk the object header at file-relative `address` and decode its data-layout message. */
export function parseLayout(meta: MetaReader, address: number): Layout | null {
  const { offsets: O, lengths: L } = meta.superblock();
  let layoutMsg: DataView | undefined;
  for (const m of meta.headerMessages(meta.base() + address)) {
    if (m.type === 0x0007) return null; // external data files
    if (m.type === 0x0008) layoutMsg = m.data;
  }
  if (!layoutMsg) return null;
  const v = layoutMsg;
  const version = v.getUint8(0);
  if (version !== 3 && version !== 4) return null;
  const cls = v.getUint8(1);
  if (cls === 0) {
    const n = v.getUint16(2, true);
    if (4 + n > v.byteLength) throw new Unhandled();
    return { kind: "compact", bytes: new Uint8Array(v.buffer, v.byteOffset + 4, n).slice() };
  }
  if (cls === 1) return { kind: "contiguous", address: readUint(v, 2, O), size: readUint(v, 2 + O, L) };
  if (cls !== 2) return null;
  if (version === 3) {
    const nd = v.getUint8(2);
    const btree = readUint(v, 3, O);
    const dims: number[] = [];
    for (let i = 0; i < nd; i++) dims.push(v.getUint32(3 + O + 4 * i, true));
    const chunk = dims.slice(0, nd - 1);
    if (chunk.some((c) => c <= 0)) throw new Unhandled();
    return { kind: "chunked", chunk, index: (lo, hi) => btreeChunks(meta, btree, nd, lo, hi) };
  }
  return chunkedV4(meta, v);
}

/** A version-4 chunked layout: the chunk shape and its index (single chunk, implicit or fixed array). */
function chunkedV4(meta: MetaReader, v: DataView): Layout | null {
  const { offsets: O, lengths: L } = meta.superblock();
  const flags = v.getUint8(2);
  const nd = v.getUint8(3);
  const enc = v.getUint8(4);
  if (enc < 1 || enc > 8) throw new Unhandled();
  const dims: number[] = [];
  let p = 5;
  for (let i = 0; i < nd; i++, p += enc) dims.push(readUint(v, p, enc));
  const chunk = dims.slice(0, nd - 1);
  const esz = dims[nd - 1] as number;
  if (chunk.some((c) => c <= 0)) throw new Unhandled();
  const indexType = v.getUint8(p++);
  if (indexType === 1) {
    // single chunk
    let size = shapeProduct(chunk) * esz;
    let mask = 0;
    if (flags & 0x02) {
      size = readUint(v, p, L);
      mask = v.getUint32(p + L, true);
      p += L + 4;
    }
    const addr = readUint(v, p, O);
    const one: ChunkRef = { origin: chunk.map(() => 0), address: addr, size, mask };
    return { kind: "chunked", chunk, index: () => (addr === UNDEFINED_ADDRESS ? [] : [one]) };
  }
  if (indexType === 2) {
    // implicit: every chunk stored in order, unfiltered, at a fixed stride
    const addr = readUint(v, p, O);
    return {
      kind: "chunked",
      chunk,
      index: (lo, hi, shape) => (addr === UNDEFINED_ADDRESS ? [] : implicitChunks(addr, chunk, esz, lo, hi, shape)),
    };
  }
  if (indexType === 3) {
    p += 1; // page bits
    const addr = readUint(v, p, O);
    return { kind: "chunked", chunk, index: (lo, hi, shape) => fixedArrayChunks(meta, addr, chunk, esz, lo, hi, shape) };
  }
  return null;
}

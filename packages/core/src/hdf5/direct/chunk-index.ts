/**
 * Format parsing, chunk indexes: which chunks of a chunked dataset exist and where they are stored. B-tree
 * v1 (node type 1, every h5py/anndata file at default settings), implicit, and non-paged fixed arrays.
 * Single-chunk indexes need no lookup (see `layout.ts`). Anything else throws {@link Unhandled}.
 */
import { shapeProduct } from "./geometry.js";
import { type MetaReader, readUint, tag, UNDEFINED_ADDRESS, Unhandled } from "./meta.js";

/** A located chunk: its origin in dataset coordinates, its file address and stored size, and its filter mask. */
export interface ChunkRef {
  origin: number[];
  address: number;
  size: number;
  mask: number;
}

/** The chunks whose first-axis origin lies in `[lo, hi]` (inclusive), for a dataset of `shape`. */
export type ChunkIndex = (lo: number, hi: number, shape: number[]) => ChunkRef[];

/** The origins of every chunk of a dataset of `shape`, row-major (the order implicit and fixed-array indexes store them). */
export function gridOrigins(chunk: number[], shape: number[]): number[][] {
  if (shape.length !== chunk.length) throw new Unhandled();
  const grid = shape.map((s, d) => Math.ceil(s / (chunk[d] as number)));
  const total = shapeProduct(grid);
  const origins: number[][] = [];
  const idx = grid.map(() => 0);
  for (let k = 0; k < total; k++) {
    origins.push(idx.map((i, d) => i * (chunk[d] as number)));
    for (let d = grid.length - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (grid[d] as number)) break;
      idx[d] = 0;
    }
  }
  return origins;
}

/** Implicit index: every chunk stored in order, unfiltered, at a fixed stride from `addr`. */
export function implicitChunks(addr: number, chunk: number[], esz: number, lo: number, hi: number, shape: number[]): ChunkRef[] {
  const bytes = shapeProduct(chunk) * esz;
  return gridOrigins(chunk, shape)
    .map((origin, k) => ({ origin, address: addr + k * bytes, size: bytes, mask: 0 }))
    .filter((c) => (c.origin[0] as number) >= lo && (c.origin[0] as number) <= hi);
}

/** Fixed-array index (header `FAHD`, one data block `FADB`; paged data blocks are not handled). */
export function fixedArrayChunks(
  meta: MetaReader,
  addr: number,
  chunk: number[],
  esz: number,
  lo: number,
  hi: number,
  shape: number[],
): ChunkRef[] {
  if (addr === UNDEFINED_ADDRESS) return [];
  const { offsets: O, lengths: L } = meta.superblock();
  const base = meta.base();
  const h = meta.readMeta(base + addr, 4 + 4 + L + O + 4);
  if (tag(h) !== "FAHD" || h.getUint8(4) !== 0) throw new Unhandled();
  const client = h.getUint8(5);
  const entrySize = h.getUint8(6);
  const pageBits = h.getUint8(7);
  const n = readUint(h, 8, L);
  const dblock = readUint(h, 8 + L, O);
  const origins = gridOrigins(chunk, shape);
  if (n !== origins.length) throw new Unhandled();
  if (n > 2 ** pageBits) throw new Unhandled(); // paged data blocks
  if (dblock === UNDEFINED_ADDRESS) return [];
  const d = meta.readMeta(base + dblock, 6 + O + n * entrySize + 4);
  if (tag(d) !== "FADB") throw new Unhandled();
  const out: ChunkRef[] = [];
  const full = shapeProduct(chunk) * esz;
  let p = 6 + O;
  for (let k = 0; k < n; k++, p += entrySize) {
    const address = readUint(d, p, O);
    let size = full;
    let mask = 0;
    if (client === 1) {
      const sizeBytes = entrySize - O - 4;
      size = readUint(d, p + O, sizeBytes);
      mask = d.getUint32(p + O + sizeBytes, true);
    } else if (client !== 0) throw new Unhandled();
    const origin = origins[k] as number[];
    if (address === UNDEFINED_ADDRESS) continue;
    if ((origin[0] as number) >= lo && (origin[0] as number) <= hi) out.push({ origin, address, size, mask });
  }
  return out;
}

/** Chunks of a v1 B-tree (node type 1) whose first-axis origin lies in `[lo, hi]`. */
export function btreeChunks(meta: MetaReader, root: number, nd: number, lo: number, hi: number): ChunkRef[] {
  if (root === UNDEFINED_ADDRESS) return [];
  const { offsets: O } = meta.superblock();
  const walk: BtreeWalk = { meta, base: meta.base(), O, keySize: 8 + 8 * nd, nd, lo, hi, out: [] };
  visitNode(walk, root, 0);
  return walk.out;
}

/** What {@link visitNode} needs: the file, its offset size, the key size, the wanted first-axis range, the result. */
interface BtreeWalk {
  meta: MetaReader;
  base: number;
  O: number;
  keySize: number;
  nd: number;
  lo: number;
  hi: number;
  out: ChunkRef[];
}

/**
 * Collect the chunks under the node at `addr` into `w.out`. A module-level function rather than a closure per
 * lookup, so its optimised code survives from one read to the next (a fresh closure was re-optimised, and its
 * loop compiled on stack again, on every read: ~15 ms of compiler time per `.h5ad` read).
 */
function visitNode(w: BtreeWalk, addr: number, depth: number): void {
  if (depth > 64) throw new Unhandled();
  const { meta, base, O, keySize, nd, lo, hi } = w;
  const head = meta.readMeta(base + addr, 8 + 2 * O);
  if (tag(head) !== "TREE" || head.getUint8(4) !== 1) throw new Unhandled();
  const level = head.getUint8(5);
  const used = head.getUint16(6, true);
  const body = meta.readMeta(base + addr + 8 + 2 * O, (used + 1) * keySize + used * O);
  const stride = keySize + O;
  for (let i = 0; i < used; i++) {
    const k = i * stride;
    const child = readUint(body, k + keySize, O);
    const o0 = readUint(body, k + 8, 8);
    if (level > 0) {
      // child i holds chunks from key i up to key i+1
      const to = readUint(body, k + stride + 8, 8);
      if (to < lo || o0 > hi) continue;
      visitNode(w, child, depth + 1);
    } else {
      if (o0 < lo || o0 > hi) continue;
      const origin: number[] = [];
      for (let dd = 0; dd < nd - 1; dd++) origin.push(readUint(body, k + 8 + 8 * dd, 8));
      w.out.push({ origin, address: child, size: body.getUint32(k, true), mask: body.getUint32(k + 4, true) });
    }
  }
}

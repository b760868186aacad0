/**
 * Read scheduling, planning: the steps (in-memory copies, raw copies, decodes) that fill a selection box
 * from a dataset's layout, or `undefined` when the direct path does not handle the dataset.
 */
import { type DirectFilter, decoderFor } from "./decoders.js";
import { add, BoxRuns, shapeProduct, zerosLike } from "./geometry.js";
import type { Layout } from "./layout.js";
import { UNDEFINED_ADDRESS } from "./meta.js";

/** Largest scratch buffer for one chunk (decoded) or one coalesced raw span. */
export const MAX_SCRATCH_BYTES = 256 * 2 ** 20;

/** What the direct reader needs to know about a dataset (from h5wasm's metadata). */
export interface DirectDataset {
  shape: number[];
  elementSize: number;
  filters: DirectFilter[];
}

/** One unit of work of a direct read. */
export type Step =
  | { kind: "memory"; bytes: Uint8Array; runs: BoxRuns }
  | { kind: "copy"; address: number; runs: BoxRuns }
  | { kind: "decode"; address: number; size: number; filters: DirectFilter[]; chunkBytes: number; runs: BoxRuns };

/**
 * The steps that fill the box `count` at `offset` of dataset `ds` stored as `layout`, in file order, or
 * `undefined` when this path does not handle it. `fileSize` is the file's size past the base address.
 */
export function planSteps(layout: Layout, ds: DirectDataset, count: number[], offset: number[], fileSize: number): Step[] | undefined {
  const esz = ds.elementSize;
  const lo = offset;
  const hi = add(offset, count);
  const origin0 = zerosLike(ds.shape);
  if (layout.kind === "compact") {
    if (layout.bytes.length < shapeProduct(ds.shape) * esz) return undefined;
    return [{ kind: "memory", bytes: layout.bytes, runs: new BoxRuns(ds.shape, origin0, count, offset, lo, hi, esz) }];
  }
  if (layout.kind === "contiguous") {
    if (ds.filters.length || layout.address === UNDEFINED_ADDRESS) return undefined;
    if (layout.size < shapeProduct(ds.shape) * esz) return undefined;
    return [{ kind: "copy", address: layout.address, runs: new BoxRuns(ds.shape, origin0, count, offset, lo, hi, esz) }];
  }
  const nd = ds.shape.length;
  const cs = layout.chunk;
  if (cs.length !== nd) return undefined;
  const c0 = cs[0] as number;
  const first = Math.floor((lo[0] as number) / c0) * c0;
  const chunks = layout.index(first, (hi[0] as number) - 1, ds.shape);
  const hits = chunks.filter((c) => c.origin.every((o, d) => o < (hi[d] as number) && o + (cs[d] as number) > (lo[d] as number)));
  // every chunk the box touches must exist (unallocated chunks mean fill values: h5wasm's business)
  let expected = 1;
  for (let d = 0; d < nd; d++) {
    const c = cs[d] as number;
    expected *= Math.floor(((hi[d] as number) - 1) / c) - Math.floor((lo[d] as number) / c) + 1;
  }
  if (hits.length !== expected) return undefined;
  const chunkBytes = shapeProduct(cs) * esz;
  if (chunkBytes > MAX_SCRATCH_BYTES) return undefined;
  for (const f of ds.filters) if (!decoderFor(f)) return undefined;
  hits.sort((a, b) => a.address - b.address);
  const steps: Step[] = [];
  for (const c of hits) {
    if (c.address < 0 || c.address + c.size > fileSize) return undefined;
    const active = ds.filters.filter((_, k) => ((c.mask >>> k) & 1) === 0);
    if (active.length === 0 && c.size < chunkBytes) return undefined;
    // 1-D raw chunks that continue the previous read need no BoxRuns of their own
    if (active.length === 0 && nd === 1 && extendCopy(steps, c, c0, lo[0] as number, hi[0] as number, offset[0] as number, esz)) continue;
    const runs = new BoxRuns(cs, c.origin, count, offset, lo, hi, esz);
    if (active.length === 0) {
      if (!mergeCopy(steps, c.address, runs)) steps.push({ kind: "copy", address: c.address, runs });
    } else steps.push({ kind: "decode", address: c.address, size: c.size, filters: active, chunkBytes, runs });
  }
  return steps;
}

/**
 * {@link mergeCopy} for a raw chunk of a 1-D dataset (chunk length `c0`, box `[lo, hi)` read to `offset`),
 * without making its {@link BoxRuns}: its one run is computed here, the same as BoxRuns computes it. A
 * 5,000-cell `.h5ad` has ~1,000 chunks per array, and a BoxRuns per chunk kept the optimising compiler busy on
 * every one of the first reads.
 */
function extendCopy(
  steps: Step[],
  c: { origin: number[]; address: number },
  c0: number,
  lo: number,
  hi: number,
  offset: number,
  esz: number,
): boolean {
  const o = c.origin[0] as number;
  const a = Math.max(lo, o);
  const b = Math.min(hi, o + c0);
  if (b <= a) return false;
  return extendSingle(steps, c.address, (a - o) * esz, (a - offset) * esz, (b - a) * esz);
}

/**
 * Consecutive chunks stored back to back that land back to back merge into one read: lengthen the last
 * step's single run and return true, or return false when they do not.
 */
function mergeCopy(steps: Step[], address: number, runs: BoxRuns): boolean {
  if (!runs.single) return false;
  const [s, d, n] = runs.single;
  return extendSingle(steps, address, s, d, n);
}

/** Lengthen the last step's single run by the run `[s, d, n]` of the block at `address` when it continues it. */
function extendSingle(steps: Step[], address: number, s: number, d: number, n: number): boolean {
  const prev = steps[steps.length - 1];
  if (prev?.kind !== "copy" || !prev.runs.single) return false;
  const [ps, pd, pn] = prev.runs.single;
  if (prev.address + ps + pn !== address + s || pd + pn !== d) return false;
  prev.runs.single[2] = pn + n;
  return true;
}

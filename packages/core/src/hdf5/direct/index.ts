/**
 * Direct chunk reads: numeric hyperslabs read straight from the file's bytes, bypassing h5wasm's data path.
 *
 * h5wasm (HDF5 compiled to wasm) stages every read in the wasm heap, decodes deflate in wasm, and the
 * result is copied out again. For the common layouts we locate the data ourselves — the dataset's object
 * header (found through its object reference, which is its header address), its data-layout message, and
 * the chunk index — and then read each touched chunk with one positional read into its place, decoding
 * deflate with the platform's native zlib where there is one (Node). Everything else, and anything that
 * looks unusual, returns `false` so the caller falls back to h5wasm, which stays the reference path.
 *
 * Supported: data-layout message v3 and v4; compact, contiguous and chunked storage; chunk indexes B-tree v1
 * (every h5py/anndata file at default settings), single chunk, implicit, and non-paged fixed arrays; filters
 * deflate (Node), shuffle and LZF, with per-chunk filter masks. Not handled here (h5wasm reads them): files
 * open for writing, big-endian or converted element types, strided selections, external storage, virtual
 * datasets, extensible-array and B-tree v2 indexes, paged fixed arrays, unallocated chunks (fill values),
 * and the other filters. See `../format.md`.
 *
 * Modules, one concern each (imports point down this list):
 * - `reader.ts`: read scheduling (sync, async, native) — {@link DirectReader};
 * - `plan.ts`: the steps that fill a selection;
 * - `layout.ts`, `chunk-index.ts`, `meta.ts`: format parsing (data layout, chunk indexes, superblock and
 *   object headers);
 * - `decoders.ts`: filter decoders (from the filter table, `../filters.ts`);
 * - `geometry.ts`: box/copy geometry;
 * - `zlib.ts`: inflate, and the one use of Node's private zlib internals (with a public-API fallback);
 * - `native.ts`: the optional `@hyped/native` box reader.
 */
export { type DirectFilter, directDecodes } from "./decoders.js";
export { BoxRuns, copyBox } from "./geometry.js";
export { type HeaderMessage, type Superblock, Unhandled } from "./meta.js";
export { nativeStatus, setNative } from "./native.js";
export type { DirectDataset } from "./plan.js";
export { DirectReader } from "./reader.js";
export { inflateInto, inflateIntoPublic, inflateIntoUsesInternals } from "./zlib.js";

/**
 * The filter table: the one place that knows HDF5 filter ids. For each filter: its name, whether h5wasm
 * decodes it built in (the others need an h5wasm plugin), and which of our own JavaScript decoders undoes it
 * on the direct read path (`direct/`, `strings.ts`), so that, e.g., LZF reads in every environment
 * without a plugin.
 */
import { HypedError } from "../errors.js";

/** What the toolkit knows about one HDF5 filter. */
export interface FilterSpec {
  /** The registered HDF5 filter id. */
  id: number;
  /** Its usual name (used in messages). */
  name: string;
  /** Decoded by h5wasm's built-in HDF5 filters (no plugin). */
  h5wasm: boolean;
  /**
   * Our own decoder for the direct read path: `always` (pure JavaScript, every environment), `zlib` (needs a
   * platform zlib: Node's), or absent (h5wasm decodes it, or nothing does).
   */
  js?: "always" | "zlib";
}

/** The ids other modules name (always through this object, never as literals). */
export const FILTER_IDS = { deflate: 1, shuffle: 2, lzf: 32000 } as const;

const TABLE: FilterSpec[] = [
  { id: FILTER_IDS.deflate, name: "deflate", h5wasm: true, js: "zlib" },
  { id: FILTER_IDS.shuffle, name: "shuffle", h5wasm: true, js: "always" },
  { id: 3, name: "fletcher32", h5wasm: true },
  { id: 4, name: "szip", h5wasm: true },
  { id: 5, name: "nbit", h5wasm: true },
  { id: 6, name: "scaleoffset", h5wasm: true },
  { id: 307, name: "bzip2", h5wasm: false },
  { id: FILTER_IDS.lzf, name: "lzf", h5wasm: false, js: "always" },
  { id: 32001, name: "blosc", h5wasm: false },
  { id: 32004, name: "lz4", h5wasm: false },
  { id: 32008, name: "bitshuffle", h5wasm: false },
  { id: 32013, name: "zfp", h5wasm: false },
  { id: 32015, name: "zstd", h5wasm: false },
];

/** Every known filter, by id. */
export const FILTERS: ReadonlyMap<number, FilterSpec> = new Map(TABLE.map((f) => [f.id, f]));

/** Filters HDF5 in h5wasm can always decode (id → name). Others need a plugin; see `H5File.read`. */
export const BUILTIN_FILTERS: ReadonlyMap<number, string> = new Map(TABLE.filter((f) => f.h5wasm).map((f) => [f.id, f.name]));

/** The name of filter `id` (`filter <id>` when unknown). */
export function filterName(id: number): string {
  return FILTERS.get(id)?.name ?? `filter ${id}`;
}

/** Undoes one filter on a chunk: `esz` is the element size, `chunkBytes` the decoded chunk size. */
export type ChunkDecoder = (input: Uint8Array, esz: number, chunkBytes: number) => Uint8Array;

/**
 * Our decoder for filter `id`, or `undefined` when we have none here. `inflate` is the platform's zlib
 * inflate into exactly `size` bytes (Node), if any.
 */
export function jsDecoder(id: number, inflate?: (input: Uint8Array, size: number) => Uint8Array): ChunkDecoder | undefined {
  const js = FILTERS.get(id)?.js;
  if (js === "zlib") return inflate ? (input, _esz, chunkBytes) => inflate(input, chunkBytes) : undefined;
  if (js !== "always") return undefined;
  if (id === FILTER_IDS.shuffle) return unshuffle;
  if (id === FILTER_IDS.lzf) return (input, _esz, chunkBytes) => lzfDecompress(input, chunkBytes);
  return undefined;
}

/** Undo HDF5's byte shuffle (filter 2): byte `b` of element `i` was stored at `b * n + i`. */
export function unshuffle(input: Uint8Array, esz: number): Uint8Array {
  if (esz <= 1) return input;
  const n = Math.floor(input.length / esz);
  const out = new Uint8Array(input.length);
  for (let b = 0; b < esz; b++) {
    const src = b * n;
    for (let i = 0, j = b; i < n; i++, j += esz) out[j] = input[src + i] as number;
  }
  out.set(input.subarray(n * esz), n * esz);
  return out;
}

function lzfCorrupt(what: string): never {
  throw new HypedError("FORMAT", `corrupt LZF block: ${what}`, { filter: "lzf" });
}

/**
 * Decompress one liblzf block (HDF5 filter 32000) into exactly `size` bytes. Throws `FORMAT` when the block
 * does not decode to exactly that size; never writes past `size`.
 */
export function lzfDecompress(input: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let ip = 0;
  let op = 0;
  const n = input.length;
  while (ip < n) {
    const ctrl = input[ip++] as number;
    if (ctrl < 32) {
      const len = ctrl + 1;
      if (op + len > size || ip + len > n) lzfCorrupt("a literal run passes the end");
      out.set(input.subarray(ip, ip + len), op);
      ip += len;
      op += len;
    } else {
      let len = ctrl >> 5;
      if (len === 7) {
        if (ip >= n) lzfCorrupt("truncated back reference");
        len += input[ip++] as number;
      }
      if (ip >= n) lzfCorrupt("truncated back reference");
      const ref = op - ((ctrl & 0x1f) << 8) - 1 - (input[ip++] as number);
      len += 2;
      if (ref < 0 || op + len > size) lzfCorrupt("a back reference points outside the output");
      for (let k = 0; k < len; k++) out[op++] = out[ref + k] as number;
    }
  }
  if (op !== size) lzfCorrupt(`decoded ${op} bytes, expected ${size}`);
  return out;
}

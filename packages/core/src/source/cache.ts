import type { ByteSource } from "./types.js";
import { checkRange, scatterCopy, scatterTargets, throwIfAborted } from "./util.js";

/** Options of {@link cachedSource}. */
export interface CacheOptions {
  /** Block size in bytes; reads are rounded out to whole blocks. Default 65536. */
  blockSize?: number;
  /** Most blocks kept (least recently used are dropped). Default 256 (16 MiB at the default block size). */
  maxBlocks?: number;
}

/**
 * Wrap a source with an LRU block cache. Concurrent reads of the same block share one request, and a read
 * that spans several missing blocks fetches them in one merged request.
 */
export function cachedSource(
  src: ByteSource,
  options: CacheOptions = {},
): ByteSource & { readonly stats: { hits: number; misses: number } } {
  const bs = options.blockSize ?? 65536;
  const max = Math.max(1, options.maxBlocks ?? 256);
  const blocks = new Map<number, Promise<Uint8Array>>();
  const stats = { hits: 0, misses: 0 };
  const touch = (k: number, p: Promise<Uint8Array>) => {
    blocks.delete(k);
    blocks.set(k, p);
    while (blocks.size > max) {
      const first = blocks.keys().next().value as number;
      blocks.delete(first);
    }
  };
  const fetchRun = (first: number, last: number, signal?: AbortSignal) => {
    const start = first * bs;
    const end = Math.min(src.size, (last + 1) * bs);
    const all = src.read(start, end - start, signal);
    for (let b = first; b <= last; b++) {
      const off = (b - first) * bs;
      const p = all.then((buf) => buf.subarray(off, Math.min(buf.length, off + bs)));
      p.catch(() => blocks.delete(b));
      touch(b, p);
    }
  };
  return {
    size: src.size,
    name: src.name,
    stats,
    async read(offset, length, signal) {
      throwIfAborted(signal, `read from ${src.name}`);
      checkRange(src.name, src.size, offset, length);
      if (length === 0) return new Uint8Array(0);
      const first = Math.floor(offset / bs);
      const last = Math.floor((offset + length - 1) / bs);
      let runStart = -1;
      for (let b = first; b <= last + 1; b++) {
        const missing = b <= last && !blocks.has(b);
        if (missing) {
          stats.misses++;
          if (runStart < 0) runStart = b;
        } else {
          if (b <= last) stats.hits++;
          if (runStart >= 0) {
            fetchRun(runStart, b - 1, signal);
            runStart = -1;
          }
        }
      }
      const parts: Uint8Array[] = [];
      for (let b = first; b <= last; b++) {
        const p = blocks.get(b) as Promise<Uint8Array>;
        touch(b, p);
        parts.push(await p);
      }
      if (parts.length === 1) {
        const o = offset - first * bs;
        return (parts[0] as Uint8Array).subarray(o, o + length);
      }
      const out = new Uint8Array(length);
      let pos = 0;
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i] as Uint8Array;
        const s = i === 0 ? offset - first * bs : 0;
        const e = Math.min(part.length, offset + length - (first + i) * bs);
        out.set(part.subarray(s, e), pos);
        pos += e - s;
      }
      return out;
    },
    close: src.close ? () => (src.close as () => Promise<void>)() : undefined,
  } as ByteSource & { stats: { hits: number; misses: number } };
}

/**
 * Wrap a source and count what is read through it (`bytesRead`, `reads`; a `readInto` counts as one read).
 * For tests and benchmarks. `readInto` is forwarded to the wrapped source's, or done with its `read` and a copy.
 */
export function countingSource(src: ByteSource): ByteSource & { readonly bytesRead: number; readonly reads: number } {
  let bytesRead = 0;
  let reads = 0;
  return {
    size: src.size,
    name: src.name,
    get bytesRead() {
      return bytesRead;
    },
    get reads() {
      return reads;
    },
    async read(offset, length, signal) {
      const b = await src.read(offset, length, signal);
      bytesRead += b.length;
      reads++;
      return b;
    },
    async readInto(offset, targets, signal) {
      const { list, total } = scatterTargets(targets);
      if (src.readInto) await src.readInto(offset, list, signal);
      else scatterCopy(await src.read(offset, total, signal), list);
      bytesRead += total;
      reads++;
    },
    close: src.close ? () => (src.close as () => Promise<void>)() : undefined,
  } as ByteSource & { bytesRead: number; reads: number };
}

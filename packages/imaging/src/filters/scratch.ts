/**
 * A small pool of large scratch buffers for the filters' intermediate arrays (internal).
 *
 * Touching freshly allocated memory is expensive (every new page faults in; on sandboxed or loaded hosts
 * measured at ~15 ms per MB), and a 2826x3245 float64 intermediate is 73 MB. Intermediates that never leave
 * a function are borrowed here and given back, so repeated calls (many frames, benchmarks) reuse warm
 * memory. Results handed to callers are never pooled. Borrowed buffers hold stale data: callers initialise
 * them. The pool keeps at most {@link SCRATCH_POOL_MAX_BYTES}; `releaseFilterScratch()` empties it.
 */

/** Upper bound on the bytes the pool keeps between calls (256 MiB). */
export const SCRATCH_POOL_MAX_BYTES = 256 * 2 ** 20;
/** Buffers smaller than this are not worth pooling. */
const MIN_POOLED_BYTES = 1 << 20;

const free: ArrayBuffer[] = [];
let freeBytes = 0;

function takeBuffer(bytes: number): ArrayBuffer {
  if (bytes >= MIN_POOLED_BYTES) {
    // the smallest free buffer that fits and wastes at most a quarter of it
    let best = -1;
    for (let k = 0; k < free.length; k++) {
      const b = free[k]!.byteLength;
      if (b >= bytes && b <= bytes * 1.25 && (best < 0 || b < free[best]!.byteLength)) best = k;
    }
    if (best >= 0) {
      const buf = free[best]!;
      free.splice(best, 1);
      freeBytes -= buf.byteLength;
      return buf;
    }
  }
  return new ArrayBuffer(bytes);
}

/** Borrow a Float64Array of `n` elements (contents unspecified). */
export function takeF64(n: number): Float64Array {
  return new Float64Array(takeBuffer(n * 8), 0, n);
}
/** Borrow an Int32Array of `n` elements (contents unspecified). */
export function takeI32(n: number): Int32Array {
  return new Int32Array(takeBuffer(n * 4), 0, n);
}
/** Borrow a Uint8Array of `n` elements (contents unspecified). */
export function takeU8(n: number): Uint8Array {
  return new Uint8Array(takeBuffer(n), 0, n);
}

/** Give borrowed arrays back; the caller must not use them afterwards. */
export function giveBack(...arrays: ArrayBufferView[]): void {
  for (const a of arrays) {
    const buf = a.buffer as ArrayBuffer;
    if (buf.byteLength < MIN_POOLED_BYTES || free.includes(buf)) continue;
    free.push(buf);
    freeBytes += buf.byteLength;
  }
  // drop the oldest buffers beyond the cap
  while (freeBytes > SCRATCH_POOL_MAX_BYTES && free.length > 0) freeBytes -= free.shift()!.byteLength;
}

/** Empty the filters' scratch pool (its memory becomes garbage). Useful after a batch of large frames. */
export function releaseFilterScratch(): void {
  free.length = 0;
  freeBytes = 0;
}

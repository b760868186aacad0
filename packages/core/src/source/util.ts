import { HypedError } from "../errors.js";

export { throwIfAborted } from "../progress.js";

/** Validate a read request against a source size; throws `OUT_OF_RANGE` naming the source. */
export function checkRange(name: string, size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new HypedError("OUT_OF_RANGE", `read of ${length} bytes at offset ${offset} is outside ${name} (${size} bytes)`, {
      source: name,
      offset,
      length,
      size,
    });
  }
}

/** The targets of a `readInto` call as a list, and their total length in bytes. */
export function scatterTargets(targets: Uint8Array | readonly Uint8Array[]): { list: readonly Uint8Array[]; total: number } {
  const list = targets instanceof Uint8Array ? [targets] : targets;
  let total = 0;
  for (const t of list) total += t.length;
  return { list, total };
}

/** Copy `bytes` into `targets` in order (the fallback of `readInto` for sources that only have `read`). */
export function scatterCopy(bytes: Uint8Array, targets: readonly Uint8Array[]): void {
  let pos = 0;
  for (const t of targets) {
    t.set(bytes.subarray(pos, pos + t.length));
    pos += t.length;
  }
}

/** Most buffers one `preadv` takes (POSIX IOV_MAX is 1024 on Linux). */
export const MAX_IOV = 1024;

/**
 * Bookkeeping of a scatter read (`preadv`), shared by the file byte source and the HDF5 file I/O, sync and async: the next batch of at most
 * {@link MAX_IOV} views still to fill, and how a read of `n` bytes advances (a short read resumes inside the
 * view it stopped in).
 */
export class Scatter {
  private i = 0;
  private skip = 0;
  constructor(private readonly views: readonly Uint8Array[]) {
    this.settle();
  }
  get done(): boolean {
    return this.i >= this.views.length;
  }
  batch(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let k = this.i; k < this.views.length && out.length < MAX_IOV; k++) {
      const v = this.views[k] as Uint8Array;
      out.push(k === this.i && this.skip > 0 ? v.subarray(this.skip) : v);
    }
    return out;
  }
  advance(n: number): void {
    let left = n + this.skip;
    while (this.i < this.views.length && left >= (this.views[this.i] as Uint8Array).length) {
      left -= (this.views[this.i] as Uint8Array).length;
      this.i++;
    }
    this.skip = left;
    this.settle();
  }
  /** Skip empty views, which would end a batch early. */
  private settle(): void {
    while (this.i < this.views.length && (this.views[this.i] as Uint8Array).length === this.skip) {
      this.i++;
      this.skip = 0;
    }
  }
}

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

import type { ByteSource } from "./types.js";
import { checkRange, scatterCopy, scatterTargets, throwIfAborted } from "./util.js";

/** A {@link ByteSource} over bytes already in memory. Reads return subarray views (no copy); `readInto` copies. */
export function memorySource(bytes: ArrayBuffer | Uint8Array, name = "memory"): ByteSource {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return {
    size: b.byteLength,
    name,
    async read(offset, length, signal) {
      throwIfAborted(signal, `read from ${name}`);
      checkRange(name, b.byteLength, offset, length);
      return b.subarray(offset, offset + length);
    },
    async readInto(offset, targets, signal) {
      throwIfAborted(signal, `read from ${name}`);
      const { list, total } = scatterTargets(targets);
      checkRange(name, b.byteLength, offset, total);
      scatterCopy(b.subarray(offset, offset + total), list);
    },
  };
}

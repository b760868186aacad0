import { HypedError } from "../errors.js";
import { blobName } from "./local.js";
import type { ByteSource } from "./types.js";
import { checkRange, throwIfAborted } from "./util.js";

/** A {@link ByteSource} over a `Blob` or browser `File`; each read slices the blob, so nothing else is loaded. */
export function blobSource(blob: Blob, name = blobName(blob)): ByteSource {
  return {
    size: blob.size,
    name,
    async read(offset, length, signal) {
      throwIfAborted(signal, `read from ${name}`);
      checkRange(name, blob.size, offset, length);
      try {
        return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
      } catch (e) {
        throw new HypedError("IO", `reading ${name} failed: ${(e as Error).message}`, { source: name, offset, length }, { cause: e });
      }
    },
  };
}

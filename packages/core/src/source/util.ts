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

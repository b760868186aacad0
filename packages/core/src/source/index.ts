import { HypedError } from "../errors.js";
import { blobSource } from "./blob.js";
import { fileSource } from "./file.js";
import { httpSource } from "./http.js";
import { memorySource } from "./memory.js";
import type { ByteSource, SourceInput } from "./types.js";

export { blobSource } from "./blob.js";
export { type CacheOptions, cachedSource, countingSource } from "./cache.js";
export { fileSource, readLocalFile } from "./file.js";
export { type HttpSourceOptions, httpSource } from "./http.js";
export { memorySource } from "./memory.js";
export type { ByteSource, SourceInput } from "./types.js";
export { checkRange } from "./util.js";

/** True if `x` is already a {@link ByteSource}. */
export function isByteSource(x: unknown): x is ByteSource {
  return x !== null && typeof x === "object" && typeof (x as ByteSource).read === "function" && typeof (x as ByteSource).size === "number";
}

/**
 * Turn any supported input into a {@link ByteSource}: a source is returned as is; `http(s)://` strings and
 * `URL`s become {@link httpSource}; other strings are local paths ({@link fileSource}, Node only); `Blob`/`File`
 * become {@link blobSource}; bytes become {@link memorySource}.
 */
export async function openSource(input: SourceInput): Promise<ByteSource> {
  if (isByteSource(input)) return input;
  if (input instanceof URL) return httpSource(input);
  if (typeof input === "string") return /^https?:\/\//i.test(input) ? httpSource(input) : fileSource(input);
  if (typeof Blob !== "undefined" && input instanceof Blob) return blobSource(input);
  if (input instanceof Uint8Array || input instanceof ArrayBuffer) return memorySource(input);
  throw new HypedError("INVALID_ARGUMENT", `cannot read bytes from ${Object.prototype.toString.call(input)}`, {});
}

/** Read a whole source into memory. Use only for small inputs (headers, `.npy` files, JSON). */
export async function readAll(src: ByteSource, signal?: AbortSignal): Promise<Uint8Array> {
  return src.read(0, src.size, signal);
}

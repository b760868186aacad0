/**
 * Random-access byte sources: the only way format readers get bytes.
 *
 * A reader takes a {@link ByteSource} and asks for `(offset, length)` ranges; it never knows whether the
 * bytes come from a local file, a browser `Blob`, memory or HTTP range requests. Caching and counting are
 * wrappers around a source ({@link cachedSource}, {@link countingSource}), never code inside a reader.
 */

/** A random-access, read-only byte source of known size. */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /** A name for messages (file path, URL, `File.name`, `"memory"`). */
  readonly name: string;
  /**
   * Read `length` bytes at `offset`. Resolves with exactly `length` bytes, or rejects with a
   * `HypedError` (`OUT_OF_RANGE` past the end, `IO` on failure, `ABORTED` when `signal` fires).
   */
  read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array>;
  /**
   * Optional positional read into caller memory: fills `targets` in order with the bytes starting at `offset`
   * (a scatter read; the total length is the sum of the targets' lengths). Pass one array, or many views, e.g.
   * the rows of an image tile inside a larger canvas, so the bytes land in place with no intermediate buffer
   * and no allocation. Same errors as {@link read}. Sources that lack it are read with `read` and copied.
   */
  readInto?(offset: number, targets: Uint8Array | readonly Uint8Array[], signal?: AbortSignal): Promise<void>;
  /** Release the underlying handle, if any. Idempotent. */
  close?(): Promise<void>;
}

/** Anything {@link openSource} accepts. */
export type SourceInput = ByteSource | string | URL | Blob | ArrayBuffer | Uint8Array;

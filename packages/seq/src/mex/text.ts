/**
 * Streaming text input from byte sources: fixed-size block reads, optional gzip decompression
 * (`node:zlib` under Node, `DecompressionStream` in browsers), and byte-level line splitting.
 */
import { type ByteSource, HypedError, isHypedError, throwIfAborted } from "@hyped/core";

/** Block size for source reads (1 MiB). */
const BLOCK = 1 << 20;

/** True if the source starts with the gzip magic bytes. */
export async function isGzip(src: ByteSource, signal?: AbortSignal): Promise<boolean> {
  if (src.size < 2) return false;
  const b = await src.read(0, 2, signal);
  return b[0] === 0x1f && b[1] === 0x8b;
}

/** The raw blocks of a source, in order. */
async function* blocks(src: ByteSource, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  for (let off = 0; off < src.size; off += BLOCK) {
    throwIfAborted(signal, `reading ${src.name}`);
    yield await src.read(off, Math.min(BLOCK, src.size - off), signal);
  }
}

/**
 * The decompressed bytes of a source as a stream of chunks; gzip is detected by its magic bytes.
 * Under Node, gzip is inflated by `node:zlib` in the libuv threadpool with 1 MiB output chunks and up to
 * 8 MiB inflated ahead, so inflating overlaps with whatever the caller does with each chunk; elsewhere
 * (browsers) the standard `DecompressionStream` is used. A truncated or corrupt gzip stream raises
 * `FORMAT` naming the file; cancelling `signal` raises `ABORTED`.
 */
export async function* byteChunks(
  src: ByteSource,
  signal?: AbortSignal,
  options: {
    /** Use `node:zlib` when available (default true); false takes the browsers' `DecompressionStream` path. */ nodeZlib?: boolean;
  } = {},
): AsyncGenerator<Uint8Array> {
  if (!(await isGzip(src, signal))) {
    yield* blocks(src, signal);
    return;
  }
  const zlib = options.nodeZlib === false ? null : await nodeZlib();
  if (zlib) yield* gunzipNode(zlib, src, signal);
  else yield* gunzipWeb(src, signal);
}

const loadZlib = () => Promise.all([import("node:zlib"), import("node:stream")]);
type ZlibModules = Awaited<ReturnType<typeof loadZlib>>;
let zlibModules: Promise<ZlibModules | null> | undefined;
/** `node:zlib` and `node:stream` when running under Node, else null (loaded once). */
function nodeZlib(): Promise<ZlibModules | null> {
  const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";
  zlibModules ??= isNode ? loadZlib().catch(() => null) : Promise.resolve(null);
  return zlibModules;
}

const gzipError = (src: ByteSource, e: unknown) =>
  isHypedError(e)
    ? e
    : new HypedError(
        "FORMAT",
        `${src.name}: gzip data is truncated or corrupt (${(e as Error).message})`,
        { file: src.name },
        { cause: e },
      );

async function* gunzipNode([zlib, stream]: ZlibModules, src: ByteSource, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const gunzip = zlib.createGunzip({ chunkSize: 1 << 20, readableHighWaterMark: 8 << 20 } as import("node:zlib").ZlibOptions);
  // pipeline: backpressure from gunzip to the block reader, and an error on either side destroys both
  stream.pipeline(stream.Readable.from(blocks(src, signal)), gunzip, () => {});
  try {
    for await (const chunk of gunzip as AsyncIterable<Uint8Array>) {
      yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    }
  } catch (e) {
    throw gzipError(src, e);
  } finally {
    gunzip.destroy();
  }
}

async function* gunzipWeb(src: ByteSource, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const it = blocks(src, signal);
  const input = new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      const r = await it.next();
      if (r.done) ctrl.close();
      else ctrl.enqueue(r.value);
    },
  });
  const reader = input.pipeThrough(new DecompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>).getReader();
  try {
    while (true) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        throw gzipError(src, e);
      }
      if (r.done) return;
      yield r.value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Split a chunk stream into lines (without the newline; a trailing `\r` is dropped). Yields `[line, lineNumber]` (1-based). */
export async function* lines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<[Uint8Array, number]> {
  let carry: Uint8Array | null = null;
  let lineNo = 0;
  for await (const chunk of chunks) {
    let buf = chunk;
    if (carry) {
      const joined = new Uint8Array(carry.length + chunk.length);
      joined.set(carry);
      joined.set(chunk, carry.length);
      buf = joined;
      carry = null;
    }
    let start = 0;
    for (let i = buf.indexOf(10, start); i >= 0; i = buf.indexOf(10, start)) {
      let end = i;
      if (end > start && buf[end - 1] === 13) end--;
      yield [buf.subarray(start, end), ++lineNo];
      start = i + 1;
    }
    if (start < buf.length) carry = buf.slice(start);
  }
  if (carry?.length) yield [carry[carry.length - 1] === 13 ? carry.subarray(0, carry.length - 1) : carry, ++lineNo];
}

/** Read a whole (possibly gzipped) text file as lines of strings, dropping a final empty line. */
export async function readTextLines(src: ByteSource, signal?: AbortSignal): Promise<string[]> {
  const dec = new TextDecoder("utf-8");
  const out: string[] = [];
  for await (const [line] of lines(byteChunks(src, signal))) out.push(dec.decode(line));
  return out;
}

import { fsError, HypedError } from "../errors.js";
import { localOpenFlags, regularFileSize } from "./local.js";
import type { ByteSource } from "./types.js";
import { checkRange, Scatter, scatterTargets, throwIfAborted } from "./util.js";

/**
 * A {@link ByteSource} over a local file (Node only), using positional reads on one `FileHandle`.
 * Opening stats the file; nothing is read until asked for. Call `close()` when done. `readInto` reads straight
 * into caller buffers (`pread`/`preadv`), so a reader that reuses its buffers allocates nothing per read.
 */
export async function fileSource(path: string): Promise<ByteSource> {
  const fsp = await import("node:fs/promises");
  let handle: import("node:fs/promises").FileHandle;
  const { constants } = await import("node:fs");
  let size: number;
  try {
    handle = await fsp.open(path, localOpenFlags(constants, "r"));
  } catch (e) {
    throw fsError(e, path, "open");
  }
  try {
    size = regularFileSize(path, await handle.stat());
  } catch (e) {
    await handle.close();
    throw fsError(e, path, "stat");
  }
  let closed = false;
  return {
    size,
    name: path,
    async read(offset, length, signal) {
      throwIfAborted(signal, `read from ${path}`);
      checkRange(path, size, offset, length);
      if (closed) throw new HypedError("IO", `${path} is closed`, { path });
      const out = new Uint8Array(length);
      let got = 0;
      try {
        while (got < length) {
          const { bytesRead } = await handle.read(out, got, length - got, offset + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
      } catch (e) {
        throw new HypedError("IO", `reading ${path} failed: ${(e as Error).message}`, { path, offset, length }, { cause: e });
      }
      if (got !== length) {
        throw new HypedError("IO", `${path} ended after ${got} of ${length} bytes at ${offset} (file changed?)`, { path, offset, length });
      }
      return out;
    },
    async readInto(offset, targets, signal) {
      throwIfAborted(signal, `read from ${path}`);
      const { list, total } = scatterTargets(targets);
      checkRange(path, size, offset, total);
      if (closed) throw new HypedError("IO", `${path} is closed`, { path });
      let got = 0;
      try {
        if (list.length === 1) {
          const t = list[0] as Uint8Array;
          while (got < total) {
            const { bytesRead } = await handle.read(t, got, total - got, offset + got);
            if (bytesRead === 0) break;
            got += bytesRead;
          }
        } else {
          // preadv in batches of at most MAX_IOV buffers; a short read resumes inside the buffer it stopped in.
          const sc = new Scatter(list);
          while (!sc.done) {
            const { bytesRead } = await handle.readv(sc.batch(), offset + got);
            if (bytesRead === 0) break;
            got += bytesRead;
            sc.advance(bytesRead);
          }
        }
      } catch (e) {
        throw new HypedError("IO", `reading ${path} failed: ${(e as Error).message}`, { path, offset, length: total }, { cause: e });
      }
      if (got !== total) {
        throw new HypedError("IO", `${path} ended after ${got} of ${total} bytes at ${offset} (file changed?)`, {
          path,
          offset,
          length: total,
        });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}

/**
 * Read a whole local file (Node only), a regular file only: a FIFO, device or directory is an `IO` error at
 * once instead of a hang, and every operating-system failure is an `IO` error naming the path.
 */
export async function readLocalFile(path: string, signal?: AbortSignal): Promise<Uint8Array> {
  const src = await fileSource(path);
  try {
    return await src.read(0, src.size, signal);
  } finally {
    await src.close?.();
  }
}

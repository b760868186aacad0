/**
 * SHA-256 of frame files and sources: streamed through `node:crypto` for local paths (Node), through
 * WebCrypto (`crypto.subtle`) for bytes and `Blob`s/`File`s (browsers and Node alike).
 */
import { fsError, HypedError, notRegularFile, throwIfAborted } from "@hyped/core";

/** Lower-case hex of a digest. */
function hex(buf: ArrayBuffer | Uint8Array): string {
  const b = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  let s = "";
  for (let i = 0; i < b.length; i++) s += (b[i] as number).toString(16).padStart(2, "0");
  return s;
}

/**
 * SHA-256 (lower-case hex) of a local file, a `Blob`/`File` or bytes. Local files are streamed in 4 MiB
 * pieces with `node:crypto`, so any size works; Blobs and bytes go through WebCrypto, which needs them whole
 * in memory (frame files are tens of MB). Matches `hashlib.sha256(data).hexdigest()`.
 *
 * Throws `IO` naming the file when it cannot be read, `ABORTED` when `signal` fires.
 */
export async function sha256Of(input: string | Blob | Uint8Array, signal?: AbortSignal): Promise<string> {
  if (typeof input === "string") {
    const [{ createHash }, fs, { constants }] = await Promise.all([import("node:crypto"), import("node:fs/promises"), import("node:fs")]);
    let handle: import("node:fs/promises").FileHandle;
    try {
      // non-blocking: a FIFO is refused below instead of waiting for a writer
      handle = await fs.open(input, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (e) {
      throw fsError(e, input, "open");
    }
    try {
      const st = await handle.stat();
      if (!st.isFile()) throw notRegularFile(input, st);
      const h = createHash("sha256");
      const buf = new Uint8Array(4 * 2 ** 20);
      for (;;) {
        throwIfAborted(signal, `hashing ${input}`);
        const { bytesRead } = await handle.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        h.update(buf.subarray(0, bytesRead));
      }
      return h.digest("hex");
    } catch (e) {
      if (e instanceof HypedError) throw e;
      throw new HypedError("IO", `reading ${input} failed: ${(e as Error).message}`, { file: input }, { cause: e });
    } finally {
      await handle.close();
    }
  }
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (!subtle) throw new HypedError("UNSUPPORTED", "SHA-256 needs WebCrypto (crypto.subtle), which this runtime lacks", {});
  throwIfAborted(signal, "hashing");
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(await input.arrayBuffer());
  return hex(await subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
}

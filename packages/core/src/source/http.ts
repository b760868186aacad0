import { HypedError } from "../errors.js";
import type { ByteSource } from "./types.js";
import { checkRange, throwIfAborted } from "./util.js";

/** Options of {@link httpSource}. */
export interface HttpSourceOptions {
  /** Extra request headers (e.g. authorization). */
  headers?: Record<string, string>;
  /** The fetch implementation; default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Abort the size probe. */
  signal?: AbortSignal;
}

/**
 * A {@link ByteSource} over an HTTP(S) URL using `Range` requests. Opening sends one `HEAD` request (falling
 * back to a `bytes=0-0` range) to learn the size; each read is one range request and must be answered with
 * `206 Partial Content` of the exact length, else `IO`.
 */
export async function httpSource(url: string | URL, options: HttpSourceOptions = {}): Promise<ByteSource> {
  const f = options.fetch ?? globalThis.fetch;
  const href = String(url);
  const headers = options.headers ?? {};
  const io = (msg: string, extra: Record<string, unknown> = {}, cause?: unknown) =>
    new HypedError("IO", `${href}: ${msg}`, { url: href, ...extra }, { cause });
  let size = Number.NaN;
  try {
    const head = await f(href, { method: "HEAD", headers, signal: options.signal ?? null });
    const len = head.headers.get("content-length");
    if (head.ok && len !== null) size = Number(len);
  } catch (e) {
    if (options.signal?.aborted) throw new HypedError("ABORTED", `opening ${href} was cancelled`, { url: href }, { cause: e });
  }
  if (!Number.isSafeInteger(size)) {
    let r: Response;
    try {
      r = await f(href, { headers: { ...headers, Range: "bytes=0-0" }, signal: options.signal ?? null });
    } catch (e) {
      throw io(`request failed: ${(e as Error).message}`, {}, e);
    }
    const cr = r.headers.get("content-range");
    const m = cr ? /\/(\d+)\s*$/.exec(cr) : null;
    await r.arrayBuffer().catch(() => undefined);
    if (r.status !== 206 || !m) throw io(`server does not support range requests (status ${r.status})`, { status: r.status });
    size = Number(m[1]);
  }
  return {
    size,
    name: href,
    async read(offset, length, signal) {
      throwIfAborted(signal, `read from ${href}`);
      checkRange(href, size, offset, length);
      if (length === 0) return new Uint8Array(0);
      let r: Response;
      try {
        r = await f(href, { headers: { ...headers, Range: `bytes=${offset}-${offset + length - 1}` }, signal: signal ?? null });
      } catch (e) {
        if (signal?.aborted) throw new HypedError("ABORTED", `read from ${href} was cancelled`, { url: href }, { cause: e });
        throw io(`request failed: ${(e as Error).message}`, { offset, length }, e);
      }
      if (r.status !== 206) {
        await r.arrayBuffer().catch(() => undefined);
        throw io(`expected 206 Partial Content for a range request, got ${r.status}`, { status: r.status, offset, length });
      }
      const buf = new Uint8Array(await r.arrayBuffer());
      if (buf.length !== length) throw io(`range response has ${buf.length} bytes, expected ${length}`, { offset, length });
      return buf;
    },
  };
}

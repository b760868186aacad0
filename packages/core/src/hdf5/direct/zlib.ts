/**
 * zlib inflate for the direct reader, and the one place that touches Node's private zlib internals.
 *
 * Node's public zlib API (`inflateSync`) always allocates its output. Its stream objects, though, drive the
 * native inflater through `handle.writeSync(flush, in, inOff, inLen, out, outOff, outLen)` and report what
 * is left in `_writeState`; writing into the destination directly saves a fresh buffer and a copy per
 * chunk. Those are internals, so that path is feature-checked and verified on a known stream once, and any
 * surprise turns it off for the process: {@link inflateInto} then uses {@link inflateIntoPublic}
 * (`inflateSync` and one copy), which gives the same bytes. The web's `DecompressionStream` is no
 * substitute here: it is asynchronous, and the direct reader also serves h5wasm's synchronous path, so
 * outside Node deflate is h5wasm's business.
 */
import { builtin } from "./builtin.js";

type Zlib = typeof import("node:zlib");
/** zlib inflate of one complete stream, allocating (`expected` sizes the output buffer). */
export type Inflate = (input: Uint8Array, expected: number) => Uint8Array;

let inflateImpl: Inflate | null | undefined;
/** Native synchronous zlib inflate (Node ≥ 20.16 via `process.getBuiltinModule`, public API), else `null`. */
export function zlibInflate(): Inflate | null {
  if (inflateImpl !== undefined) return inflateImpl;
  inflateImpl = null;
  const zlib = builtin<Zlib>("node:zlib");
  if (zlib?.inflateSync) {
    const z = zlib;
    // one output buffer of the chunk's size (zlib's default 16 KiB pieces would be joined with a copy)
    inflateImpl = (input, expected) => {
      const out = z.inflateSync(input, { chunkSize: Math.max(16384, expected + 64) });
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    };
  }
  return inflateImpl;
}

/**
 * Inflate one complete zlib stream into `dst`, which it must fill exactly; `undefined` when this runtime
 * has no zlib, `false` when the stream is corrupt or does not decode to exactly `dst.length` bytes. Uses
 * Node's internals when they pass their check (no allocation), else {@link inflateIntoPublic}.
 */
export function inflateInto(input: Uint8Array, dst: Uint8Array): boolean | undefined {
  const z = intoInflater();
  if (z) return z(input, dst);
  return inflateIntoPublic(input, dst);
}

/** {@link inflateInto} through the public `inflateSync` only (one allocation and one copy per call). */
export function inflateIntoPublic(input: Uint8Array, dst: Uint8Array): boolean | undefined {
  const inflate = zlibInflate();
  if (!inflate) return undefined;
  let out: Uint8Array;
  try {
    out = inflate(input, dst.length);
  } catch {
    return false;
  }
  if (out.length !== dst.length) return false;
  dst.set(out);
  return true;
}

/** Whether {@link inflateInto} uses Node's zlib internals in this process (for tests and benchmarks). */
export function inflateIntoUsesInternals(): boolean {
  return intoInflater() !== null;
}

type IntoFn = (input: Uint8Array, dst: Uint8Array) => boolean;
let intoImpl: IntoFn | null | undefined;
interface ZlibInternals {
  _handle?: { writeSync?: (...a: unknown[]) => void; reset?: () => void };
  _writeState?: Uint32Array;
  on(ev: string, fn: (e: unknown) => void): void;
  reset?: () => void;
}

/** The internals-based inflate-into, verified once; `null` when the internals are missing or misbehave. */
function intoInflater(): IntoFn | null {
  if (intoImpl !== undefined) return intoImpl;
  intoImpl = null;
  const zlib = builtin<Zlib>("node:zlib");
  if (!zlib?.createInflate || !zlib.deflateSync) return null;
  const Z_FINISH = zlib.constants.Z_FINISH;
  let stream: ZlibInternals | undefined;
  let failed: unknown;
  const fresh = (): ZlibInternals | undefined => {
    const s = zlib.createInflate() as unknown as ZlibInternals;
    if (typeof s._handle?.writeSync !== "function" || !(s._writeState instanceof Uint32Array) || typeof s._handle.reset !== "function")
      return undefined;
    s.on("error", (e) => {
      failed = e;
    });
    return s;
  };
  const run: IntoFn = (input, dst) => {
    // zlib cannot finish a stream into an empty output; the public path answers that case
    if (dst.length === 0) return inflateIntoPublic(input, dst) === true;
    stream ??= fresh();
    const s = stream as ZlibInternals;
    failed = undefined;
    try {
      (s._handle as { writeSync: (...a: unknown[]) => void }).writeSync(Z_FINISH, input, 0, input.length, dst, 0, dst.length);
    } catch (e) {
      failed = e;
    }
    // a corrupt stream makes zlib destroy the stream during the write (its handle is gone; the error
    // event comes later): make a new one next time
    const dead = failed !== undefined || !s._handle;
    const state = s._writeState as Uint32Array;
    const ok = !dead && state[0] === 0 && state[1] === 0;
    if (dead) stream = undefined;
    else (s._handle as { reset: () => void }).reset();
    return ok;
  };
  if (!verify(zlib, fresh, run)) return null;
  stream = undefined;
  intoImpl = run;
  return intoImpl;
}

/** Check the internals path on a known stream before trusting it: exact bytes twice, and a too-small output fails. */
function verify(zlib: Zlib, fresh: () => unknown, run: IntoFn): boolean {
  try {
    if (!fresh()) return false;
    const probe = new Uint8Array(70_000).map((_, i) => (i * 7) % 251);
    const packed = zlib.deflateSync(probe);
    const a = new Uint8Array(probe.length);
    const b = new Uint8Array(probe.length);
    if (!run(packed, a) || !run(packed, b)) return false;
    for (let i = 0; i < probe.length; i++) if (a[i] !== probe[i] || b[i] !== probe[i]) return false;
    if (run(packed, new Uint8Array(probe.length - 1))) return false; // too small must fail
    return true;
  } catch {
    return false;
  }
}

/**
 * Zstd0 (a bare zstd frame) and Zstd1 (a small CZI header, then a zstd frame, optionally with hi-lo byte
 * packing of 16-bit samples) subblock codecs.
 *
 * Decoding picks the fastest zstd available, once, lazily:
 * 1. `zstd-napi` (Node only; an optional dependency built from the reference zstd C sources by node-gyp). It
 *    decodes with one reused `ZSTD_DCtx` straight into a buffer of the tile's exact size, which is both the
 *    fastest path we measured (faster than the `zstd -d` CLI on the same frames, see docs/czi.md) and a hard
 *    output bound: a frame that decodes to more than the tile fails instead of growing a buffer.
 * 2. Node's own `zlib.zstdDecompressSync` (Node >= 22.15), with an output cap.
 * 3. `@bokuweb/zstd-wasm` (the reference C library compiled to wasm; the browser path), about 6x slower.
 * 4. `fzstd` (pure JS) where the wasm module cannot be initialised (e.g. a bundler dropped the .wasm file).
 * When the native module is absent (not installed, failed to build, a browser), decoding silently uses the
 * next one; {@link zstdBackendName} says which is in use. Set `HYPED_ZSTD=wasm` to force the wasm decoder.
 * Encoding (for `writeCzi`) uses the wasm compressor.
 */
import { HypedError } from "@hyped/core";
import { simdInstance } from "@hyped/core/simd";
import * as fzstd from "fzstd";
import { formatErr } from "../segment.js";
import { HILO_WASM_BASE64 } from "./hilo-wasm.js";
import type { CziDecodeInfo } from "./types.js";

type ZstdWasm = typeof import("@bokuweb/zstd-wasm");
let wasm: Promise<ZstdWasm | undefined> | undefined;

/**
 * A native zstd decoder: decodes the frame(s) in `frame` into `out` (whose length bounds the output) and
 * returns the number of bytes written; throws if the data is corrupt or does not fit.
 */
export interface ZstdNativeDecoder {
  /** "zstd-napi" or "node:zlib". */
  readonly name: string;
  decompressInto(frame: Uint8Array, out: Uint8Array): number;
}

/** The parts of zstd-napi's low-level binding we use (declared here: the module is optional). */
interface ZstdNapiBinding {
  DCtx: new () => { decompress(dst: Uint8Array, src: Uint8Array): number };
}

let native: Promise<ZstdNativeDecoder | undefined> | undefined;

/**
 * The specifier of zstd-napi's low-level binding, with its file extension: Node's ESM loader adds none, so
 * `zstd-napi/binding` failed from `dist/` in plain Node (ERR_MODULE_NOT_FOUND) and published users silently got
 * the wasm decoder (#25). Split in two so that browser bundlers do not try to resolve this Node-only module.
 * @internal
 */
export const ZSTD_NAPI_BINDING = ["zstd-napi", "binding.js"].join("/");

async function loadZstdNapi(): Promise<ZstdNativeDecoder | undefined> {
  try {
    const mod = (await import(/* @vite-ignore */ ZSTD_NAPI_BINDING)) as { default?: ZstdNapiBinding } & Partial<ZstdNapiBinding>;
    const b = (mod.default ?? mod) as ZstdNapiBinding;
    const dctx = new b.DCtx();
    // Smoke test on a tiny frame (an empty raw block), so a broken build falls back instead of failing later.
    const probe = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x00, 0x01, 0x00, 0x00]);
    if (dctx.decompress(new Uint8Array(1), probe) !== 0) return undefined;
    return { name: "zstd-napi", decompressInto: (frame, out) => dctx.decompress(out, frame) };
  } catch {
    return undefined;
  }
}

async function loadZlibZstd(): Promise<ZstdNativeDecoder | undefined> {
  try {
    const zlib = (await import("node:zlib")) as unknown as {
      zstdDecompressSync?: (buf: Uint8Array, options: { maxOutputLength: number }) => Uint8Array;
    };
    const f = zlib.zstdDecompressSync;
    if (typeof f !== "function") return undefined;
    return {
      name: "node:zlib",
      decompressInto(frame, out) {
        const r = f(frame, { maxOutputLength: out.length });
        out.set(r);
        return r.length;
      },
    };
  } catch {
    return undefined;
  }
}

/**
 * The native zstd decoder for this runtime (zstd-napi, else Node's own zlib zstd), or undefined (browsers,
 * `HYPED_ZSTD=wasm`, or neither available). Loaded once, on first use.
 */
export function zstdNative(): Promise<ZstdNativeDecoder | undefined> {
  native ??= (async () => {
    if (typeof process === "undefined" || !process.versions?.node || process.env?.HYPED_ZSTD === "wasm") return undefined;
    return (await loadZstdNapi()) ?? (await loadZlibZstd());
  })();
  return native;
}

/** Which zstd decoder is in use: "zstd-napi", "node:zlib", "wasm" or "fzstd". */
export async function zstdBackendName(): Promise<string> {
  const n = await zstdNative();
  if (n) return n.name;
  return (await zstdWasm()) ? "wasm" : "fzstd";
}

/** The initialised wasm zstd module, or undefined if it cannot be loaded in this environment. */
export function zstdWasm(): Promise<ZstdWasm | undefined> {
  wasm ??= (async () => {
    try {
      const m = await import("@bokuweb/zstd-wasm");
      await m.init();
      return m;
    } catch {
      return undefined;
    }
  })();
  return wasm;
}

/**
 * The content size declared in a zstd frame header: a number, `undefined` if the frame does not declare it,
 * or `null` if `buf` does not start with a zstd frame.
 */
export function zstdFrameContentSize(buf: Uint8Array): number | undefined | null {
  if (buf.length < 5 || buf[0] !== 0x28 || buf[1] !== 0xb5 || buf[2] !== 0x2f || buf[3] !== 0xfd) return null;
  const fhd = buf[4] as number;
  const fcsFlag = fhd >> 6;
  const single = (fhd >> 5) & 1;
  const dictFlag = fhd & 3;
  let pos = 5 + (single ? 0 : 1) + [0, 1, 2, 4][dictFlag]!;
  const fcsSize = fcsFlag === 0 ? (single ? 1 : 0) : [0, 2, 4, 8][fcsFlag]!;
  if (fcsSize === 0) return undefined;
  if (pos + fcsSize > buf.length) return null;
  let v = 0;
  for (let i = fcsSize - 1; i >= 0; i--) v = v * 256 + (buf[pos + i] as number);
  pos += fcsSize;
  return fcsSize === 2 ? v + 256 : v;
}

/** A module-level scratch for hi-lo packed output (decoding and unpacking run without an await in between). */
let packedScratch = new Uint8Array(0);
function scratchOf(n: number): Uint8Array {
  if (packedScratch.length < n) packedScratch = new Uint8Array(Math.max(n, Math.ceil(packedScratch.length * 1.5)));
  return packedScratch.subarray(0, n);
}

/**
 * Decompress one zstd frame that must decode to exactly `expected` bytes; FORMAT otherwise. A frame that
 * declares its content size is checked before any output is allocated; one that does not is decoded into at
 * most `expected` bytes. With `out` (exactly `expected` bytes), the result is written there and `out` returned.
 */
export async function zstdDecompress(payload: Uint8Array, expected: number, what: string, out?: Uint8Array): Promise<Uint8Array> {
  checkFrameHeader(payload, expected, what);
  const nat = await zstdNative();
  const m = nat ? undefined : await zstdWasm();
  return decodeFrame(payload, expected, what, nat, m, out);
}

function checkFrameHeader(payload: Uint8Array, expected: number, what: string): void {
  const declared = zstdFrameContentSize(payload);
  if (declared === null) throw formatErr(what, "payload is not a zstd frame (bad magic or truncated header)");
  if (declared !== undefined && declared !== expected) {
    throw formatErr(what, `zstd frame declares ${declared} bytes, the tile needs ${expected}`, { declared, expected });
  }
}

/** Decode with the chosen backend (synchronous, so a shared scratch `out` is safe). */
function decodeFrame(
  payload: Uint8Array,
  expected: number,
  what: string,
  nat: ZstdNativeDecoder | undefined,
  m: ZstdWasm | undefined,
  out: Uint8Array | undefined,
): Uint8Array {
  if (out && out.length !== expected) throw new HypedError("INVALID_ARGUMENT", `out has ${out.length} bytes, expected ${expected}`, {});
  let n: number;
  let res: Uint8Array;
  try {
    if (nat) {
      // The native decoders write into a buffer of exactly `expected` bytes: longer data fails, never overruns.
      res = out ?? new Uint8Array(expected);
      n = nat.decompressInto(payload, res);
    } else {
      // ZSTD_decompress in wasm with a destination of `expected` bytes; fzstd only where wasm cannot load.
      res = m ? m.decompress(payload, { defaultHeapSize: expected }) : fzstd.decompress(payload);
      n = res.length;
      if (out && n === expected) {
        out.set(res);
        res = out;
      }
    }
  } catch (e) {
    throw new HypedError("FORMAT", `${what}: zstd payload does not decode: ${(e as Error).message}`, { segment: what }, { cause: e });
  }
  if (n !== expected) {
    throw formatErr(what, `zstd payload decoded to ${n} bytes, the tile needs ${expected}`, { decoded: n, expected });
  }
  return res;
}

/** Parsed Zstd1 header: its length in bytes and whether hi-lo byte packing is on. */
export interface Zstd1Header {
  length: number;
  hiLo: boolean;
}

/** Parse the Zstd1 header (size byte, then chunks; chunk type 1 carries the hi-lo flag in bit 0). */
export function parseZstd1Header(payload: Uint8Array, what: string): Zstd1Header {
  if (payload.length < 1) throw formatErr(what, "empty Zstd1 payload");
  const length = payload[0] as number;
  if (length < 1 || length > payload.length)
    throw formatErr(what, `Zstd1 header size ${length} is invalid for a ${payload.length}-byte payload`);
  let hiLo = false;
  let pos = 1;
  while (pos < length) {
    const type = payload[pos] as number;
    if (type === 1) {
      if (pos + 2 > length) throw formatErr(what, "Zstd1 header chunk 1 is truncated");
      hiLo = ((payload[pos + 1] as number) & 1) === 1;
      pos += 2;
    } else {
      throw formatErr(what, `Zstd1 header has unknown chunk type ${type}`, { chunk: type });
    }
  }
  return { length, hiLo };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Undo hi-lo packing: the first half of `packed` holds the low bytes of each 16-bit word, the second half the
 * high bytes. Aligned inputs take a word-at-a-time path (4 pixels per step, about twice the byte loop's speed).
 */
export function unpackHiLo(packed: Uint8Array, out: Uint8Array = new Uint8Array(packed.length)): Uint8Array {
  const half = packed.length >>> 1;
  const lo = packed.subarray(0, half);
  const hi = packed.subarray(half, half * 2);
  let done = 0;
  if (LITTLE_ENDIAN && (packed.byteOffset & 3) === 0 && (half & 3) === 0 && (out.byteOffset & 3) === 0) {
    const q = half >>> 2;
    const l32 = new Uint32Array(packed.buffer, packed.byteOffset, q);
    const h32 = new Uint32Array(packed.buffer, packed.byteOffset + half, q);
    const w = new Uint32Array(out.buffer, out.byteOffset, q * 2);
    for (let i = 0; i < q; i++) {
      const l = l32[i] as number;
      const h = h32[i] as number;
      w[2 * i] = (l & 0xff) | ((h & 0xff) << 8) | ((l & 0xff00) << 8) | ((h & 0xff00) << 16);
      w[2 * i + 1] = ((l >>> 16) & 0xff) | (((h >>> 16) & 0xff) << 8) | ((l >>> 8) & 0xff0000) | ((h >>> 24) << 24);
    }
    done = q * 4;
  }
  for (let i = done; i < half; i++) {
    out[2 * i] = lo[i] as number;
    out[2 * i + 1] = hi[i] as number;
  }
  return out;
}

/**
 * Bytes of each region of the hi-lo SIMD kernel's memory (`hilo.wat`: 8 MiB, packed region then output region,
 * never grown). 4 MiB holds a Gray16 tile of 2 megapixels (a HYPED tile, 516x709, is 0.73 MB); larger tiles
 * take the JavaScript unpack.
 * @internal
 */
export const HILO_CAPACITY = 4 << 20;

/** The hi-lo kernel's exports, and views of its two regions (valid for good: the memory never grows). @internal */
export interface HiLoKernel {
  /** Where the packed bytes go (lo half, then hi half), {@link HILO_CAPACITY} bytes at offset 0. */
  packed: Uint8Array;
  /** Where {@link HiLoKernel.unpack} writes, {@link HILO_CAPACITY} bytes at offset {@link HILO_CAPACITY}. */
  out: Uint8Array;
  /** Unpacks the first `n` bytes of `packed` (n <= HILO_CAPACITY) into the first `2 * floor(n / 2)` of `out`. */
  unpack(n: number): void;
}

let hiLoViews: HiLoKernel | undefined;
let hiLoInstance: WebAssembly.Instance | undefined;

/**
 * The hi-lo SIMD kernel (one instance per thread, through `@hyped/core/simd`), or undefined when this engine
 * cannot run it or SIMD is disabled (`setSimdEnabled(false)`): callers then use {@link unpackHiLo}.
 * @internal
 */
export function hiLoKernel(): HiLoKernel | undefined {
  const inst = simdInstance(HILO_WASM_BASE64);
  if (!inst) return undefined;
  if (inst !== hiLoInstance || !hiLoViews) {
    const ex = inst.exports as unknown as { memory: WebAssembly.Memory; unpack(pl: number, po: number, half: number): void };
    const buf = ex.memory.buffer;
    hiLoViews = {
      packed: new Uint8Array(buf, 0, HILO_CAPACITY),
      out: new Uint8Array(buf, HILO_CAPACITY, HILO_CAPACITY),
      unpack: (n) => ex.unpack(0, HILO_CAPACITY, n >>> 1),
    };
    hiLoInstance = inst;
  }
  return hiLoViews;
}

/** Apply hi-lo packing (inverse of {@link unpackHiLo}). */
export function packHiLo(raw: Uint8Array): Uint8Array {
  const half = raw.length >>> 1;
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < half; i++) {
    out[i] = raw[2 * i] as number;
    out[half + i] = raw[2 * i + 1] as number;
  }
  return out;
}

function subblockWhat(info: CziDecodeInfo): string {
  return `ZISRAWSUBBLOCK ${info.subblock} at ${info.filePosition}`;
}

/** Decoder for compression 5 (Zstd0): the payload is one zstd frame. */
export async function decodeZstd0(payload: Uint8Array, info: CziDecodeInfo): Promise<Uint8Array> {
  return zstdDecompress(payload, info.expectedBytes, subblockWhat(info), info.output);
}

/** Decoder for compression 6 (Zstd1): header, zstd frame, then hi-lo unpacking if the header says so. */
export async function decodeZstd1(payload: Uint8Array, info: CziDecodeInfo): Promise<Uint8Array> {
  const what = subblockWhat(info);
  const h = parseZstd1Header(payload, what);
  const frame = payload.subarray(h.length);
  const expected = info.expectedBytes;
  if (!h.hiLo) return zstdDecompress(frame, expected, what, info.output);
  if (info.pixelType !== "Gray16" && info.pixelType !== "Bgr48") {
    throw new HypedError("UNSUPPORTED", `${what}: hi-lo packing is defined for 16-bit pixels, not ${info.pixelType}`, {
      subblock: info.subblock,
      pixelType: info.pixelType,
    });
  }
  checkFrameHeader(frame, expected, what);
  const nat = await zstdNative();
  const m = nat ? undefined : await zstdWasm();
  // From here on no await: the packed bytes go to shared memory (the kernel's, or a scratch) and are unpacked at once.
  const out = info.output ?? new Uint8Array(expected);
  const k = nat && expected <= HILO_CAPACITY ? hiLoKernel() : undefined;
  if (k) {
    // The native decoder writes into the kernel's memory (no copy in); the kernel unpacks at ~20 GB/s, then one
    // memcpy out: together about 5x faster than the JavaScript unpack (docs/czi.md).
    decodeFrame(frame, expected, what, nat, m, k.packed.subarray(0, expected));
    k.unpack(expected);
    out.set(k.out.subarray(0, expected & ~1));
    return out;
  }
  const packed = decodeFrame(frame, expected, what, nat, m, nat ? scratchOf(expected) : undefined);
  return unpackHiLo(packed, out);
}

/**
 * Zstd1 without the final hi-lo unpacking: decodes the frame into `out` (exactly `info.expectedBytes`) and
 * returns whether the bytes there are hi-lo packed, so a caller can unpack while painting (one pass fewer).
 */
export async function decodeZstd1Packed(payload: Uint8Array, info: CziDecodeInfo, out: Uint8Array): Promise<boolean> {
  const what = subblockWhat(info);
  const h = parseZstd1Header(payload, what);
  if (h.hiLo && info.pixelType !== "Gray16" && info.pixelType !== "Bgr48") {
    throw new HypedError("UNSUPPORTED", `${what}: hi-lo packing is defined for 16-bit pixels, not ${info.pixelType}`, {
      subblock: info.subblock,
      pixelType: info.pixelType,
    });
  }
  await zstdDecompress(payload.subarray(h.length), info.expectedBytes, what, out);
  return h.hiLo;
}

/** Zstd-compress `raw` at `level` (default 1, as libCZI's writer). */
export async function zstdCompress(raw: Uint8Array, level = 1): Promise<Uint8Array> {
  const m = await zstdWasm();
  if (!m) throw new HypedError("UNSUPPORTED", "the zstd wasm module could not be loaded, so Zstd compression is unavailable", {});
  return m.compress(raw, level);
}

/** Encode a Zstd1 payload: header `03 01 01` + zstd(hi-lo packed) for 16-bit data, header `01` + zstd(raw) otherwise. */
export async function encodeZstd1(raw: Uint8Array, hiLo: boolean, level = 1): Promise<Uint8Array> {
  const body = await zstdCompress(hiLo ? packHiLo(raw) : raw, level);
  const header = hiLo ? [3, 1, 1] : [1];
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

/**
 * Zstd0 (a bare zstd frame) and Zstd1 (a small CZI header, then a zstd frame, optionally with hi-lo byte
 * packing of 16-bit samples) subblock codecs.
 *
 * Decoding uses Node's own zstd where the runtime has it (Node >= 22.15), else `@bokuweb/zstd-wasm` (the
 * reference zstd C library compiled to wasm): in our measurements the wasm build decodes 16-bit microscopy
 * tiles 4-10x faster than the pure-JS `fzstd`, which stays as the fallback where the wasm module cannot be
 * initialised (e.g. a bundler that drops the .wasm file). Encoding (for `writeCzi`) uses the wasm compressor.
 */
import { HypedError } from "@hyped/core";
import * as fzstd from "fzstd";
import { formatErr } from "../segment.js";
import type { CziDecodeInfo } from "./registry.js";

type ZstdWasm = typeof import("@bokuweb/zstd-wasm");
let wasm: Promise<ZstdWasm | undefined> | undefined;

/** Node's own zstd (`zlib.zstdDecompressSync`, Node >= 22.15 / 23.8), when the runtime has it. */
type NativeZstd = (buf: Uint8Array, options: { maxOutputLength: number }) => Uint8Array;
let native: Promise<NativeZstd | undefined> | undefined;

/**
 * The native zstd decoder of the running Node, or undefined (older Node, browsers). It is preferred over the
 * wasm build: the reference C decoder with its native Huffman loops is several times faster than wasm on
 * noisy 16-bit tiles. Set `HYPED_ZSTD=wasm` to force the wasm decoder.
 */
export function zstdNative(): Promise<NativeZstd | undefined> {
  native ??= (async () => {
    try {
      if (typeof process === "undefined" || process.env?.HYPED_ZSTD === "wasm") return undefined;
      const zlib = (await import("node:zlib")) as unknown as { zstdDecompressSync?: NativeZstd };
      return typeof zlib.zstdDecompressSync === "function" ? zlib.zstdDecompressSync : undefined;
    } catch {
      return undefined;
    }
  })();
  return native;
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

/**
 * Decompress one zstd frame that must decode to exactly `expected` bytes; FORMAT otherwise. A frame that
 * declares its content size is checked before any output is allocated; one that does not is decoded into at
 * most `expected` bytes.
 */
export async function zstdDecompress(payload: Uint8Array, expected: number, what: string): Promise<Uint8Array> {
  const declared = zstdFrameContentSize(payload);
  if (declared === null) throw formatErr(what, "payload is not a zstd frame (bad magic or truncated header)");
  if (declared !== undefined && declared !== expected) {
    throw formatErr(what, `zstd frame declares ${declared} bytes, the tile needs ${expected}`, { declared, expected });
  }
  const nat = await zstdNative();
  const m = nat ? undefined : await zstdWasm();
  let out: Uint8Array;
  try {
    // Native zstd (Node >= 22.15) with an output cap, else ZSTD_decompress in wasm with a destination of
    // `expected` bytes (fails, never overruns, if the data is longer); fzstd only where wasm cannot load.
    if (nat) out = nat(payload, { maxOutputLength: expected });
    else out = m ? m.decompress(payload, { defaultHeapSize: expected }) : fzstd.decompress(payload);
  } catch (e) {
    throw new HypedError("FORMAT", `${what}: zstd payload does not decode: ${(e as Error).message}`, { segment: what }, { cause: e });
  }
  if (out.length !== expected) {
    throw formatErr(what, `zstd payload decoded to ${out.length} bytes, the tile needs ${expected}`, { decoded: out.length, expected });
  }
  return out;
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

/** Undo hi-lo packing: the first half of `packed` holds the low bytes of each 16-bit word, the second half the high bytes. */
export function unpackHiLo(packed: Uint8Array, out = new Uint8Array(packed.length)): Uint8Array {
  const half = packed.length >>> 1;
  const lo = packed.subarray(0, half);
  const hi = packed.subarray(half, half * 2);
  if ((out.byteOffset & 1) === 0 && (packed.length & 1) === 0) {
    const w = new Uint16Array(out.buffer, out.byteOffset, half);
    for (let i = 0; i < half; i++) w[i] = (lo[i] as number) | ((hi[i] as number) << 8);
  } else {
    for (let i = 0; i < half; i++) {
      out[2 * i] = lo[i] as number;
      out[2 * i + 1] = hi[i] as number;
    }
  }
  return out;
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
  return zstdDecompress(payload, info.expectedBytes, subblockWhat(info));
}

/** Decoder for compression 6 (Zstd1): header, zstd frame, then hi-lo unpacking if the header says so. */
export async function decodeZstd1(payload: Uint8Array, info: CziDecodeInfo): Promise<Uint8Array> {
  const what = subblockWhat(info);
  const h = parseZstd1Header(payload, what);
  const raw = await zstdDecompress(payload.subarray(h.length), info.expectedBytes, what);
  if (!h.hiLo) return raw;
  if (info.pixelType !== "Gray16" && info.pixelType !== "Bgr48") {
    throw new HypedError("UNSUPPORTED", `${what}: hi-lo packing is defined for 16-bit pixels, not ${info.pixelType}`, {
      subblock: info.subblock,
      pixelType: info.pixelType,
    });
  }
  return unpackHiLo(raw);
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

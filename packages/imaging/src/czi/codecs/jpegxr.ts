/**
 * Compression 4 (JPEG XR), ZEN's default compression on many systems. Decoded by jxrlib (Microsoft's
 * reference codec) compiled to WebAssembly, from the npm package `jpegxr`, loaded lazily by a dynamic import
 * on the first JPEG XR subblock (see `jpegxr-wasm.ts`), so files without JPEG XR never load it.
 *
 * - Pixel types: Gray8, Gray16 (14-bit data too), Gray32Float, Bgr24, Bgr48 and Bgra32 (planar alpha). The
 *   container's pixel-format GUID must be the one libCZI writes for the directory's pixel type
 *   ({@link JXR_FORMAT_OF}); any other is FORMAT, never pixels of the wrong shape. Samples come out in the
 *   file's B,G,R(,A) order, as from the other decoders (Bgr48 is stored as 48bppRGB holding B,G,R, as libCZI).
 * - ZEN 3.0 wrote some subblocks labelled JPEG XR that hold raw pixels. As czifile and Bio-Formats do, a
 *   payload that does not start with the JPEG XR magic and has exactly the raw tile size is returned as is.
 * - The caller's `info.output` buffer is filled when given.
 */
import { HypedError, isHypedError } from "@hyped/core";
import { formatErr } from "../segment.js";
import { isJpegXr, JXR_FORMAT_OF, jxrFormatName, parseJxrContainer, wrapGray8Codestream } from "./jpegxr-container.js";
import { jxrPool, jxrPoolMinBytes, serveJxrJobs, serveWebJxrJobs } from "./jpegxr-pool.js";
import { jxrDecodeInto } from "./jpegxr-wasm.js";
import type { CziDecodeInfo } from "./types.js";

export { isJpegXr, JXR_FORMAT_OF } from "./jpegxr-container.js";
export { type JxrWebWorker, setJpegXrWorkers } from "./jpegxr-pool.js";

function what(info: CziDecodeInfo): string {
  return `ZISRAWSUBBLOCK ${info.subblock} at ${info.filePosition}`;
}

/**
 * Decoder for compression 4: a JPEG XR payload decoded by jxrlib (wasm), or ZEN 3.0's raw pixels labelled
 * JPEG XR. FORMAT for a stream whose pixel format or size disagrees with the directory, or that jxrlib
 * rejects; UNSUPPORTED for pixel types CZI does not store as JPEG XR and for interleaved alpha.
 *
 * On Node's main thread, tiles of 64 KiB and more are decoded by a pool of worker threads (see
 * `jpegxr-pool.ts`), so the tiles `readPlane` keeps in flight decode on every core; in browsers, by the Web
 * Workers given to {@link setJpegXrWorkers}; elsewhere, or if the workers cannot run, in this thread.
 */
export async function decodeJpegXr(payload: Uint8Array, info: CziDecodeInfo): Promise<Uint8Array> {
  if (isJpegXr(payload) && info.expectedBytes >= jxrPoolMinBytes()) {
    const pool = await jxrPool(import.meta.url);
    if (pool) {
      // Checked here too, so a bad stream fails the same way whichever thread would decode it.
      checkStream(payload, info);
      const { signal: _s, output, ...plain } = info;
      let out: Uint8Array;
      try {
        out = await pool.decode({ payload: payload.slice(), info: plain });
      } catch (e) {
        // A worker that could not start or died (IO): decode here instead. Data errors stand.
        if (isHypedError(e) && e.code !== "IO") throw e;
        return decodeJpegXrInThread(payload, info);
      }
      if (output?.length === out.length) {
        output.set(out);
        return output;
      }
      return out;
    }
  }
  return decodeJpegXrInThread(payload, info);
}

/**
 * Run this in a browser Web Worker to make it a JPEG XR decoding worker for {@link setJpegXrWorkers}: it answers
 * the page's tile jobs with this same decoder (one wasm instance per worker, made on its first tile).
 */
export function serveJpegXrWorker(): void {
  serveWebJxrJobs((payload, info) => decodeJpegXrInThread(payload, info as CziDecodeInfo));
}

/** Worker-thread entry point of the JPEG XR pool (started by its bootstrap; not for direct use). @internal */
export function runJxrWorker(): Promise<void> {
  return serveJxrJobs((payload, info) => decodeJpegXrInThread(payload, info as CziDecodeInfo));
}

/** The container checks: pixel type supported, GUID and size as the directory says. */
function checkStream(payload: Uint8Array, info: CziDecodeInfo) {
  const w = what(info);
  const want = JXR_FORMAT_OF[info.pixelType];
  if (want === undefined) {
    throw new HypedError(
      "UNSUPPORTED",
      `${w}: ${info.pixelType} is not stored as JPEG XR (supported: ${Object.keys(JXR_FORMAT_OF).join(", ")})`,
      {
        subblock: info.subblock,
        pixelType: info.pixelType,
      },
    );
  }
  const c = parseJxrContainer(payload, w);
  if (c.format !== want) {
    throw formatErr(
      w,
      `JPEG XR pixel format is ${jxrFormatName(c.format)}, the directory says ${info.pixelType} (${jxrFormatName(want)})`,
      {
        found: jxrFormatName(c.format),
        expected: jxrFormatName(want),
      },
    );
  }
  if (c.width !== info.width || c.height !== info.height)
    throw formatErr(w, `JPEG XR image is ${c.width}x${c.height}, the directory says ${info.width}x${info.height}`);
  if (info.pixelType === "Bgra32" && c.alphaOffset === undefined) {
    throw new HypedError("UNSUPPORTED", `${w}: Bgra32 JPEG XR with interleaved (not planar) alpha is not supported`, {
      subblock: info.subblock,
    });
  }
  return c;
}

/** {@link decodeJpegXr} always in the calling thread (the pool workers use it). @internal */
export async function decodeJpegXrInThread(payload: Uint8Array, info: CziDecodeInfo): Promise<Uint8Array> {
  const w = what(info);
  if (!isJpegXr(payload)) {
    if (payload.length === info.expectedBytes) return payload;
    throw formatErr(
      w,
      `payload is neither a JPEG XR stream nor a raw ${info.width}x${info.height} ${info.pixelType} tile (${payload.length} bytes)`,
    );
  }
  const c = checkStream(payload, info);
  const out = info.output?.length === info.expectedBytes ? info.output : new Uint8Array(info.expectedBytes);
  await jxrDecodeInto(payload, out, info.width, info.height, w);
  if (c.alphaOffset !== undefined && info.pixelType === "Bgra32") {
    // jxrlib decodes planar alpha only when asked; the alpha plane is a grey codestream of its own.
    const alpha = new Uint8Array(info.width * info.height);
    const plane = payload.subarray(c.alphaOffset, c.alphaOffset + (c.alphaLength as number));
    await jxrDecodeInto(wrapGray8Codestream(plane, info.width, info.height), alpha, info.width, info.height, `${w} (alpha plane)`);
    for (let i = 0; i < alpha.length; i++) out[4 * i + 3] = alpha[i] as number;
  }
  return out;
}

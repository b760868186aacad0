/**
 * The jxrlib WebAssembly module from the npm package `jpegxr` (Microsoft's reference JPEG XR codec, built
 * with emscripten; BSD-3-Clause), loaded by a dynamic import on first use and instantiated once per thread.
 *
 * We call its exported C functions directly (rather than its `decode()` helper) so the decoded pixels are
 * copied once, from the wasm heap into the caller's buffer. Two things about the emscripten glue:
 * - On Node it installs `uncaughtException` and `unhandledRejection` handlers when instantiated; we remove
 *   them again, so loading a codec never changes how the host process reports errors.
 * - After a failed decode the instance is dropped and the next decode instantiates a fresh one: C code that
 *   failed on hostile input may have left its heap corrupt, and such a heap must never serve another tile.
 */
import { HypedError } from "@hyped/core";

/** The C functions of `jpegxr`'s wasm build that we use. */
interface JxrModule {
  _malloc(n: number): number;
  _free(p: number): void;
  _image_decode_with_memory(p: number, n: number): number;
  _image_decode_width(h: number): number;
  _image_decode_height(h: number): number;
  _image_decode_copy_all(h: number, dest: number, stride: number): number;
  _image_decode_free(h: number): void;
  HEAPU8: Uint8Array;
}

type Factory = (module: object) => Promise<unknown>;

let instance: Promise<JxrModule> | undefined;
/** The last line jxrlib printed (an assertion that failed on corrupt input), for error messages. */
let lastMessage = "";
/** Instances that failed a decode (never used again). */
const broken = new WeakSet<JxrModule>();

const HOOKS = ["uncaughtException", "unhandledRejection"] as const;

async function instantiate(): Promise<JxrModule> {
  let factory: Factory;
  try {
    const mod = (await import("jpegxr")) as unknown as { default?: Factory };
    factory = (typeof mod === "function" ? mod : mod.default) as Factory;
    if (typeof factory !== "function") throw new Error("the module exports no factory");
  } catch (e) {
    throw new HypedError(
      "UNSUPPORTED",
      `JPEG XR decoding needs the npm package "jpegxr", which could not be loaded: ${(e as Error).message}`,
      {},
      { cause: e },
    );
  }
  type Listener = (...a: unknown[]) => void;
  const proc = (globalThis as { process?: { listeners?(e: string): Listener[]; removeListener(e: string, l: Listener): void } }).process;
  const before = proc?.listeners ? HOOKS.map((h) => new Set(proc.listeners?.(h))) : undefined;
  // jxrlib's assert() messages go to emscripten's printErr: keep the last one for our error message instead.
  const m = {
    print: () => {},
    printErr: (line: string) => {
      lastMessage = line;
    },
  } as unknown as JxrModule;
  try {
    await factory(m);
  } finally {
    if (proc && before) {
      HOOKS.forEach((h, i) => {
        for (const l of proc.listeners?.(h) ?? []) if (!before[i]?.has(l)) proc.removeListener(h, l);
      });
    }
  }
  return m;
}

/** The module of this thread (instantiated on first call). */
export function jxrModule(): Promise<JxrModule> {
  instance ??= instantiate().catch((e) => {
    instance = undefined;
    throw e;
  });
  return instance;
}

/** Drop this thread's instance (the next decode makes a fresh one). */
export function resetJxrModule(): void {
  instance = undefined;
}

/**
 * Decode the JPEG XR image `jxr` (a complete container) into `out`, rows of `stride` bytes, `height` rows.
 * Throws FORMAT (naming `what`) if jxrlib rejects the stream or reports another size.
 */
export async function jxrDecodeInto(jxr: Uint8Array, out: Uint8Array, width: number, height: number, what: string): Promise<void> {
  let m = await jxrModule();
  while (broken.has(m)) m = await jxrModule();
  const stride = out.length / height;
  let inPtr = 0;
  let outPtr = 0;
  let handle = 0;
  let failed = true;
  lastMessage = "";
  try {
    inPtr = m._malloc(jxr.length);
    outPtr = m._malloc(out.length);
    if (!inPtr || !outPtr) throw new HypedError("OUT_OF_RANGE", `${what}: the JPEG XR codec could not allocate ${out.length} bytes`, {});
    m.HEAPU8.set(jxr, inPtr);
    handle = m._image_decode_with_memory(inPtr, jxr.length);
    if (!handle) throw new HypedError("FORMAT", `${what}: jxrlib cannot read the JPEG XR stream`, { segment: what });
    const w = m._image_decode_width(handle);
    const h = m._image_decode_height(handle);
    if (w !== width || h !== height)
      throw new HypedError("FORMAT", `${what}: JPEG XR image is ${w}x${h}, the directory says ${width}x${height}`, { segment: what });
    if (m._image_decode_copy_all(handle, outPtr, stride) < 0)
      throw new HypedError("FORMAT", `${what}: jxrlib failed to decode the JPEG XR stream`, { segment: what });
    out.set(m.HEAPU8.subarray(outPtr, outPtr + out.length));
    failed = false;
  } catch (e) {
    if (e instanceof HypedError) throw e;
    const detail = lastMessage ? ` (${lastMessage})` : "";
    throw new HypedError(
      "FORMAT",
      `${what}: jxrlib failed on the JPEG XR stream: ${(e as Error)?.message ?? String(e)}${detail}`,
      { segment: what },
      { cause: e },
    );
  } finally {
    if (failed) {
      broken.add(m);
      resetJxrModule();
    } else {
      m._image_decode_free(handle);
      m._free(inPtr);
      m._free(outPtr);
    }
  }
}

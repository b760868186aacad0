/**
 * `@hyped/core/simd`: the one loader for the toolkit's WebAssembly SIMD-128 kernels.
 *
 * Where a kernel goes: a `.wat` file (WebAssembly text) beside the code that calls it, in the package that owns
 * it; `scripts/build-simd.ts` (repo root, wabt) compiles every `packages/*\/src/**\/*.wat` into a sibling
 * `<name>-wasm.ts` exporting the bytes as base64, and `scripts/__tests__/simd-wat.test.ts` fails when a committed
 * `-wasm.ts` is not what its `.wat` compiles to. The caller passes that base64 string here and gets the compiled
 * module ({@link simdModule}, for modules that import their memory) or a shared instance ({@link simdInstance},
 * for modules that own it). Block buffers and memory layout stay with the kernel's package.
 *
 * Both return undefined when this engine cannot run the kernel: no `WebAssembly`, no SIMD-128 (validation fails),
 * a content security policy that forbids compiling, or {@link setSimdEnabled}(false). Callers must then take a
 * plain-JavaScript path with the same results. Compiling and instantiating happen once per thread (per module),
 * on first use.
 *
 * {@link nativeMaskAbove} hands out a C kernel of the optional `@hyped/native` addon instead, for the one job where
 * copying the data into WebAssembly memory costs more than the kernel (Node only).
 */
import { nativeBoxes } from "../hdf5/direct/native.js";

let enabled = true;
const modules = new Map<string, WebAssembly.Module | null>();
const instances = new Map<string, WebAssembly.Instance | null>();

/** The bytes of a base64 string (no `Buffer`: this runs in browsers too). */
function fromBase64(base64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

function compile(base64: string): WebAssembly.Module | null {
  if (typeof WebAssembly === "undefined") return null;
  try {
    const bytes = fromBase64(base64);
    // an engine without SIMD-128 rejects the module here
    return WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    return null;
  }
}

/**
 * The compiled module whose bytes are `base64` (a generated `<name>-wasm.ts` constant), cached per thread;
 * undefined when SIMD is unavailable or disabled. Use it for modules that import their memory (instantiate them
 * yourself with a memory sized for the data).
 */
export function simdModule(base64: string): WebAssembly.Module | undefined {
  if (!enabled) return undefined;
  let mod = modules.get(base64);
  if (mod === undefined) {
    mod = compile(base64);
    modules.set(base64, mod);
  }
  return mod ?? undefined;
}

/**
 * One shared instance of the module whose bytes are `base64`, instantiated without imports on first use and
 * cached per thread (the same object on every call); undefined when SIMD is unavailable or disabled, or when
 * instantiating fails. Use it for modules that declare their own memory.
 */
export function simdInstance(base64: string): WebAssembly.Instance | undefined {
  if (!enabled) return undefined;
  let inst = instances.get(base64);
  if (inst === undefined) {
    const mod = simdModule(base64);
    try {
      inst = mod ? new WebAssembly.Instance(mod, {}) : null;
    } catch {
      inst = null;
    }
    instances.set(base64, inst);
  }
  return inst ?? undefined;
}

/**
 * Test hook, global to the thread: `false` makes {@link simdModule} and {@link simdInstance} return undefined,
 * so tests can run the JavaScript path and compare it with the SIMD one. Default true. Returns the old value.
 */
export function setSimdEnabled(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

/**
 * The foreground-mask kernel of the optional `@hyped/native` addon: `(c0, c1, n, t, out)` writes
 * `out[i] = (c0[i] > t) | (c1[i] > t)` as 0 or 1 for `i < n`, reading float64 (or float32) channels where they
 * are (a WebAssembly kernel must first copy them into its memory). `c1` may be `null`. It throws `TypeError` /
 * `RangeError` on bad arguments before touching memory (full contract: `@hyped/native`'s `index.d.cts`).
 *
 * Returns `null` when the addon is not there: in browsers, when it did not build or is not installed, with
 * `HYPED_NATIVE=0`, after `setNative(false)` from `@hyped/core/hdf5` (one switch for the whole addon), or when
 * the installed build predates this kernel. `nativeStatus()` from `@hyped/core/hdf5` says why. The addon is
 * loaded once, by the same loader as the HDF5 box reads.
 */
export function nativeMaskAbove():
  | ((c0: Float64Array | Float32Array, c1: Float64Array | Float32Array | null, n: number, t: number, out: Uint8Array) => void)
  | null {
  const b = nativeBoxes();
  return typeof b?.maskAbove === "function" ? b.maskAbove : null;
}

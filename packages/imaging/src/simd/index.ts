/**
 * The WebAssembly SIMD-128 kernels of @hyped/imaging: one module (`kernels.wat`, compiled by the repo's
 * `scripts/build-simd.ts` into `kernels-wasm.ts`), loaded through `@hyped/core/simd` (one instance per thread,
 * created on first use). This file owns the kernels' contract and their block buffers.
 *
 * Why blocks: a wasm kernel only reads its own linear memory, and our images live in ordinary ArrayBuffers.
 * Copying a whole 74 MB float64 channel in costs more than numpy's whole compare, but copying a block of
 * {@link SIMD_BLOCK} elements into a cache-sized buffer costs little more than reading it: the kernels
 * run block by block (copy in with `TypedArray.set`, which is a memmove; run; copy the output out).
 *
 * Callers must keep a plain-JavaScript path with the same results for when {@link simd} returns undefined:
 * no `WebAssembly`, no SIMD support (validation fails), a content security policy that forbids compiling, or
 * `setSimdEnabled(false)` from `@hyped/core/simd` (the test hook). Internal to the package (not exported).
 */
import { simdInstance } from "@hyped/core/simd";
import { KERNELS_WASM_BASE64 } from "./kernels-wasm.js";

/**
 * Elements per block: two float64 inputs and one byte output (544 KiB). Measured for the two-channel mask over a
 * 2826 x 3245 frame: 8k / 16k / 32k / 64k elements 7.0 / 6.6 / 6.4 / 6.7 ms; smaller blocks pay more per
 * `TypedArray.set` call (4k: 7.8 ms), larger ones no longer fit both input blocks in a 1 MiB L2 beside the
 * source lines. A multiple of 32 (the kernels' group).
 */
export const SIMD_BLOCK = 32768;

/** The kernels' exports (see `kernels.wat` for each one's contract). Offsets are bytes into `memory`. */
export interface SimdExports {
  memory: WebAssembly.Memory;
  /** `out[i] = (a[i] > t) | (b[i] > t)` for i < n, n a multiple of 32. */
  mask2(pa: number, pb: number, po: number, n: number, t: number): void;
  /** `out[i] = a[i] > t` for i < n, n a multiple of 32. */
  mask1(pa: number, po: number, n: number, t: number): void;
}

/** An instantiated kernel module and typed views of its block buffers (the memory never grows: views stay valid). */
export interface Simd {
  k: SimdExports;
  /** First float64 input block, at byte offset {@link Simd.pa}. */
  a: Float64Array;
  pa: number;
  /** Second float64 input block, at byte offset {@link Simd.pb}. */
  b: Float64Array;
  pb: number;
  /** Byte output block, at byte offset {@link Simd.po}. */
  out: Uint8Array;
  po: number;
}

/** The block views of the one shared instance (made once, beside the instance core caches). */
let views: Simd | undefined;

function blockViews(inst: WebAssembly.Instance): Simd {
  const k = inst.exports as unknown as SimdExports;
  const buf = k.memory.buffer;
  const pa = 0;
  const pb = SIMD_BLOCK * 8;
  const po = SIMD_BLOCK * 16;
  return {
    k,
    a: new Float64Array(buf, pa, SIMD_BLOCK),
    pa,
    b: new Float64Array(buf, pb, SIMD_BLOCK),
    pb,
    out: new Uint8Array(buf, po, SIMD_BLOCK),
    po,
  };
}

/** The SIMD kernels, or undefined when this engine cannot run them (callers then take their JavaScript path). */
export function simd(): Simd | undefined {
  const inst = simdInstance(KERNELS_WASM_BASE64);
  if (!inst) return undefined;
  if (views?.k !== (inst.exports as unknown as SimdExports)) views = blockViews(inst);
  return views;
}

/**
 * A dense matrix–vector product in WebAssembly SIMD (f64x2, four accumulators), for the Lanczos PCA on the
 * genes × genes covariance: there the product is compute-bound, and V8's scalar loop peaks at ≈ 0.66 ns per
 * multiply–add on the bench machine. No npm package ships a float64 SIMD kernel for this. The kernel is
 * `matvec.wat` beside this file (its contract and summation order are documented there), compiled by the repo's
 * `scripts/build-simd.ts` into `matvec-wasm.ts` and loaded through `@hyped/core/simd`; this file owns its memory
 * layout. Where WebAssembly SIMD is missing (old browsers) or switched off (`setSimdEnabled(false)`),
 * {@link wasmSymmetricOperator} returns `null` and the caller keeps its JavaScript loop.
 */
import { simdModule } from "@hyped/core/simd";
import { MATVEC_WASM_BASE64 } from "./matvec-wasm.js";

/** The bytes of the compiled `matvec.wat` (for tests that validate them). */
export function matvecModuleBytes(): Uint8Array<ArrayBuffer> {
  const bin = atob(MATVEC_WASM_BASE64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/**
 * `y = G·x` for a symmetric d × d `G` given by its lower triangle (row-major, upper part ignored), with G copied
 * once into WebAssembly memory as full rows padded to a multiple of 8 (8·d·⌈d/8⌉·8 bytes); null when WebAssembly
 * SIMD is unavailable.
 */
export function wasmSymmetricOperator(G: Float64Array, d: number): ((x: Float64Array, y: Float64Array) => void) | null {
  const mod = simdModule(MATVEC_WASM_BASE64);
  if (!mod) return null;
  const stride = Math.ceil(d / 8) * 8;
  const bytes = 8 * (stride * d + 2 * stride);
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const mv = new WebAssembly.Instance(mod, { e: { m: memory } }).exports.mv as (
    g: number,
    x: number,
    y: number,
    rows: number,
    stride: number,
  ) => void;
  const M = new Float64Array(memory.buffer, 0, stride * d);
  for (let a = 0; a < d; a++) {
    const row = a * stride;
    for (let b = 0; b <= a; b++) {
      const v = G[a * d + b] as number;
      M[row + b] = v;
      M[b * stride + a] = v;
    }
  }
  const xOff = 8 * stride * d;
  const yOff = xOff + 8 * stride;
  const X = new Float64Array(memory.buffer, xOff, stride);
  const Y = new Float64Array(memory.buffer, yOff, d);
  return (x, y) => {
    X.set(x.subarray(0, d));
    mv(0, xOff, yOff, d, stride);
    y.set(Y);
  };
}

/**
 * SSIM with a Gaussian window, WebAssembly SIMD-128 path: the same float64 operations as the JavaScript band
 * kernel (`kernel.ts`), two columns per instruction, so the same bits (see `ssim-gauss.wat`; the property test
 * `ssim-simd.test.ts` compares both paths). Loaded through `@hyped/core/simd` (one instance per thread); when it
 * is unavailable {@link ssimRowsGaussSimd} returns undefined and the caller runs the JavaScript kernel.
 *
 * Layout of the instance's memory for one band of `B` output rows (`L = B + 2R` input rows, `W` columns), each
 * region 16-byte aligned with 16 bytes of slack: the `2R + 1` weights; five padded rows of `W + 2R` float64
 * (the vertically filtered x, y, x², y², xy of the current output row); one output row; the `L` input rows of
 * x and then of y as float64. The memory starts at 16 MiB and sub-bands are sized to fit it, so it grows (detaching
 * its buffer) only for rows too wide for that; then it stays at that size. @internal
 */
import { simdInstance } from "@hyped/core/simd";
import { type RowData, reflectIndex, type SsimKernelParams } from "./band.js";
import { SSIM_GAUSS_WASM_BASE64 } from "./ssim-gauss-wasm.js";

/** The kernel's exports (contracts in `ssim-gauss.wat`). Pointers are byte offsets into `memory`. */
interface SsimGaussExports {
  memory: WebAssembly.Memory;
  vgauss(pX: number, pY: number, rowBytes: number, nBytes: number, pw: number, R: number, pP: number, ps: number): void;
  hgauss(pP: number, ps: number, pw: number, R: number, pOut: number, nBytes: number, covNorm: number, C1: number, C2: number): void;
  rowsum(p: number, n: number): number;
}

/** Bytes for `n` float64 plus 16 bytes of slack, rounded up to 16. */
function region(n: number): number {
  return ((n * 8 + 16 + 15) >> 4) << 4;
}

/**
 * {@link ssimRows} (`kernel.ts`) for a Gaussian window through the SIMD kernel; same arguments, same result
 * bits. Returns undefined when this thread cannot run WebAssembly SIMD.
 */
export function ssimRowsGaussSimd(
  x: RowData,
  y: RowData,
  rowOffset: number,
  H: number,
  W: number,
  r0: number,
  r1: number,
  p: SsimKernelParams,
  weights: Float64Array,
  map: Float64Array | null,
): number | undefined {
  const inst = simdInstance(SSIM_GAUSS_WASM_BASE64);
  if (!inst) return undefined;
  const k = inst.exports as unknown as SsimGaussExports;
  const R = p.radius;
  const pw = 0;
  const pP = pw + region(2 * R + 1);
  const ps = region(W + 2 * R);
  const pOut = pP + 5 * ps;
  const pX = pOut + region(W);
  // sub-bands as tall as the memory holds (x and y rows of W float64 each, plus slack), at least one output
  // row: the memory is 16 MiB from the start and grows only when one output row's 2R + 1 input rows do not fit
  const fit = Math.floor((k.memory.buffer.byteLength - pX - 64) / (16 * W));
  const step = Math.max(1, fit - 2 * R);
  const L = Math.min(r1 - r0, step) + 2 * R;
  const pY = pX + region(L * W);
  const end = pY + region(L * W);
  const have = k.memory.buffer.byteLength;
  if (end > have) {
    try {
      k.memory.grow(Math.ceil((end - have) / 65536));
    } catch {
      return undefined; // out of address space or memory: the JavaScript kernel needs less
    }
  }
  const f64 = new Float64Array(k.memory.buffer);
  f64.set(weights, pw >> 3);
  // source column (in the padded row) of each border entry: reflect at the left and right ends
  const left = new Int32Array(R);
  const right = new Int32Array(R);
  for (let t = 0; t < R; t++) {
    left[t] = R + reflectIndex(t - R, W);
    right[t] = R + reflectIndex(W + t, W);
  }
  const rowBytes = W * 8;
  const nBytes = ((W + 1) >> 1) * 16;
  const pad = (p.winSize - 1) >> 1;
  const out = pOut >> 3;
  let total = 0;
  for (let s0 = r0; s0 < r1; s0 += step) {
    const s1 = Math.min(r1, s0 + step);
    for (let t = 0; t < s1 - s0 + 2 * R; t++) {
      const src = reflectIndex(s0 - R + t, H) - rowOffset;
      f64.set(x.subarray(src * W, src * W + W), (pX >> 3) + t * W);
      f64.set(y.subarray(src * W, src * W + W), (pY >> 3) + t * W);
    }
    for (let li = 0; li < s1 - s0; li++) {
      k.vgauss(pX + li * rowBytes, pY + li * rowBytes, rowBytes, nBytes, pw, R, pP, ps);
      for (let ch = 0; ch < 5; ch++) {
        const base = (pP + ch * ps) >> 3;
        for (let t = 0; t < R; t++) {
          f64[base + t] = f64[base + (left[t] as number)] as number;
          f64[base + R + W + t] = f64[base + (right[t] as number)] as number;
        }
      }
      k.hgauss(pP, ps, pw, R, pOut, nBytes, p.covNorm, p.C1, p.C2);
      const r = s0 + li;
      if (map) map.set(f64.subarray(out, out + W), (r - r0) * W);
      if (r >= pad && r < H - pad) total += k.rowsum(pOut + pad * 8, W - 2 * pad);
    }
  }
  return total;
}

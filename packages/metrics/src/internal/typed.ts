/**
 * Direct kernels for the common image pairs (both inputs the same TypedArray type, read in place). They are
 * written once per type on purpose: one function per element type keeps each call site monomorphic, which
 * is what makes MSE/PSNR run at memory speed. Integer kernels are exact (block sums stay below 2^53).
 */
import { CHUNK, type FlatInput } from "./input.js";
import { CompensatedSum } from "./sum.js";

const BLOCK = CHUNK; // the same blocks as the generic chunked kernels

function u8(a: Uint8Array, b: Uint8Array, abs: boolean, acc: CompensatedSum): void {
  const n = a.length;
  for (let s = 0; s < n; s += BLOCK) {
    const e = Math.min(n, s + BLOCK);
    let t = 0;
    if (abs) for (let i = s; i < e; i++) t += Math.abs((a[i] as number) - (b[i] as number));
    else
      for (let i = s; i < e; i++) {
        const d = (a[i] as number) - (b[i] as number);
        t += d * d;
      }
    acc.add(t);
  }
}

function u16(a: Uint16Array, b: Uint16Array, abs: boolean, acc: CompensatedSum): void {
  const n = a.length;
  for (let s = 0; s < n; s += BLOCK) {
    const e = Math.min(n, s + BLOCK);
    let t = 0;
    if (abs) for (let i = s; i < e; i++) t += Math.abs((a[i] as number) - (b[i] as number));
    else
      for (let i = s; i < e; i++) {
        const d = (a[i] as number) - (b[i] as number);
        t += d * d;
      }
    acc.add(t);
  }
}

/** Same summation order as `sumSqDiff`/`sumAbsDiff` over float64 chunks, so results are bit-identical. */
function f32(a: Float32Array, b: Float32Array, abs: boolean, acc: CompensatedSum): void {
  const n = a.length;
  for (let s = 0; s < n; s += BLOCK) {
    const e = Math.min(n, s + BLOCK);
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    let t3 = 0;
    let i = s;
    if (abs) {
      for (; i + 4 <= e; i += 4) {
        t0 += Math.abs((a[i] as number) - (b[i] as number));
        t1 += Math.abs((a[i + 1] as number) - (b[i + 1] as number));
        t2 += Math.abs((a[i + 2] as number) - (b[i + 2] as number));
        t3 += Math.abs((a[i + 3] as number) - (b[i + 3] as number));
      }
      for (; i < e; i++) t0 += Math.abs((a[i] as number) - (b[i] as number));
    } else {
      for (; i + 4 <= e; i += 4) {
        const d0 = (a[i] as number) - (b[i] as number);
        const d1 = (a[i + 1] as number) - (b[i + 1] as number);
        const d2 = (a[i + 2] as number) - (b[i + 2] as number);
        const d3 = (a[i + 3] as number) - (b[i + 3] as number);
        t0 += d0 * d0;
        t1 += d1 * d1;
        t2 += d2 * d2;
        t3 += d3 * d3;
      }
      for (; i < e; i++) {
        const d = (a[i] as number) - (b[i] as number);
        t0 += d * d;
      }
    }
    acc.add(t0 + t1 + (t2 + t3));
  }
}

/**
 * Σ (a−b)² (or Σ |a−b| with `abs`) read in place when both inputs are uint8, uint16 or float32 TypedArrays
 * of the same type; `undefined` when no direct kernel applies.
 */
export function directDiffSum(fa: FlatInput, fb: FlatInput, abs: boolean): number | undefined {
  const a = fa.typed;
  const b = fb.typed;
  if (!a || !b || a.constructor !== b.constructor) return undefined;
  const acc = new CompensatedSum();
  if (a instanceof Uint8Array) u8(a, b as Uint8Array, abs, acc);
  else if (a instanceof Uint16Array) u16(a, b as Uint16Array, abs, acc);
  else if (a instanceof Float32Array) f32(a, b as Float32Array, abs, acc);
  else return undefined;
  return acc.value();
}

/** Test images shared with scripts/make_filters_reference.py: integer discs + MINSTD-LCG noise. */
import { type AnyNdArray, fromTyped, markBool } from "@hyped/core";

const M = 2147483647;

/** MINSTD LCG (exact in float64: the product stays below 2^53). */
export class Lcg {
  constructor(public s: number) {}
  next(): number {
    this.s = (this.s * 48271) % M;
    return this.s;
  }
}

/** Same formula as `synth()` in the Python generator. Returns float64 integers, row-major. */
export function synth(
  rows: number,
  cols: number,
  nblobs: number,
  rmax: number,
  amp: number,
  base: number,
  noise: number,
  seed: number,
): Float64Array {
  const g = new Lcg(seed);
  const img = new Float64Array(rows * cols).fill(base);
  for (let k = 0; k < nblobs; k++) {
    const cy = g.next() % rows;
    const cx = g.next() % cols;
    const r = 2 + (g.next() % rmax);
    const a = Math.floor(amp / 2) + (g.next() % amp);
    for (let y = Math.max(cy - r, 0); y < Math.min(cy + r + 1, rows); y++)
      for (let x = Math.max(cx - r, 0); x < Math.min(cx + r + 1, cols); x++)
        if ((y - cy) ** 2 + (x - cx) ** 2 <= r * r) img[y * cols + x] = img[y * cols + x]! + a;
  }
  if (noise > 0) {
    let s = g.s;
    for (let i = 0; i < img.length; i++) {
      s = (s * 48271) % M;
      img[i] = img[i]! + (s % noise);
    }
  }
  return img;
}

const clip = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

/** Cast as the generator's `cast()`. */
export function castImage(img: Float64Array, rows: number, cols: number, dtype: string): AnyNdArray {
  const n = img.length;
  switch (dtype) {
    case "uint8":
      return fromTyped(
        Uint8Array.from(img, (v) => clip(v, 0, 255)),
        [rows, cols],
      ) as AnyNdArray;
    case "uint16":
      return fromTyped(
        Uint16Array.from(img, (v) => clip(v, 0, 65535)),
        [rows, cols],
      ) as AnyNdArray;
    case "int16":
      return fromTyped(
        Int16Array.from(img, (v) => clip(v - 2000, -32768, 32767)),
        [rows, cols],
      ) as AnyNdArray;
    case "float32":
      return fromTyped(
        Float32Array.from(img, (v) => v / 4096),
        [rows, cols],
      ) as AnyNdArray;
    case "float64":
      return fromTyped(
        Float64Array.from(img, (v) => v / 1000),
        [rows, cols],
      ) as AnyNdArray;
    case "bool": {
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = img[i]! > 0 ? 1 : 0;
      return markBool(fromTyped(b, [rows, cols])) as AnyNdArray;
    }
  }
  throw new Error(`dtype ${dtype}`);
}

/** LCG-chosen flat positions, as `sample_positions()` in the generator. */
export function samplePositions(n: number, size: number, seed = 777): number[] {
  const g = new Lcg(seed);
  return Array.from({ length: n }, () => g.next() % size);
}

/** Relabel in raster order of first appearance (0 stays 0). */
export function canon(lab: ArrayLike<number>): Int32Array {
  const map = new Map<number, number>();
  const out = new Int32Array(lab.length);
  for (let i = 0; i < lab.length; i++) {
    const v = lab[i]!;
    if (v === 0) continue;
    let k = map.get(v);
    if (k === undefined) {
      k = map.size + 1;
      map.set(v, k);
    }
    out[i] = k;
  }
  return out;
}

/** Label digest as `label_digest()` in the generator. */
export function labelDigest(lab: ArrayLike<number>): { count: number; nonzero: number; sum997: number; sum1009: number; sumsq: number } {
  const c = canon(lab);
  let count = 0;
  let nonzero = 0;
  let s1 = 0;
  let s2 = 0;
  let sq = 0;
  for (let i = 0; i < c.length; i++) {
    const v = c[i]!;
    if (v > count) count = v;
    if (v) nonzero++;
    s1 += v * (i % 997);
    s2 += v * (i % 1009);
    sq += v * v;
  }
  return { count, nonzero, sum997: s1, sum1009: s2, sumsq: sq };
}

/** Flatten a nested JSON list. */
export function flatList(a: unknown): number[] {
  return (a as unknown[]).flat(Number.POSITIVE_INFINITY) as number[];
}

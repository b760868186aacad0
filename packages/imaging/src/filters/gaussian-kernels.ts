/**
 * The unrolled inner loops of `gaussianFilter` (internal): radius 8 and radius 4 (sigma 2 and 1 at truncate 4),
 * two outputs per iteration so that the taps they share are loaded once. Every output is summed in scipy's
 * `correlate1d` order for a symmetric kernel: the centre tap times its weight, then `(left + right) * weight`
 * for the pairs from the outermost inwards, in float64. Written out by hand (one line per tap pair) because V8
 * keeps the weights and offsets in registers only when they are named locals.
 */

/** One axis-1 output pixel `x` of a padded line (`line[x + r]` is pixel x), in scipy's order, any radius. */
export function rowPixel(line: Float64Array, x: number, w: Float64Array): number {
  const r = (w.length - 1) >> 1;
  const c = x + r;
  let s = line[c]! * w[r]!;
  for (let j = r; j >= 1; j--) s += (line[c - j]! + line[c + j]!) * w[r - j]!;
  return s;
}

/** Axis 0 (`colPass2` in gaussian.ts) for a radius-8 kernel: the 18 source rows of two output rows, each read once per column. */
export function col8x2(
  buf: Float64Array,
  tap: Int32Array,
  w: Float64Array,
  line0: Float64Array,
  line1: Float64Array,
  at: number,
  cols: number,
): void {
  const w8 = w[0]!;
  const w7 = w[1]!;
  const w6 = w[2]!;
  const w5 = w[3]!;
  const w4 = w[4]!;
  const w3 = w[5]!;
  const w2 = w[6]!;
  const w1 = w[7]!;
  const w0 = w[8]!;
  const o0 = tap[0]!;
  const o1 = tap[1]!;
  const o2 = tap[2]!;
  const o3 = tap[3]!;
  const o4 = tap[4]!;
  const o5 = tap[5]!;
  const o6 = tap[6]!;
  const o7 = tap[7]!;
  const o8 = tap[8]!;
  const o9 = tap[9]!;
  const o10 = tap[10]!;
  const o11 = tap[11]!;
  const o12 = tap[12]!;
  const o13 = tap[13]!;
  const o14 = tap[14]!;
  const o15 = tap[15]!;
  const o16 = tap[16]!;
  const o17 = tap[17]!;
  for (let x = 0; x < cols; x++) {
    const v8 = buf[o8 + x]!;
    const v9 = buf[o9 + x]!;
    let s0 = v8 * w0;
    let s1 = v9 * w0;
    const v0 = buf[o0 + x]!;
    const v16 = buf[o16 + x]!;
    const v1 = buf[o1 + x]!;
    const v17 = buf[o17 + x]!;
    s0 += (v0 + v16) * w8;
    s1 += (v1 + v17) * w8;
    const v15 = buf[o15 + x]!;
    const v2 = buf[o2 + x]!;
    s0 += (v1 + v15) * w7;
    s1 += (v2 + v16) * w7;
    const v14 = buf[o14 + x]!;
    const v3 = buf[o3 + x]!;
    s0 += (v2 + v14) * w6;
    s1 += (v3 + v15) * w6;
    const v13 = buf[o13 + x]!;
    const v4 = buf[o4 + x]!;
    s0 += (v3 + v13) * w5;
    s1 += (v4 + v14) * w5;
    const v12 = buf[o12 + x]!;
    const v5 = buf[o5 + x]!;
    s0 += (v4 + v12) * w4;
    s1 += (v5 + v13) * w4;
    const v11 = buf[o11 + x]!;
    const v6 = buf[o6 + x]!;
    s0 += (v5 + v11) * w3;
    s1 += (v6 + v12) * w3;
    const v10 = buf[o10 + x]!;
    const v7 = buf[o7 + x]!;
    s0 += (v6 + v10) * w2;
    s1 += (v7 + v11) * w2;
    s0 += (v7 + v9) * w1;
    s1 += (v8 + v10) * w1;
    line0[at + x] = s0;
    line1[at + x] = s1;
  }
}

/** Axis 0 (`colPass2` in gaussian.ts) for a radius-4 kernel: the 10 source rows of two output rows, each read once per column. */
export function col4x2(
  buf: Float64Array,
  tap: Int32Array,
  w: Float64Array,
  line0: Float64Array,
  line1: Float64Array,
  at: number,
  cols: number,
): void {
  const w4 = w[0]!;
  const w3 = w[1]!;
  const w2 = w[2]!;
  const w1 = w[3]!;
  const w0 = w[4]!;
  const o0 = tap[0]!;
  const o1 = tap[1]!;
  const o2 = tap[2]!;
  const o3 = tap[3]!;
  const o4 = tap[4]!;
  const o5 = tap[5]!;
  const o6 = tap[6]!;
  const o7 = tap[7]!;
  const o8 = tap[8]!;
  const o9 = tap[9]!;
  for (let x = 0; x < cols; x++) {
    const v4 = buf[o4 + x]!;
    const v5 = buf[o5 + x]!;
    let s0 = v4 * w0;
    let s1 = v5 * w0;
    const v0 = buf[o0 + x]!;
    const v8 = buf[o8 + x]!;
    const v1 = buf[o1 + x]!;
    const v9 = buf[o9 + x]!;
    s0 += (v0 + v8) * w4;
    s1 += (v1 + v9) * w4;
    const v7 = buf[o7 + x]!;
    const v2 = buf[o2 + x]!;
    s0 += (v1 + v7) * w3;
    s1 += (v2 + v8) * w3;
    const v6 = buf[o6 + x]!;
    const v3 = buf[o3 + x]!;
    s0 += (v2 + v6) * w2;
    s1 += (v3 + v7) * w2;
    s0 += (v3 + v5) * w1;
    s1 += (v4 + v6) * w1;
    line0[at + x] = s0;
    line1[at + x] = s1;
  }
}

/** Axis 1 (`rowPass` in gaussian.ts) for a radius-8 kernel, two output pixels per iteration (their 18 taps read once). */
export function row8x2(line: Float64Array, dst: Float64Array, base: number, cols: number, w: Float64Array): void {
  const w8 = w[0]!;
  const w7 = w[1]!;
  const w6 = w[2]!;
  const w5 = w[3]!;
  const w4 = w[4]!;
  const w3 = w[5]!;
  const w2 = w[6]!;
  const w1 = w[7]!;
  const w0 = w[8]!;
  let x = 0;
  for (; x < cols - 1; x += 2) {
    const v8 = line[x + 8]!;
    const v9 = line[x + 9]!;
    let s0 = v8 * w0;
    let s1 = v9 * w0;
    const v0 = line[x]!;
    const v16 = line[x + 16]!;
    const v1 = line[x + 1]!;
    const v17 = line[x + 17]!;
    s0 += (v0 + v16) * w8;
    s1 += (v1 + v17) * w8;
    const v15 = line[x + 15]!;
    const v2 = line[x + 2]!;
    s0 += (v1 + v15) * w7;
    s1 += (v2 + v16) * w7;
    const v14 = line[x + 14]!;
    const v3 = line[x + 3]!;
    s0 += (v2 + v14) * w6;
    s1 += (v3 + v15) * w6;
    const v13 = line[x + 13]!;
    const v4 = line[x + 4]!;
    s0 += (v3 + v13) * w5;
    s1 += (v4 + v14) * w5;
    const v12 = line[x + 12]!;
    const v5 = line[x + 5]!;
    s0 += (v4 + v12) * w4;
    s1 += (v5 + v13) * w4;
    const v11 = line[x + 11]!;
    const v6 = line[x + 6]!;
    s0 += (v5 + v11) * w3;
    s1 += (v6 + v12) * w3;
    const v10 = line[x + 10]!;
    const v7 = line[x + 7]!;
    s0 += (v6 + v10) * w2;
    s1 += (v7 + v11) * w2;
    s0 += (v7 + v9) * w1;
    s1 += (v8 + v10) * w1;
    dst[base + x] = s0;
    dst[base + x + 1] = s1;
  }
  if (x < cols) dst[base + x] = rowPixel(line, x, w);
}

/** Axis 1 (`rowPass` in gaussian.ts) for a radius-4 kernel, two output pixels per iteration (their 10 taps read once). */
export function row4x2(line: Float64Array, dst: Float64Array, base: number, cols: number, w: Float64Array): void {
  const w4 = w[0]!;
  const w3 = w[1]!;
  const w2 = w[2]!;
  const w1 = w[3]!;
  const w0 = w[4]!;
  let x = 0;
  for (; x < cols - 1; x += 2) {
    const v4 = line[x + 4]!;
    const v5 = line[x + 5]!;
    let s0 = v4 * w0;
    let s1 = v5 * w0;
    const v0 = line[x]!;
    const v8 = line[x + 8]!;
    const v1 = line[x + 1]!;
    const v9 = line[x + 9]!;
    s0 += (v0 + v8) * w4;
    s1 += (v1 + v9) * w4;
    const v7 = line[x + 7]!;
    const v2 = line[x + 2]!;
    s0 += (v1 + v7) * w3;
    s1 += (v2 + v8) * w3;
    const v6 = line[x + 6]!;
    const v3 = line[x + 3]!;
    s0 += (v2 + v6) * w2;
    s1 += (v3 + v7) * w2;
    s0 += (v3 + v5) * w1;
    s1 += (v4 + v6) * w1;
    dst[base + x] = s0;
    dst[base + x + 1] = s1;
  }
  if (x < cols) dst[base + x] = rowPixel(line, x, w);
}

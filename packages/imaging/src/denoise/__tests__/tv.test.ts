import { type AnyNdArray, fromTyped, throwIfAborted } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { checkNumber, type Image2D } from "../../filters/image.js";
import { asFloat } from "../float.js";
import { type TvOptions, tvChambolle } from "../tv.js";

// The TV denoiser as it was before its passes were fused (one array per intermediate, one pass per numpy
// statement of scikit-image's _denoise_tv_chambolle_nd): the fused version must give the same bits.
function tvUnfused(image: Image2D, options: TvOptions = {}): AnyNdArray {
  const weight = checkNumber(options.weight ?? 0.1, "weight", { min: 0 });
  const eps = checkNumber(options.eps ?? 2e-4, "eps", { min: 0 });
  const maxIter = checkNumber(options.maxIter ?? 200, "maxIter", { min: 1, integer: true });
  const img = asFloat(image);
  const { rows, cols } = img;
  const n = rows * cols;
  const F = img.floatType === "float32" ? Float32Array : Float64Array;
  const im = new F(img.data);
  const p0 = new F(n);
  const p1 = new F(n);
  const g0 = new F(n);
  const g1 = new F(n);
  const d = new F(n);
  const out = new F(n);
  const tau = 1 / 4;
  let eInit = 0;
  let ePrev = 0;
  for (let it = 0; it < maxIter; it++) {
    if ((it & 7) === 0) throwIfAborted(options.signal, "TV denoising");
    let e = 0;
    if (it > 0) {
      // d = -div p: d = -(p0 + p1); d[1:, :] += p0[:-1, :]; d[:, 1:] += p1[:, :-1]
      for (let i = 0; i < n; i++) d[i] = -((p0[i] as number) + (p1[i] as number));
      for (let r = 1; r < rows; r++)
        for (let c = 0; c < cols; c++) d[r * cols + c] = (d[r * cols + c] as number) + (p0[(r - 1) * cols + c] as number);
      for (let r = 0; r < rows; r++)
        for (let c = 1; c < cols; c++) d[r * cols + c] = (d[r * cols + c] as number) + (p1[r * cols + c - 1] as number);
      for (let i = 0; i < n; i++) {
        out[i] = (im[i] as number) + (d[i] as number);
        e += (d[i] as number) * (d[i] as number);
      }
    } else {
      out.set(im);
    }
    // forward differences (last row/column zero)
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const i = r * cols + c;
        g0[i] = r < rows - 1 ? (out[i + cols] as number) - (out[i] as number) : 0;
        g1[i] = c < cols - 1 ? (out[i + 1] as number) - (out[i] as number) : 0;
      }
    }
    let normSum = 0;
    for (let i = 0; i < n; i++) {
      const a = g0[i] as number;
      const b = g1[i] as number;
      const norm = Math.sqrt(a * a + b * b);
      normSum += norm;
      const den = 1 + (tau / weight) * norm;
      p0[i] = ((p0[i] as number) - tau * a) / den;
      p1[i] = ((p1[i] as number) - tau * b) / den;
    }
    e = (e + weight * normSum) / n;
    if (it === 0) {
      eInit = e;
      ePrev = e;
    } else {
      if (Math.abs(ePrev - e) < eps * eInit) break;
      ePrev = e;
    }
  }
  return fromTyped(out, [rows, cols]) as unknown as AnyNdArray;
}

describe("tvChambolle (fused passes) equals the unfused algorithm bit for bit", () => {
  const rows = 37;
  const cols = 23;
  const base = (i: number) => 500 + ((i * 2654435761) % 4000) + 300 * Math.sin(i / 17);
  it("float64 from uint16, float32 stays float32, several weights", () => {
    const u16 = Uint16Array.from({ length: rows * cols }, (_, i) => base(i));
    const f32 = Float32Array.from({ length: rows * cols }, (_, i) => base(i) / 5000);
    for (const input of [u16, f32]) {
      for (const weight of [0.02, 0.1, 0.5]) {
        const a = fromTyped(input as never, [rows, cols]) as unknown as AnyNdArray;
        const got = tvChambolle(a, { weight });
        const want = tvUnfused(a, { weight });
        expect(got.dtype).toBe(want.dtype);
        expect(Array.from(got.data as ArrayLike<number>)).toEqual(Array.from(want.data as ArrayLike<number>));
      }
    }
  });
  it("one row, one column, 1 x 1", () => {
    for (const [r, c] of [
      [1, 9],
      [9, 1],
      [1, 1],
    ] as const) {
      const a = fromTyped(
        Float64Array.from({ length: r * c }, (_, i) => base(i) / 5000),
        [r, c],
      ) as unknown as AnyNdArray;
      expect(Array.from(tvChambolle(a).data as ArrayLike<number>)).toEqual(Array.from(tvUnfused(a).data as ArrayLike<number>));
    }
  });
});

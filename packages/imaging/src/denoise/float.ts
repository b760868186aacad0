/** Conversions between image dtypes and floating point, as `skimage.util.img_as_float`. */
import { type DType, HypedError } from "@hyped/core";
import { flat2D, type Image2D, integerRange } from "../filters/image.js";

/** A 2-D image as float64 values plus what is needed to convert back. */
export interface FloatImage {
  data: Float64Array;
  rows: number;
  cols: number;
  /** The input dtype. */
  dtype: DType;
  /** The float dtype skimage would compute and return in: float32 for float32 input, else float64. */
  floatType: "float32" | "float64";
}

/**
 * `img_as_float` semantics: unsigned integers scale to [0, 1] by the dtype maximum, signed to [−1, 1]
 * (`max(x / max, −1)`), floats are kept (float32 stays float32). With `preserveRange`, values are not scaled.
 */
export function asFloat(image: Image2D, preserveRange = false, what = "image"): FloatImage {
  const f = flat2D(image, what);
  const n = f.rows * f.cols;
  const data = new Float64Array(n);
  const range = integerRange(f.dtype);
  if (range && !preserveRange && f.dtype !== "bool") {
    const max = range[1];
    const signed = range[0] < 0;
    for (let i = 0; i < n; i++) {
      const v = (f.data[i] as number) / max;
      data[i] = signed && v < -1 ? -1 : v;
    }
  } else {
    for (let i = 0; i < n; i++) data[i] = f.data[i] as number;
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(data[i] as number))
      throw new HypedError("INVALID_ARGUMENT", `${what} has a non-finite value at index ${i}`, { index: i });
  }
  return { data, rows: f.rows, cols: f.cols, dtype: f.dtype, floatType: f.dtype === "float32" ? "float32" : "float64" };
}

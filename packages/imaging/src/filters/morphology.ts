/**
 * Binary morphology the segmentation pipeline needs, matching `scipy.ndimage.binary_erosion`,
 * `binary_dilation`, `binary_opening`, `binary_fill_holes` (scipy 1.10) and
 * `skimage.morphology.remove_small_objects` (0.19.3).
 */
import { fromTyped, HypedError, type NdArray } from "@hyped/core";
import { boolImage, checkNumber, flat2D, flatMask, type Image2D } from "./image.js";
import { labelFlat } from "./label.js";

/** A structuring element: 1 = cross (4-neighbours), 2 = 3x3 square, or a 2-D 0/1 ndarray with odd sides. */
export type Structure = 1 | 2 | Image2D;

/** Options of the binary operators. */
export interface BinaryMorphologyOptions {
  /** Structuring element. Default 1 (scipy's `generate_binary_structure(2, 1)`, a cross). */
  structure?: Structure;
  /** Repeat the operation this many times. Default 1. */
  iterations?: number;
  /**
   * Value assumed outside the image. Default 0 (scipy). `skimage.morphology.binary_erosion` assumes 1
   * (nothing erodes from the border); pass 1 to reproduce it.
   */
  borderValue?: 0 | 1;
}

function offsetsOf(structure: Structure | undefined): number[] {
  const s = structure ?? 1;
  if (s === 1) return [-1, 0, 0, -1, 0, 0, 0, 1, 1, 0];
  if (s === 2) {
    const o: number[] = [];
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) o.push(dy, dx);
    return o;
  }
  const m = flatMask(s, "structure");
  if (m.rows % 2 === 0 || m.cols % 2 === 0) {
    throw new HypedError("UNSUPPORTED", `structuring element of even size [${m.rows},${m.cols}]`, { shape: [m.rows, m.cols] });
  }
  const o: number[] = [];
  const cy = m.rows >> 1;
  const cx = m.cols >> 1;
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) if (m.data[i * m.cols + j]) o.push(i - cy, j - cx);
  return o;
}

/** One erosion (`erode`) or dilation pass over a flat 0/1 mask with the given offsets. */
function morphPass(src: Uint8Array, rows: number, cols: number, offs: number[], erode: boolean, border: number): Uint8Array {
  const out = new Uint8Array(rows * cols);
  const k = offs.length;
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++) {
      let r = erode ? 1 : 0;
      for (let t = 0; t < k; t += 2) {
        // dilation uses the reflected element
        const yy = erode ? y + offs[t]! : y - offs[t]!;
        const xx = erode ? x + offs[t + 1]! : x - offs[t + 1]!;
        const v = yy < 0 || yy >= rows || xx < 0 || xx >= cols ? border : src[yy * cols + xx]!;
        if (erode ? v === 0 : v !== 0) {
          r = erode ? 0 : 1;
          break;
        }
      }
      out[y * cols + x] = r;
    }
  return out;
}

function run(mask: Image2D, options: BinaryMorphologyOptions, ops: boolean[]): NdArray<"bool"> {
  const m = flatMask(mask);
  const offs = offsetsOf(options.structure);
  const it = checkNumber(options.iterations ?? 1, "iterations", { min: 1, integer: true });
  const border = options.borderValue ?? 0;
  let cur = m.data;
  for (const erode of ops) for (let i = 0; i < it; i++) cur = morphPass(cur, m.rows, m.cols, offs, erode, border);
  return boolImage(cur === m.data ? cur.slice() : cur, m.rows, m.cols);
}

/** Binary erosion, as `scipy.ndimage.binary_erosion(mask, structure, iterations, border_value=0)`. Returns bool. */
export function binaryErosion(mask: Image2D, options: BinaryMorphologyOptions = {}): NdArray<"bool"> {
  return run(mask, options, [true]);
}

/** Binary dilation, as `scipy.ndimage.binary_dilation(mask, structure, iterations, border_value=0)`. Returns bool. */
export function binaryDilation(mask: Image2D, options: BinaryMorphologyOptions = {}): NdArray<"bool"> {
  return run(mask, options, [false]);
}

/**
 * Binary opening (erosion then dilation, each `iterations` times), as `scipy.ndimage.binary_opening`.
 * Returns bool.
 */
export function binaryOpening(mask: Image2D, options: BinaryMorphologyOptions = {}): NdArray<"bool"> {
  return run(mask, options, [true, false]);
}

/** Opening on a flat 0/1 mask with a cross (connectivity 1) or square (2), border 0. Internal helper. */
export function binaryOpeningFlat(mask: Uint8Array, rows: number, cols: number, connectivity: 1 | 2): Uint8Array {
  const offs = offsetsOf(connectivity);
  return morphPass(morphPass(mask, rows, cols, offs, true, 0), rows, cols, offs, false, 0);
}

/** Options of {@link removeSmallObjects}. */
export interface RemoveSmallOptions {
  /** Objects with fewer pixels than this are removed. Default 64. */
  minSize?: number;
  /** Connectivity used to find the objects of a binary mask: 1 (default) or 2. */
  connectivity?: 1 | 2;
}

/**
 * Remove objects smaller than `minSize` pixels, as `skimage.morphology.remove_small_objects(ar, min_size=64,
 * connectivity=1)`: a bool mask is split into connected components; an integer image is taken as labels
 * (each value one object). Returns the same kind: bool for a bool/0-1 mask, int32 labels otherwise.
 */
export function removeSmallObjects(image: Image2D, options: RemoveSmallOptions = {}): NdArray<"bool"> | NdArray<"int32"> {
  const minSize = checkNumber(options.minSize ?? 64, "minSize", { min: 0 });
  const conn = options.connectivity ?? 1;
  const f = flat2D(image);
  const n = f.data.length;
  const isBool = f.dtype === "bool";
  let labels: ArrayLike<number>;
  let count: number;
  if (isBool) {
    const r = labelFlat(f.data, f.rows, f.cols, conn, 0);
    labels = r.labels;
    count = r.count;
  } else {
    labels = f.data;
    count = 0;
    for (let i = 0; i < n; i++) {
      const v = labels[i]!;
      if (!Number.isInteger(v) || v < 0)
        throw new HypedError("INVALID_ARGUMENT", `labels must be non-negative integers, found ${v}`, { index: i });
      if (v > count) count = v;
    }
  }
  const size = new Float64Array(count + 1);
  for (let i = 0; i < n; i++) {
    const j = labels[i]!;
    size[j] = size[j]! + 1;
  }
  if (isBool) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const l = labels[i]!;
      out[i] = l !== 0 && size[l]! >= minSize ? 1 : 0;
    }
    return boolImage(out, f.rows, f.cols);
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    out[i] = l !== 0 && size[l]! >= minSize ? l : 0;
  }
  return fromTyped(out, [f.rows, f.cols]) as NdArray<"int32">;
}

/** Options of {@link fillHoles}. */
export interface FillHolesOptions {
  /** Connectivity of the background that reaches the border: 1 (default, scipy's cross) or 2. */
  connectivity?: 1 | 2;
}

/**
 * Fill holes, as `scipy.ndimage.binary_fill_holes(mask)`: background pixels not connected to the image
 * border (through `connectivity`-neighbours) become foreground. Returns bool.
 */
export function fillHoles(mask: Image2D, options: FillHolesOptions = {}): NdArray<"bool"> {
  const m = flatMask(mask);
  return boolImage(fillHolesFlat(m.data, m.rows, m.cols, options.connectivity ?? 1), m.rows, m.cols);
}

/** {@link fillHoles} on a flat 0/1 mask. */
export function fillHolesFlat(mask: Uint8Array, rows: number, cols: number, connectivity: 1 | 2 = 1): Uint8Array {
  const n = rows * cols;
  const out = new Uint8Array(n).fill(1);
  const stack = new Int32Array(n);
  let sp = 0;
  const seed = (i: number) => {
    if (mask[i] === 0 && out[i] === 1) {
      out[i] = 0;
      stack[sp++] = i;
    }
  };
  for (let x = 0; x < cols; x++) {
    seed(x);
    seed((rows - 1) * cols + x);
  }
  for (let y = 0; y < rows; y++) {
    seed(y * cols);
    seed(y * cols + cols - 1);
  }
  while (sp > 0) {
    const i = stack[--sp]!;
    const y = Math.floor(i / cols);
    const x = i - y * cols;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        if ((dy === 0 && dx === 0) || (connectivity === 1 && dy !== 0 && dx !== 0)) continue;
        const yy = y + dy;
        const xx = x + dx;
        if (yy < 0 || yy >= rows || xx < 0 || xx >= cols) continue;
        seed(yy * cols + xx);
      }
  }
  return out;
}

/** Marker-based watershed, matching `skimage.segmentation.watershed` (0.19.3). */
import { fromTyped, HypedError, type NdArray } from "@hyped/core";
import { flat2D, flatMask, type Image2D, sameShape } from "./image.js";

/** Options of {@link watershed}. */
export interface WatershedOptions {
  /** Only pixels where the mask is non-zero are labelled. Default: the whole image. */
  mask?: Image2D;
  /** 1 = 4-neighbours, 2 = 8-neighbours. Default 1. */
  connectivity?: 1 | 2;
  /** Compact watershed: adds `compactness * distance to the marker` to each pixel's priority. Default 0. */
  compactness?: number;
  /** Leave a one-pixel line of 0 between regions. Default false. */
  watershedLine?: boolean;
  /**
   * Priority of a pixel in the flood:
   * - `'pixel'` (default): its own value (scikit-image ≤ 0.24 and again from 0.25.2; markers enter at their
   *   own value);
   * - `'pathMax'`: the largest value on the path from its marker (markers enter at -∞), the rule of
   *   scikit-image 0.25.0–0.25.1 (PR #7071, reverted in 0.25.2 by #7702). Markers placed on slopes then
   *   flood downhill first.
   */
  costRule?: "pixel" | "pathMax";
}

/**
 * Flood `image` from `markers` (non-zero integers) in priority order: a binary heap ordered by (value, age),
 * with age the push counter, so equal values are served first-in first-out, and the same heap discipline as
 * scikit-image's Cython code (sift-up on push, move-last-to-root and sift-down on pop). Neighbours are visited
 * in scikit-image's order (sorted by distance: up, left, right, down, then the diagonals). Without compactness
 * or lines, a pixel takes its label when first pushed. Markers outside the mask are dropped.
 *
 * Returns int32 labels (0 = unlabelled/outside the mask or on a watershed line).
 */
export function watershed(image: Image2D, markers: Image2D, options: WatershedOptions = {}): NdArray<"int32"> {
  const img = flat2D(image, "image");
  const mk = flat2D(markers, "markers");
  sameShape(img, mk, "watershed markers");
  let mask: Uint8Array | undefined;
  if (options.mask !== undefined) {
    const m = flatMask(options.mask, "mask");
    sameShape(img, m, "watershed mask");
    mask = m.data;
  }
  const conn = options.connectivity ?? 1;
  if (conn !== 1 && conn !== 2)
    throw new HypedError("INVALID_ARGUMENT", `connectivity must be 1 or 2, got ${String(conn)}`, { connectivity: conn });
  const compactness = options.compactness ?? 0;
  if (!(compactness >= 0) || !Number.isFinite(compactness)) {
    throw new HypedError("INVALID_ARGUMENT", `compactness must be finite and >= 0, got ${compactness}`, { compactness });
  }
  const rule = options.costRule ?? "pixel";
  if (rule !== "pixel" && rule !== "pathMax")
    throw new HypedError("INVALID_ARGUMENT", `unknown costRule '${String(rule)}'`, { costRule: rule });
  const m32 = new Int32Array(mk.data.length);
  for (let i = 0; i < m32.length; i++) {
    const v = mk.data[i]!;
    if (!Number.isInteger(v) || v > 2147483647 || v < -2147483648) {
      throw new HypedError("INVALID_ARGUMENT", `markers must be int32 integers, found ${v} at ${i}`, { index: i });
    }
    m32[i] = v;
  }
  const out = watershedFlat(img.data, m32, mask, img.rows, img.cols, conn, compactness, options.watershedLine ?? false, rule);
  return fromTyped(out, [img.rows, img.cols]) as NdArray<"int32">;
}

/** Watershed on flat arrays (see {@link watershed}). `markers` are int32; returns int32 labels. */
export function watershedFlat(
  image: ArrayLike<number>,
  markers: Int32Array,
  mask: Uint8Array | undefined,
  rows: number,
  cols: number,
  connectivity: 1 | 2,
  compactness = 0,
  wsl = false,
  rule: "pixel" | "pathMax" = "pixel",
): Int32Array {
  // pad by one pixel on every side so neighbours never leave the array (the padding is outside the mask)
  const W = cols + 2;
  const H = rows + 2;
  const N = W * H;
  const val = new Float64Array(N);
  const inMask = new Uint8Array(N);
  const lab = new Int32Array(N);
  for (let y = 0; y < rows; y++) {
    const s = y * cols;
    const d = (y + 1) * W + 1;
    for (let x = 0; x < cols; x++) {
      val[d + x] = image[s + x]!;
      const inside = mask === undefined || mask[s + x] !== 0;
      inMask[d + x] = inside ? 1 : 0;
      lab[d + x] = inside ? markers[s + x]! : 0;
    }
  }
  const nb = connectivity === 1 ? Int32Array.of(-W, -1, 1, W) : Int32Array.of(-W, -1, 1, W, -W - 1, -W + 1, W - 1, W + 1);
  const nn = nb.length;
  const compact = compactness > 0;
  const labelOnPop = compact || wsl;
  const pathMax = rule === "pathMax";
  // heap: slots hold items; ptr[k] is the slot at heap position k (as scikit-image's pointer heap)
  let cap = 1024;
  let hVal = new Float64Array(cap);
  let hAge = new Int32Array(cap);
  let hIdx = new Int32Array(cap);
  let hSrc = new Int32Array(cap);
  let ptr = new Int32Array(cap);
  for (let k = 0; k < cap; k++) ptr[k] = k;
  let items = 0;
  let age = 1;
  const grow = () => {
    const nc = cap * 2;
    const v2 = new Float64Array(nc);
    v2.set(hVal);
    const a2 = new Int32Array(nc);
    a2.set(hAge);
    const i2 = new Int32Array(nc);
    i2.set(hIdx);
    const s2 = new Int32Array(nc);
    s2.set(hSrc);
    const p2 = new Int32Array(nc);
    p2.set(ptr);
    for (let k = cap; k < nc; k++) p2[k] = k;
    hVal = v2;
    hAge = a2;
    hIdx = i2;
    hSrc = s2;
    ptr = p2;
    cap = nc;
  };
  const push = (value: number, a: number, index: number, source: number) => {
    if (items === cap) grow();
    let child = items;
    const slot = ptr[child]!;
    hVal[slot] = value;
    hAge[slot] = a;
    hIdx[slot] = index;
    hSrc[slot] = source;
    items++;
    while (child > 0) {
      const parent = ((child + 1) >> 1) - 1;
      const ps = ptr[parent]!;
      const pv = hVal[ps]!;
      if (value < pv || (value === pv && a < hAge[ps]!)) {
        ptr[child] = ps;
        ptr[parent] = slot;
        child = parent;
      } else break;
    }
  };
  for (let i = 0; i < N; i++) {
    if (lab[i] !== 0) push(pathMax ? Number.NEGATIVE_INFINITY : val[i]!, 0, i, i);
  }
  while (items > 0) {
    // pop
    const top = ptr[0]!;
    const eVal = hVal[top]!;
    const eIdx = hIdx[top]!;
    const eSrc = hSrc[top]!;
    items--;
    if (items > 0) {
      ptr[0] = ptr[items]!;
      ptr[items] = top;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= items) break;
        let smallest = i;
        const si = ptr[i]!;
        const sl = ptr[l]!;
        let sv = hVal[si]!;
        let sa = hAge[si]!;
        if (hVal[sl]! < sv || (hVal[sl] === sv && hAge[sl]! < sa)) {
          smallest = l;
          sv = hVal[sl]!;
          sa = hAge[sl]!;
        }
        const r = l + 1;
        if (r < items) {
          const sr = ptr[r]!;
          if (hVal[sr]! < sv || (hVal[sr] === sv && hAge[sr]! < sa)) smallest = r;
        }
        if (smallest === i) break;
        const t = ptr[smallest]!;
        ptr[smallest] = si;
        ptr[i] = t;
        i = smallest;
      }
    }
    if (labelOnPop) {
      if (lab[eIdx] !== 0 && eIdx !== eSrc) continue;
      if (wsl && diffNeighbors(lab, nb, inMask, eIdx)) continue;
      lab[eIdx] = lab[eSrc]!;
    }
    for (let k = 0; k < nn; k++) {
      const q = eIdx + nb[k]!;
      if (inMask[q] === 0 || lab[q] !== 0) continue;
      age++;
      let v = val[q]!;
      if (compact) {
        const qy = (q / W) | 0;
        const sy = (eSrc / W) | 0;
        const ddy = qy - sy;
        const ddx = q - qy * W - (eSrc - sy * W);
        v += compactness * Math.sqrt(ddy * ddy + ddx * ddx);
      } else if (!wsl) lab[q] = lab[eIdx]!;
      if (pathMax && v < eVal) v = eVal;
      push(v, age, q, eSrc);
    }
  }
  const out = new Int32Array(rows * cols);
  for (let y = 0; y < rows; y++) {
    const d = (y + 1) * W + 1;
    out.set(lab.subarray(d, d + cols), y * cols);
  }
  return out;
}

/** True (and takes the pixel out of the mask) if its in-mask neighbours carry two different labels. */
function diffNeighbors(lab: Int32Array, nb: Int32Array, inMask: Uint8Array, index: number): boolean {
  if (inMask[index] === 0) return true;
  let l0 = 0;
  for (let k = 0; k < nb.length; k++) {
    const q = index + nb[k]!;
    if (inMask[q] !== 0) {
      if (!l0) l0 = lab[q]!;
      else {
        const l1 = lab[q]!;
        if (l1 && l1 !== l0) {
          inMask[index] = 0;
          return true;
        }
      }
    }
  }
  return false;
}

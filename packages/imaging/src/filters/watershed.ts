/** Marker-based watershed, matching `skimage.segmentation.watershed` (0.19.3). */
import { fromTyped, HypedError, type NdArray } from "@hyped/core";
import { flat2D, flatMask, type Image2D, sameShape } from "./image.js";
import { giveBack, takeF64, takeI32, takeU8 } from "./scratch.js";

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
  /**
   * Flood `-image` instead of `image`, without building the negated copy: `watershed(dist, markers, { negate:
   * true })` gives exactly the labels of scikit-image's `watershed(-dist, markers)` and saves a float64 image
   * (74 MB on a full frame) and its pass. Default false. Not a scikit-image option.
   */
  negate?: boolean;
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
  let m32: Int32Array;
  const md = mk.data;
  if (md instanceof Int32Array) m32 = md;
  else if (md instanceof Uint8Array || md instanceof Int8Array || md instanceof Uint16Array || md instanceof Int16Array) {
    m32 = Int32Array.from(md);
  } else {
    m32 = new Int32Array(md.length);
    for (let i = 0; i < m32.length; i++) {
      const v = md[i]!;
      if (!Number.isInteger(v) || v > 2147483647 || v < -2147483648) {
        throw new HypedError("INVALID_ARGUMENT", `markers must be int32 integers, found ${v} at ${i}`, { index: i });
      }
      m32[i] = v;
    }
  }
  const out = watershedFlat(
    img.data,
    m32,
    mask,
    img.rows,
    img.cols,
    conn,
    compactness,
    options.watershedLine ?? false,
    rule,
    options.negate ?? false,
  );
  return fromTyped(out, [img.rows, img.cols]) as NdArray<"int32">;
}

/**
 * The flood's priority queue: a binary min-heap over (value, age) with the entries stored directly in
 * parallel typed arrays (value, age, pixel, source). Sift-up on push and move-last-to-root + sift-down on pop
 * use the same comparisons as scikit-image's pointer heap, so entries come out in the same order, ties
 * between equal (value, age) keys included.
 */
class FloodHeap {
  val: Float64Array;
  age: Int32Array;
  idx: Int32Array;
  src: Int32Array;
  size = 0;
  // the last popped entry
  topVal = 0;
  topIdx = 0;
  topSrc = 0;
  constructor(cap: number) {
    const c = Math.max(16, cap);
    this.val = new Float64Array(c);
    this.age = new Int32Array(c);
    this.idx = new Int32Array(c);
    this.src = new Int32Array(c);
  }
  private grow(): void {
    const c = this.val.length * 2;
    const v = new Float64Array(c);
    v.set(this.val);
    this.val = v;
    const a = new Int32Array(c);
    a.set(this.age);
    this.age = a;
    const i = new Int32Array(c);
    i.set(this.idx);
    this.idx = i;
    const s = new Int32Array(c);
    s.set(this.src);
    this.src = s;
  }
  push(value: number, age: number, index: number, source: number): void {
    if (this.size === this.val.length) this.grow();
    const hv = this.val;
    const ha = this.age;
    const hi = this.idx;
    const hs = this.src;
    let child = this.size++;
    while (child > 0) {
      const parent = ((child + 1) >> 1) - 1;
      const pv = hv[parent]!;
      if (value < pv || (value === pv && age < ha[parent]!)) {
        hv[child] = pv;
        ha[child] = ha[parent]!;
        hi[child] = hi[parent]!;
        hs[child] = hs[parent]!;
        child = parent;
      } else break;
    }
    hv[child] = value;
    ha[child] = age;
    hi[child] = index;
    hs[child] = source;
  }
  /** Remove the smallest entry into topVal/topIdx/topSrc. The heap must not be empty. */
  pop(): void {
    const hv = this.val;
    const ha = this.age;
    const hi = this.idx;
    const hs = this.src;
    this.topVal = hv[0]!;
    this.topIdx = hi[0]!;
    this.topSrc = hs[0]!;
    const n = --this.size;
    if (n === 0) return;
    const ev = hv[n]!;
    const ea = ha[n]!;
    const ei = hi[n]!;
    const es = hs[n]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let c = i;
      let cv = ev;
      let ca = ea;
      const lv = hv[l]!;
      if (lv < cv || (lv === cv && ha[l]! < ca)) {
        c = l;
        cv = lv;
        ca = ha[l]!;
      }
      const r = l + 1;
      if (r < n) {
        const rv = hv[r]!;
        if (rv < cv || (rv === cv && ha[r]! < ca)) c = r;
      }
      if (c === i) break;
      hv[i] = hv[c]!;
      ha[i] = ha[c]!;
      hi[i] = hi[c]!;
      hs[i] = hs[c]!;
      i = c;
    }
    hv[i] = ev;
    ha[i] = ea;
    hi[i] = ei;
    hs[i] = es;
  }
}

/**
 * Watershed on flat arrays (see {@link watershed}). `markers` are int32; returns int32 labels. `negate`
 * floods `-image` without materialising it; `into` receives the labels (every element is written).
 */
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
  negate = false,
  into?: Int32Array,
): Int32Array {
  // pad by one pixel on every side so neighbours never leave the array (the padding is outside the mask)
  const W = cols + 2;
  const H = rows + 2;
  const N = W * H;
  const val = takeF64(N);
  const inMask = takeU8(N);
  const lab = takeI32(N);
  // the padding frame: outside the mask, unlabelled
  inMask.fill(0, 0, W + 1);
  inMask.fill(0, N - W - 1);
  lab.fill(0, 0, W + 1);
  lab.fill(0, N - W - 1);
  let seeds = 0;
  for (let y = 0; y < rows; y++) {
    const s = y * cols;
    const d = (y + 1) * W + 1;
    for (let x = 0; x < cols; x++) {
      val[d + x] = negate ? -image[s + x]! : image[s + x]!;
      if (mask === undefined || mask[s + x] !== 0) {
        inMask[d + x] = 1;
        const m = markers[s + x]!;
        lab[d + x] = m;
        if (m !== 0) seeds++;
      } else {
        inMask[d + x] = 0;
        lab[d + x] = 0;
      }
    }
    // the right pad of this row and the left pad of the next
    inMask[d + cols] = 0;
    inMask[d + cols + 1] = 0;
    lab[d + cols] = 0;
    lab[d + cols + 1] = 0;
  }
  const nb = connectivity === 1 ? Int32Array.of(-W, -1, 1, W) : Int32Array.of(-W, -1, 1, W, -W - 1, -W + 1, W - 1, W + 1);
  const nn = nb.length;
  const compact = compactness > 0;
  const labelOnPop = compact || wsl;
  const pathMax = rule === "pathMax";
  const heap = new FloodHeap(seeds + 4096);
  for (let i = 0; i < N; i++) {
    if (lab[i] !== 0) heap.push(pathMax ? Number.NEGATIVE_INFINITY : val[i]!, 0, i, i);
  }
  let age = 1;
  while (heap.size > 0) {
    heap.pop();
    const eVal = heap.topVal;
    const eIdx = heap.topIdx;
    const eSrc = heap.topSrc;
    if (labelOnPop) {
      if (lab[eIdx] !== 0 && eIdx !== eSrc) continue;
      if (wsl && diffNeighbors(lab, nb, inMask, eIdx)) continue;
      lab[eIdx] = lab[eSrc]!;
    }
    const l = lab[eIdx]!;
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
      } else if (!wsl) lab[q] = l;
      if (pathMax && v < eVal) v = eVal;
      heap.push(v, age, q, eSrc);
    }
  }
  const out = into ?? new Int32Array(rows * cols);
  for (let y = 0; y < rows; y++) {
    const d = (y + 1) * W + 1;
    out.set(lab.subarray(d, d + cols), y * cols);
  }
  giveBack(val, inMask, lab);
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

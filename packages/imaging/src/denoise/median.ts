/**
 * Median filtering, equal to `scipy.ndimage.median_filter(image, size)` (the filter FM2S uses for its targets)
 * and to `skimage.filters.median` with a square footprint of the same size and `mode`.
 *
 * - Integer images up to 16 bits (uint8, uint16, int8, int16, bool) with windows of 6 × 6 or more use histogram medians:
 *   8-bit data uses Perreault & Hébert's constant-time algorithm (one histogram per column, O(1) histogram
 *   updates per pixel whatever the size); 16-bit data uses a two-level (256 × 256) histogram slid along each
 *   row (Huang's algorithm, O(size) updates per pixel). Both give exactly the order statistic.
 * - Smaller windows and other dtypes select the median of each window with a partial sort (quickselect).
 */
import { type AnyNdArray, allocate, fromTyped, HypedError, throwIfAborted } from "@hyped/core";
import { type BoundaryMode, extendIndex } from "../filters/gaussian.js";
import { checkNumber, flat2D, type Image2D } from "../filters/image.js";

/** Options of {@link medianFilter}. */
export interface MedianOptions {
  /** Window side in pixels (odd or even, as scipy). Default 3. */
  size?: number;
  /** Boundary mode (scipy's names). Default `'reflect'` (scipy's default; skimage's `median` uses `'nearest'`). */
  mode?: BoundaryMode;
  /** Fill value for `'constant'`. Default 0. */
  cval?: number;
  signal?: AbortSignal;
}

/**
 * The median of every `size × size` window (rank `floor(size²/2)` of the sorted window, as scipy's
 * `median_filter`). The output has the input's dtype.
 */
export function medianFilter(image: Image2D, options: MedianOptions = {}): AnyNdArray {
  const size = checkNumber(options.size ?? 3, "size", { min: 1, integer: true });
  const mode = options.mode ?? "reflect";
  const cval = options.cval ?? 0;
  const f = flat2D(image);
  const { rows, cols } = f;
  const out = allocate(f.dtype, rows * cols) as unknown as { [i: number]: number; length: number };
  const origin = Math.floor(size / 2); // window covers [i - origin, i - origin + size)
  const rank = Math.floor((size * size) / 2);
  // index maps for the boundary mode; -1 = cval
  const rowMap = Int32Array.from({ length: rows + size }, (_, k) => extendIndex(k - origin, rows, mode));
  const colMap = Int32Array.from({ length: cols + size }, (_, k) => extendIndex(k - origin, cols, mode));
  const integer = f.dtype === "uint8" || f.dtype === "uint16" || f.dtype === "int8" || f.dtype === "int16" || f.dtype === "bool";
  const constantOut = mode === "constant" && (!Number.isInteger(cval) || cval < -32768 || cval > 65535);
  // small windows: selecting among ≤ 25 values beats any histogram
  if (integer && !constantOut && size >= 6) {
    const offset = f.dtype === "int8" ? 128 : f.dtype === "int16" ? 32768 : 0;
    const bins = f.dtype === "uint8" || f.dtype === "int8" || f.dtype === "bool" ? 256 : 65536;
    const cv = Math.round(cval) + offset;
    if (cv < 0 || cv >= bins) throw new HypedError("INVALID_ARGUMENT", `cval ${cval} is outside the ${f.dtype} range`, { cval });
    const val = (r: number, c: number) => (r < 0 || c < 0 ? cv : (f.data[r * cols + c] as number) + offset);
    const w: HistWindow = {
      val,
      rows,
      cols,
      size,
      rank,
      rowMap,
      colMap,
      out,
      offset,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    if (bins === 256) constantTime8(w);
    else huang16(w);
  } else if (integer && size === 3 && mode !== "constant") {
    median3x3(f.data, rows, cols, rowMap, colMap, out);
  } else {
    const win = new Float64Array(size * size);
    for (let i = 0; i < rows; i++) {
      if ((i & 63) === 0) throwIfAborted(options.signal, "median filter");
      for (let j = 0; j < cols; j++) {
        let k = 0;
        for (let a = 0; a < size; a++) {
          const r = rowMap[i + a] as number;
          for (let b = 0; b < size; b++) {
            const c = colMap[j + b] as number;
            win[k++] = r < 0 || c < 0 ? cval : (f.data[r * cols + c] as number);
          }
        }
        out[i * cols + j] = select(win, rank);
      }
    }
  }
  return fromTyped(out as never, [rows, cols]) as unknown as AnyNdArray;
}

/**
 * The 3 × 3 median of an integer image (any boundary mode but `'constant'`): each row of the output sorts its
 * three source rows' values once per column (low, middle, high), and the median of a window is
 * `med3(max of the lows, med3 of the middles, min of the highs)` over its three columns — the exact order
 * statistic (rank 4 of 9) with 3 + 4 comparisons per pixel instead of a selection among 9 copied values.
 */
function median3x3(
  src: ArrayLike<number>,
  rows: number,
  cols: number,
  rowMap: Int32Array,
  colMap: Int32Array,
  out: { [i: number]: number },
): void {
  const n = cols + 2;
  const lo = new Float64Array(n);
  const mid = new Float64Array(n);
  const hi = new Float64Array(n);
  const cm = colMap.subarray(0, n);
  for (let i = 0; i < rows; i++) {
    const r0 = rowMap[i]! * cols;
    const r1 = rowMap[i + 1]! * cols;
    const r2 = rowMap[i + 2]! * cols;
    for (let k = 0; k < n; k++) {
      const c = cm[k]!;
      const a = src[r0 + c]!;
      const b = src[r1 + c]!;
      const d = src[r2 + c]!;
      const mn = Math.min(a, b);
      const mx = Math.max(a, b);
      lo[k] = Math.min(mn, d);
      hi[k] = Math.max(mx, d);
      mid[k] = Math.max(mn, Math.min(mx, d));
    }
    const base = i * cols;
    for (let j = 0; j < cols; j++) {
      const l = Math.max(lo[j]!, lo[j + 1]!, lo[j + 2]!);
      const h = Math.min(hi[j]!, hi[j + 1]!, hi[j + 2]!);
      const m0 = mid[j]!;
      const m1 = mid[j + 1]!;
      const m2 = mid[j + 2]!;
      const m = Math.max(Math.min(m0, m1), Math.min(Math.max(m0, m1), m2));
      out[base + j] = Math.max(Math.min(l, m), Math.min(Math.max(l, m), h));
    }
  }
}

/** The k-th smallest of `a` (partially reorders `a`). */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i++] = a[j] as number;
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k] as number;
  }
  return a[k] as number;
}

type Val = (r: number, c: number) => number;

/** What the histogram medians need: the pixel lookup, the window and its boundary index maps, the output. */
interface HistWindow {
  val: Val;
  rows: number;
  cols: number;
  size: number;
  rank: number;
  rowMap: Int32Array;
  colMap: Int32Array;
  out: { [i: number]: number };
  offset: number;
  signal?: AbortSignal;
}

/** Perreault & Hébert: column histograms updated once per row; the kernel histogram slides by whole columns. */
function constantTime8(w: HistWindow): void {
  const { val, rows, cols, size, rank, rowMap, colMap, out, offset, signal } = w;
  const nExt = cols + size; // extended columns k ↔ source column colMap[k]
  const colHist = new Int32Array(nExt * 256);
  const kernel = new Int32Array(256);
  // initialise the column histograms with the first window of rows
  for (let k = 0; k < nExt; k++) {
    const c = colMap[k] as number;
    for (let a = 0; a < size; a++) {
      const at = k * 256 + val(rowMap[a] as number, c);
      colHist[at] = (colHist[at] as number) + 1;
    }
  }
  for (let i = 0; i < rows; i++) {
    if ((i & 63) === 0) throwIfAborted(signal, "median filter");
    if (i > 0) {
      const rOut = rowMap[i - 1] as number;
      const rIn = rowMap[i - 1 + size] as number;
      for (let k = 0; k < nExt; k++) {
        const c = colMap[k] as number;
        const ao = k * 256 + val(rOut, c);
        colHist[ao] = (colHist[ao] as number) - 1;
        const ai = k * 256 + val(rIn, c);
        colHist[ai] = (colHist[ai] as number) + 1;
      }
    }
    kernel.fill(0);
    for (let k = 0; k < size; k++) for (let v = 0; v < 256; v++) kernel[v] = (kernel[v] as number) + (colHist[k * 256 + v] as number);
    for (let j = 0; j < cols; j++) {
      if (j > 0) {
        const add = (j - 1 + size) * 256;
        const sub = (j - 1) * 256;
        for (let v = 0; v < 256; v++) kernel[v] = (kernel[v] as number) + (colHist[add + v] as number) - (colHist[sub + v] as number);
      }
      let acc = 0;
      let v = 0;
      for (; v < 256; v++) {
        acc += kernel[v] as number;
        if (acc > rank) break;
      }
      out[i * cols + j] = v - offset;
    }
  }
}

/** Huang's sliding window with a two-level (coarse 256 × fine 256) histogram, for 16-bit data. */
function huang16(w: HistWindow): void {
  const { val, rows, cols, size, rank, rowMap, colMap, out, offset, signal } = w;
  const coarse = new Int32Array(256);
  const fine = new Int32Array(65536);
  for (let i = 0; i < rows; i++) {
    if ((i & 31) === 0) throwIfAborted(signal, "median filter");
    coarse.fill(0);
    fine.fill(0);
    for (let a = 0; a < size; a++) {
      const r = rowMap[i + a] as number;
      for (let b = 0; b < size; b++) {
        const v = val(r, colMap[b] as number);
        coarse[v >> 8] = (coarse[v >> 8] as number) + 1;
        fine[v] = (fine[v] as number) + 1;
      }
    }
    for (let j = 0; j < cols; j++) {
      if (j > 0) {
        const cOut = colMap[j - 1] as number;
        const cIn = colMap[j - 1 + size] as number;
        for (let a = 0; a < size; a++) {
          const r = rowMap[i + a] as number;
          const vo = val(r, cOut);
          coarse[vo >> 8] = (coarse[vo >> 8] as number) - 1;
          fine[vo] = (fine[vo] as number) - 1;
          const vi = val(r, cIn);
          coarse[vi >> 8] = (coarse[vi >> 8] as number) + 1;
          fine[vi] = (fine[vi] as number) + 1;
        }
      }
      let acc = 0;
      let hb = 0;
      for (; hb < 256; hb++) {
        const nb = acc + (coarse[hb] as number);
        if (nb > rank) break;
        acc = nb;
      }
      let v = hb << 8;
      for (; ; v++) {
        acc += fine[v] as number;
        if (acc > rank) break;
      }
      out[i * cols + j] = v - offset;
    }
  }
}

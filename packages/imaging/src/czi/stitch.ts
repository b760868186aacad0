/**
 * Painting tiles into a plane canvas: a direct row copy at full resolution, nearest-neighbour sampling for
 * zoomed reads and pyramid tiles. Colour tiles arrive in file order (B,G,R(,A)) and leave in R,G,B(,A).
 */
import { DTYPE_CTORS, type DType, type NumericTypedArray } from "@hyped/core";
import type { PixelLayout } from "./constants.js";

/** An axis-aligned rectangle in the raw pixel coordinate system. */
export interface CziRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Intersection of two rectangles, or undefined if they do not overlap (touching edges do not overlap). */
export function intersect(a: CziRect, b: CziRect): CziRect | undefined {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.w, b.x + b.w);
  const y1 = Math.min(a.y + a.h, b.y + b.h);
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : undefined;
}

/** True if `inner` lies entirely inside `outer`. */
export function contains(outer: CziRect, inner: CziRect): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w && inner.y + inner.h <= outer.y + outer.h;
}

/** The union bounding box of rectangles (undefined for none). */
export function unionRect(rects: Iterable<CziRect>): CziRect | undefined {
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (const r of rects) {
    x0 = Math.min(x0, r.x);
    y0 = Math.min(y0, r.y);
    x1 = Math.max(x1, r.x + r.w);
    y1 = Math.max(y1, r.y + r.h);
  }
  return x0 === Number.POSITIVE_INFINITY ? undefined : { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/** View raw little-endian bytes as the layout's TypedArray (copying only when unaligned or `copy`). */
export function bytesAsTyped(raw: Uint8Array, dtype: DType, copy: boolean): NumericTypedArray {
  const ctor = DTYPE_CTORS[dtype] as unknown as {
    new (b: ArrayBufferLike, o: number, n: number): NumericTypedArray;
    BYTES_PER_ELEMENT: number;
  };
  const bpe = ctor.BYTES_PER_ELEMENT;
  const n = raw.length / bpe;
  if (!copy && raw.byteOffset % bpe === 0) return new ctor(raw.buffer, raw.byteOffset, n);
  const buf = new Uint8Array(raw.length);
  buf.set(raw);
  return new ctor(buf.buffer, 0, n);
}

function swap8(a: Uint8Array, s: number): void {
  for (let i = 0; i + 2 < a.length; i += s) {
    const t = a[i] as number;
    a[i] = a[i + 2] as number;
    a[i + 2] = t;
  }
}
function swap16(a: Uint16Array, s: number): void {
  for (let i = 0; i + 2 < a.length; i += s) {
    const t = a[i] as number;
    a[i] = a[i + 2] as number;
    a[i + 2] = t;
  }
}
function swapAny(a: NumericTypedArray, s: number): void {
  for (let i = 0; i + 2 < a.length; i += s) {
    const t = a[i] as number;
    a[i] = a[i + 2] as number;
    a[i + 2] = t;
  }
}

/** Swap samples 0 and 2 of every pixel (B,G,R -> R,G,B) in place (monomorphic loops for the common types). */
export function swapBgr(a: NumericTypedArray, samples: number): void {
  if (a instanceof Uint8Array) swap8(a, samples);
  else if (a instanceof Uint16Array) swap16(a, samples);
  else swapAny(a, samples);
}

function bgrRow8(canvas: Uint8Array, dof: number, tile: Uint8Array, so: number, len: number, s: number): void {
  for (let k = 0; k < len; k += s) {
    canvas[dof + k] = tile[so + k + 2] as number;
    canvas[dof + k + 1] = tile[so + k + 1] as number;
    canvas[dof + k + 2] = tile[so + k] as number;
    if (s === 4) canvas[dof + k + 3] = tile[so + k + 3] as number;
  }
}

/** Row copies (same sample order in tile and canvas): one `TypedArray.set` (a memcpy) per row. */
function copyRows(canvas: NumericTypedArray, cr: CziRect, tile: NumericTypedArray, tr: CziRect, is: CziRect, s: number): void {
  const len = is.w * s;
  for (let y = is.y; y < is.y + is.h; y++) {
    const so = ((y - tr.y) * tr.w + (is.x - tr.x)) * s;
    const dof = ((y - cr.y) * cr.w + (is.x - cr.x)) * s;
    canvas.set(tile.subarray(so, so + len), dof);
  }
}

/** Row copies that swap B,G,R(,A) to R,G,B(,A). */
function copyRowsBgr(canvas: NumericTypedArray, cr: CziRect, tile: NumericTypedArray, tr: CziRect, is: CziRect, s: number): void {
  const len = is.w * s;
  for (let y = is.y; y < is.y + is.h; y++) {
    const so = ((y - tr.y) * tr.w + (is.x - tr.x)) * s;
    const dof = ((y - cr.y) * cr.w + (is.x - cr.x)) * s;
    if (canvas instanceof Uint8Array && tile instanceof Uint8Array) bgrRow8(canvas, dof, tile, so, len, s);
    else {
      for (let k = 0; k < len; k += s) {
        canvas[dof + k] = tile[so + k + 2] as number;
        canvas[dof + k + 1] = tile[so + k + 1] as number;
        canvas[dof + k + 2] = tile[so + k] as number;
        if (s === 4) canvas[dof + k + 3] = tile[so + k + 3] as number;
      }
    }
  }
}

/**
 * Copy the part of a full-resolution tile (`tile` at `tr`, stored size = logical size) that falls inside the
 * canvas (`cr`, `canvas` row-major with `layout.samples` samples per pixel). The grey path is kept in its own
 * small function: mixing it with the per-sample colour loop made V8 run it about 20x slower.
 */
export function paintTile(canvas: NumericTypedArray, cr: CziRect, tile: NumericTypedArray, tr: CziRect, layout: PixelLayout): void {
  const is = intersect(cr, tr);
  if (!is) return;
  if (layout.bgr) copyRowsBgr(canvas, cr, tile, tr, is, layout.samples);
  else copyRows(canvas, cr, tile, tr, is, layout.samples);
}

/** Output index range [first, end) whose sample centres fall in [t0, t1) of raw coordinates. */
function outRange(t0: number, t1: number, r0: number, rlen: number, olen: number): [number, number] {
  const a = Math.ceil(((t0 - r0) * olen) / rlen - 0.5);
  const b = Math.ceil(((t1 - r0) * olen) / rlen - 0.5);
  return [Math.max(0, a), Math.min(olen, b)];
}

/**
 * Nearest-neighbour paint of a tile (logical rectangle `tr`, stored `sw` x `sh`) into a canvas of `ow` x `oh`
 * pixels that shows the raw rectangle `cr`. Output pixel (ox, oy) samples raw point
 * (cr.x + (ox + 0.5) * cr.w / ow, cr.y + (oy + 0.5) * cr.h / oh).
 */
export function paintTileScaled(
  canvas: NumericTypedArray,
  cr: CziRect,
  ow: number,
  oh: number,
  tile: NumericTypedArray,
  tr: CziRect,
  sw: number,
  sh: number,
  layout: PixelLayout,
): void {
  if (tr.w <= 0 || tr.h <= 0 || sw <= 0 || sh <= 0) return;
  const [ox0, ox1] = outRange(tr.x, tr.x + tr.w, cr.x, cr.w, ow);
  const [oy0, oy1] = outRange(tr.y, tr.y + tr.h, cr.y, cr.h, oh);
  if (ox1 <= ox0 || oy1 <= oy0) return;
  const s = layout.samples;
  const cols = new Int32Array(ox1 - ox0);
  for (let ox = ox0; ox < ox1; ox++) {
    const x = cr.x + ((ox + 0.5) * cr.w) / ow;
    cols[ox - ox0] = Math.min(sw - 1, Math.max(0, Math.floor(((x - tr.x) * sw) / tr.w)));
  }
  for (let oy = oy0; oy < oy1; oy++) {
    const y = cr.y + ((oy + 0.5) * cr.h) / oh;
    const sy = Math.min(sh - 1, Math.max(0, Math.floor(((y - tr.y) * sh) / tr.h)));
    const srow = sy * sw * s;
    let d = (oy * ow + ox0) * s;
    for (let k = 0; k < cols.length; k++) {
      const so = srow + (cols[k] as number) * s;
      if (s === 1) canvas[d] = tile[so] as number;
      else if (layout.bgr) {
        canvas[d] = tile[so + 2] as number;
        canvas[d + 1] = tile[so + 1] as number;
        canvas[d + 2] = tile[so] as number;
        if (s === 4) canvas[d + 3] = tile[so + 3] as number;
      } else for (let c = 0; c < s; c++) canvas[d + c] = tile[so + c] as number;
      d += s;
    }
  }
}

/** Swap B,G,R(,A) to R,G,B(,A) in the canvas pixels of rectangle `is` (raw coordinates) of canvas `cr`. */
export function swapBgrRows(canvas: NumericTypedArray, cr: CziRect, is: CziRect, samples: number): void {
  for (let y = is.y; y < is.y + is.h; y++) {
    const o = ((y - cr.y) * cr.w + (is.x - cr.x)) * samples;
    swapBgr(canvas.subarray(o, o + is.w * samples) as NumericTypedArray, samples);
  }
}

/** Merge views that follow each other in the same buffer into one view (fewer, larger scatter-read targets). */
export function mergeAdjacent(views: Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let cur: Uint8Array | undefined;
  for (const v of views) {
    if (cur && cur.buffer === v.buffer && cur.byteOffset + cur.length === v.byteOffset) {
      cur = new Uint8Array(cur.buffer, cur.byteOffset, cur.length + v.length);
    } else {
      if (cur) out.push(cur);
      cur = v;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/**
 * Zero the pixels of canvas `cr` (row-major, `samples` per pixel) that none of `rects` covers. The canvas is cut
 * into horizontal bands at every rectangle edge; in each band the covered x-intervals are merged and only the
 * gaps are cleared, so a fully tiled plane costs no clearing at all.
 */
export function clearUncovered(canvas: NumericTypedArray, cr: CziRect, rects: readonly CziRect[], samples: number): void {
  const clipped: CziRect[] = [];
  for (const r of rects) {
    const i = intersect(cr, r);
    if (i) clipped.push({ x: i.x - cr.x, y: i.y - cr.y, w: i.w, h: i.h });
  }
  const cuts = new Set<number>([0, cr.h]);
  for (const r of clipped) {
    cuts.add(r.y);
    cuts.add(r.y + r.h);
  }
  const ys = [...cuts].sort((a, b) => a - b);
  for (let b = 0; b + 1 < ys.length; b++) {
    const y0 = ys[b] as number;
    const y1 = ys[b + 1] as number;
    const spans = clipped
      .filter((r) => r.y <= y0 && r.y + r.h >= y1)
      .map((r) => [r.x, r.x + r.w] as const)
      .sort((p, q) => p[0] - q[0]);
    const gaps: [number, number][] = [];
    let x = 0;
    for (const [a, e] of spans) {
      if (a > x) gaps.push([x, a]);
      x = Math.max(x, e);
    }
    if (x < cr.w) gaps.push([x, cr.w]);
    if (gaps.length === 0) continue;
    for (let y = y0; y < y1; y++) {
      const row = y * cr.w;
      for (const [g0, g1] of gaps) canvas.fill(0, (row + g0) * samples, (row + g1) * samples);
    }
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Paint a hi-lo packed Gray16 tile (`packed`: all low bytes, then all high bytes; logical rectangle `tr`, stored
 * size = logical size) into a uint16 canvas `cr`, unpacking on the fly: one pass instead of unpack + row copy.
 * Where alignment allows (little-endian, even widths), 4 pixels per step are read as two 32-bit words and
 * written as two; heads and tails of rows go byte by byte.
 */
export function paintHiLo16(canvas: Uint16Array, cr: CziRect, packed: Uint8Array, tr: CziRect): void {
  const is = intersect(cr, tr);
  if (!is) return;
  const half = tr.w * tr.h;
  const words = LITTLE_ENDIAN && (packed.byteOffset & 3) === 0 && (half & 3) === 0 && (canvas.byteOffset & 3) === 0;
  const lo32 = words ? new Uint32Array(packed.buffer, packed.byteOffset, half >>> 2) : undefined;
  const hi32 = words ? new Uint32Array(packed.buffer, packed.byteOffset + half, half >>> 2) : undefined;
  const c32 = words ? new Uint32Array(canvas.buffer, canvas.byteOffset, canvas.length >>> 1) : undefined;
  for (let y = is.y; y < is.y + is.h; y++) {
    let s = (y - tr.y) * tr.w + (is.x - tr.x);
    let d = (y - cr.y) * cr.w + (is.x - cr.x);
    const end = s + is.w;
    if (lo32 && hi32 && c32) {
      while (s < end && ((s & 3) !== 0 || (d & 1) !== 0)) {
        canvas[d] = (packed[s] as number) | ((packed[s + half] as number) << 8);
        s++;
        d++;
      }
      if ((s & 3) === 0 && (d & 1) === 0) {
        const qe = end >>> 2;
        let dw = d >>> 1;
        for (let q = s >>> 2; q < qe; q++, dw += 2) {
          const l = lo32[q] as number;
          const h = hi32[q] as number;
          c32[dw] = (l & 0xff) | ((h & 0xff) << 8) | ((l & 0xff00) << 8) | ((h & 0xff00) << 16);
          c32[dw + 1] = ((l >>> 16) & 0xff) | (((h >>> 16) & 0xff) << 8) | ((l >>> 8) & 0xff0000) | ((h >>> 24) << 24);
        }
        const n = Math.max(0, (qe << 2) - s);
        s += n;
        d += n;
      }
    }
    for (; s < end; s++, d++) canvas[d] = (packed[s] as number) | ((packed[s + half] as number) << 8);
  }
}

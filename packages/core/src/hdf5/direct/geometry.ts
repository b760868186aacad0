/**
 * Box/copy geometry: which contiguous byte runs copy a selection box out of a row-major stored block (a
 * chunk, a contiguous dataset) into a row-major destination. No I/O here.
 */

/** A contiguous copy: source byte offset in the stored block, destination byte offset, length. */
export type Run = [number, number, number];

/**
 * A reusable read buffer, with views of it for the runs of the last box copied out of it. Consecutive
 * chunks of one selection share their run pattern, so the views (one per run) are made once per pattern.
 */
export interface Scratch {
  buf: Uint8Array;
  key: string;
  views: Uint8Array[];
}

/** The product of a shape's extents (1 for a scalar). */
export function shapeProduct(s: number[]): number {
  let p = 1;
  for (const x of s) p *= x;
  return p;
}

/** A zero per axis of `s`. */
export function zerosLike(s: number[]): number[] {
  return s.map(() => 0);
}

/** Element-wise `a + b`. */
export function add(a: number[], b: number[]): number[] {
  return a.map((x, i) => x + (b[i] as number));
}

/**
 * Copy the runs of `runs` out of `sc.buf`, which holds the block's bytes from source offset `base` on, into
 * `out`: one `TypedArray.set` per run through views of `sc.buf` made once per run pattern.
 */
export function copyRuns(runs: BoxRuns, sc: Scratch, base: number, out: Uint8Array): void {
  const key = `${runs.patternKey}@${runs.spanStart - base}`;
  if (sc.key !== key) {
    const buf = sc.buf;
    const views: Uint8Array[] = [];
    runs.forEach((s, _d, n) => {
      views.push(buf.subarray(s - base, s - base + n));
    });
    sc.views = views;
    sc.key = key;
  }
  const views = sc.views;
  let k = 0;
  runs.forEach((_s, d) => {
    out.set(views[k++] as Uint8Array, d);
  });
}

/**
 * The contiguous byte runs that copy the box `[lo, hi)` from a row-major block (shape `shape`, origin
 * `origin`) into a row-major destination (shape `count`, origin `offset`). Trailing axes that both sides hold
 * whole are merged into one run. Runs are generated on demand (no per-run allocation).
 */
export class BoxRuns {
  /** Number of runs (0 when the box misses the block). */
  readonly length: number;
  /** Bytes per run. */
  readonly runBytes: number;
  /** Source byte offset of the first run, and the end of the last one (the span a single read covers). */
  readonly spanStart: number;
  readonly spanEnd: number;
  /** When there is one run: `[src, dst, bytes]` (callers may lengthen it to merge neighbours). */
  readonly single?: Run;
  private key?: string;
  private readonly a: number[] = [];
  private readonly b: number[] = [];
  private readonly sStr: number[] = [];
  private readonly dStr: number[] = [];
  private readonly inner: number = 0;
  private readonly s0: number = 0;
  private readonly d0: number = 0;
  private readonly esz: number;

  constructor(shape: number[], origin: number[], count: number[], offset: number[], lo: number[], hi: number[], esz: number) {
    this.esz = esz;
    const nd = shape.length;
    if (nd === 0) {
      this.length = 1;
      this.runBytes = esz;
      this.spanStart = 0;
      this.spanEnd = esz;
      this.single = [0, 0, esz];
      return;
    }
    const { a, b, sStr, dStr } = this;
    let empty = false;
    for (let d = 0; d < nd; d++) {
      a.push(Math.max(lo[d] as number, origin[d] as number));
      b.push(Math.min(hi[d] as number, (origin[d] as number) + (shape[d] as number)));
      if ((b[d] as number) <= (a[d] as number)) empty = true;
    }
    if (empty) {
      this.length = 0;
      this.runBytes = 0;
      this.spanStart = 0;
      this.spanEnd = 0;
      return;
    }
    for (let d = 0; d < nd; d++) {
      sStr.push(0);
      dStr.push(0);
    }
    sStr[nd - 1] = 1;
    dStr[nd - 1] = 1;
    for (let d = nd - 2; d >= 0; d--) {
      sStr[d] = (sStr[d + 1] as number) * (shape[d + 1] as number);
      dStr[d] = (dStr[d + 1] as number) * (count[d + 1] as number);
    }
    // merge trailing axes held whole on both sides
    let inner = nd - 1;
    let runElems = (b[nd - 1] as number) - (a[nd - 1] as number);
    while (inner > 0) {
      const full = (b[inner] as number) - (a[inner] as number);
      if (full !== shape[inner] || full !== count[inner]) break;
      inner--;
      runElems *= (b[inner] as number) - (a[inner] as number);
    }
    this.inner = inner;
    this.runBytes = runElems * esz;
    let s0 = 0;
    let d0 = 0;
    let sLast = 0;
    let n = 1;
    for (let d = 0; d <= inner; d++) {
      s0 += ((a[d] as number) - (origin[d] as number)) * (sStr[d] as number);
      d0 += ((a[d] as number) - (offset[d] as number)) * (dStr[d] as number);
      if (d < inner) {
        n *= (b[d] as number) - (a[d] as number);
        sLast += ((b[d] as number) - 1 - (a[d] as number)) * (sStr[d] as number);
      }
    }
    this.s0 = s0;
    this.d0 = d0;
    this.length = n;
    this.spanStart = s0 * esz;
    this.spanEnd = (s0 + sLast) * esz + this.runBytes;
    if (n === 1) this.single = [s0 * esz, d0 * esz, this.runBytes];
  }

  /**
   * Equal for boxes whose runs have the same lengths and the same source offsets relative to
   * {@link BoxRuns.spanStart} (destination offsets may differ).
   */
  get patternKey(): string {
    if (this.key === undefined) {
      const p = this.pattern();
      this.key = `${this.runBytes}:${p.counts}:${p.src}`;
    }
    return this.key;
  }

  /**
   * The runs as strides, in bytes: run `i` (row-major over `counts`) starts `sum(i_k * src[k])` past
   * {@link BoxRuns.spanStart} and lands at `dst0 + sum(i_k * dst[k])`. For the native box reader.
   */
  pattern(): { counts: number[]; src: number[]; dst: number[]; dst0: number } {
    if (this.single || this.length === 0) return { counts: [], src: [], dst: [], dst0: this.single ? this.single[1] : 0 };
    const { a, b, sStr, dStr, inner, esz } = this;
    const counts: number[] = [];
    const src: number[] = [];
    const dst: number[] = [];
    for (let d = 0; d < inner; d++) {
      counts.push((b[d] as number) - (a[d] as number));
      src.push((sStr[d] as number) * esz);
      dst.push((dStr[d] as number) * esz);
    }
    return { counts, src, dst, dst0: this.d0 * esz };
  }

  /** Call `emit(srcByte, dstByte, nBytes)` for each run, in source order. */
  forEach(emit: (src: number, dst: number, n: number) => void): void {
    if (this.single) {
      emit(this.single[0], this.single[1], this.single[2]);
      return;
    }
    if (this.length === 0) return;
    const { a, b, sStr, dStr, inner, esz, runBytes } = this;
    const idx = a.slice(0, inner);
    let s = this.s0;
    let dd = this.d0;
    for (;;) {
      emit(s * esz, dd * esz, runBytes);
      let d = inner - 1;
      for (; d >= 0; d--) {
        idx[d] = (idx[d] as number) + 1;
        s += sStr[d] as number;
        dd += dStr[d] as number;
        if ((idx[d] as number) < (b[d] as number)) break;
        const ext = (b[d] as number) - (a[d] as number);
        s -= ext * (sStr[d] as number);
        dd -= ext * (dStr[d] as number);
        idx[d] = a[d] as number;
      }
      if (d < 0) break;
    }
  }
}

/** {@link BoxRuns} as a function: `emit(srcByte, dstByte, nBytes)` for each run of the box. */
export function copyBox(
  shape: number[],
  origin: number[],
  count: number[],
  offset: number[],
  lo: number[],
  hi: number[],
  esz: number,
  emit: (src: number, dst: number, n: number) => void,
): void {
  new BoxRuns(shape, origin, count, offset, lo, hi, esz).forEach(emit);
}

/**
 * The MatrixMarket `coordinate` parser behind {@link readMex} and {@link readMatrixMarket}: a byte-level
 * state machine over decompressed chunks that writes entries straight into compressed-column arrays
 * (10x files are sorted by column, i.e. by barcode), sized from the header's entry count. Out-of-order
 * input is detected and regrouped by an in-place counting sort. See `format.md`.
 */
import {
  type ByteSource,
  checkAllocation,
  HypedError,
  type LongTaskOptions,
  openSource,
  progressReporter,
  type SourceInput,
  throwIfAborted,
} from "@hyped/core";
import { groupByColumn, sortAndSum } from "./csc.js";
import { byteChunks, isGzip } from "./text.js";

/** A MatrixMarket coordinate matrix in compressed-column form (0-based), as read from the file. */
export interface MatrixMarketColumns {
  /** Declared number of rows (features, in 10x files). */
  rows: number;
  /** Declared number of columns (barcodes, in 10x files). */
  cols: number;
  /** `integer`, `real` or `pattern`. */
  field: "integer" | "real" | "pattern";
  /** `general` or `symmetric` (symmetric entries are mirrored on read). */
  symmetry: "general" | "symmetric";
  /** Column pointers, length `cols + 1`: the entries of column `c` are `indptr[c] .. indptr[c + 1] - 1`. */
  indptr: Int32Array;
  /** Row index of each stored entry. */
  indices: Int32Array;
  /** Value of each stored entry (`pattern` files give 1). */
  data: Float32Array | Float64Array;
  /** Number of entry lines in the file (before mirroring and summing). */
  entries: number;
}

/** Options of {@link readMatrixMarketColumns}. */
export interface ReadMatrixMarketColumnsOptions extends LongTaskOptions {
  /** Element type of `data` (default `"float64"`; `readMex` uses `"float32"` like scanpy's `read_10x_mtx`). */
  values?: "float32" | "float64";
  /**
   * Sort the rows within each column and sum duplicate entries, as scipy's `coo_matrix.tocsc()` does
   * (default false: each column keeps the file's order and its duplicates).
   */
  sumDuplicates?: boolean;
}

/** The longest line accepted (64 MiB): a file without newlines must not grow the line buffer forever. */
const MAX_LINE = 64 << 20;
/** gzip cannot expand data by more than about 1032:1 (deflate's maximum ratio). */
const MAX_GZIP_RATIO = 1032;
/** The shortest possible entry line, `1 1\n`. */
const MIN_ENTRY_BYTES = 4;
/** Exact powers of ten 1e0 .. 1e22 (the range where a double holds them exactly). */
const POW10 = Float64Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * The first entry lines are handed to {@link MtxParser.lines} one per call. Otherwise its first call runs
 * the whole first chunk, V8 optimizes the loop on the stack (OSR) before the code after the loop has ever
 * run, and, lacking type feedback for that code, deoptimizes at the end of every later chunk.
 */
const WARM_UP_CALLS = 400;

const FIELD_PATTERN = 0;
const FIELD_INTEGER = 1;
const FIELD_REAL = 2;
const FIELDS = ["pattern", "integer", "real"] as const;

const latin1 = (b: Uint8Array) => new TextDecoder("latin1").decode(b);

/**
 * Incremental parser: `push` decompressed chunks in order, then `finish`. Lines that span chunks are
 * joined through a small carry buffer; every other line is parsed in place.
 */
class MtxParser {
  line = 0;
  /** 0: expecting the banner; 1: expecting the size line; 2: entries. */
  state = 0;
  field = FIELD_REAL;
  symmetric = false;
  rows = 0;
  cols = 0;
  declared = 0;
  entries = 0;
  n = 0;
  indptr = new Int32Array(1);
  indices = new Int32Array(0);
  data: Float32Array | Float64Array = new Float64Array(0);
  /** Column of each stored entry, once the input is found out of column order (null while it is in order). */
  colOf: Int32Array | null = null;
  /** Last column started (in-order mode) and the row of the previous entry in it. */
  cur = -1;
  lastRow = -1;
  /** True while every column's rows are strictly increasing; else the first column where they are not. */
  canonical = true;
  firstBad = 0;
  carry: Uint8Array | null = null;
  warmUp = 0;
  prog: ReturnType<typeof progressReporter> | null = null;

  constructor(
    readonly file: string,
    readonly maxEntries: number,
    readonly values32: boolean,
    readonly options: LongTaskOptions,
  ) {}

  fail(msg: string, line?: number): never {
    throw new HypedError("FORMAT", `${this.file}${line ? `:${line}` : ""}: ${msg}`, { file: this.file, ...(line ? { line } : {}) });
  }

  /** Text of the line starting at `start` (for messages). */
  lineText(buf: Uint8Array, start: number): string {
    let e = buf.indexOf(10, start);
    if (e < 0) e = buf.length;
    if (e > start && buf[e - 1] === 13) e--;
    const t = latin1(buf.subarray(start, Math.min(e, start + 200)));
    return e - start > 200 ? `${t}...` : t;
  }

  push(chunk: Uint8Array): void {
    const before = this.entries;
    this.pushLines(chunk);
    // progress once per chunk, outside the entry loop (a rarely taken call inside it would deoptimize it)
    if (this.entries !== before) this.prog?.tick(this.entries - before);
  }

  pushLines(chunk: Uint8Array): void {
    let start = 0;
    if (this.carry) {
      const nl = chunk.indexOf(10);
      const carry = this.carry;
      if (nl < 0) {
        if (carry.length + chunk.length > MAX_LINE) this.fail(`line is longer than ${MAX_LINE} bytes`, this.line + 1);
        const grown = new Uint8Array(carry.length + chunk.length);
        grown.set(carry);
        grown.set(chunk, carry.length);
        this.carry = grown;
        return;
      }
      const joined = new Uint8Array(carry.length + nl + 1);
      joined.set(carry);
      joined.set(chunk.subarray(0, nl + 1), carry.length);
      this.carry = null;
      this.lines(joined, 0, joined.length);
      start = nl + 1;
    }
    while (this.warmUp < WARM_UP_CALLS && start < chunk.length) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      this.warmUp++;
      this.lines(chunk, start, nl + 1);
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= start) {
      this.lines(chunk, start, last + 1);
      start = last + 1;
    }
    if (start < chunk.length) {
      if (chunk.length - start > MAX_LINE) this.fail(`line is longer than ${MAX_LINE} bytes`, this.line + 1);
      this.carry = chunk.slice(start);
    }
  }

  /** The banner, the size line, and comments or blank lines before the size line: `buf[a, b)`, without the newline. */
  headerLine(buf: Uint8Array, a: number, b: number): void {
    const no = ++this.line;
    if (b > a && buf[b - 1] === 13) b--;
    const text = latin1(buf.subarray(a, b));
    if (this.state === 0) {
      const m = /^%%MatrixMarket\s+matrix\s+(\w+)\s+(\w+)\s+(\w+)/i.exec(text.trim());
      if (!m) this.fail("missing the '%%MatrixMarket matrix ...' header", no);
      const [, fmt = "", fld = "", sym = ""] = (m as RegExpExecArray).map((x) => x.toLowerCase());
      const file = this.file;
      if (fmt !== "coordinate")
        throw new HypedError("UNSUPPORTED", `${file}: MatrixMarket '${fmt}' (dense array) format is not supported, only coordinate`, {
          file,
        });
      const f = FIELDS.indexOf(fld as (typeof FIELDS)[number]);
      if (f < 0) throw new HypedError("UNSUPPORTED", `${file}: MatrixMarket field '${fld}' is not supported`, { file });
      if (sym !== "general" && sym !== "symmetric")
        throw new HypedError("UNSUPPORTED", `${file}: MatrixMarket symmetry '${sym}' is not supported`, { file });
      this.field = f;
      this.symmetric = sym === "symmetric";
      this.state = 1;
      return;
    }
    const t = text.trim();
    if (t === "" || t.startsWith("%")) return;
    const parts = t.split(/\s+/).map((x) => (/^\d+$/.test(x) ? Number(x) : Number.NaN));
    if (parts.length !== 3 || parts.some((x) => !Number.isSafeInteger(x))) this.fail(`bad size line '${t}'`, no);
    const [rows, cols, declared] = parts as [number, number, number];
    if (declared > this.maxEntries) this.fail(`declares ${declared} entries, more than the file can hold (at most ${this.maxEntries})`, no);
    if (this.symmetric && rows !== cols) this.fail(`a symmetric matrix must be square, not ${rows}x${cols}`, no);
    if (cols >= 2 ** 31 - 1 || rows >= 2 ** 31) this.fail(`a ${rows}x${cols} matrix is too large (indices are int32)`, no);
    this.rows = rows;
    this.cols = cols;
    this.declared = declared;
    // symmetric input is mirrored, which breaks column order: keep each entry's column from the start
    const cap = this.symmetric ? declared * 2 : declared;
    checkAllocation(cap, (this.values32 ? 8 : 12) + (this.symmetric ? 4 : 0), `${this.file} entries`);
    checkAllocation(cols + 1, 4, `${this.file} columns`);
    this.indptr = new Int32Array(cols + 1);
    this.indices = new Int32Array(cap);
    this.data = this.values32 ? new Float32Array(cap) : new Float64Array(cap);
    if (this.symmetric) this.colOf = new Int32Array(cap);
    this.prog = progressReporter(this.options.onProgress, "entries", declared, `reading ${this.file}`);
    this.state = 2;
  }

  /** Switch to out-of-order mode: record the column of the `n` entries stored so far (columns `0..cur`). */
  unordered(n: number, cur: number): Int32Array {
    checkAllocation(this.indices.length, 4, `${this.file} entry columns`);
    const colOf = new Int32Array(this.indices.length);
    const indptr = this.indptr;
    for (let c = 0; c <= cur; c++) colOf.fill(c, indptr[c] as number, c < cur ? (indptr[c + 1] as number) : n);
    this.colOf = colOf;
    return colOf;
  }

  /**
   * Parse the lines of `buf[p, end)`; `buf[end - 1]` is a newline, so no scan below runs past `end`.
   *
   * Longer than ~100 lines on purpose: this is the per-byte hot loop of MEX reading. The parser state is
   * copied into locals once per chunk and every field is scanned inline; splitting the row/column/value
   * scans into methods makes V8 pass and re-load that state per entry (the `readMex` bench ratio against
   * scipy is the figure to watch before changing it).
   */
  lines(buf: Uint8Array, p: number, end: number): void {
    while (this.state !== 2 && p < end) {
      const nl = buf.indexOf(10, p);
      this.headerLine(buf, p, nl);
      p = nl + 1;
    }
    if (p >= end) return;
    const rows = this.rows;
    const cols = this.cols;
    const declared = this.declared;
    const field = this.field;
    const symmetric = this.symmetric;
    const indptr = this.indptr;
    const indices = this.indices;
    const data = this.data;
    let colOf = this.colOf;
    let line = this.line;
    let entries = this.entries;
    let n = this.n;
    let cur = this.cur;
    let lastRow = this.lastRow;
    let canonical = this.canonical;
    let firstBad = this.firstBad;
    while (p < end) {
      line++;
      const ls = p;
      let c = buf[p] as number;
      while (c === 32 || c === 9) c = buf[++p] as number;
      if (c === 10 || c === 13 || c === 37) {
        // blank line or comment
        p = buf.indexOf(10, p) + 1;
        continue;
      }
      // row index
      let i = 0;
      let d = c - 48;
      if (d < 0 || d > 9) this.fail(`expected an integer row index in '${this.lineText(buf, ls)}'`, line);
      do {
        i = i * 10 + d;
        c = buf[++p] as number;
        d = c - 48;
      } while (d >= 0 && d <= 9);
      if (c !== 32 && c !== 9) this.fail(`expected an integer row index in '${this.lineText(buf, ls)}'`, line);
      do c = buf[++p] as number;
      while (c === 32 || c === 9);
      // column index
      let j = 0;
      d = c - 48;
      if (d < 0 || d > 9) this.fail(`expected an integer column index in '${this.lineText(buf, ls)}'`, line);
      do {
        j = j * 10 + d;
        c = buf[++p] as number;
        d = c - 48;
      } while (d >= 0 && d <= 9);
      // value
      let v = 1;
      if (field !== FIELD_PATTERN) {
        if (c !== 32 && c !== 9) this.fail(`expected a value in '${this.lineText(buf, ls)}'`, line);
        do c = buf[++p] as number;
        while (c === 32 || c === 9);
        const vs = p;
        let neg = false;
        if (c === 45) {
          neg = true;
          c = buf[++p] as number;
        } else if (c === 43) c = buf[++p] as number;
        const ds = p;
        let m = 0;
        d = c - 48;
        while (d >= 0 && d <= 9) {
          m = m * 10 + d;
          c = buf[++p] as number;
          d = c - 48;
        }
        if ((c === 32 || c === 9 || c === 10 || c === 13) && p > ds && p - ds <= 15) v = neg ? -m : m;
        else {
          // decimals, exponents, long digit strings: the exact (correctly rounded) path
          while (c !== 32 && c !== 9 && c !== 10 && c !== 13) c = buf[++p] as number;
          v = this.number(buf, vs, p, line);
        }
      }
      while (c === 32 || c === 9 || c === 13) c = buf[++p] as number;
      if (c !== 10) this.fail(`unexpected text after the entry: '${this.lineText(buf, ls)}'`, line);
      p++;
      if (i < 1 || i > rows || j < 1 || j > cols) this.fail(`index (${i}, ${j}) is outside the declared ${rows}x${cols} size`, line);
      if (entries >= declared) this.fail(`more entries than the ${declared} the header declares`, line);
      entries++;
      i--;
      j--;
      if (colOf === null && j >= cur) {
        if (j > cur) {
          do indptr[++cur] = n;
          while (cur < j);
        } else if (i <= lastRow && canonical) {
          canonical = false;
          firstBad = cur;
        }
        lastRow = i;
      } else {
        if (colOf === null) colOf = this.unordered(n, cur);
        colOf[n] = j;
        if (symmetric && i !== j) {
          indices[n] = i;
          data[n] = v;
          n++;
          colOf[n] = i;
          i = j;
        }
      }
      indices[n] = i;
      data[n] = v;
      n++;
    }
    this.line = line;
    this.entries = entries;
    this.n = n;
    this.cur = cur;
    this.lastRow = lastRow;
    this.canonical = canonical;
    this.firstBad = firstBad;
  }

  /**
   * A value token `buf[s, e)` that is not a short plain integer. Decimals with at most 15 digits and a
   * power of ten within ±22 are computed exactly (one correctly rounded multiply or divide, Clinger's fast
   * path); anything else goes to `Number`, which rounds correctly. `integer` files must hold integers.
   */
  number(buf: Uint8Array, s: number, e: number, line: number): number {
    let p = s;
    let neg = false;
    if (buf[p] === 45) {
      neg = true;
      p++;
    } else if (buf[p] === 43) p++;
    let m = 0;
    let digits = 0;
    let scale = 0;
    let d = (buf[p] as number) - 48;
    while (p < e && d >= 0 && d <= 9) {
      m = m * 10 + d;
      digits++;
      d = (buf[++p] as number) - 48;
    }
    if (p < e && buf[p] === 46) {
      d = (buf[++p] as number) - 48;
      while (p < e && d >= 0 && d <= 9) {
        m = m * 10 + d;
        digits++;
        scale--;
        d = (buf[++p] as number) - 48;
      }
    }
    let ok = digits > 0;
    if (ok && p < e && (buf[p] === 101 || buf[p] === 69)) {
      p++;
      let eneg = false;
      if (buf[p] === 45) {
        eneg = true;
        p++;
      } else if (buf[p] === 43) p++;
      let x = 0;
      let xd = 0;
      d = (buf[p] as number) - 48;
      while (p < e && d >= 0 && d <= 9) {
        if (x < 1e6) x = x * 10 + d;
        xd++;
        d = (buf[++p] as number) - 48;
      }
      ok = xd > 0;
      scale += eneg ? -x : x;
    }
    let v: number;
    if (ok && p === e && digits <= 15 && scale >= -22 && scale <= 22) {
      v = scale >= 0 ? m * (POW10[scale] as number) : m / (POW10[-scale] as number);
      if (neg) v = -v;
    } else {
      const tok = latin1(buf.subarray(s, e));
      // Python's float() (used by scipy's mmread) also takes inf, infinity and nan in any case
      const special = /^([+-]?)(inf|infinity|nan)$/i.exec(tok);
      if (ok && p === e) v = Number(tok);
      else if (special) v = (special[2] as string).toLowerCase() === "nan" ? Number.NaN : special[1] === "-" ? -Infinity : Infinity;
      else this.fail(`bad value '${tok}'`, line);
    }
    if (this.field === FIELD_INTEGER && !Number.isInteger(v)) this.fail(`bad integer value '${latin1(buf.subarray(s, e))}'`, line);
    return v;
  }

  end(): void {
    const carry = this.carry;
    this.carry = null;
    if (carry?.length) {
      const j = new Uint8Array(carry.length + 1);
      j.set(carry);
      j[carry.length] = 10;
      this.lines(j, 0, j.length);
    }
  }

  finish(sumDuplicates: boolean): MatrixMarketColumns {
    this.end();
    if (this.state === 0) this.fail("empty file");
    if (this.state === 1) this.fail("missing the size line");
    if (this.entries !== this.declared) this.fail(`the header declares ${this.declared} entries but the file has ${this.entries}`);
    const { cols, indptr, indices, data } = this;
    let n = this.n;
    if (this.colOf === null) {
      for (let c = this.cur + 1; c <= cols; c++) indptr[c] = n;
    } else {
      groupByColumn(this.colOf, cols, n, indptr, indices, data);
      this.colOf = null;
      this.canonical = false;
      this.firstBad = 0;
    }
    if (sumDuplicates && !this.canonical) n = sortAndSum(indptr, indices, data, this.firstBad);
    if (this.prog) {
      this.prog.tick(this.entries - this.prog.done);
      this.prog.finish();
    }
    return {
      rows: this.rows,
      cols,
      field: FIELDS[this.field] as MatrixMarketColumns["field"],
      symmetry: this.symmetric ? "symmetric" : "general",
      indptr,
      indices: n === indices.length ? indices : indices.subarray(0, n),
      data: n === data.length ? data : data.subarray(0, n),
      entries: this.entries,
    };
  }
}

const isByteSource = (x: unknown): x is ByteSource =>
  typeof x === "object" && x !== null && typeof (x as ByteSource).read === "function" && typeof (x as ByteSource).size === "number";

/**
 * Stream-parse a MatrixMarket `coordinate` file (plain or gzip) into compressed-column arrays, like
 * scipy's `scipy.io.mmread(...).tocsc()` (with `sumDuplicates`). The header is checked first (its entry
 * count must fit `rows × cols` and what the file's size can hold); the arrays are then allocated once at
 * that size and filled as the text streams by, so memory stays at the final matrix plus a few MiB of
 * buffers when the file is in column order, as 10x/Cell Ranger/EPI2ME files are. Files in another order
 * (or `symmetric` ones, whose mirrored entries land in other columns) take 4 more bytes per entry and an
 * in-place counting sort. Every index is checked against the declared size and the entry count against
 * the entries present; errors are `FORMAT` naming the file and line. Cancellable through `signal`;
 * progress is reported in entries.
 */
export async function readMatrixMarketColumns(
  input: SourceInput | ByteSource,
  options: ReadMatrixMarketColumnsOptions = {},
): Promise<MatrixMarketColumns> {
  const owned = !isByteSource(input);
  const src = await openSource(input);
  try {
    const gz = await isGzip(src, options.signal);
    const maxEntries = Math.floor((src.size * (gz ? MAX_GZIP_RATIO : 1)) / MIN_ENTRY_BYTES);
    return await parseMatrixMarketChunks(byteChunks(src, options.signal), src.name, { ...options, maxEntries });
  } finally {
    if (owned) await src.close?.();
  }
}

/** Options of {@link parseMatrixMarketChunks}. */
export interface ParseMatrixMarketOptions extends ReadMatrixMarketColumnsOptions {
  /** Reject a header declaring more entries than this (e.g. what the input's size can hold); default unlimited. */
  maxEntries?: number;
}

/**
 * The parser of {@link readMatrixMarketColumns} over already decompressed chunks of MatrixMarket text
 * (any split: lines may span chunks), e.g. from a `fetch` body. `name` is used in error messages.
 */
export async function parseMatrixMarketChunks(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  name: string,
  options: ParseMatrixMarketOptions = {},
): Promise<MatrixMarketColumns> {
  const parser = new MtxParser(name, options.maxEntries ?? Number.POSITIVE_INFINITY, options.values === "float32", options);
  for await (const chunk of chunks) {
    throwIfAborted(options.signal, `reading ${name}`);
    parser.push(chunk);
  }
  return parser.finish(options.sumDuplicates ?? false);
}

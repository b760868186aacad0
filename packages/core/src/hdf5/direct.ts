/**
 * Direct chunk reads: numeric hyperslabs read straight from the file's bytes, bypassing h5wasm's data path.
 *
 * h5wasm (HDF5 compiled to wasm) stages every read in the wasm heap, decodes deflate in wasm, and the
 * result is copied out again. For the common layouts we locate the data ourselves — the dataset's object
 * header (found through its object reference, which is its header address), its data-layout message, and
 * the chunk index — and then read each touched chunk with one positional read into its place, decoding
 * deflate with the platform's native zlib where there is one (Node). Everything else, and anything that
 * looks unusual, returns `false` so the caller falls back to h5wasm, which stays the reference path.
 *
 * Supported: data-layout message v3 and v4; compact, contiguous and chunked storage; chunk indexes B-tree v1
 * (every h5py/anndata file at default settings), single chunk, implicit, and non-paged fixed arrays; filters
 * deflate (Node), shuffle and LZF, with per-chunk filter masks. Not handled here (h5wasm reads them): files
 * open for writing, big-endian or converted element types, strided selections, external storage, virtual
 * datasets, extensible-array and B-tree v2 indexes, paged fixed arrays, unallocated chunks (fill values),
 * and the other filters. See `format.md`.
 */
import type { BoxArgs, NativeBinding } from "@hyped/native";
import { forEachLimited } from "../progress.js";
import { type ChunkDecoder, FILTER_IDS, jsDecoder } from "./filters.js";
import type { SyncIO } from "./syncio.js";

/** A located chunk: its origin in dataset coordinates, its file address and stored size, and its filter mask. */
interface ChunkRef {
  origin: number[];
  address: number;
  size: number;
  mask: number;
}

type Layout =
  | { kind: "compact"; bytes: Uint8Array }
  | { kind: "contiguous"; address: number; size: number }
  | { kind: "chunked"; chunk: number[]; index: ChunkIndex };

/** The chunks whose first-axis origin lies in `[lo, hi]` (inclusive), for a dataset of `shape`. */
type ChunkIndex = (lo: number, hi: number, shape: number[]) => ChunkRef[];

/** Thrown inside this module when the structure is not one we handle; turned into `false`. */
/** Thrown inside the direct reader when a structure is outside what it parses (callers fall back or report). */
export class Unhandled extends Error {}

const UNDEFINED_ADDRESS = -1;
/** Upper bound for one metadata block we parse (object header chunk, B-tree node, fixed-array block). */
const MAX_META_BYTES = 64 * 2 ** 20;
/** Largest scratch buffer for one chunk (decoded) or one coalesced raw span. */
const MAX_SCRATCH_BYTES = 256 * 2 ** 20;
/** Runs of one stored block whose whole span is at most this many bytes are read with one read. */
const SPAN_BYTES = 8 * 2 ** 20;
/** Async reads of one long run are split into pieces of this size, so they proceed in parallel. */
const PIECE_BYTES = 8 * 2 ** 20;
/**
 * Runs shorter than this are copied out of one read of their span instead of being scattered into place by
 * `preadv`: handing the kernel one JS view per run costs ~0.3 µs a run on this thread, more than copying a
 * short run from a cache-warm buffer through a reused view (~0.1 µs). Longer runs go straight into place.
 */
const SCATTER_RUN_BYTES = 64 * 1024;

/**
 * A reusable read buffer, with views of it for the runs of the last box copied out of it. Consecutive
 * chunks of one selection share their run pattern, so the views (one per run) are made once per pattern.
 */
interface Scratch {
  buf: Uint8Array;
  key: string;
  views: Uint8Array[];
}

/** A contiguous copy: source byte offset in the stored block, destination byte offset, length. */
type Run = [number, number, number];

/** One unit of work of a direct read. */
type Step =
  | { kind: "memory"; bytes: Uint8Array; runs: BoxRuns }
  | { kind: "copy"; address: number; runs: BoxRuns }
  | { kind: "decode"; address: number; size: number; filters: DirectFilter[]; chunkBytes: number; runs: BoxRuns };

/** A Node built-in module, loaded synchronously (`process.getBuiltinModule`, Node ≥ 20.16); `undefined` elsewhere. */
function builtin<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.(id) as T | undefined;
}

type Inflate = (input: Uint8Array, expected: number) => Uint8Array;
let inflateImpl: Inflate | null | undefined;
/** Native synchronous zlib inflate (Node ≥ 20.16 via `process.getBuiltinModule`), else `null`. */
function nativeInflate(): Inflate | null {
  if (inflateImpl !== undefined) return inflateImpl;
  inflateImpl = null;
  const zlib = builtin<typeof import("node:zlib")>("node:zlib");
  if (zlib?.inflateSync) {
    const z = zlib;
    // one output buffer of the chunk's size (zlib's default 16 KiB pieces would be joined with a copy)
    inflateImpl = (input, expected) => {
      const out = z.inflateSync(input, { chunkSize: Math.max(16384, expected + 64) });
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    };
  }
  return inflateImpl;
}

/**
 * Inflate one complete zlib stream into `dst`, which it must fill exactly; `undefined` when this runtime
 * offers no way to inflate into a given buffer, `false` when the stream does not decode to exactly
 * `dst.length` bytes.
 *
 * Node's public zlib API always allocates its output. Its stream objects, though, drive the native inflater
 * through `handle.writeSync(flush, in, inOff, inLen, out, outOff, outLen)` and report what is left in
 * `_writeState`; writing into the destination directly saves a fresh buffer and a copy per chunk. Those are
 * internals, so the path is feature-checked and verified on a known stream once, and any surprise turns it
 * off for the process (the public `inflateSync` path then serves).
 */
export function inflateInto(input: Uint8Array, dst: Uint8Array): boolean | undefined {
  const z = intoInflater();
  if (!z) return undefined;
  return z(input, dst);
}

type IntoFn = (input: Uint8Array, dst: Uint8Array) => boolean;
let intoImpl: IntoFn | null | undefined;
interface ZlibInternals {
  _handle?: { writeSync?: (...a: unknown[]) => void; reset?: () => void };
  _writeState?: Uint32Array;
  on(ev: string, fn: (e: unknown) => void): void;
  reset?: () => void;
}
function intoInflater(): IntoFn | null {
  if (intoImpl !== undefined) return intoImpl;
  intoImpl = null;
  const zlib = builtin<typeof import("node:zlib")>("node:zlib");
  if (!zlib?.createInflate || !zlib.deflateSync) return null;
  const Z_FINISH = zlib.constants.Z_FINISH;
  let stream: ZlibInternals | undefined;
  let failed: unknown;
  const fresh = (): ZlibInternals | undefined => {
    const s = zlib.createInflate() as unknown as ZlibInternals;
    if (typeof s._handle?.writeSync !== "function" || !(s._writeState instanceof Uint32Array) || typeof s._handle.reset !== "function")
      return undefined;
    s.on("error", (e) => {
      failed = e;
    });
    return s;
  };
  const run: IntoFn = (input, dst) => {
    stream ??= fresh();
    const s = stream as ZlibInternals;
    failed = undefined;
    try {
      (s._handle as { writeSync: (...a: unknown[]) => void }).writeSync(Z_FINISH, input, 0, input.length, dst, 0, dst.length);
    } catch (e) {
      failed = e;
    }
    const state = s._writeState as Uint32Array;
    const ok = failed === undefined && state[0] === 0 && state[1] === 0;
    if (failed !== undefined)
      stream = undefined; // an errored stream is destroyed: make a new one next time
    else (s._handle as { reset: () => void }).reset();
    return ok;
  };
  // verify on a known stream before trusting the internals
  try {
    if (!fresh()) return null;
    const probe = new Uint8Array(70_000).map((_, i) => (i * 7) % 251);
    const packed = zlib.deflateSync(probe);
    const a = new Uint8Array(probe.length);
    const b = new Uint8Array(probe.length);
    if (!run(packed, a) || !run(packed, b)) return null;
    for (let i = 0; i < probe.length; i++) if (a[i] !== probe[i] || b[i] !== probe[i]) return null;
    if (run(packed, new Uint8Array(probe.length - 1))) return null; // too small must fail
    stream = undefined;
  } catch {
    return null;
  }
  intoImpl = run;
  return intoImpl;
}

/** Native box reads in flight for {@link DirectReader.readAsync} by default. */
const NATIVE_IN_FLIGHT = 16;

let nativeImpl: NativeBinding | null | undefined;
let nativeWhy = "";
let nativeOff = false;
/**
 * The box reader of the optional `@hyped/native` addon (Node, when it built at install), else `null`. It
 * does what {@link copyRuns} does after a positional read, in C: the read and the strided copy run on
 * libuv's thread pool, several at once, each from its own core's cache.
 */
function nativeBoxes(): NativeBinding | null {
  if (nativeOff) return null;
  if (nativeImpl !== undefined) return nativeImpl;
  nativeImpl = null;
  const mod = builtin<typeof import("node:module")>("node:module");
  if (!mod?.createRequire) {
    nativeWhy = "not running on Node";
    return null;
  }
  try {
    const r = mod
      .createRequire(import.meta.url)("@hyped/native")
      .load() as { binding: NativeBinding | null; reason: string };
    nativeImpl = r.binding;
    nativeWhy = r.reason;
  } catch (e) {
    nativeWhy = `@hyped/native is not installed (${(e as Error).message.split("\n")[0]})`;
  }
  return nativeImpl;
}

/**
 * Whether direct reads use the `@hyped/native` addon, and if not, why. `setNative(false)` turns it off for
 * this process (the JavaScript path then serves; tests compare the two), `setNative(true)` back on.
 */
export function nativeStatus(): { active: boolean; reason: string } {
  const n = nativeBoxes();
  return { active: n !== null, reason: nativeOff ? "turned off by setNative(false)" : n ? "" : nativeWhy };
}

/** See {@link nativeStatus}. */
export function setNative(on: boolean): void {
  nativeOff = !on;
}

/** Reads in flight for {@link DirectReader.readAsync} by default: the machine's cores (at least 2). */
function defaultConcurrency(): number {
  const os = builtin<{ availableParallelism?: () => number }>("node:os");
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(2, os?.availableParallelism?.() ?? nav?.hardwareConcurrency ?? 2);
}

/** Filter pipeline entries as {@link DirectReader.read} needs them. */
export interface DirectFilter {
  id: number;
  cdValues: number[];
}

/** What {@link DirectReader.read} needs to know about a dataset (from h5wasm's metadata). */
export interface DirectDataset {
  shape: number[];
  elementSize: number;
  filters: DirectFilter[];
}

/** Reads hyperslabs of simple datasets directly from an HDF5 file's bytes; see the module comment. */
export class DirectReader {
  private readonly io: SyncIO;
  private sb?: { offsets: number; lengths: number; base: number; root: number };
  private readonly layouts = new Map<string, Layout | null>();
  private readonly addressOf: (path: string) => number | undefined;
  private scratch = new Uint8Array(0);

  /** `addressOf(path)` gives a dataset's object-header address (relative to the base address). */
  constructor(io: SyncIO, addressOf: (path: string) => number | undefined) {
    this.io = io;
    this.addressOf = addressOf;
  }

  /**
   * Fill `out` (row-major, `count` elements per axis from `offset`, stride 1) with the dataset's raw
   * little-endian element bytes. Returns `false`, with `out` in an unspecified state, when this path does
   * not handle the dataset; the caller then reads through h5wasm.
   */
  read(path: string, ds: DirectDataset, count: number[], offset: number[], out: Uint8Array, signal?: AbortSignal): boolean {
    try {
      const steps = this.plan(path, ds, count, offset);
      if (!steps) return false;
      for (const step of steps) {
        if (signal?.aborted) return false; // the caller's read loop raises ABORTED
        this.runSync(step, ds.elementSize, out);
      }
      return true;
    } catch {
      // anything unexpected (corrupt bytes, a zlib error): h5wasm reads it and reports its own error
      return false;
    }
  }

  /**
   * {@link DirectReader.read} with up to `concurrency` (default: the cores) positional reads in flight on
   * the I/O's thread pool, so copying uncompressed data into fresh memory (page faults included) uses every
   * core; compressed chunks are decoded on this thread meanwhile. Needs an I/O with `readAsync`; otherwise it
   * runs the synchronous path.
   */
  async readAsync(
    path: string,
    ds: DirectDataset,
    count: number[],
    offset: number[],
    out: Uint8Array,
    options: { signal?: AbortSignal; concurrency?: number } = {},
  ): Promise<boolean> {
    if (!this.io.readAsync) return this.read(path, ds, count, offset, out, options.signal);
    try {
      const steps = this.plan(path, ds, count, offset);
      if (!steps) return false;
      const tasks: Array<() => Promise<void>> = [];
      for (const step of steps) tasks.push(...this.asyncTasks(step, ds.elementSize, out));
      let stopped = false;
      // native box reads queue on libuv's pool (4 threads by default); a deep queue keeps its threads busy
      // while this thread settles finished reads (measured: 16 in flight read 734 MB of tile chunks ~30%
      // faster than 4 on 2 cores)
      const native = this.io.fd !== undefined && nativeBoxes() !== null;
      const n = options.concurrency ?? (native ? NATIVE_IN_FLIGHT : defaultConcurrency());
      await forEachLimited(tasks.length, n, async (i) => {
        // cancelled: stop quietly; the caller's read loop raises ABORTED
        if (options.signal?.aborted) stopped = true;
        if (!stopped) await (tasks[i] as () => Promise<void>)();
      });
      return !stopped;
    } catch {
      return false;
    }
  }

  /** Sizes in bytes of the file's offsets and lengths (from the superblock), or `undefined` when unreadable. */
  addressing(): { offsets: number; lengths: number } | undefined {
    try {
      const sb = this.superblock();
      return { offsets: sb.offsets, lengths: sb.lengths };
    } catch {
      return undefined;
    }
  }

  /** `n` bytes at file-relative `address` (metadata-sized: at most 64 MiB), or `undefined` outside the file. */
  bytesAt(address: number, n: number): Uint8Array | undefined {
    try {
      const v = this.readMeta(this.base() + address, n);
      return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    } catch {
      return undefined;
    }
  }

  /** The steps that fill the box, or `undefined` when this path does not handle the dataset. */
  private plan(path: string, ds: DirectDataset, count: number[], offset: number[]): Step[] | undefined {
    const layout = this.layout(path);
    if (!layout) return undefined;
    const esz = ds.elementSize;
    const lo = offset;
    const hi = add(offset, count);
    const origin0 = zerosLike(ds.shape);
    if (layout.kind === "compact") {
      if (layout.bytes.length < shapeProduct(ds.shape) * esz) return undefined;
      return [{ kind: "memory", bytes: layout.bytes, runs: new BoxRuns(ds.shape, origin0, count, offset, lo, hi, esz) }];
    }
    if (layout.kind === "contiguous") {
      if (ds.filters.length || layout.address === UNDEFINED_ADDRESS) return undefined;
      if (layout.size < shapeProduct(ds.shape) * esz) return undefined;
      return [{ kind: "copy", address: layout.address, runs: new BoxRuns(ds.shape, origin0, count, offset, lo, hi, esz) }];
    }
    const nd = ds.shape.length;
    const cs = layout.chunk;
    if (cs.length !== nd) return undefined;
    const c0 = cs[0] as number;
    const first = Math.floor((lo[0] as number) / c0) * c0;
    const chunks = layout.index(first, (hi[0] as number) - 1, ds.shape);
    const hits = chunks.filter((c) => c.origin.every((o, d) => o < (hi[d] as number) && o + (cs[d] as number) > (lo[d] as number)));
    // every chunk the box touches must exist (unallocated chunks mean fill values: h5wasm's business)
    let expected = 1;
    for (let d = 0; d < nd; d++) {
      const c = cs[d] as number;
      expected *= Math.floor(((hi[d] as number) - 1) / c) - Math.floor((lo[d] as number) / c) + 1;
    }
    if (hits.length !== expected) return undefined;
    const chunkBytes = shapeProduct(cs) * esz;
    if (chunkBytes > MAX_SCRATCH_BYTES) return undefined;
    for (const f of ds.filters) if (!decoderFor(f)) return undefined;
    hits.sort((a, b) => a.address - b.address);
    const fileSize = this.io.size() - this.base();
    const steps: Step[] = [];
    for (const c of hits) {
      if (c.address < 0 || c.address + c.size > fileSize) return undefined;
      const runs = new BoxRuns(cs, c.origin, count, offset, lo, hi, esz);
      const active = ds.filters.filter((_, k) => ((c.mask >>> k) & 1) === 0);
      if (active.length === 0) {
        if (c.size < chunkBytes) return undefined;
        const prev = steps[steps.length - 1];
        // consecutive chunks stored back to back that land back to back merge into one read
        if (runs.single && prev?.kind === "copy" && prev.runs.single) {
          const [ps, pd, pn] = prev.runs.single;
          const [s, d, n] = runs.single;
          if (prev.address + ps + pn === c.address + s && pd + pn === d) {
            prev.runs.single[2] = pn + n;
            continue;
          }
        }
        steps.push({ kind: "copy", address: c.address, runs });
      } else steps.push({ kind: "decode", address: c.address, size: c.size, filters: active, chunkBytes, runs });
    }
    return steps;
  }

  private runSync(step: Step, esz: number, out: Uint8Array): void {
    const runs = step.runs;
    if (step.kind === "memory") {
      const src = step.bytes;
      runs.forEach((s, d, n) => {
        out.set(src.subarray(s, s + n), d);
      });
      return;
    }
    const base = this.base();
    if (step.kind === "copy") {
      if (runs.length === 0) return;
      const first = runs.spanStart;
      const span = runs.spanEnd - first;
      if (shortRuns(runs, this.io.readv !== undefined)) {
        // many short runs: read their span once, copy the runs out (natively when the addon is there)
        const nat = this.io.fd !== undefined ? nativeBoxes() : null;
        if (nat) {
          nat.readBoxSync(...this.boxArgs(step.address, runs, out));
          return;
        }
        const sc = this.takeSpan(span);
        try {
          this.readExact(sc.buf.subarray(0, span), base + step.address + first);
          copyRuns(runs, sc, first, out);
        } finally {
          this.spans.push(sc);
        }
      } else if (runs.length > 1 && this.io.readv) {
        // many long runs: one scatter read of their span straight into place (gaps into a junk buffer)
        const views = this.scatterViews(runs, out);
        if (this.io.readv(views, base + step.address + first) !== span) throw new Unhandled();
      } else
        runs.forEach((s, d, n) => {
          this.readExact(out.subarray(d, d + n), base + step.address + s);
        });
      return;
    }
    const raw = this.readScratch(step.address, step.size);
    if (step.filters.length === 1 && (step.filters[0] as DirectFilter).id === 1) {
      // deflate alone: inflate straight into place when the chunk lands as one run, else into a reused buffer
      const whole = runs.single && runs.single[0] === 0 && runs.single[2] === step.chunkBytes;
      const dst = whole
        ? out.subarray((runs.single as Run)[1], (runs.single as Run)[1] + step.chunkBytes)
        : this.decodeBuffer(step.chunkBytes);
      const ok = inflateInto(raw, dst);
      if (ok === false) throw new Unhandled();
      if (ok === true) {
        if (!whole) copyRuns(runs, this.decodedViews(dst), 0, out);
        return;
      }
    }
    let data: Uint8Array = raw;
    for (let k = step.filters.length - 1; k >= 0; k--)
      data = (decoderFor(step.filters[k] as DirectFilter) as Decoder)(data, esz, step.chunkBytes);
    if (data.length < step.chunkBytes) throw new Unhandled();
    const src = data;
    runs.forEach((s, d, n) => {
      out.set(src.subarray(s, s + n), d);
    });
  }

  private asyncTasks(step: Step, esz: number, out: Uint8Array): Array<() => Promise<void>> {
    if (step.kind === "memory") return [async () => this.runSync(step, esz, out)];
    const base = this.base();
    const runs = step.runs;
    if (step.kind === "copy") {
      if (runs.length === 0) return [];
      const first = runs.spanStart;
      const span = runs.spanEnd - first;
      const io = this.io;
      if (shortRuns(runs, io.readvAsync !== undefined)) {
        // many short runs: with the addon, read and copied out on the thread pool (each task from its own
        // core's cache); without, read and copied on this thread, so the copy finds the span in this core's
        // cache (a thread-pool read leaves it in another core's, and copying it across cost more than the
        // overlap saved)
        const nat = io.fd !== undefined ? nativeBoxes() : null;
        if (nat) {
          const args = this.boxArgs(step.address, runs, out);
          return [() => nat.readBox(...args)];
        }
        return [async () => this.runSync(step, esz, out)];
      }
      if (runs.length > 1 && io.readvAsync) {
        const readv = io.readvAsync.bind(io);
        return [
          async () => {
            if ((await readv(this.scatterViews(runs, out), base + step.address + first)) !== span) throw new Unhandled();
          },
        ];
      }
      // long runs are split so several reads (and their page faults) proceed at once
      const tasks: Array<() => Promise<void>> = [];
      runs.forEach((s, d, n) => {
        for (let k = 0; k < n; k += PIECE_BYTES) {
          const m = Math.min(PIECE_BYTES, n - k);
          tasks.push(() => this.readExactAsync(out.subarray(d + k, d + k + m), base + step.address + s + k));
        }
      });
      return tasks;
    }
    // decoding is CPU work on this thread (native inflate straight into place); it runs while the
    // thread-pool reads of other steps are in flight
    return [async () => this.runSync(step, esz, out)];
  }

  private async readExactAsync(view: Uint8Array, position: number): Promise<void> {
    const io = this.io as Required<Pick<SyncIO, "readAsync">>;
    let done = 0;
    while (done < view.length) {
      const got = await io.readAsync(view.subarray(done), position + done);
      if (got <= 0) throw new Unhandled();
      done += got;
    }
  }

  private junk = new Uint8Array(0);
  /**
   * The destination views of a block's runs in source order, with the source bytes between runs (parts of a
   * chunk outside the selection) sent to a shared junk buffer, so one scatter read fills them all.
   */
  private scatterViews(runs: BoxRuns, out: Uint8Array): Uint8Array[] {
    const views: Uint8Array[] = [];
    let pos = runs.spanStart;
    runs.forEach((s, d, n) => {
      if (s > pos) {
        if (this.junk.length < s - pos) this.junk = new Uint8Array(s - pos);
        views.push(this.junk.subarray(0, s - pos));
      }
      views.push(out.subarray(d, d + n));
      pos = s + n;
    });
    return views;
  }

  /** The native box reader's arguments for the runs of the block stored at file-relative `address`. */
  private boxArgs(address: number, runs: BoxRuns, out: Uint8Array): BoxArgs {
    const p = runs.pattern();
    const span = runs.spanEnd - runs.spanStart;
    return [this.io.fd as number, this.base() + address + runs.spanStart, span, out, p.dst0, runs.runBytes, p.counts, p.src, p.dst];
  }

  /** Free span buffers (one per read in flight at most). */
  private spans: Scratch[] = [];
  /** A free span buffer of at least `n` bytes (its run views kept when it is big enough already). */
  private takeSpan(n: number): Scratch {
    const sc = this.spans.pop() ?? { buf: new Uint8Array(0), key: "", views: [] };
    if (sc.buf.length < n) {
      sc.buf = new Uint8Array(n);
      sc.key = "";
    }
    return sc;
  }

  private decodedScratch: Scratch = { buf: new Uint8Array(0), key: "", views: [] };
  /** {@link DirectReader.decodeBuffer}'s bytes as a {@link Scratch}, its views reset when the buffer moved. */
  private decodedViews(dst: Uint8Array): Scratch {
    const sc = this.decodedScratch;
    if (sc.buf.buffer !== dst.buffer || sc.buf.byteOffset !== dst.byteOffset || sc.buf.length !== dst.length) {
      sc.buf = dst;
      sc.key = "";
    }
    return sc;
  }

  private decoded = new Uint8Array(0);
  /** A reusable buffer of `n` bytes for one decoded chunk (separate from the raw scratch). */
  private decodeBuffer(n: number): Uint8Array {
    if (this.decoded.length < n) this.decoded = new Uint8Array(n);
    return this.decoded.subarray(0, n);
  }

  /** Read `n` bytes at file-relative address into the reusable scratch buffer. */
  private readScratch(address: number, n: number): Uint8Array {
    if (n > MAX_SCRATCH_BYTES) throw new Unhandled();
    if (this.scratch.length < n) this.scratch = new Uint8Array(Math.max(n, Math.min(MAX_SCRATCH_BYTES, this.scratch.length * 2)));
    const view = this.scratch.subarray(0, n);
    this.readExact(view, this.base() + address);
    return view;
  }

  private readExact(view: Uint8Array, position: number): void {
    let done = 0;
    while (done < view.length) {
      const got = this.io.read(view.subarray(done), position + done);
      if (got <= 0) throw new Unhandled();
      done += got;
    }
  }

  /** @internal `n` bytes at absolute `address`, checked against the file size. */
  readMeta(address: number, n: number): DataView {
    if (n < 0 || n > MAX_META_BYTES || address < 0 || address + n > this.io.size()) throw new Unhandled();
    const b = new Uint8Array(n);
    this.readExact(b, address);
    return new DataView(b.buffer);
  }

  private base(): number {
    return this.superblock().base;
  }

  /** @internal The superblock's offset and length sizes and the base address. */
  superblock(): { offsets: number; lengths: number; base: number; root: number } {
    if (this.sb) return this.sb;
    const size = this.io.size();
    for (let at = 0; at < size && at <= 2 ** 40; at = at === 0 ? 512 : at * 2) {
      const v = this.readMeta(at, Math.min(128, size - at));
      if (v.byteLength < 16) break;
      const sig = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
      if (!sig.every((b, i) => v.getUint8(i) === b)) continue;
      const version = v.getUint8(8);
      let offsets: number;
      let lengths: number;
      let baseAt: number;
      if (version <= 1) {
        offsets = v.getUint8(13);
        lengths = v.getUint8(14);
        baseAt = version === 0 ? 24 : 28;
      } else if (version <= 3) {
        offsets = v.getUint8(9);
        lengths = v.getUint8(10);
        baseAt = 12;
      } else throw new Unhandled();
      if (![2, 4, 8].includes(offsets) || ![2, 4, 8].includes(lengths)) throw new Unhandled();
      const base = readUint(v, baseAt, offsets);
      if (base < 0) throw new Unhandled();
      // the root group's object header: in the root symbol-table entry (versions 0-1), or a field (2-3)
      const rootAt = version <= 1 ? baseAt + 4 * offsets + offsets : baseAt + 3 * offsets;
      if (rootAt + offsets > v.byteLength) throw new Unhandled();
      const root = readUint(v, rootAt, offsets);
      this.sb = { offsets, lengths, base: base === 0 && at > 0 ? at : base, root };
      return this.sb;
    }
    throw new Unhandled();
  }

  private layout(path: string): Layout | null {
    if (this.layouts.has(path)) return this.layouts.get(path) as Layout | null;
    let layout: Layout | null = null;
    try {
      const addr = this.addressOf(path);
      if (addr !== undefined) layout = this.parseLayout(addr);
    } catch (e) {
      if (!(e instanceof Unhandled)) throw e;
      layout = null;
    }
    this.layouts.set(path, layout);
    return layout;
  }

  /** Walk the object header at `address` and decode its data-layout message. */
  private parseLayout(address: number): Layout | null {
    const { offsets: O, lengths: L } = this.superblock();
    const base = this.base();
    let layoutMsg: DataView | undefined;
    for (const m of this.headerMessages(base + address)) {
      if (m.type === 0x0007) return null; // external data files
      if (m.type === 0x0008) layoutMsg = m.data;
    }
    if (!layoutMsg) return null;
    const v = layoutMsg;
    const version = v.getUint8(0);
    if (version !== 3 && version !== 4) return null;
    const cls = v.getUint8(1);
    if (cls === 0) {
      const n = v.getUint16(2, true);
      if (4 + n > v.byteLength) throw new Unhandled();
      return { kind: "compact", bytes: new Uint8Array(v.buffer, v.byteOffset + 4, n).slice() };
    }
    if (cls === 1) return { kind: "contiguous", address: readUint(v, 2, O), size: readUint(v, 2 + O, L) };
    if (cls !== 2) return null;
    if (version === 3) {
      const nd = v.getUint8(2);
      const btree = readUint(v, 3, O);
      const dims: number[] = [];
      for (let i = 0; i < nd; i++) dims.push(v.getUint32(3 + O + 4 * i, true));
      const chunk = dims.slice(0, nd - 1);
      if (chunk.some((c) => c <= 0)) throw new Unhandled();
      return { kind: "chunked", chunk, index: (lo, hi) => this.btreeChunks(btree, nd, lo, hi) };
    }
    // version 4
    const flags = v.getUint8(2);
    const nd = v.getUint8(3);
    const enc = v.getUint8(4);
    if (enc < 1 || enc > 8) throw new Unhandled();
    const dims: number[] = [];
    let p = 5;
    for (let i = 0; i < nd; i++, p += enc) dims.push(readUint(v, p, enc));
    const chunk = dims.slice(0, nd - 1);
    const esz = dims[nd - 1] as number;
    if (chunk.some((c) => c <= 0)) throw new Unhandled();
    const indexType = v.getUint8(p++);
    if (indexType === 1) {
      // single chunk
      let size = shapeProduct(chunk) * esz;
      let mask = 0;
      if (flags & 0x02) {
        size = readUint(v, p, L);
        mask = v.getUint32(p + L, true);
        p += L + 4;
      }
      const addr = readUint(v, p, O);
      const one: ChunkRef = { origin: chunk.map(() => 0), address: addr, size, mask };
      return { kind: "chunked", chunk, index: () => (addr === UNDEFINED_ADDRESS ? [] : [one]) };
    }
    if (indexType === 2) {
      // implicit: every chunk stored in order, unfiltered, at a fixed stride
      const addr = readUint(v, p, O);
      return {
        kind: "chunked",
        chunk,
        index: (lo, hi, shape) => (addr === UNDEFINED_ADDRESS ? [] : this.implicitChunks(addr, chunk, esz, lo, hi, shape)),
      };
    }
    if (indexType === 3) {
      p += 1; // page bits
      const addr = readUint(v, p, O);
      return { kind: "chunked", chunk, index: (lo, hi, shape) => this.fixedArrayChunks(addr, chunk, esz, lo, hi, shape) };
    }
    return null;
  }

  private gridOrigins(chunk: number[], shape: number[]): number[][] {
    if (shape.length !== chunk.length) throw new Unhandled();
    const grid = shape.map((s, d) => Math.ceil(s / (chunk[d] as number)));
    const total = shapeProduct(grid);
    const origins: number[][] = [];
    const idx = grid.map(() => 0);
    for (let k = 0; k < total; k++) {
      origins.push(idx.map((i, d) => i * (chunk[d] as number)));
      for (let d = grid.length - 1; d >= 0; d--) {
        idx[d] = (idx[d] as number) + 1;
        if ((idx[d] as number) < (grid[d] as number)) break;
        idx[d] = 0;
      }
    }
    return origins;
  }

  private implicitChunks(addr: number, chunk: number[], esz: number, lo: number, hi: number, shape: number[]): ChunkRef[] {
    const bytes = shapeProduct(chunk) * esz;
    return this.gridOrigins(chunk, shape)
      .map((origin, k) => ({ origin, address: addr + k * bytes, size: bytes, mask: 0 }))
      .filter((c) => (c.origin[0] as number) >= lo && (c.origin[0] as number) <= hi);
  }

  private fixedArrayChunks(addr: number, chunk: number[], esz: number, lo: number, hi: number, shape: number[]): ChunkRef[] {
    if (addr === UNDEFINED_ADDRESS) return [];
    const { offsets: O, lengths: L } = this.superblock();
    const base = this.base();
    const h = this.readMeta(base + addr, 4 + 4 + L + O + 4);
    if (tag(h) !== "FAHD" || h.getUint8(4) !== 0) throw new Unhandled();
    const client = h.getUint8(5);
    const entrySize = h.getUint8(6);
    const pageBits = h.getUint8(7);
    const n = readUint(h, 8, L);
    const dblock = readUint(h, 8 + L, O);
    const origins = this.gridOrigins(chunk, shape);
    if (n !== origins.length) throw new Unhandled();
    if (n > 2 ** pageBits) throw new Unhandled(); // paged data blocks
    if (dblock === UNDEFINED_ADDRESS) return [];
    const d = this.readMeta(base + dblock, 6 + O + n * entrySize + 4);
    if (tag(d) !== "FADB") throw new Unhandled();
    const out: ChunkRef[] = [];
    const full = shapeProduct(chunk) * esz;
    let p = 6 + O;
    for (let k = 0; k < n; k++, p += entrySize) {
      const address = readUint(d, p, O);
      let size = full;
      let mask = 0;
      if (client === 1) {
        const sizeBytes = entrySize - O - 4;
        size = readUint(d, p + O, sizeBytes);
        mask = d.getUint32(p + O + sizeBytes, true);
      } else if (client !== 0) throw new Unhandled();
      const origin = origins[k] as number[];
      if (address === UNDEFINED_ADDRESS) continue;
      if ((origin[0] as number) >= lo && (origin[0] as number) <= hi) out.push({ origin, address, size, mask });
    }
    return out;
  }

  /** Chunks of a v1 B-tree (node type 1) whose first-axis origin lies in `[lo, hi]`. */
  private btreeChunks(root: number, nd: number, lo: number, hi: number): ChunkRef[] {
    if (root === UNDEFINED_ADDRESS) return [];
    const { offsets: O } = this.superblock();
    const base = this.base();
    const keySize = 8 + 8 * nd;
    const out: ChunkRef[] = [];
    const visit = (addr: number, depth: number) => {
      if (depth > 64) throw new Unhandled();
      const head = this.readMeta(base + addr, 8 + 2 * O);
      if (tag(head) !== "TREE" || head.getUint8(4) !== 1) throw new Unhandled();
      const level = head.getUint8(5);
      const used = head.getUint16(6, true);
      const body = this.readMeta(base + addr + 8 + 2 * O, (used + 1) * keySize + used * O);
      const keyAt = (i: number) => i * (keySize + O);
      const origin0 = (i: number) => readUint(body, keyAt(i) + 8, 8);
      for (let i = 0; i < used; i++) {
        const k = keyAt(i);
        const child = readUint(body, k + keySize, O);
        if (level > 0) {
          // child i holds chunks from key i up to key i+1
          const from = origin0(i);
          const to = origin0(i + 1);
          if (to < lo || from > hi) continue;
          visit(child, depth + 1);
        } else {
          const o0 = origin0(i);
          if (o0 < lo || o0 > hi) continue;
          const origin: number[] = [];
          for (let dd = 0; dd < nd - 1; dd++) origin.push(readUint(body, k + 8 + 8 * dd, 8));
          out.push({ origin, address: child, size: body.getUint32(k, true), mask: body.getUint32(k + 4, true) });
        }
      }
    };
    visit(root, 0);
    return out;
  }

  /** Messages of the object header at absolute `address` (v1 or v2), following continuation blocks. */
  /** @internal Every message of the object header at absolute `address`, continuation blocks followed. */
  headerMessages(address: number): Array<{ type: number; data: DataView }> {
    const { offsets: O, lengths: L } = this.superblock();
    const base = this.base();
    const msgs: Array<{ type: number; data: DataView }> = [];
    const first = this.readMeta(address, 16);
    const blocks: Array<{ at: number; len: number; v2: boolean; cont: boolean }> = [];
    let v2 = false;
    let hasOrder = false;
    if (first.getUint8(0) === 1) {
      const size = first.getUint32(8, true);
      blocks.push({ at: address + 16, len: size, v2: false, cont: false });
    } else if (tag(first) === "OHDR" && first.getUint8(4) === 2) {
      v2 = true;
      const flags = first.getUint8(5);
      hasOrder = (flags & 0x04) !== 0;
      let p = 6;
      if (flags & 0x20) p += 16;
      if (flags & 0x10) p += 4;
      const w = 1 << (flags & 3);
      const pre = this.readMeta(address, p + w);
      const size = readUint(pre, p, w);
      blocks.push({ at: address + p + w, len: size, v2: true, cont: false });
    } else throw new Unhandled();
    for (let b = 0; b < blocks.length; b++) {
      if (b > 1000) throw new Unhandled();
      const blk = blocks[b] as { at: number; len: number; v2: boolean; cont: boolean };
      let at = blk.at;
      let len = blk.len;
      if (blk.v2 && blk.cont) {
        const sig = this.readMeta(at, 4);
        if (tag(sig) !== "OCHK") throw new Unhandled();
        at += 4;
        len -= 8;
      }
      const view = this.readMeta(at, len);
      let p = 0;
      const hdr = v2 ? 4 + (hasOrder ? 2 : 0) : 8;
      while (p + hdr <= len) {
        const type = v2 ? view.getUint8(p) : view.getUint16(p, true);
        const size = v2 ? view.getUint16(p + 1, true) : view.getUint16(p + 2, true);
        const start = p + hdr;
        if (start + size > len) throw new Unhandled();
        const data = new DataView(view.buffer, view.byteOffset + start, size);
        if (type === 0x0010) {
          const next = base + readUint(data, 0, O);
          // a continuation that points back at a block already read is a cycle (corrupt file)
          if (blocks.some((x) => x.at === next)) throw new Unhandled();
          blocks.push({ at: next, len: readUint(data, O, L), v2, cont: true });
        } else if (type !== 0) msgs.push({ type, data });
        p = start + size;
      }
    }
    return msgs;
  }
}

type Decoder = ChunkDecoder;

/** True if the direct path decodes filter `id` here (the filter table's `js` column; zlib only in Node). */
export function directDecodes(id: number): boolean {
  return decoderFor({ id, cdValues: [] }) !== undefined;
}

function decoderFor(f: DirectFilter): Decoder | undefined {
  return jsDecoder(f.id, f.id === FILTER_IDS.deflate ? (nativeInflate() ?? undefined) : undefined);
}

function tag(v: DataView): string {
  return String.fromCharCode(v.getUint8(0), v.getUint8(1), v.getUint8(2), v.getUint8(3));
}

/** Little-endian unsigned integer of `n` bytes; all-ones (the undefined address) gives -1. */
function readUint(v: DataView, at: number, n: number): number {
  if (at + n > v.byteLength) throw new Unhandled();
  let allOnes = true;
  let x = 0;
  for (let i = n - 1; i >= 0; i--) {
    const b = v.getUint8(at + i);
    if (b !== 0xff) allOnes = false;
    x = x * 256 + b;
  }
  if (allOnes) return UNDEFINED_ADDRESS;
  if (x > Number.MAX_SAFE_INTEGER) throw new Unhandled();
  return x;
}

function shapeProduct(s: number[]): number {
  let p = 1;
  for (const x of s) p *= x;
  return p;
}

function zerosLike(s: number[]): number[] {
  return s.map(() => 0);
}

function add(a: number[], b: number[]): number[] {
  return a.map((x, i) => x + (b[i] as number));
}

/**
 * Whether a block's runs are many and short enough to read their whole span once and copy them out, rather
 * than scatter them into place (`scatter`: the I/O has `preadv`) or read them one by one.
 */
function shortRuns(runs: BoxRuns, scatter: boolean): boolean {
  return runs.length > 1 && runs.spanEnd - runs.spanStart <= SPAN_BYTES && (runs.runBytes < SCATTER_RUN_BYTES || !scatter);
}

/**
 * Copy the runs of `runs` out of `sc.buf`, which holds the block's bytes from source offset `base` on, into
 * `out`: one `TypedArray.set` per run through views of `sc.buf` made once per run pattern.
 */
function copyRuns(runs: BoxRuns, sc: Scratch, base: number, out: Uint8Array): void {
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

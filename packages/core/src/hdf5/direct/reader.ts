/**
 * Read scheduling: {@link DirectReader} runs the steps `plan.ts` makes, synchronously (h5wasm's callbacks
 * and `H5File.read`), or asynchronously with several positional reads in flight on the I/O's thread pool,
 * or through the optional native box reader (`native.ts`). See the module comment of `index.ts`.
 */
import type { BoxArgs } from "@hyped/native";
import { forEachLimited } from "../../progress.js";
import type { SyncIO } from "../syncio.js";
import { type DirectFilter, decoderFor, deflateOnly } from "./decoders.js";
import { type BoxRuns, copyRuns, type Run, type Scratch } from "./geometry.js";
import { type Layout, parseLayout } from "./layout.js";
import { type HeaderMessage, MetaReader, type Superblock, Unhandled } from "./meta.js";
import { defaultConcurrency, NATIVE_IN_FLIGHT, nativeBoxes } from "./native.js";
import { type DirectDataset, MAX_SCRATCH_BYTES, planSteps, type Step } from "./plan.js";
import { inflateInto } from "./zlib.js";

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
 * Whether a block's runs are many and short enough to read their whole span once and copy them out, rather
 * than scatter them into place (`scatter`: the I/O has `preadv`) or read them one by one.
 */
function shortRuns(runs: BoxRuns, scatter: boolean): boolean {
  return runs.length > 1 && runs.spanEnd - runs.spanStart <= SPAN_BYTES && (runs.runBytes < SCATTER_RUN_BYTES || !scatter);
}

/** A read task; `filled`: the byte range of the output it fills, when it fills one range (a piece of a run). */
type FilledTask = (() => Promise<void>) & { filled?: [number, number] };

/** Reads hyperslabs of simple datasets directly from an HDF5 file's bytes; see the module comment. */
export class DirectReader {
  private readonly io: SyncIO;
  private readonly meta: MetaReader;
  private readonly layouts = new Map<string, Layout | null>();
  private readonly addressOf: (path: string) => number | undefined;
  private scratch = new Uint8Array(0);
  private junk = new Uint8Array(0);
  /** Free span buffers (one per read in flight at most). */
  private spans: Scratch[] = [];
  private decodedScratch: Scratch = { buf: new Uint8Array(0), key: "", views: [] };
  private decoded = new Uint8Array(0);

  /** `addressOf(path)` gives a dataset's object-header address (relative to the base address). */
  constructor(io: SyncIO, addressOf: (path: string) => number | undefined) {
    this.io = io;
    this.meta = new MetaReader(io);
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
   * runs the synchronous path. `onFilled(start, end)` is called on this thread with each byte range of `out`
   * as soon as it holds its final bytes (a piece of a long run, or the runs of a step once the step is done;
   * disjoint ranges, together all of `out` when the read returns `true`), so the caller can look at the bytes
   * while they are still in cache.
   */
  async readAsync(
    path: string,
    ds: DirectDataset,
    count: number[],
    offset: number[],
    out: Uint8Array,
    options: { signal?: AbortSignal; concurrency?: number; onFilled?: (start: number, end: number) => void } = {},
  ): Promise<boolean> {
    const filled = options.onFilled;
    if (!this.io.readAsync) {
      const ok = this.read(path, ds, count, offset, out, options.signal);
      if (ok) filled?.(0, out.length);
      return ok;
    }
    try {
      const steps = this.plan(path, ds, count, offset);
      if (!steps) return false;
      const tasks: Array<() => Promise<void>> = [];
      for (const step of steps) {
        const some = this.asyncTasks(step, ds.elementSize, out);
        if (filled) {
          // steps whose reads are not split report their runs once their task is done
          const runs = step.runs;
          const whole = some.length === 1 && (some[0] as FilledTask).filled === undefined;
          for (const t of some) {
            const own = (t as FilledTask).filled;
            tasks.push(async () => {
              await t();
              if (own) filled(own[0], own[1]);
              else if (whole)
                runs.forEach((_s, d, n) => {
                  filled(d, d + n);
                });
            });
          }
        } else tasks.push(...some);
      }
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
      const sb = this.meta.superblock();
      return { offsets: sb.offsets, lengths: sb.lengths };
    } catch {
      return undefined;
    }
  }

  /** `n` bytes at file-relative `address` (metadata-sized: at most 64 MiB), or `undefined` outside the file. */
  bytesAt(address: number, n: number): Uint8Array | undefined {
    try {
      const v = this.meta.readMeta(this.meta.base() + address, n);
      return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    } catch {
      return undefined;
    }
  }

  /** Bytes of the file past the base address (what file-relative addresses can reach). */
  extent(): number {
    try {
      return Math.max(0, this.io.size() - this.meta.base());
    } catch {
      return 0;
    }
  }

  /** @internal `n` bytes at absolute `address`, checked against the file size. */
  readMeta(address: number, n: number): DataView {
    return this.meta.readMeta(address, n);
  }

  /** @internal The superblock's offset and length sizes and the base address. */
  superblock(): Superblock {
    return this.meta.superblock();
  }

  /** @internal Every message of the object header at absolute `address`, continuation blocks followed. */
  headerMessages(address: number): HeaderMessage[] {
    return this.meta.headerMessages(address);
  }

  /** The steps that fill the box, or `undefined` when this path does not handle the dataset. */
  private plan(path: string, ds: DirectDataset, count: number[], offset: number[]): Step[] | undefined {
    const layout = this.layout(path);
    if (!layout) return undefined;
    return planSteps(layout, ds, count, offset, this.io.size() - this.meta.base());
  }

  private layout(path: string): Layout | null {
    if (this.layouts.has(path)) return this.layouts.get(path) as Layout | null;
    let layout: Layout | null = null;
    try {
      const addr = this.addressOf(path);
      if (addr !== undefined) layout = parseLayout(this.meta, addr);
    } catch (e) {
      if (!(e instanceof Unhandled)) throw e;
      layout = null;
    }
    this.layouts.set(path, layout);
    return layout;
  }

  private runSync(step: Step, esz: number, out: Uint8Array): void {
    if (step.kind === "memory") {
      const src = step.bytes;
      step.runs.forEach((s, d, n) => {
        out.set(src.subarray(s, s + n), d);
      });
    } else if (step.kind === "copy") this.runCopy(step, out);
    else this.runDecode(step, esz, out);
  }

  /** A raw (unfiltered) block: span read and copy, scatter read, or one read per run. */
  private runCopy(step: Extract<Step, { kind: "copy" }>, out: Uint8Array): void {
    const runs = step.runs;
    if (runs.length === 0) return;
    const base = this.meta.base();
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
        this.meta.readExact(sc.buf.subarray(0, span), base + step.address + first);
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
        this.meta.readExact(out.subarray(d, d + n), base + step.address + s);
      });
  }

  /** A filtered chunk: read it, undo its filters (deflate alone straight into place), copy its runs out. */
  private runDecode(step: Extract<Step, { kind: "decode" }>, esz: number, out: Uint8Array): void {
    const runs = step.runs;
    const raw = this.readScratch(step.address, step.size);
    if (deflateOnly(step.filters)) {
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
      data = (decoderFor(step.filters[k] as DirectFilter) as NonNullable<ReturnType<typeof decoderFor>>)(data, esz, step.chunkBytes);
    if (data.length < step.chunkBytes) throw new Unhandled();
    const src = data;
    runs.forEach((s, d, n) => {
      out.set(src.subarray(s, s + n), d);
    });
  }

  private asyncTasks(step: Step, esz: number, out: Uint8Array): Array<() => Promise<void>> {
    // decoding is CPU work on this thread (native inflate straight into place); it runs while the
    // thread-pool reads of other steps are in flight
    if (step.kind !== "copy") return [async () => this.runSync(step, esz, out)];
    const base = this.meta.base();
    const runs = step.runs;
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
    const tasks: FilledTask[] = [];
    runs.forEach((s, d, n) => {
      for (let k = 0; k < n; k += PIECE_BYTES) {
        const m = Math.min(PIECE_BYTES, n - k);
        const task: FilledTask = () => this.readExactAsync(out.subarray(d + k, d + k + m), base + step.address + s + k);
        task.filled = [d + k, d + k + m];
        tasks.push(task);
      }
    });
    return tasks;
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
    return [this.io.fd as number, this.meta.base() + address + runs.spanStart, span, out, p.dst0, runs.runBytes, p.counts, p.src, p.dst];
  }

  /** A free span buffer of at least `n` bytes (its run views kept when it is big enough already). */
  private takeSpan(n: number): Scratch {
    const sc = this.spans.pop() ?? { buf: new Uint8Array(0), key: "", views: [] };
    if (sc.buf.length < n) {
      sc.buf = new Uint8Array(n);
      sc.key = "";
    }
    return sc;
  }

  /** {@link DirectReader.decodeBuffer}'s bytes as a {@link Scratch}, its views reset when the buffer moved. */
  private decodedViews(dst: Uint8Array): Scratch {
    const sc = this.decodedScratch;
    if (sc.buf.buffer !== dst.buffer || sc.buf.byteOffset !== dst.byteOffset || sc.buf.length !== dst.length) {
      sc.buf = dst;
      sc.key = "";
    }
    return sc;
  }

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
    this.meta.readExact(view, this.meta.base() + address);
    return view;
  }
}

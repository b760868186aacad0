/**
 * `segmentFrames`: {@link segmentFrame} over many frames, on Node worker threads when available.
 *
 * Browser-safe: `node:*` modules are imported dynamically, only when workers are used. The workers are core's
 * {@link WorkerPool}: each imports this very module (by `import.meta.url`) and calls {@link runSegmentWorker};
 * from the TypeScript sources (vitest, tsx, `pnpm bench`) the pool registers tsx first, from the bundle
 * `import.meta.url` is the bundle, which exports `runSegmentWorker`.
 */

import {
  type AnyNdArray,
  contiguous,
  type DType,
  HypedError,
  isHypedError,
  isNdArray,
  type LongTaskOptions,
  markBool,
  type NdArray,
  ndarray,
  ndDtype,
  serveWorker,
  throwIfAborted,
  WorkerPool,
  withTransfer,
} from "@hyped/core";
import { type SegmentFrameOptions, type SegmentFrameResult, segmentFrame } from "./segment.js";

/** Options of {@link segmentFrames}: every {@link SegmentFrameOptions} field (applied to each frame) plus `workers`. */
export interface SegmentFramesOptions extends SegmentFrameOptions {
  /**
   * Worker threads. Default: the available cores (`os.availableParallelism()`) on Node, capped at the number
   * of frames; 0 segments in this thread (always the case outside Node).
   */
  workers?: number;
}

/** What crosses the thread boundary for one frame. */
interface FrameMessage {
  data: ArrayBufferView;
  shape: number[];
  bool: boolean;
  options: Omit<SegmentFrameOptions, "signal" | "onProgress">;
}

/** A result with plain typed arrays (transferable). */
interface PlainResult {
  labels: Int32Array;
  mask: Uint8Array;
  shape: [number, number];
  objects: SegmentFrameResult["objects"];
  threshold: number;
  clipHigh: Record<string, number>;
  seeds: number;
}

function toPlain(r: SegmentFrameResult): PlainResult {
  return {
    labels: r.labels.data as Int32Array,
    mask: r.mask.data as unknown as Uint8Array,
    shape: [r.labels.shape[0]!, r.labels.shape[1]!],
    objects: r.objects,
    threshold: r.threshold,
    clipHigh: r.clipHigh,
    seeds: r.seeds,
  };
}

function fromPlain(p: PlainResult): SegmentFrameResult {
  return {
    labels: ndarray(p.labels, [...p.shape]) as unknown as NdArray<"int32">,
    mask: markBool(ndarray(p.mask, [...p.shape])) as unknown as NdArray<"bool">,
    objects: p.objects,
    threshold: p.threshold,
    clipHigh: p.clipHigh,
    seeds: p.seeds,
  };
}

function transferList(p: PlainResult): ArrayBuffer[] {
  const bufs = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView) => bufs.add(a.buffer as ArrayBuffer);
  add(p.labels);
  add(p.mask);
  const o = p.objects;
  for (const a of [o.id, o.centroidRow, o.centroidCol, o.area, ...Object.values(o.meanIntensity)]) add(a);
  return [...bufs];
}

/**
 * Worker-thread entry point of {@link segmentFrames} (called by the pool; not for direct use).
 * @internal
 */
export async function runSegmentWorker(): Promise<void> {
  await serveWorker<FrameMessage, PlainResult>((m) => {
    const frame = ndarray(m.data as unknown as Float64Array, m.shape) as unknown as AnyNdArray;
    if (m.bool) markBool(frame);
    const plain = toPlain(segmentFrame(frame, m.options));
    return withTransfer(plain, transferList(plain));
  });
}

/** A pool of `n` segmentation workers. */
function openWorkers(n: number): Promise<WorkerPool<FrameMessage, PlainResult>> {
  return WorkerPool.open<FrameMessage, PlainResult>({
    moduleUrl: import.meta.url,
    entry: "runSegmentWorker",
    size: n,
    name: "segmentation worker",
  });
}

/** The frame as a compact typed array of its own (a copy unless it already owns its whole buffer). */
function packFrame(frame: AnyNdArray): { data: ArrayBufferView; shape: number[]; bool: boolean; owned: boolean } {
  const dtype: DType = ndDtype(frame);
  const c = contiguous(frame);
  const d = c.data as unknown as ArrayBufferView & { length: number; slice(): ArrayBufferView };
  const size = c.shape.reduce((a, b) => a * b, 1);
  const whole = d.byteOffset === 0 && d.byteLength === d.buffer.byteLength && d.length === size && c.offset === 0;
  return {
    data: whole ? d : (d as unknown as Uint8Array).slice(c.offset, c.offset + size),
    shape: [...c.shape],
    bool: dtype === "bool",
    owned: !whole || c !== frame,
  };
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === "string";
}

/**
 * Segment many frames with {@link segmentFrame} (same options, applied to each), on `workers` Node worker
 * threads: each worker segments one frame at a time and takes the next when done, so at most `workers`
 * frame copies are in flight. Results come back in input order and equal the in-thread results exactly.
 *
 * - Progress: `onProgress` gets `{ done, total, unit: 'frames' }` after each frame.
 * - Cancellation: aborting `signal` terminates the workers and rejects with `ABORTED`.
 * - Outside Node, or with `workers: 0`, frames are segmented one after another in this thread (yielding to
 *   the event loop between frames so `signal` can be honoured).
 * - Each frame is copied to its worker (structured clone); results are transferred back without copying.
 */
export async function segmentFrames(frames: readonly AnyNdArray[], options: SegmentFramesOptions = {}): Promise<SegmentFrameResult[]> {
  const { signal, onProgress, workers: wOpt, ...frameOptions } = options;
  if (!Array.isArray(frames)) throw new HypedError("INVALID_ARGUMENT", "frames must be an array of 3-D ndarrays", {});
  frames.forEach((f, i) => {
    if (!isNdArray(f) || f.shape.length !== 3)
      throw new HypedError("INVALID_ARGUMENT", `frame ${i} must be a 3-D ndarray (C, Y, X)`, { frame: i });
  });
  if (wOpt !== undefined && (!Number.isInteger(wOpt) || wOpt < 0))
    throw new HypedError("INVALID_ARGUMENT", `workers must be a non-negative integer, got ${String(wOpt)}`, { workers: wOpt });
  throwIfAborted(signal, "segmentFrames");
  const total = frames.length;
  const results: SegmentFrameResult[] = new Array(total);
  if (total === 0) return results;
  let n = 0;
  if (isNode() && wOpt !== 0) {
    const os = await import("node:os");
    n = Math.min(wOpt ?? os.availableParallelism(), total);
  }
  if (n === 0) {
    for (let i = 0; i < total; i++) {
      await new Promise<void>((r) => setTimeout(r, 0));
      throwIfAborted(signal, "segmentFrames");
      results[i] = segmentFrame(frames[i]!, { ...frameOptions, ...(signal ? { signal } : {}) });
      onProgress?.({ done: i + 1, total, unit: "frames" });
    }
    return results;
  }
  return runOnWorkers(frames, frameOptions, n, results, signal, onProgress);
}

async function runOnWorkers(
  frames: readonly AnyNdArray[],
  frameOptions: Omit<SegmentFrameOptions, "signal" | "onProgress">,
  n: number,
  results: SegmentFrameResult[],
  signal: AbortSignal | undefined,
  onProgress: LongTaskOptions["onProgress"],
): Promise<SegmentFrameResult[]> {
  const pool = await openWorkers(n);
  const total = frames.length;
  let next = 0;
  let done = 0;
  let stopped: unknown;
  const stop = (e: unknown) => {
    stopped ??= e;
    void pool.close();
  };
  const onAbort = () =>
    stop(new HypedError("ABORTED", "segmentFrames was cancelled", { what: "segmentFrames" }, { cause: signal?.reason }));
  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  // Each lane keeps one worker busy, one frame at a time, so at most `n` frame copies are in flight.
  const lane = async () => {
    while (next < total && stopped === undefined) {
      const id = next++;
      const p = packFrame(frames[id]!);
      const msg: FrameMessage = { data: p.data, shape: p.shape, bool: p.bool, options: frameOptions };
      try {
        results[id] = fromPlain(await pool.run(msg, { transfer: p.owned ? [p.data.buffer as ArrayBuffer] : [] }));
      } catch (e) {
        const fromFrame = isHypedError(e) && e !== pool.failure && stopped === undefined;
        stop(fromFrame ? new HypedError(e.code, `frame ${id}: ${e.message}`, { ...e.context, frame: id }) : e);
        return;
      }
      done++;
      onProgress?.({ done, total, unit: "frames" });
    }
  };
  try {
    await Promise.all(Array.from({ length: n }, lane));
    if (stopped !== undefined) throw stopped;
    return results;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    await pool.close();
  }
}

/** A set of segmentation worker threads kept open across calls (see {@link openSegmentPool}). */
export interface SegmentPool {
  /** Worker threads (0: frames are segmented in the calling thread). */
  readonly workers: number;
  /**
   * Segment one frame with the pool's options (plus `options`, which override them); resolves to exactly
   * what {@link segmentFrame} returns. Frames queue when every worker is busy. The frame is copied to its
   * worker (its buffer is transferred instead when the pool may take it: `transfer: true`).
   */
  segment(
    frame: AnyNdArray,
    options?: Omit<SegmentFrameOptions, "signal" | "onProgress"> & { transfer?: boolean },
  ): Promise<SegmentFrameResult>;
  /** Stop the workers; pending frames reject with `ABORTED`. */
  close(): Promise<void>;
}

/** Options of {@link openSegmentPool}: the default {@link SegmentFrameOptions} of every frame, plus workers. */
export interface SegmentPoolOptions extends Omit<SegmentFrameOptions, "onProgress"> {
  /** Worker threads. Default: `os.availableParallelism()` on Node; 0 (or outside Node) segments in this thread. */
  workers?: number;
}

/**
 * Open a pool of segmentation workers for a stream of frames that are not all in memory at once (e.g. read
 * scene by scene from a frame store): unlike {@link segmentFrames}, the workers start once and serve every
 * later call. Aborting `signal` closes the pool. Close it when done.
 */
export async function openSegmentPool(options: SegmentPoolOptions = {}): Promise<SegmentPool> {
  const { signal, workers: wOpt, ...defaults } = options;
  if (wOpt !== undefined && (!Number.isInteger(wOpt) || wOpt < 0))
    throw new HypedError("INVALID_ARGUMENT", `workers must be a non-negative integer, got ${String(wOpt)}`, { workers: wOpt });
  throwIfAborted(signal, "openSegmentPool");
  let n = 0;
  if (isNode() && wOpt !== 0) n = wOpt ?? (await import("node:os")).availableParallelism();
  if (n === 0) {
    let closed = false;
    return {
      workers: 0,
      async segment(frame, o = {}) {
        const { transfer: _t, ...rest } = o;
        if (closed) throw new HypedError("ABORTED", "the segmentation pool is closed", {});
        await new Promise<void>((r) => setTimeout(r, 0));
        return segmentFrame(frame, { ...defaults, ...rest, ...(signal ? { signal } : {}) });
      },
      async close() {
        closed = true;
      },
    };
  }
  const pool = await openWorkers(n);
  let closed = false;
  const onAbort = () => {
    closed = true;
    void pool.close();
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  return {
    workers: n,
    async segment(frame, o = {}) {
      const { transfer, ...rest } = o;
      if (!isNdArray(frame) || frame.shape.length !== 3)
        throw new HypedError("INVALID_ARGUMENT", "frame must be a 3-D ndarray (C, Y, X)", {});
      const p = packFrame(frame);
      const msg: FrameMessage = { data: p.data, shape: p.shape, bool: p.bool, options: { ...defaults, ...rest } };
      try {
        return fromPlain(await pool.run(msg, { transfer: p.owned || transfer ? [p.data.buffer as ArrayBuffer] : [] }));
      } catch (e) {
        if (!isHypedError(e) || e === pool.failure || closed) throw e;
        throw new HypedError(e.code, `frame: ${e.message}`, { ...e.context });
      }
    },
    async close() {
      closed = true;
      signal?.removeEventListener("abort", onAbort);
      await pool.close();
    },
  };
}

/**
 * `segmentFrames`: {@link segmentFrame} over many frames, on Node worker threads when available.
 *
 * Browser-safe: `node:*` modules are imported dynamically, only when workers are used. Each worker starts
 * from a fixed bootstrap that imports this very module (by `import.meta.url`) and calls
 * {@link runSegmentWorker}; from the TypeScript sources (vitest, tsx, `pnpm bench`) the bootstrap registers
 * tsx first, from the bundle `import.meta.url` is the bundle, which exports `runSegmentWorker`.
 */

import {
  type AnyNdArray,
  contiguous,
  type DType,
  HypedError,
  type HypedErrorCode,
  isHypedError,
  isNdArray,
  type LongTaskOptions,
  markBool,
  type NdArray,
  ndarray,
  ndDtype,
  throwIfAborted,
} from "@hyped/core";
import { tsxLoaderFor } from "../tsx-loader.js";
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
  id: number;
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

type ErrorShape = { code: string; message: string; context: Record<string, unknown> };
type WorkerReply = { id: number; result: PlainResult } | { id: number; error: ErrorShape } | { fatal: string } | { ready: true };

/** The worker bootstrap: fixed text; the module URL and tsx entry come through `workerData`. */
const BOOTSTRAP = `
const { workerData, parentPort } = require("node:worker_threads");
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  const m = await import(workerData.moduleUrl);
  await m.runSegmentWorker();
})().catch((e) => parentPort.postMessage({ fatal: String((e && e.stack) || e) }));
`;

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

function errorShape(e: unknown): ErrorShape {
  if (isHypedError(e)) {
    let context: Record<string, unknown>;
    try {
      context = structuredClone(e.context);
    } catch {
      context = {};
    }
    return { code: e.code, message: e.message, context };
  }
  return { code: "IO", message: e instanceof Error ? e.message : String(e), context: {} };
}

/**
 * Worker-thread entry point of {@link segmentFrames} (started by its bootstrap; not for direct use).
 * @internal
 */
export async function runSegmentWorker(): Promise<void> {
  const { parentPort } = await import("node:worker_threads");
  if (!parentPort) throw new HypedError("INVALID_ARGUMENT", "runSegmentWorker must run in a worker thread", {});
  parentPort.on("message", (m: FrameMessage) => {
    try {
      const frame = ndarray(m.data as unknown as Float64Array, m.shape) as unknown as AnyNdArray;
      if (m.bool) markBool(frame);
      const plain = toPlain(segmentFrame(frame, m.options));
      parentPort.postMessage({ id: m.id, result: plain }, transferList(plain));
    } catch (e) {
      parentPort.postMessage({ id: m.id, error: errorShape(e) });
    }
  });
  parentPort.postMessage({ ready: true });
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
  const { Worker } = await import("node:worker_threads");
  const moduleUrl = import.meta.url;
  const tsx = await tsxLoaderFor(moduleUrl, "segmentation workers");
  throwIfAborted(signal, "segmentFrames");
  const total = frames.length;
  const workers: InstanceType<typeof Worker>[] = [];
  let next = 0;
  let done = 0;
  let finished = false;
  return new Promise<SegmentFrameResult[]>((resolve, reject) => {
    const stop = (err?: unknown) => {
      if (finished) return;
      finished = true;
      signal?.removeEventListener("abort", onAbort);
      for (const w of workers) void w.terminate();
      if (err === undefined) resolve(results);
      else reject(err);
    };
    const onAbort = () =>
      stop(new HypedError("ABORTED", "segmentFrames was cancelled", { what: "segmentFrames" }, { cause: signal?.reason }));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const feed = (w: InstanceType<typeof Worker>) => {
      if (finished || next >= total) return;
      const id = next++;
      const p = packFrame(frames[id]!);
      const msg: FrameMessage = { id, data: p.data, shape: p.shape, bool: p.bool, options: frameOptions };
      w.postMessage(msg, p.owned ? [p.data.buffer as ArrayBuffer] : []);
    };
    for (let k = 0; k < n; k++) {
      const w = new Worker(BOOTSTRAP, {
        eval: true,
        workerData: { moduleUrl, tsx },
        execArgv: tsx ? ["--conditions=@hyped/source"] : [],
      });
      workers.push(w);
      w.on("message", (m: WorkerReply) => {
        if (finished) return;
        if ("ready" in m) return feed(w);
        if ("fatal" in m) return stop(new HypedError("IO", `segmentation worker failed to start: ${m.fatal}`, {}));
        if ("error" in m) {
          return stop(
            new HypedError(m.error.code as HypedErrorCode, `frame ${m.id}: ${m.error.message}`, { ...m.error.context, frame: m.id }),
          );
        }
        results[m.id] = fromPlain(m.result);
        done++;
        onProgress?.({ done, total, unit: "frames" });
        if (done === total) stop();
        else feed(w);
      });
      w.on("error", (e) => stop(new HypedError("IO", `segmentation worker failed: ${e.message}`, {}, { cause: e })));
      w.on("exit", (code) => {
        if (!finished && code !== 0) stop(new HypedError("IO", `segmentation worker exited with code ${code}`, {}));
      });
    }
  });
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
  const { Worker } = await import("node:worker_threads");
  const moduleUrl = import.meta.url;
  const tsx = await tsxLoaderFor(moduleUrl, "segmentation workers");
  type Job = { msg: FrameMessage; transfer: ArrayBuffer[]; resolve: (r: SegmentFrameResult) => void; reject: (e: unknown) => void };
  const queue: Job[] = [];
  const idle: InstanceType<typeof Worker>[] = [];
  const busy = new Map<InstanceType<typeof Worker>, Job>();
  const all: InstanceType<typeof Worker>[] = [];
  let failure: unknown;
  let nextId = 0;
  const failAll = (e: unknown) => {
    failure ??= e;
    for (const j of queue.splice(0)) j.reject(failure);
    for (const j of busy.values()) j.reject(failure);
    busy.clear();
    for (const w of all) void w.terminate();
  };
  const pump = () => {
    while (idle.length && queue.length) {
      const w = idle.pop() as InstanceType<typeof Worker>;
      const j = queue.shift() as Job;
      busy.set(w, j);
      w.postMessage(j.msg, j.transfer);
    }
  };
  const onAbort = () =>
    failAll(new HypedError("ABORTED", "segmentation was cancelled", { what: "segmentPool" }, { cause: signal?.reason }));
  signal?.addEventListener("abort", onAbort, { once: true });
  for (let k = 0; k < n; k++) {
    const w = new Worker(BOOTSTRAP, { eval: true, workerData: { moduleUrl, tsx }, execArgv: tsx ? ["--conditions=@hyped/source"] : [] });
    all.push(w);
    w.on("message", (m: WorkerReply) => {
      if ("ready" in m) {
        idle.push(w);
        return pump();
      }
      if ("fatal" in m) return failAll(new HypedError("IO", `segmentation worker failed to start: ${m.fatal}`, {}));
      const j = busy.get(w);
      busy.delete(w);
      idle.push(w);
      if (j) {
        if ("error" in m) {
          j.reject(new HypedError(m.error.code as HypedErrorCode, `frame: ${m.error.message}`, { ...m.error.context }));
        } else j.resolve(fromPlain(m.result));
      }
      pump();
    });
    w.on("error", (e) => failAll(new HypedError("IO", `segmentation worker failed: ${e.message}`, {}, { cause: e })));
    w.on("exit", (code) => {
      if (code !== 0 && failure === undefined) failAll(new HypedError("IO", `segmentation worker exited with code ${code}`, {}));
    });
  }
  return {
    workers: n,
    segment(frame, o = {}) {
      const { transfer, ...rest } = o;
      if (failure) return Promise.reject(failure);
      if (!isNdArray(frame) || frame.shape.length !== 3)
        return Promise.reject(new HypedError("INVALID_ARGUMENT", "frame must be a 3-D ndarray (C, Y, X)", {}));
      const p = packFrame(frame);
      const msg: FrameMessage = { id: nextId++, data: p.data, shape: p.shape, bool: p.bool, options: { ...defaults, ...rest } };
      return new Promise<SegmentFrameResult>((resolve, reject) => {
        queue.push({ msg, transfer: p.owned || transfer ? [p.data.buffer as ArrayBuffer] : [], resolve, reject });
        pump();
      });
    },
    async close() {
      signal?.removeEventListener("abort", onAbort);
      failAll(new HypedError("ABORTED", "the segmentation pool is closed", {}));
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}

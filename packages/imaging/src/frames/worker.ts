/**
 * A small worker-thread pool (Node `worker_threads`) for frame conversion and parallel frame reads.
 *
 * Each worker starts from a fixed bootstrap that imports this very module (by `import.meta.url`) and calls
 * {@link runFramesWorker}, which serves either conversion tasks or read jobs. This works both from the TypeScript sources (the bootstrap registers `tsx` first,
 * as tests and `pnpm hyped` run from `src/`) and from the published bundle (where `import.meta.url` is the
 * bundle, which exports `runFramesWorker`), without a second build entry.
 */

import { HypedError, isHypedError } from "@hyped/core";
import { tsxLoaderFor } from "../tsx-loader.js";
import { type FrameReadJob, readFrameRegion } from "./read.js";
import { type FrameTask, type TaskInit, type TaskResult, TaskRunner } from "./task.js";

/** What a pool's workers do: convert frames (with a {@link TaskInit}) or read frames into shared memory. */
export type PoolKind = { kind: "convert"; init: TaskInit } | { kind: "read" };

/** A read job for a worker: the frame plus the shared destination (element type from `dtype`). */
export interface SharedReadJob extends FrameReadJob {
  id: number;
  buffer: SharedArrayBuffer;
}

/** The worker bootstrap: fixed text, no interpolation (data goes through `workerData`). */
const BOOTSTRAP = `
const { workerData, parentPort } = require("node:worker_threads");
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  const m = await import(workerData.moduleUrl);
  await m.runFramesWorker();
})().catch((e) => parentPort.postMessage({ fatal: String((e && e.stack) || e) }));
`;

type ErrorShape = { code: string; message: string; context: Record<string, unknown> };
type WorkerMessage = { id: number; result: unknown } | { id: number; error: ErrorShape } | { fatal: string } | { ready: true };

const VIEW_CTORS = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;

/**
 * Worker-thread entry point (called by the pool's bootstrap; not for direct use). Reads {@link PoolKind}
 * from `workerData.pool`, then serves each posted task and posts its result or a serialised error.
 */
export async function runFramesWorker(): Promise<void> {
  const { parentPort, workerData } = await import("node:worker_threads");
  if (!parentPort) throw new HypedError("INVALID_ARGUMENT", "runFramesWorker must run in a worker thread", {});
  const pool = (workerData as { pool: PoolKind }).pool;
  const runner = pool.kind === "convert" ? new TaskRunner(pool.init) : undefined;
  const serve = async (task: { id: number }): Promise<unknown> => {
    if (runner) return runner.run(task as FrameTask);
    const job = task as SharedReadJob;
    const ctor = VIEW_CTORS[job.expect.dtype as keyof typeof VIEW_CTORS];
    if (!ctor)
      throw new HypedError("UNSUPPORTED", `${job.file}: parallel reads of ${job.expect.dtype} frames are not supported`, {
        file: job.file,
      });
    await readFrameRegion(job, new (ctor as unknown as Uint16ArrayConstructor)(job.buffer));
    return null;
  };
  parentPort.on("message", (msg: { task: { id: number } }) => {
    const task = msg.task;
    serve(task).then(
      (result) => parentPort.postMessage({ id: task.id, result }),
      (e: unknown) => {
        const err: ErrorShape = isHypedError(e)
          ? { code: e.code, message: e.message, context: safeContext(e.context) }
          : { code: "IO", message: e instanceof Error ? e.message : String(e), context: {} };
        parentPort.postMessage({ id: task.id, error: err });
      },
    );
  });
  parentPort.postMessage({ ready: true });
}

function safeContext(c: Record<string, unknown>): Record<string, unknown> {
  try {
    return structuredClone(c);
  } catch {
    return JSON.parse(JSON.stringify(c, (_k, v) => (typeof v === "bigint" ? String(v) : v))) as Record<string, unknown>;
  }
}

/** A pool of `n` workers of one {@link PoolKind}. */
export class FramePool {
  private readonly workers: import("node:worker_threads").Worker[] = [];
  private readonly pending = new Map<number, { resolve(r: unknown): void; reject(e: unknown): void; worker: number }>();
  private readonly idle: number[] = [];
  private readonly waiting: Array<(w: number) => void> = [];
  private failure: HypedError | undefined;
  private unref = false;

  private constructor() {}

  /** Start `n` workers and wait until each is ready. With `unref`, idle workers do not keep the process alive. */
  static async start(n: number, kind: PoolKind, options: { unref?: boolean } = {}): Promise<FramePool> {
    const { Worker } = await import("node:worker_threads");
    const pool = new FramePool();
    const moduleUrl = import.meta.url;
    const fromSource = /\.ts$/.test(new URL(moduleUrl).pathname);
    const tsx = await tsxLoaderFor(moduleUrl, "conversion workers");
    const ready: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const w = new Worker(BOOTSTRAP, {
        eval: true,
        workerData: { moduleUrl, tsx, pool: kind },
        execArgv: fromSource ? ["--conditions=@hyped/source"] : [],
      });
      pool.workers.push(w);
      pool.unref = options.unref === true;
      if (pool.unref) w.unref();
      ready.push(
        new Promise<void>((resolve, reject) => {
          w.on("message", (m: WorkerMessage) => {
            if ("ready" in m) {
              pool.release(i);
              resolve();
            } else if ("fatal" in m) {
              const err = new HypedError("IO", `frame worker ${i} failed to start: ${m.fatal}`, { worker: i });
              pool.fail(err);
              reject(err);
            } else pool.onMessage(m);
          });
          w.on("error", (e) => {
            const err = new HypedError("IO", `frame worker ${i} crashed: ${e.message}`, { worker: i }, { cause: e });
            pool.fail(err);
            reject(err);
          });
          w.on("exit", (code) => {
            if (code !== 0) pool.fail(new HypedError("IO", `frame worker ${i} exited with code ${code}`, { worker: i }));
          });
        }),
      );
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await pool.terminate();
      throw e;
    }
    return pool;
  }

  private release(w: number): void {
    if (this.unref) this.workers[w]?.unref();
    const next = this.waiting.shift();
    if (next) next(w);
    else this.idle.push(w);
  }

  private fail(e: HypedError): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private onMessage(m: WorkerMessage): void {
    const id = "id" in m ? m.id : -1;
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.release(p.worker);
    if ("result" in m) p.resolve(m.result);
    else if ("error" in m) p.reject(new HypedError(m.error.code as HypedError["code"], m.error.message, m.error.context));
  }

  /** Run one conversion task on the next free worker. */
  run(task: FrameTask): Promise<TaskResult> {
    return this.submit(task) as Promise<TaskResult>;
  }

  /** Run one read job on the next free worker. */
  async read(job: SharedReadJob): Promise<void> {
    await this.submit(job);
  }

  /** Post a task to the next free worker. */
  private async submit(task: { id: number }): Promise<unknown> {
    if (this.failure) throw this.failure;
    const w = this.idle.shift() ?? (await new Promise<number>((r) => this.waiting.push(r)));
    if (this.failure) throw this.failure;
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set(task.id, { resolve, reject, worker: w });
      if (this.unref) this.workers[w]?.ref();
      (this.workers[w] as import("node:worker_threads").Worker).postMessage({ task });
    });
  }

  /** Stop every worker now (in-flight writes leave only temp files, never partial frames). */
  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * A small worker-thread pool for frame conversion (Node `worker_threads`).
 *
 * Each worker starts from a fixed bootstrap that imports this very module (by `import.meta.url`) and calls
 * {@link runFramesWorker}. This works both from the TypeScript sources (the bootstrap registers `tsx` first,
 * as tests and `pnpm hyped` run from `src/`) and from the published bundle (where `import.meta.url` is the
 * bundle, which exports `runFramesWorker`), without a second build entry.
 */
import { HypedError, isHypedError } from "@hyped/core";
import { type FrameTask, type TaskInit, type TaskResult, TaskRunner } from "./task.js";

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
type WorkerMessage = { result: TaskResult } | { id: number; error: ErrorShape } | { fatal: string } | { ready: true };

/**
 * Worker-thread entry point (called by the pool's bootstrap; not for direct use). Reads {@link TaskInit} from
 * `workerData.init`, then runs each posted {@link FrameTask} and posts its result or a serialised error.
 */
export async function runFramesWorker(): Promise<void> {
  const { parentPort, workerData } = await import("node:worker_threads");
  if (!parentPort) throw new HypedError("INVALID_ARGUMENT", "runFramesWorker must run in a worker thread", {});
  const runner = new TaskRunner((workerData as { init: TaskInit }).init);
  parentPort.on("message", (msg: { task?: FrameTask; close?: boolean }) => {
    if (msg.close) {
      void runner.close().then(() => parentPort.close());
      return;
    }
    const task = msg.task as FrameTask;
    runner.run(task).then(
      (result) => parentPort.postMessage({ result }),
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

/** A pool of `n` conversion workers. */
export class FramePool {
  private readonly workers: import("node:worker_threads").Worker[] = [];
  private readonly pending = new Map<number, { resolve(r: TaskResult): void; reject(e: unknown): void; worker: number }>();
  private readonly idle: number[] = [];
  private readonly waiting: Array<(w: number) => void> = [];
  private failure: HypedError | undefined;

  private constructor() {}

  /** Start `n` workers with `init` and wait until each is ready. */
  static async start(n: number, init: TaskInit): Promise<FramePool> {
    const { Worker } = await import("node:worker_threads");
    const pool = new FramePool();
    const moduleUrl = import.meta.url;
    const fromSource = /\.ts$/.test(new URL(moduleUrl).pathname);
    let tsx: string | undefined;
    if (fromSource) {
      const { createRequire } = await import("node:module");
      const { pathToFileURL } = await import("node:url");
      try {
        // the ESM entry of tsx's register API, found through its package.json "exports"
        const pkgPath = createRequire(moduleUrl).resolve("tsx/package.json");
        const { readFileSync } = await import("node:fs");
        const { dirname, join } = await import("node:path");
        const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { exports: Record<string, { import: { default: string } }> };
        tsx = pathToFileURL(join(dirname(pkgPath), (pkg.exports["./esm/api"] as { import: { default: string } }).import.default)).href;
      } catch (e) {
        throw new HypedError(
          "UNSUPPORTED",
          "running conversion workers from TypeScript sources needs the tsx package; use workers: 0 or the built package",
          {},
          { cause: e },
        );
      }
    }
    const ready: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const w = new Worker(BOOTSTRAP, {
        eval: true,
        workerData: { moduleUrl, tsx, init },
        execArgv: fromSource ? ["--conditions=@hyped/source"] : [],
      });
      pool.workers.push(w);
      ready.push(
        new Promise<void>((resolve, reject) => {
          w.on("message", (m: WorkerMessage) => {
            if ("ready" in m) {
              pool.release(i);
              resolve();
            } else if ("fatal" in m) {
              const err = new HypedError("IO", `conversion worker ${i} failed to start: ${m.fatal}`, { worker: i });
              pool.fail(err);
              reject(err);
            } else pool.onMessage(m);
          });
          w.on("error", (e) => {
            const err = new HypedError("IO", `conversion worker ${i} crashed: ${e.message}`, { worker: i }, { cause: e });
            pool.fail(err);
            reject(err);
          });
          w.on("exit", (code) => {
            if (code !== 0) pool.fail(new HypedError("IO", `conversion worker ${i} exited with code ${code}`, { worker: i }));
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
    const id = "result" in m ? m.result.id : "id" in m ? m.id : -1;
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.release(p.worker);
    if ("result" in m) p.resolve(m.result);
    else if ("error" in m) p.reject(new HypedError(m.error.code as HypedError["code"], m.error.message, m.error.context));
  }

  /** Run one task on the next free worker. */
  async run(task: FrameTask): Promise<TaskResult> {
    if (this.failure) throw this.failure;
    const w = this.idle.shift() ?? (await new Promise<number>((r) => this.waiting.push(r)));
    if (this.failure) throw this.failure;
    return new Promise<TaskResult>((resolve, reject) => {
      this.pending.set(task.id, { resolve, reject, worker: w });
      (this.workers[w] as import("node:worker_threads").Worker).postMessage({ task });
    });
  }

  /** Stop every worker now (in-flight writes leave only temp files, never partial frames). */
  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * {@link WorkerPool}: the one worker pool of the toolkit, on Node worker threads or browser Web Workers.
 *
 * A pool runs tasks of one worker module: each worker imports the module (by URL) and calls the entry
 * function the pool names, which calls {@link serveWorker}. Tasks queue while every worker is busy; each
 * worker runs one at a time. Errors come back as {@link HypedError}s with their code; a worker that dies
 * (uncaught error, `process.exit`, out of memory) fails the pool with `IO` instead of leaving tasks waiting.
 */
import { HypedError } from "../errors.js";
import { type NodeWorkerHandle, startNodeWorker, tsxLoaderFor, type WorkerEvents } from "./node.js";
import { fromErrorShape, type ReplyMessage } from "./protocol.js";

/** A browser Web Worker as the pool uses it (structural, so Node builds need no DOM types). */
export interface WebWorkerLike {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  /** Called by browsers' `Worker#terminate`; optional (a cancelled job's worker is then only dropped). */
  terminate?(): void;
}

/** Options of {@link WorkerPool.open}. */
export interface WorkerPoolOptions {
  /**
   * URL of the worker module (usually the caller's `import.meta.url`). From a `.ts` source (the repo's tests,
   * `pnpm hyped`) Node workers register tsx first and resolve `@hyped/*` to their sources.
   */
  moduleUrl: string;
  /** The module's export that each Node worker calls with `data`; it must call {@link serveWorker}. */
  entry: string;
  /** Workers (a positive integer). */
  size: number;
  /** What a worker is called in error messages, e.g. "segmentation worker". */
  name: string;
  /** Passed to `entry` in every Node worker (structured clone). */
  data?: unknown;
  /** Node: idle workers do not keep the process alive (default false). */
  unref?: boolean;
  /** Node: V8 heap limits per worker (`worker_threads` `resourceLimits`); a worker past them fails the pool. */
  resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number };
  /**
   * Outside Node: makes one Web Worker whose module calls {@link serveWebWorker}. Without it, opening a pool
   * outside Node throws `UNSUPPORTED`.
   */
  webWorker?: () => WebWorkerLike;
}

/** Options of one {@link WorkerPool.run}. */
export interface RunOptions {
  /** Buffers of the task to transfer (not copy) to the worker; they are detached once the task is sent. */
  transfer?: readonly ArrayBuffer[];
  /**
   * Cancels this task: a queued task is dropped; a running one's worker is terminated and replaced. Either
   * way the task rejects with `ABORTED`.
   */
  signal?: AbortSignal;
}

interface Handle extends NodeWorkerHandle {}

interface Job {
  id: number;
  task: unknown;
  transfer: readonly ArrayBuffer[];
  resolve(r: unknown): void;
  reject(e: unknown): void;
  done(): void;
}

interface Slot {
  handle: Handle | undefined;
  ready: boolean;
  job: Job | undefined;
}

function isNode(): boolean {
  return typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === "string";
}

/** A fixed-size pool of workers serving one worker module; see the module doc. */
export class WorkerPool<T = unknown, R = unknown> {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed = false;
  private broken: HypedError | undefined;
  private readonly started: Promise<void>;
  private startedResolve!: () => void;
  private startedReject!: (e: unknown) => void;
  private everReady = 0;

  private constructor(
    private readonly o: WorkerPoolOptions,
    private readonly tsx: string | undefined,
  ) {
    this.started = new Promise<void>((resolve, reject) => {
      this.startedResolve = resolve;
      this.startedReject = reject;
    });
    this.started.catch(() => {});
  }

  /**
   * Start `size` workers (they become ready in the background; see {@link ready}). `INVALID_ARGUMENT` for a
   * bad size; `UNSUPPORTED` outside Node without `webWorker`, or from TypeScript sources without tsx.
   */
  static async open<T = unknown, R = unknown>(options: WorkerPoolOptions): Promise<WorkerPool<T, R>> {
    const { size } = options;
    if (!Number.isInteger(size) || size < 1)
      throw new HypedError("INVALID_ARGUMENT", `a worker pool needs a positive integer size, got ${String(size)}`, { size });
    let tsx: string | undefined;
    if (isNode()) tsx = await tsxLoaderFor(options.moduleUrl, options.name);
    else if (!options.webWorker)
      throw new HypedError("UNSUPPORTED", `${options.name}s need Node worker threads or a Web Worker factory`, {});
    const pool = new WorkerPool<T, R>(options, tsx);
    for (let i = 0; i < size; i++) pool.slots.push({ handle: undefined, ready: false, job: undefined });
    await Promise.all(pool.slots.map((s) => pool.spawn(s)));
    return pool;
  }

  /** Workers in the pool. */
  get size(): number {
    return this.o.size;
  }

  /** The error that failed the pool (a worker died or could not start), if any; later tasks reject with it. */
  get failure(): HypedError | undefined {
    return this.broken;
  }

  /** Resolves once every worker has started; rejects with the pool's failure if one could not. */
  ready(): Promise<void> {
    return this.started;
  }

  /** Run `task` on the next free worker; resolves to what the worker's handler returned. */
  run(task: T, options: RunOptions = {}): Promise<R> {
    if (this.broken) return Promise.reject(this.broken);
    if (this.closed) return Promise.reject(this.closedError());
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(this.abortError(signal));
    return new Promise<R>((resolve, reject) => {
      const onAbort = () => this.cancel(job, signal as AbortSignal);
      const job: Job = {
        id: this.nextId++,
        task,
        transfer: options.transfer ?? [],
        resolve: (r) => {
          job.done();
          resolve(r as R);
        },
        reject: (e) => {
          job.done();
          reject(e);
        },
        done: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  /** Stop every worker now; queued and running tasks reject with `ABORTED`. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.rejectAll(this.closedError());
    this.startedReject(this.closedError());
    await Promise.all(this.slots.map((s) => this.stop(s)));
  }

  private closedError(): HypedError {
    return new HypedError("ABORTED", `the ${this.o.name} pool is closed`, {});
  }

  private abortError(signal: AbortSignal): HypedError {
    return new HypedError("ABORTED", `${this.o.name} task was cancelled`, {}, { cause: signal.reason });
  }

  private cancel(job: Job, signal: AbortSignal): void {
    const q = this.queue.indexOf(job);
    if (q >= 0) this.queue.splice(q, 1);
    const slot = this.slots.find((s) => s.job === job);
    if (slot) {
      slot.job = undefined;
      this.stop(slot)
        .then(() => this.spawn(slot))
        .catch((e: unknown) => this.fail(new HypedError("IO", `${this.o.name} could not be replaced: ${String(e)}`, {}, { cause: e })));
    }
    job.reject(this.abortError(signal));
  }

  private async stop(slot: Slot): Promise<void> {
    const h = slot.handle;
    slot.handle = undefined;
    slot.ready = false;
    await h?.terminate();
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (!this.queue.length) return;
      if (!slot.ready || slot.job || !slot.handle) continue;
      const job = this.queue.shift() as Job;
      slot.job = job;
      if (this.o.unref) slot.handle.ref();
      slot.handle.post({ id: job.id, task: job.task }, job.transfer);
    }
  }

  private rejectAll(e: HypedError): void {
    for (const j of this.queue.splice(0)) j.reject(e);
    for (const s of this.slots) {
      const j = s.job;
      s.job = undefined;
      j?.reject(e);
    }
  }

  private fail(e: HypedError): void {
    if (this.closed || this.broken) return;
    this.broken = e;
    this.rejectAll(e);
    this.startedReject(e);
    for (const s of this.slots) void this.stop(s);
  }

  /** Start a worker in `slot` (unless the pool is closed or failed). */
  private async spawn(slot: Slot): Promise<void> {
    if (this.closed || this.broken) return;
    const name = this.o.name;
    let h: Handle | undefined;
    const current = () => h !== undefined && slot.handle === h;
    const on: WorkerEvents = {
      message: (m) => {
        if (current()) this.onMessage(slot, m as ReplyMessage);
      },
      error: (e) => {
        if (!current()) return;
        const oom = (e as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY";
        this.fail(new HypedError("IO", `${name} ${oom ? "ran out of memory" : "crashed"}: ${e.message}`, {}, { cause: e }));
      },
      exit: (code) => {
        if (current()) this.fail(new HypedError("IO", `${name} exited with code ${code}`, { exitCode: code }));
      },
    };
    if (isNode()) {
      h = await startNodeWorker(
        {
          moduleUrl: this.o.moduleUrl,
          entry: this.o.entry,
          tsx: this.tsx,
          data: this.o.data,
          ...(this.o.resourceLimits ? { resourceLimits: this.o.resourceLimits } : {}),
        },
        on,
      );
    } else h = webHandle((this.o.webWorker as () => WebWorkerLike)(), on);
    if (this.closed || this.broken) {
      void h.terminate();
      return;
    }
    // A starting worker stays referenced (tasks may be waiting for it); it is unreferenced once ready and idle.
    slot.handle = h;
  }

  private onMessage(slot: Slot, m: ReplyMessage): void {
    if ("ready" in m) {
      slot.ready = true;
      if (this.o.unref && !this.queue.length) slot.handle?.unref();
      if (++this.everReady === this.o.size) this.startedResolve();
    } else if ("fatal" in m) {
      this.fail(new HypedError("IO", `${this.o.name} failed to start: ${m.fatal}`, {}));
      return;
    } else {
      const job = slot.job;
      if (!job || job.id !== m.id) return;
      slot.job = undefined;
      if (this.o.unref) slot.handle?.unref();
      if ("error" in m) job.reject(fromErrorShape(m.error));
      else job.resolve(m.result);
    }
    this.pump();
  }
}

/** A Web Worker behind the pool's handle shape. */
function webHandle(w: WebWorkerLike, on: WorkerEvents): Handle {
  const h = w as unknown as {
    onmessage: ((ev: { data: unknown }) => void) | null;
    onerror: ((ev: { message?: string; preventDefault?(): void }) => void) | null;
  };
  h.onmessage = (ev) => on.message(ev.data);
  h.onerror = (ev) => {
    ev.preventDefault?.();
    on.error(new Error(ev.message ?? "error"));
  };
  return {
    post: (m, t) => w.postMessage(m, [...t]),
    terminate: async () => w.terminate?.(),
    ref() {},
    unref() {},
  };
}

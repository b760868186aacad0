/**
 * The worker side of a {@link WorkerPool}: a worker module's entry function calls {@link serveWorker} (Node
 * worker threads) or {@link serveWebWorker} (a browser Web Worker) with the function that runs one task.
 */
import { HypedError, type HypedErrorCode } from "../errors.js";
import { type JobMessage, type ReplyMessage, Transferred, toErrorShape } from "./protocol.js";

/** What runs one task in a worker: returns the result, or {@link withTransfer}(result, buffers). */
export type WorkerHandler<T, R> = (task: T) => R | Transferred<R> | Promise<R | Transferred<R>>;

/** Options of {@link serveWorker} and {@link serveWebWorker}. */
export interface ServeWorkerOptions {
  /** The code given to thrown values that are not HypedErrors. Default `IO`. */
  errorCode?: HypedErrorCode;
}

interface ServePort {
  post(m: ReplyMessage, transfer?: readonly ArrayBuffer[]): void;
  listen(f: (m: JobMessage) => void): void;
}

function serveOn<T, R>(port: ServePort, handler: WorkerHandler<T, R>, options: ServeWorkerOptions): void {
  const fallback = options.errorCode ?? "IO";
  port.listen((m) => {
    let p: Promise<R | Transferred<R>>;
    try {
      p = Promise.resolve(handler(m.task as T));
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(
      (r) => {
        if (r instanceof Transferred) port.post({ id: m.id, result: r.value }, r.transfer);
        else port.post({ id: m.id, result: r });
      },
      (e: unknown) => port.post({ id: m.id, error: toErrorShape(e, fallback) }),
    );
  });
  port.post({ ready: true });
}

/**
 * Serve a {@link WorkerPool}'s tasks on this Node worker thread: call it from the entry function the pool
 * names. Each task runs as it arrives (the pool sends one at a time); a thrown HypedError reaches the caller
 * with its code, message and context. Throws `INVALID_ARGUMENT` on the main thread.
 */
export async function serveWorker<T, R>(handler: WorkerHandler<T, R>, options: ServeWorkerOptions = {}): Promise<void> {
  const { parentPort } = await import("node:worker_threads");
  if (!parentPort) throw new HypedError("INVALID_ARGUMENT", "serveWorker must run in a worker thread", {});
  serveOn<T, R>(
    {
      post: (m, t) => parentPort.postMessage(m, t as ArrayBuffer[] | undefined),
      listen: (f) => parentPort.on("message", f),
    },
    handler,
    options,
  );
}

/**
 * Serve a {@link WorkerPool}'s tasks on this browser Web Worker (the module the pool's `webWorker` factory
 * starts calls it). Throws `INVALID_ARGUMENT` outside a worker scope.
 */
export function serveWebWorker<T, R>(handler: WorkerHandler<T, R>, options: ServeWorkerOptions = {}): void {
  const scope = globalThis as unknown as {
    postMessage?(m: unknown, t?: ArrayBuffer[]): void;
    onmessage: ((ev: { data: JobMessage }) => void) | null;
  };
  if (typeof scope.postMessage !== "function") throw new HypedError("INVALID_ARGUMENT", "serveWebWorker must run in a Web Worker", {});
  const post = scope.postMessage.bind(scope);
  serveOn<T, R>(
    {
      post: (m, t) => post(m, t ? [...t] : []),
      listen: (f) => {
        scope.onmessage = (ev) => f(ev.data);
      },
    },
    handler,
    options,
  );
}

/**
 * The one worker pool of the toolkit (see the package README, "Worker pool"): {@link WorkerPool} on the
 * calling side, {@link serveWorker} / {@link serveWebWorker} in the worker module.
 */
export { type RunOptions, type WebWorkerLike, WorkerPool, type WorkerPoolOptions } from "./pool.js";
export { Transferred, withTransfer } from "./protocol.js";
export { type ServeWorkerOptions, serveWebWorker, serveWorker, type WorkerHandler } from "./serve.js";

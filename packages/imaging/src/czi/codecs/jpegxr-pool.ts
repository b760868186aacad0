/**
 * Worker threads for JPEG XR tiles (Node): `readPlane` keeps several tiles in flight, and each JPEG XR decode
 * goes to an idle worker, so a mosaic's tiles decode on every core. Each worker instantiates the jxrlib wasm
 * module once, on its first tile, and keeps it.
 *
 * - Used only on Node's main thread (a conversion worker decoding its own frame does not start more threads),
 *   with at least 2 cores, for tiles of at least {@link JXR_POOL_MIN_BYTES}; `HYPED_JXR_WORKERS=0` turns it off,
 *   `HYPED_JXR_WORKERS=n` sets the thread count (default: the available cores, at most 4).
 * - Workers are unreferenced while idle, so an open pool never keeps a process alive.
 * - The workers are core's {@link WorkerPool} (Node worker threads, or the page's Web Workers): each imports the
 *   decoder module (by its URL) and calls its worker entry; from the TypeScript sources tsx is registered first.
 */
import { HypedError, isHypedError, serveWebWorker, serveWorker, type WorkerHandler, WorkerPool, withTransfer } from "@hyped/core";

/** Smallest decoded tile (bytes) sent to a worker; smaller tiles decode faster than a message round trip. */
export const JXR_POOL_MIN_BYTES = 64 * 1024;

/** The threshold in use: {@link JXR_POOL_MIN_BYTES}, or `HYPED_JXR_POOL_MIN_BYTES` (tests send every tile). */
export function jxrPoolMinBytes(): number {
  const v = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.HYPED_JXR_POOL_MIN_BYTES;
  const n = v === undefined || v === "" ? Number.NaN : Number(v);
  return Number.isInteger(n) && n >= 0 ? n : JXR_POOL_MIN_BYTES;
}

/** A decode request as it crosses the thread boundary (the payload is a copy the worker owns). */
export interface JxrJob {
  payload: Uint8Array;
  info: {
    subblock: number;
    filePosition: number;
    compression: number;
    pixelType: string;
    width: number;
    height: number;
    bytesPerPixel: number;
    expectedBytes: number;
  };
}

interface Pool {
  /** Worker threads. */
  size: number;
  /** Tiles decoded by the workers so far. */
  readonly decoded: number;
  decode(job: JxrJob): Promise<Uint8Array>;
}

let pool: Promise<Pool | undefined> | undefined;
/** Set after a pool failed: tiles then decode in their own thread for the rest of the process. */
let disabled = false;

/** A Web Worker as the pool uses it (the DOM type, kept structural so Node builds need no DOM lib). */
export interface JxrWebWorker {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
}

let webFactory: (() => JxrWebWorker) | undefined;
let webCount = 0;

/**
 * Browsers: decode JPEG XR tiles on Web Workers that `factory` creates (default none: tiles decode in the page's
 * thread). Each worker must run a module that calls {@link serveJpegXrWorker}; with Vite, for example:
 * `setJpegXrWorkers(() => new Worker(new URL("./jxr-worker.ts", import.meta.url), { type: "module" }))` with
 * `jxr-worker.ts` = `import { serveJpegXrWorker } from "@hyped/imaging"; serveJpegXrWorker();` (and
 * `worker: { format: "es" }` in the Vite config, as the decoder loads its wasm with a dynamic import). The
 * library cannot create them itself without tying every bundle to one bundler's worker syntax.
 *
 * @param count workers (default: `navigator.hardwareConcurrency`, at most 4). `undefined` factory turns it off.
 */
export function setJpegXrWorkers(factory: (() => JxrWebWorker) | undefined, count?: number): void {
  if (count !== undefined && !(Number.isInteger(count) && count >= 1))
    throw new HypedError("INVALID_ARGUMENT", `count must be a positive integer, got ${count}`, { count });
  webFactory = factory;
  webCount = count ?? 0;
  pool = undefined;
  disabled = false;
}

/** Workers to use here: Node's main thread (HYPED_JXR_WORKERS overrides, 0 = off) or pages that set a factory. */
async function poolSize(): Promise<number> {
  const p = (globalThis as { process?: { versions?: { node?: string }; env?: Record<string, string | undefined> } }).process;
  if (typeof p?.versions?.node !== "string") {
    if (!webFactory) return 0;
    const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2;
    return webCount || Math.max(1, Math.min(cores, 4));
  }
  const { isMainThread } = await import("node:worker_threads");
  if (!isMainThread) return 0;
  const env = p.env?.HYPED_JXR_WORKERS;
  if (env !== undefined && env !== "") {
    const n = Number(env);
    return Number.isInteger(n) && n > 0 ? Math.min(n, 16) : 0;
  }
  const os = await import("node:os");
  const cores = os.availableParallelism();
  return cores >= 2 ? Math.min(cores, 4) : 0;
}

/**
 * The JPEG XR worker pool for decoder module `moduleUrl` (which must export `runJxrWorker`), or undefined where
 * tiles decode in this thread. Started on first use.
 */
export function jxrPool(moduleUrl: string): Promise<Pool | undefined> {
  if (disabled) return Promise.resolve(undefined);
  pool ??= startPool(moduleUrl).catch(() => {
    disabled = true;
    return undefined;
  });
  return pool;
}

async function startPool(moduleUrl: string): Promise<Pool | undefined> {
  const n = await poolSize();
  if (n === 0) return undefined;
  const node = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === "string";
  const factory = webFactory;
  if (!node && !factory) return undefined;
  let workers: WorkerPool<JxrJob, Uint8Array>;
  try {
    workers = await WorkerPool.open<JxrJob, Uint8Array>({
      moduleUrl,
      entry: "runJxrWorker",
      size: n,
      name: "JPEG XR worker",
      unref: true,
      ...(factory && !node ? { webWorker: factory } : {}),
    });
  } catch (e) {
    // From the TypeScript sources without tsx: tiles decode in this thread.
    if (isHypedError(e, "UNSUPPORTED")) return undefined;
    throw e;
  }
  let decoded = 0;
  return {
    size: n,
    get decoded() {
      return decoded;
    },
    async decode(job) {
      try {
        const out = await workers.run(job, { transfer: [job.payload.buffer as ArrayBuffer] });
        decoded++;
        return out;
      } catch (e) {
        if (workers.failure) {
          // The pool is broken (a worker could not start or died): tiles decode in their own thread from now on.
          disabled = true;
          pool = undefined;
        }
        throw e;
      }
    },
  };
}

type Decode = (payload: Uint8Array, info: JxrJob["info"]) => Promise<Uint8Array>;

/** One decode on a worker, the pixels transferred back (copied out first when they share a bigger buffer). */
function decodeOnWorker(decode: Decode): WorkerHandler<JxrJob, Uint8Array> {
  return async (job) => {
    const out = await decode(job.payload, job.info);
    const own = out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out : out.slice();
    return withTransfer(own, [own.buffer as ArrayBuffer]);
  };
}

/**
 * The worker side on a Node worker thread: decode each job with `decode` (the in-thread decoder) and send the
 * pixels back (transferred); errors keep their code (`FORMAT` for errors that are not HypedErrors).
 * @internal
 */
export async function serveJxrJobs(decode: Decode): Promise<void> {
  await serveWorker(decodeOnWorker(decode), { errorCode: "FORMAT" });
}

/** Answer jobs on a Web Worker's own scope (see {@link setJpegXrWorkers}). @internal */
export function serveWebJxrJobs(decode: Decode): void {
  serveWebWorker(decodeOnWorker(decode), { errorCode: "FORMAT" });
}

/**
 * Worker threads for JPEG XR tiles (Node): `readPlane` keeps several tiles in flight, and each JPEG XR decode
 * goes to an idle worker, so a mosaic's tiles decode on every core. Each worker instantiates the jxrlib wasm
 * module once, on its first tile, and keeps it.
 *
 * - Used only on Node's main thread (a conversion worker decoding its own frame does not start more threads),
 *   with at least 2 cores, for tiles of at least {@link JXR_POOL_MIN_BYTES}; `HYPED_JXR_WORKERS=0` turns it off,
 *   `HYPED_JXR_WORKERS=n` sets the thread count (default: the available cores, at most 4).
 * - Workers are unreferenced while idle, so an open pool never keeps a process alive.
 * - Same pattern as the segmentation pool: a fixed bootstrap imports the decoder module (by its URL) and calls
 *   its worker entry; from the TypeScript sources tsx is registered first.
 */
import { HypedError, type HypedErrorCode } from "@hyped/core";
import { tsxLoaderFor } from "../../tsx-loader.js";

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
  id: number;
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

type Reply =
  | { id: number; out: Uint8Array }
  | { id: number; error: { code: string; message: string } }
  | { fatal: string }
  | { ready: true };

const BOOTSTRAP = `
const { workerData, parentPort } = require("node:worker_threads");
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  const m = await import(workerData.moduleUrl);
  await m.runJxrWorker();
})().catch((e) => parentPort.postMessage({ fatal: String((e && e.stack) || e) }));
`;

interface Pool {
  /** Worker threads. */
  size: number;
  /** Tiles decoded by the workers so far. */
  readonly decoded: number;
  decode(job: Omit<JxrJob, "id">): Promise<Uint8Array>;
}

let pool: Promise<Pool | undefined> | undefined;
/** Set after a pool failed: tiles then decode in their own thread for the rest of the process. */
let disabled = false;

/** A Web Worker as the pool uses it (the DOM type, kept structural so Node builds need no DOM lib). */
export interface JxrWebWorker {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
}

/** The handlers the pool sets on a Web Worker. */
type WebHandlers = { onmessage: ((ev: { data: unknown }) => void) | null; onerror: ((ev: { message?: string }) => void) | null };

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

/** What the pool needs of one worker, Node's or the browser's. */
interface Port {
  post(job: JxrJob): void;
  /** Keep the process alive while a job is out (Node); no-ops in browsers. */
  busy(): void;
  idle(): void;
}
type OnReply = (w: Port, m: Reply) => void;

async function startPool(moduleUrl: string): Promise<Pool | undefined> {
  const n = await poolSize();
  if (n === 0) return undefined;
  type Pending = { job: JxrJob; resolve: (b: Uint8Array) => void; reject: (e: unknown) => void };
  const idle: Port[] = [];
  const busy = new Map<Port, Pending>();
  const queue: Pending[] = [];
  let nextId = 0;
  let decoded = 0;
  let broken: unknown;
  const pump = () => {
    while (idle.length && queue.length) {
      const w = idle.pop() as Port;
      const p = queue.shift() as Pending;
      busy.set(w, p);
      w.busy();
      w.post(p.job);
    }
  };
  const fail = (e: unknown) => {
    broken ??= e;
    for (const p of queue.splice(0)) p.reject(e);
    for (const p of busy.values()) p.reject(e);
    busy.clear();
    disabled = true;
    pool = undefined;
  };
  const onReply: OnReply = (w, m) => {
    if ("ready" in m) {
      idle.push(w);
      return pump();
    }
    if ("fatal" in m) return fail(new HypedError("IO", `JPEG XR worker failed to start: ${m.fatal}`, {}));
    const p = busy.get(w);
    busy.delete(w);
    w.idle();
    idle.push(w);
    if (p) {
      if ("error" in m) p.reject(new HypedError(m.error.code as HypedErrorCode, m.error.message, {}));
      else {
        decoded++;
        p.resolve(m.out);
      }
    }
    pump();
  };
  const node = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === "string";
  const ports = node ? await nodePorts(n, moduleUrl, onReply, fail) : webPorts(n, onReply, fail);
  if (!ports) return undefined;
  return {
    size: n,
    get decoded() {
      return decoded;
    },
    decode(job) {
      if (broken) return Promise.reject(broken);
      return new Promise<Uint8Array>((resolve, reject) => {
        queue.push({ job: { ...job, id: nextId++ }, resolve, reject });
        pump();
      });
    },
  };
}

async function nodePorts(n: number, moduleUrl: string, onReply: OnReply, fail: (e: unknown) => void): Promise<Port[] | undefined> {
  const tsx = await tsxLoaderFor(moduleUrl, null);
  if (/\.ts$/.test(new URL(moduleUrl).pathname) && !tsx) return undefined;
  const { Worker } = await import("node:worker_threads");
  return Array.from({ length: n }, () => {
    const w = new Worker(BOOTSTRAP, { eval: true, workerData: { moduleUrl, tsx }, execArgv: tsx ? ["--conditions=@hyped/source"] : [] });
    w.unref();
    const port: Port = {
      post: (job) => w.postMessage(job, [job.payload.buffer as ArrayBuffer]),
      busy: () => w.ref(),
      idle: () => w.unref(),
    };
    w.on("message", (m: Reply) => onReply(port, m));
    w.on("error", (e) => fail(new HypedError("IO", `JPEG XR worker failed: ${e.message}`, {}, { cause: e })));
    w.on("exit", (code) => {
      if (code !== 0) fail(new HypedError("IO", `JPEG XR worker exited with code ${code}`, {}));
    });
    return port;
  });
}

function webPorts(n: number, onReply: OnReply, fail: (e: unknown) => void): Port[] | undefined {
  const factory = webFactory;
  if (!factory) return undefined;
  return Array.from({ length: n }, () => {
    const w = factory();
    const port: Port = { post: (job) => w.postMessage(job, [job.payload.buffer as ArrayBuffer]), busy() {}, idle() {} };
    const h = w as unknown as WebHandlers;
    h.onmessage = (ev) => onReply(port, ev.data as Reply);
    h.onerror = (ev) => fail(new HypedError("IO", `JPEG XR worker failed: ${ev.message ?? "error"}`, {}));
    return port;
  });
}

/**
 * The worker side: decode each job with `decode` (the in-thread decoder) and send the pixels back (transferred).
 * @internal
 */
export async function serveJxrJobs(decode: (payload: Uint8Array, info: JxrJob["info"]) => Promise<Uint8Array>): Promise<void> {
  const { parentPort } = await import("node:worker_threads");
  if (!parentPort) throw new HypedError("INVALID_ARGUMENT", "runJxrWorker must run in a worker thread", {});
  serveOn({ post: (m, t) => parentPort.postMessage(m, t), listen: (f) => parentPort.on("message", f) }, decode);
}

/** Answer jobs on a Web Worker's own scope (see {@link setJpegXrWorkers}). @internal */
export function serveWebJxrJobs(decode: (payload: Uint8Array, info: JxrJob["info"]) => Promise<Uint8Array>): void {
  const scope = globalThis as unknown as {
    postMessage(m: unknown, t?: ArrayBuffer[]): void;
    onmessage: ((ev: { data: JxrJob }) => void) | null;
  };
  if (typeof scope.postMessage !== "function") throw new HypedError("INVALID_ARGUMENT", "serveJpegXrWorker must run in a Web Worker", {});
  serveOn({ post: (m, t) => scope.postMessage(m, t), listen: (f) => (scope.onmessage = (ev) => f(ev.data)) }, decode);
}

function serveOn(
  port: { post(m: unknown, transfer?: ArrayBuffer[]): void; listen(f: (job: JxrJob) => void): void },
  decode: (payload: Uint8Array, info: JxrJob["info"]) => Promise<Uint8Array>,
): void {
  port.listen(async (job) => {
    try {
      const out = await decode(job.payload, job.info);
      const own = out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out : out.slice();
      port.post({ id: job.id, out: own }, [own.buffer as ArrayBuffer]);
    } catch (e) {
      const he = e as { name?: string; code?: string; message?: string };
      port.post({
        id: job.id,
        error: { code: he?.name === "HypedError" ? (he.code as string) : "FORMAT", message: he?.message ?? String(e) },
      });
    }
  });
  port.post({ ready: true });
}

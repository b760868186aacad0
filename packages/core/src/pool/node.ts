/**
 * Node worker threads for {@link WorkerPool}: the fixed bootstrap, and tsx loading for workers started from
 * the repo's TypeScript sources (tests, `pnpm hyped`, `pnpm bench`); built JavaScript needs neither tsx nor
 * the `@hyped/source` condition. `node:*` modules are imported here only when a pool starts, so browser
 * bundles never reach them. @internal
 */
import { HypedError } from "../errors.js";

/**
 * The worker bootstrap: fixed text, no interpolation (the module URL, entry name and data go through
 * `workerData`). It registers tsx first when given, imports the worker module and calls its entry.
 */
const BOOTSTRAP = `
const { workerData, parentPort } = require("node:worker_threads");
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  const m = await import(workerData.moduleUrl);
  if (typeof m[workerData.entry] !== "function") throw new Error(workerData.moduleUrl + " does not export " + workerData.entry);
  await m[workerData.entry](workerData.data);
})().catch((e) => parentPort.postMessage({ fatal: String((e && e.stack) || e) }));
`;

/** Is `moduleUrl` a TypeScript source (so its workers need tsx)? */
export function isSourceModule(moduleUrl: string): boolean {
  return /\.ts$/.test(new URL(moduleUrl).pathname);
}

/**
 * The file URL of tsx's ESM register API when `moduleUrl` is a `.ts` source, found from `moduleUrl` through
 * tsx's package.json `exports`; `undefined` for built JavaScript. `UNSUPPORTED` naming `what` when a source
 * module's tsx cannot be found.
 */
export async function tsxLoaderFor(moduleUrl: string, what: string): Promise<string | undefined> {
  if (!isSourceModule(moduleUrl)) return undefined;
  const { createRequire } = await import("node:module");
  const { pathToFileURL } = await import("node:url");
  const { readFileSync } = await import("node:fs");
  const { dirname, join } = await import("node:path");
  try {
    const pkgPath = createRequire(moduleUrl).resolve("tsx/package.json");
    const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { exports: Record<string, { import: { default: string } }> };
    return pathToFileURL(join(dirname(pkgPath), (pkg.exports["./esm/api"] as { import: { default: string } }).import.default)).href;
  } catch (e) {
    throw new HypedError(
      "UNSUPPORTED",
      `${what}s from the TypeScript sources need the tsx package; use workers: 0 or the built package`,
      {},
      { cause: e },
    );
  }
}

/** What a pool needs of one Node worker. */
export interface NodeWorkerHandle {
  post(message: unknown, transfer: readonly ArrayBuffer[]): void;
  terminate(): Promise<unknown>;
  ref(): void;
  unref(): void;
}

/** Events of one worker, as the pool handles them. */
export interface WorkerEvents {
  message(m: unknown): void;
  /** An uncaught error in the worker (including running out of memory). */
  error(e: Error): void;
  exit(code: number): void;
}

/** Start one worker thread that runs `entry(data)` of `moduleUrl`. */
export async function startNodeWorker(
  spec: {
    moduleUrl: string;
    entry: string;
    tsx: string | undefined;
    data: unknown;
    resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number };
  },
  on: WorkerEvents,
): Promise<NodeWorkerHandle> {
  const { Worker } = await import("node:worker_threads");
  const w = new Worker(BOOTSTRAP, {
    eval: true,
    workerData: { moduleUrl: spec.moduleUrl, entry: spec.entry, tsx: spec.tsx, data: spec.data },
    execArgv: isSourceModule(spec.moduleUrl) ? ["--conditions=@hyped/source"] : [],
    ...(spec.resourceLimits ? { resourceLimits: spec.resourceLimits } : {}),
  });
  w.on("message", on.message);
  w.on("error", on.error);
  w.on("exit", on.exit);
  return {
    post: (m, t) => w.postMessage(m, t as ArrayBuffer[]),
    terminate: () => w.terminate(),
    ref: () => w.ref(),
    unref: () => w.unref(),
  };
}

/**
 * Loading h5wasm once, with HDF5's throwing error handler on.
 *
 * We use h5wasm's ESM build in every environment (Node and browsers). Its in-memory file system (MEMFS)
 * lets us mount a file node whose read/write operations call a synchronous positional reader
 * (see `syncio.ts`), so HDF5 reads only the bytes it asks for, straight from disk in Node or from a
 * `File` in a browser worker.
 *
 * **Memory ceiling.** The wasm heap is limited to 2 GiB (`Module.MAXIMUM_MEMORY`). A hyperslab read stages
 * its bytes in that heap before they are copied out, so `H5File.read` splits large reads along the first
 * axis into pieces of at most {@link MAX_STAGING_BYTES}; a request whose single smallest piece would still
 * pass the ceiling, or whose total would exceed the caller's budget, fails with `OUT_OF_RANGE` before it starts.
 */
import { HypedError } from "../errors.js";

type H5Wasm = typeof import("h5wasm");
/** The loaded h5wasm namespace plus its emscripten module. */
export interface H5Runtime {
  h5: H5Wasm["default"];
  lib: H5Wasm;
  // biome-ignore lint/suspicious/noExplicitAny: emscripten module object is untyped
  Module: any;
  // biome-ignore lint/suspicious/noExplicitAny: emscripten FS is untyped
  FS: any;
  /** Filter plugins installed into this instance's file system (by filter id). */
  plugins?: Set<number>;
  /** Set when an error may have corrupted this instance's heap: the file that caused it. */
  poisoned?: string;
}

/** Most bytes staged in the wasm heap by one hyperslab read (32 MiB: keeps the heap, which never shrinks, small). */
export const MAX_STAGING_BYTES = 32 * 2 ** 20;
/** The wasm heap ceiling (2 GiB). */
export const WASM_HEAP_LIMIT = 2 ** 31;
/** The MEMFS folder where sources are mounted. */
export const MOUNT_DIR = "/hyped";

let runtime: Promise<H5Runtime> | undefined;
let current: H5Runtime | undefined;
let instances = 0;

/**
 * Load and initialise h5wasm, with HDF5's throwing error handler on. The same instance serves every file
 * until an error that may have corrupted its heap ({@link poisonRuntime}); the next call then loads a fresh
 * instance (a separate wasm memory), so a corrupt file never affects the next one.
 */
export function h5ready(): Promise<H5Runtime> {
  if (current?.poisoned !== undefined) {
    current = undefined;
    runtime = undefined;
  }
  runtime ??= (async () => {
    let lib: H5Wasm;
    try {
      lib = instances++ === 0 ? await import("h5wasm") : await freshImport(instances);
    } catch (e) {
      runtime = undefined;
      throw new HypedError(
        "IO",
        `cannot load h5wasm (an optional peer dependency of @hyped/core for @hyped/core/hdf5; npm install h5wasm@0.10.3): ${(e as Error).message}`,
        {},
        { cause: e },
      );
    }
    const Module = await lib.ready;
    Module.activate_throwing_error_handler();
    const FS = Module.FS;
    try {
      FS.mkdir(MOUNT_DIR);
    } catch {
      // exists already
    }
    current = { h5: lib.default, lib, Module, FS };
    return current;
  })();
  return runtime;
}

/**
 * A second copy of h5wasm's module (its own wasm instance and heap): the same file imported under another
 * URL. The URL comes from `import.meta.resolve` (Node 20.6+, browsers with native modules), else, in Node,
 * from the `node_modules` folders above this file (test runners that transform modules lack the former).
 * Where neither works, `IO` tells the caller to restart the process.
 */
async function freshImport(n: number): Promise<H5Wasm> {
  const url = (await h5wasmUrl()).replace(/\?.*$/, "");
  return (await import(/* @vite-ignore */ `${url}?instance=${n}`)) as H5Wasm;
}

async function h5wasmUrl(): Promise<string> {
  const resolve = (import.meta as { resolve?: (s: string) => string }).resolve;
  if (typeof resolve === "function") {
    try {
      return resolve("h5wasm");
    } catch {
      // fall through to the node_modules search
    }
  }
  try {
    const [{ existsSync }, path, url] = await Promise.all([import("node:fs"), import("node:path"), import("node:url")]);
    for (let dir = path.dirname(url.fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
      const f = path.join(dir, "node_modules", "h5wasm", "dist", "esm", "hdf5_hl.js");
      if (existsSync(f)) return url.pathToFileURL(f).href;
      if (path.dirname(dir) === dir) break;
    }
  } catch {
    // not Node
  }
  throw new Error("cannot locate h5wasm for a fresh instance; restart the process after a corrupt file");
}

/**
 * True for an exception after which h5wasm's instance must not serve another file: a wasm trap ("memory
 * access out of bounds", "unreachable", an abort) or any JavaScript error thrown through HDF5's C frames;
 * everything except HDF5's own error report, which HDF5 raises after unwinding cleanly. With
 * `HYPED_H5_RETIRE=any`, HDF5's reports retire it too (except a lookup of a missing name); `format.md`
 * compares the two policies on the fuzz corpus.
 */
export function retiresRuntime(e: unknown): boolean {
  if (e === null || typeof e !== "object") return true;
  if ((e as { name?: unknown }).name === "HypedError") return false;
  const msg = String((e as { message?: unknown }).message ?? "");
  if (!msg.includes("HDF5-DIAG")) return true;
  if (retirePolicy() !== "any") return false;
  const minors = msg
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith("minor:"))
    .map((l) => l.slice(6).trim());
  return minors.length === 0 || minors.some((m) => !LOOKUP_MISS.has(m));
}

/** HDF5's reasons for a lookup of a name that is simply not there (a valid file answers `has()` this way). */
const LOOKUP_MISS = new Set(["Can't get value", "Can't operate on object", "Object not found", "Callback failed", "Can't open object"]);

function retirePolicy(): string {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return p?.env?.HYPED_H5_RETIRE ?? "fatal";
}

/** How many h5wasm instances this process has loaded (1 until a corrupt file forced a fresh one). */
export function h5InstanceCount(): number {
  return instances;
}

/**
 * Retire `rt` after a fatal error in `file`: files still open on it fail with `IO` from now on, and the
 * next {@link h5ready} loads a fresh instance.
 */
export function poisonRuntime(rt: H5Runtime, file: string): void {
  if (rt.poisoned === undefined) rt.poisoned = file;
}

/** Clean HDF5's multi-line diagnostic into one readable line (the innermost "major/minor" reasons). */
export function cleanH5Message(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (!msg.includes("HDF5-DIAG")) return msg.split("\n")[0] ?? msg;
  const lines = msg.split("\n").map((l) => l.trim());
  const first = lines.find((l) => /^#000:/.test(l));
  const minors = lines.filter((l) => l.startsWith("minor:")).map((l) => l.slice(6).trim());
  const head = first ? first.replace(/^#000:.*? in /, "") : "HDF5 error";
  return minors.length ? `${head} (${[...new Set(minors)].join("; ")})` : head;
}

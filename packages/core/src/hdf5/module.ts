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
}

/** Most bytes staged in the wasm heap by one hyperslab read (32 MiB: keeps the heap, which never shrinks, small). */
export const MAX_STAGING_BYTES = 32 * 2 ** 20;
/** The wasm heap ceiling (2 GiB). */
export const WASM_HEAP_LIMIT = 2 ** 31;
/** The MEMFS folder where sources are mounted. */
export const MOUNT_DIR = "/hyped";

let runtime: Promise<H5Runtime> | undefined;

/** Load and initialise h5wasm (once). Turns on the throwing HDF5 error handler. */
export function h5ready(): Promise<H5Runtime> {
  runtime ??= (async () => {
    let lib: H5Wasm;
    try {
      lib = await import("h5wasm");
    } catch (e) {
      throw new HypedError("IO", `cannot load h5wasm: ${(e as Error).message}`, {}, { cause: e });
    }
    const Module = await lib.ready;
    Module.activate_throwing_error_handler();
    const FS = Module.FS;
    try {
      FS.mkdir(MOUNT_DIR);
    } catch {
      // exists already
    }
    return { h5: lib.default, lib, Module, FS };
  })();
  return runtime;
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

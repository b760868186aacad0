/**
 * Read scheduling, native side: the optional `@hyped/native` box reader and the default number of reads
 * in flight.
 */
import type { NativeBinding } from "@hyped/native";
import { builtin } from "./builtin.js";

/** Native box reads in flight for `DirectReader.readAsync` by default. */
export const NATIVE_IN_FLIGHT = 16;

let nativeImpl: NativeBinding | null | undefined;
let nativeWhy = "";
let nativeOff = false;
/**
 * The box reader of the optional `@hyped/native` addon (Node, when it built at install), else `null`. It
 * does what `copyRuns` does after a positional read, in C: the read and the strided copy run on libuv's
 * thread pool, several at once, each from its own core's cache.
 */
export function nativeBoxes(): NativeBinding | null {
  if (nativeOff) return null;
  if (nativeImpl !== undefined) return nativeImpl;
  nativeImpl = null;
  const mod = builtin<typeof import("node:module")>("node:module");
  if (!mod?.createRequire) {
    nativeWhy = "not running on Node";
    return null;
  }
  try {
    const r = mod
      .createRequire(import.meta.url)("@hyped/native")
      .load() as { binding: NativeBinding | null; reason: string };
    nativeImpl = r.binding;
    nativeWhy = r.reason;
  } catch (e) {
    nativeWhy = `@hyped/native is not installed (${(e as Error).message.split("\n")[0]})`;
  }
  return nativeImpl;
}

/**
 * Whether direct reads use the `@hyped/native` addon, and if not, why. `setNative(false)` turns it off for
 * this process (the JavaScript path then serves; tests compare the two), `setNative(true)` back on.
 */
export function nativeStatus(): { active: boolean; reason: string } {
  const n = nativeBoxes();
  return { active: n !== null, reason: nativeOff ? "turned off by setNative(false)" : n ? "" : nativeWhy };
}

/** See {@link nativeStatus}. */
export function setNative(on: boolean): void {
  nativeOff = !on;
}

/** Reads in flight for `DirectReader.readAsync` by default: the machine's cores (at least 2). */
export function defaultConcurrency(): number {
  const os = builtin<{ availableParallelism?: () => number }>("node:os");
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(2, os?.availableParallelism?.() ?? nav?.hardwareConcurrency ?? 2);
}

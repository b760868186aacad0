/**
 * The fuzz worker thread: runs one case at a time and, after a case that threw, opens the pristine seed in
 * the same thread to check that nothing (a wasm heap, a cache, an open handle) leaked from the bad file.
 */
import { parentPort } from "node:worker_threads";
import { isHypedError } from "@hyped/core";
import { h5InstanceCount } from "@hyped/core/hdf5";
import { runTarget, type TargetName } from "./targets.js";

/** A case sent to the worker. */
export interface CaseMessage {
  id: number;
  target: TargetName;
  path: string;
  pristine: string;
}

/** What the worker answers. */
export interface CaseResult {
  id: number;
  outcome: "ok" | "typed" | "untyped";
  code?: string;
  message?: string;
  /** After an error: whether the pristine seed still opened in this thread. */
  next: "ok" | "fail" | "skipped";
  nextMessage?: string;
  /** h5wasm instances this worker has loaded so far (a fresh one after each corrupt file that retires one). */
  instances: number;
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const where = (e.stack ?? "").split("\n").find((l) => l.includes("packages/")) ?? "";
    return `${e.name}: ${e.message.split("\n")[0]} ${where.trim()}`;
  }
  return `non-error ${String(e)}`;
}

parentPort?.on("message", async (m: CaseMessage) => {
  const ac = new AbortController();
  const r: CaseResult = { id: m.id, outcome: "ok", next: "skipped", instances: 0 };
  try {
    await runTarget(m.target, m.path, ac.signal);
  } catch (e) {
    if (isHypedError(e)) {
      r.outcome = "typed";
      r.code = e.code;
      r.message = e.message.split("\n")[0];
    } else {
      r.outcome = "untyped";
      r.message = describe(e);
    }
  }
  if (r.outcome !== "ok") {
    try {
      await runTarget(m.target, m.pristine, ac.signal);
      r.next = "ok";
    } catch (e) {
      r.next = "fail";
      r.nextMessage = describe(e);
    }
  }
  r.instances = h5InstanceCount();
  parentPort?.postMessage(r);
});

// loaded: the time limit of the first case starts now, not while the worker compiles its modules
parentPort?.postMessage({ ready: true });

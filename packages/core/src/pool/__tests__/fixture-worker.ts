/** A worker module for the pool's own tests: each task names what the worker should do. @internal */
import { HypedError } from "../../errors.js";
import { serveWorker, withTransfer } from "../index.js";

export type FixtureTask =
  | { op: "echo"; value: unknown }
  | { op: "double"; data: Float64Array }
  | { op: "fail"; code: "FORMAT" | "NOT_FOUND"; context: Record<string, unknown> }
  | { op: "plain-error" }
  | { op: "sleep"; ms: number; value: number }
  | { op: "exit"; code: number }
  | { op: "oom" }
  | { op: "whoami" };

let calls = 0;

/** The pool entry: `data` is echoed back by `whoami` tasks with how many tasks this worker has run. */
export async function runFixtureWorker(data: unknown): Promise<void> {
  const { threadId } = await import("node:worker_threads");
  await serveWorker<FixtureTask, unknown>(
    async (t) => {
      calls++;
      switch (t.op) {
        case "echo":
          return t.value;
        case "double": {
          // received by transfer: the pool's copy is detached; sent back by transfer as well
          const out = new Float64Array(t.data.length);
          for (let i = 0; i < out.length; i++) out[i] = 2 * (t.data[i] as number);
          return withTransfer({ out, received: t.data.byteLength }, [out.buffer]);
        }
        case "fail":
          throw new HypedError(t.code, "fixture failure", t.context);
        case "plain-error":
          throw new RangeError("not a HypedError");
        case "sleep":
          await new Promise((r) => setTimeout(r, t.ms));
          return t.value;
        case "exit":
          process.exit(t.code);
          return null;
        case "oom": {
          const keep: number[][] = [];
          for (;;) keep.push(new Array(1e6).fill(Math.random()));
        }
        case "whoami":
          return { threadId, calls, data };
      }
    },
    { errorCode: "FORMAT" },
  );
}

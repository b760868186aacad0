/** The worker of `@hyped/metrics/parallel`: runs SSIM bands and row-wise blocks sent by the pool. @internal */
import { serveWorker, withTransfer } from "@hyped/core";
import { ssimRows } from "../image/kernel.js";
import { type RowMatrix, rowRange } from "../rows/impl.js";
import type { Result, Task } from "./protocol.js";

const BAND = 64;

function handle(t: Task): Result {
  if (t.kind === "ssim") {
    const map = t.full ? new Float64Array((t.r1 - t.r0) * t.W) : undefined;
    let sum = 0;
    for (let r = t.r0; r < t.r1; r += BAND) {
      const e = Math.min(t.r1, r + BAND);
      sum += ssimRows(t.x, t.y, t.rowOffset, t.H, t.W, r, e, t.params, map ? map.subarray((r - t.r0) * t.W, (e - t.r0) * t.W) : null);
    }
    return map ? { sum, out: map } : { sum };
  }
  const a: RowMatrix = { rows: t.rows, cols: t.cols, data: t.a as unknown as RowMatrix["data"], broadcast: false };
  const b: RowMatrix = { rows: t.broadcast ? 1 : t.rows, cols: t.cols, data: t.b as unknown as RowMatrix["data"], broadcast: t.broadcast };
  const out = new Float64Array(t.rows);
  rowRange(t.metric, a, b, 0, t.rows, out, t.rowBase);
  return { out };
}

/** The pool's entry: serve tasks until the pool stops this worker. @internal */
export function runMetricsWorker(): Promise<void> {
  return serveWorker<Task, Result>((t) => {
    const r = handle(t);
    return r.out ? withTransfer(r, [r.out.buffer as ArrayBuffer]) : r;
  });
}

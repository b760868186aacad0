import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isHypedError } from "../../errors.js";
import { WorkerPool } from "../index.js";
import type { FixtureTask } from "./fixture-worker.js";

const moduleUrl = new URL("./fixture-worker.ts", import.meta.url).href;
const open = (size: number, extra: Partial<Parameters<typeof WorkerPool.open>[0]> = {}) =>
  WorkerPool.open<FixtureTask, unknown>({ moduleUrl, entry: "runFixtureWorker", size, name: "fixture worker", ...extra });

describe("WorkerPool", () => {
  it("runs tasks on every worker, queues the rest, passes data and transfers buffers both ways", async () => {
    const pool = await open(2, { data: { tag: "x" } });
    try {
      await pool.ready();
      expect(pool.size).toBe(2);
      const got = (await Promise.all(Array.from({ length: 6 }, () => pool.run({ op: "whoami" })))) as {
        threadId: number;
        data: unknown;
      }[];
      expect(new Set(got.map((g) => g.threadId)).size).toBe(2);
      expect(got[0]?.data).toEqual({ tag: "x" });
      const data = Float64Array.from([1, 2, 3.5]);
      const r = (await pool.run({ op: "double", data }, { transfer: [data.buffer] })) as { out: Float64Array; received: number };
      expect(data.byteLength).toBe(0); // transferred, not copied
      expect(r.received).toBe(24);
      expect(Array.from(r.out)).toEqual([2, 4, 7]);
      const copied = Float64Array.from([1]);
      await pool.run({ op: "double", data: copied });
      expect(copied.byteLength).toBe(8);
    } finally {
      await pool.close();
    }
  }, 30_000);

  it("passes HypedErrors back with their code and context; other errors get the worker's code; keeps serving", async () => {
    const pool = await open(1);
    try {
      const e = await pool.run({ op: "fail", code: "NOT_FOUND", context: { file: "a.h5", offset: 12 } }).catch((x: unknown) => x);
      expect(isHypedError(e, "NOT_FOUND")).toBe(true);
      expect(e).toMatchObject({ message: "fixture failure", context: { file: "a.h5", offset: 12 } });
      const p = await pool.run({ op: "plain-error" }).catch((x: unknown) => x);
      expect(isHypedError(p, "FORMAT") && /not a HypedError/.test((p as Error).message)).toBe(true);
      expect(await pool.run({ op: "echo", value: [1, "two"] })).toEqual([1, "two"]);
    } finally {
      await pool.close();
    }
  }, 30_000);

  it("cancels: a queued task is dropped, a running one's worker is replaced; both reject with ABORTED", async () => {
    const pool = await open(1);
    try {
      await pool.ready();
      const before = (await pool.run({ op: "whoami" })) as { threadId: number };
      const ac = new AbortController();
      const running = pool.run({ op: "sleep", ms: 60_000, value: 1 }, { signal: ac.signal });
      const queued = pool.run({ op: "echo", value: 2 }, { signal: ac.signal });
      const other = pool.run({ op: "echo", value: 3 });
      await new Promise((r) => setTimeout(r, 50));
      const t0 = Date.now();
      ac.abort();
      await expect(running).rejects.toSatisfy((e) => isHypedError(e, "ABORTED"));
      await expect(queued).rejects.toSatisfy((e) => isHypedError(e, "ABORTED"));
      expect(await other).toBe(3); // served by the replacement worker, not after the 60 s sleep
      expect(Date.now() - t0).toBeLessThan(20_000);
      const after = (await pool.run({ op: "whoami" })) as { threadId: number };
      expect(after.threadId).not.toBe(before.threadId);
      await expect(pool.run({ op: "echo", value: 1 }, { signal: AbortSignal.abort() })).rejects.toSatisfy((e) =>
        isHypedError(e, "ABORTED"),
      );
    } finally {
      await pool.close();
    }
    await expect(pool.run({ op: "echo", value: 1 })).rejects.toSatisfy((e) => isHypedError(e, "ABORTED"));
  }, 30_000);

  it("a worker that exits or runs out of memory fails the pool with IO instead of hanging", async () => {
    for (const code of [0, 3]) {
      const pool = await open(2);
      const waiting = pool.run({ op: "sleep", ms: 60_000, value: 0 });
      const dying = pool.run({ op: "exit", code });
      await expect(dying).rejects.toSatisfy((e) => isHypedError(e, "IO") && /exited with code/.test((e as Error).message));
      await expect(waiting).rejects.toSatisfy((e) => isHypedError(e, "IO"));
      await expect(pool.run({ op: "echo", value: 1 })).rejects.toSatisfy((e) => isHypedError(e, "IO"));
      expect(pool.failure?.code).toBe("IO");
      await pool.close();
    }
    const small = await open(1, { resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 } });
    await expect(small.run({ op: "oom" })).rejects.toSatisfy((e) => isHypedError(e, "IO") && /memory/.test((e as Error).message));
    await small.close();
  }, 60_000);

  it("reports a worker module that does not load, and validates its options", async () => {
    const bad = await open(1, { entry: "noSuchEntry" });
    await expect(bad.ready()).rejects.toSatisfy((e) => isHypedError(e, "IO") && /failed to start.*noSuchEntry/s.test((e as Error).message));
    await bad.close();
    await expect(open(0)).rejects.toSatisfy((e) => isHypedError(e, "INVALID_ARGUMENT"));
    await expect(open(1.5)).rejects.toSatisfy((e) => isHypedError(e, "INVALID_ARGUMENT"));
  }, 30_000);

  it("with unref, a task sent before the workers are ready still keeps a plain process alive until it is done", () => {
    // regression: the first metrics call from a built script exited with an unsettled top-level await (code 13)
    const pool = fileURLToPath(new URL("../index.ts", import.meta.url));
    const script = `import { WorkerPool } from ${JSON.stringify(pool)};
const p = await WorkerPool.open({ moduleUrl: ${JSON.stringify(moduleUrl)}, entry: "runFixtureWorker", size: 1, name: "w", unref: true });
console.log(JSON.stringify(await p.run({ op: "sleep", ms: 300, value: 42 })));`;
    const r = spawnSync(process.execPath, ["--conditions=@hyped/source", "--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe("42"); // and it exited by itself: the idle worker does not hold it
  }, 60_000);
});

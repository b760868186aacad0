/**
 * The frame workers: conversion tasks and parallel frame reads on core's {@link WorkerPool} (Node worker
 * threads). Each worker imports this module (by `import.meta.url`) and calls {@link runFramesWorker}, from
 * the TypeScript sources (the pool registers tsx first) or from the published bundle (which exports it).
 */

import { DTYPE_CTORS, HypedError, isBigIntDType, isDType, serveWorker, WorkerPool } from "@hyped/core";
import { type FrameReadJob, readFrameRegion } from "./read.js";
import { type FrameTask, type TaskInit, type TaskResult, TaskRunner } from "./task.js";

/** What a pool's workers do: convert frames (with a {@link TaskInit}) or read frames into shared memory. */
export type PoolKind = { kind: "convert"; init: TaskInit } | { kind: "read" };

/** A read job for a worker: the frame plus the shared destination (element type from `dtype`). */
export interface SharedReadJob extends FrameReadJob {
  id: number;
  buffer: SharedArrayBuffer;
}

/** Read `job` into its shared buffer, viewed with core's dtype table (`bool` and 64-bit frames are not read in parallel). */
async function readShared(job: SharedReadJob): Promise<null> {
  const dtype = job.expect.dtype;
  if (!isDType(dtype) || dtype === "bool" || isBigIntDType(dtype))
    throw new HypedError("UNSUPPORTED", `${job.file}: parallel reads of ${dtype} frames are not supported`, { file: job.file });
  await readFrameRegion(job, new DTYPE_CTORS[dtype](job.buffer) as unknown as Uint16Array);
  return null;
}

/**
 * Worker-thread entry point (called by the pool; not for direct use): serves conversion tasks or read jobs,
 * as `kind` says. @internal
 */
export async function runFramesWorker(kind: PoolKind): Promise<void> {
  const runner = kind.kind === "convert" ? new TaskRunner(kind.init) : undefined;
  await serveWorker<FrameTask | SharedReadJob, TaskResult | null>((task) =>
    runner ? runner.run(task as FrameTask) : readShared(task as SharedReadJob),
  );
}

/** A pool of `n` workers of one {@link PoolKind}. */
export class FramePool {
  private constructor(private readonly pool: WorkerPool<FrameTask | SharedReadJob, TaskResult | null>) {}

  /** Start `n` workers and wait until each is ready. With `unref`, idle workers do not keep the process alive. */
  static async start(n: number, kind: PoolKind, options: { unref?: boolean } = {}): Promise<FramePool> {
    const pool = await WorkerPool.open<FrameTask | SharedReadJob, TaskResult | null>({
      moduleUrl: import.meta.url,
      entry: "runFramesWorker",
      size: n,
      name: "frame worker",
      data: kind,
      unref: options.unref === true,
    });
    try {
      await pool.ready();
    } catch (e) {
      await pool.close();
      throw e;
    }
    return new FramePool(pool);
  }

  /** Run one conversion task on the next free worker. */
  run(task: FrameTask): Promise<TaskResult> {
    return this.pool.run(task) as Promise<TaskResult>;
  }

  /** Run one read job on the next free worker. */
  async read(job: SharedReadJob): Promise<void> {
    await this.pool.run(job);
  }

  /** Stop every worker now (in-flight writes leave only temp files, never partial frames). */
  async terminate(): Promise<void> {
    await this.pool.close();
  }
}

/**
 * Render the frames of {@link synthImaging} on Node worker threads. Rendering (cells, blur, per-pixel
 * Poisson–Gaussian noise) is most of the generator's time and every frame is a pure function of the scene's
 * simulation and the frame index, so frames are rendered in parallel and handed back in request order; the
 * CZI writer (Zstd, file writes) stays on the calling thread.
 *
 * The workers run on core's {@link WorkerPool}: each imports this module (by `import.meta.url`) and calls
 * {@link runSynthRenderWorker}; from the TypeScript sources without tsx, frames render in this thread.
 */

import { HypedError, isHypedError, serveWorker, WorkerPool, withTransfer } from "@hyped/core";
import type { FucciChannel } from "../synth/render.js";

/** One frame to render: the scene (rebuilt in the worker from the same options) and the frame. */
export interface SynthRenderJob {
  condition: string;
  replicate: number;
  scale: "mini" | "full" | "tiny";
  seed: number;
  frames: number;
  intervalS: number;
  t: number;
  noiseSeed: number;
  channels: FucciChannel[];
}

/** A rendered frame: pixels [C, Y, X] and the truth labels [Y, X]. */
export interface SynthRenderedFrame {
  image: Uint16Array;
  labels: Uint16Array;
}

/** Render one job in this thread (the worker's body, also the fallback without workers). */
async function renderJob(job: SynthRenderJob, cache: Map<string, unknown>): Promise<SynthRenderedFrame> {
  const { hypedSceneSimulation } = await import("./scenes.js");
  const { renderFucciFrame } = await import("../synth/render.js");
  const key = `${job.condition}|${job.replicate}|${job.scale}|${job.seed}|${job.frames}|${job.intervalS}`;
  let sim = cache.get(key) as ReturnType<typeof hypedSceneSimulation> | undefined;
  if (!sim) {
    sim = hypedSceneSimulation(job.condition, job.replicate, {
      scale: job.scale,
      seed: job.seed,
      frames: job.frames,
      intervalS: job.intervalS,
    });
    cache.clear();
    cache.set(key, sim);
  }
  const f = renderFucciFrame(sim, job.t, { channels: job.channels, noiseSeed: job.noiseSeed });
  return { image: f.image.data as Uint16Array, labels: f.labels.data as Uint16Array };
}

/**
 * Worker-thread entry point of the synthetic renderer (started by its bootstrap; not for direct use).
 * @internal
 */
export async function runSynthRenderWorker(): Promise<void> {
  const cache = new Map<string, unknown>();
  await serveWorker<SynthRenderJob, SynthRenderedFrame>(async (job) => {
    const r = await renderJob(job, cache);
    return withTransfer(r, [r.image.buffer as ArrayBuffer, r.labels.buffer as ArrayBuffer]);
  });
}

/** The render pool, or undefined where frames render in this thread (no workers, or sources without tsx). */
async function openRenderPool(workers: number, jobs: number): Promise<WorkerPool<SynthRenderJob, SynthRenderedFrame> | undefined> {
  if (workers <= 0) return undefined;
  try {
    return await WorkerPool.open<SynthRenderJob, SynthRenderedFrame>({
      moduleUrl: import.meta.url,
      entry: "runSynthRenderWorker",
      size: Math.max(1, Math.min(workers, jobs)),
      name: "synthetic render worker",
    });
  } catch (e) {
    if (isHypedError(e, "UNSUPPORTED")) return undefined;
    throw e;
  }
}

/**
 * Render `jobs` in order on `workers` threads (0 = in this thread), yielding each frame in request order
 * while up to two frames per worker are rendered ahead.
 */
export async function* renderSynthFrames(jobs: readonly SynthRenderJob[], workers: number): AsyncGenerator<SynthRenderedFrame> {
  const pool = await openRenderPool(workers, jobs.length);
  if (!pool) {
    const cache = new Map<string, unknown>();
    for (const job of jobs) yield await renderJob(job, cache);
    return;
  }
  const results = new Map<number, Promise<SynthRenderedFrame>>();
  const request = (id: number) => {
    if (id >= jobs.length || results.has(id)) return;
    const job = jobs[id] as SynthRenderJob;
    const pr = pool.run(job).catch((e: unknown) => {
      if (e === pool.failure || !isHypedError(e)) throw e;
      throw new HypedError("IO", `rendering synthetic frame ${id} failed: ${e.message}`, { job });
    });
    pr.catch(() => {}); // observed when awaited
    results.set(id, pr);
  };
  try {
    const ahead = 2 * pool.size;
    for (let id = 0; id < Math.min(ahead, jobs.length); id++) request(id);
    for (let id = 0; id < jobs.length; id++) {
      const frame = await (results.get(id) as Promise<SynthRenderedFrame>);
      results.delete(id);
      request(id + ahead);
      yield frame;
    }
  } finally {
    await pool.close();
  }
}

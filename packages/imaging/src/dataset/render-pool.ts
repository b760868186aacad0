/**
 * Render the frames of {@link synthImaging} on Node worker threads. Rendering (cells, blur, per-pixel
 * Poisson–Gaussian noise) is most of the generator's time and every frame is a pure function of the scene's
 * simulation and the frame index, so frames are rendered in parallel and handed back in request order; the
 * CZI writer (Zstd, file writes) stays on the calling thread.
 *
 * Each worker starts from a fixed bootstrap that imports this module (by `import.meta.url`) and calls
 * {@link runSynthRenderWorker}; from the TypeScript sources the bootstrap registers tsx first (as
 * `segmentFrames` does), from the bundle `import.meta.url` is the bundle, which exports the entry point.
 */

import { HypedError, isHypedError } from "@hyped/core";
import type { FucciChannel } from "../synth/render.js";
import { tsxLoaderFor } from "../tsx-loader.js";

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

type Reply = { id: number; image: Uint16Array; labels: Uint16Array } | { id: number; error: string } | { fatal: string } | { ready: true };

const BOOTSTRAP = `
const { workerData, parentPort } = require("node:worker_threads");
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  const m = await import(workerData.moduleUrl);
  await m.runSynthRenderWorker();
})().catch((e) => parentPort.postMessage({ fatal: String((e && e.stack) || e) }));
`;

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
  const { parentPort } = await import("node:worker_threads");
  if (!parentPort) throw new HypedError("INVALID_ARGUMENT", "runSynthRenderWorker must run in a worker thread", {});
  const cache = new Map<string, unknown>();
  parentPort.on("message", (m: { id: number; job: SynthRenderJob }) => {
    renderJob(m.job, cache).then(
      (r) =>
        parentPort.postMessage({ id: m.id, image: r.image, labels: r.labels }, [
          r.image.buffer as ArrayBuffer,
          r.labels.buffer as ArrayBuffer,
        ]),
      (e: unknown) => parentPort.postMessage({ id: m.id, error: isHypedError(e) || e instanceof Error ? e.message : String(e) }),
    );
  });
  parentPort.postMessage({ ready: true });
}

/**
 * Render `jobs` in order on `workers` threads (0 = in this thread), yielding each frame in request order
 * while up to two frames per worker are rendered ahead.
 */
export async function* renderSynthFrames(jobs: readonly SynthRenderJob[], workers: number): AsyncGenerator<SynthRenderedFrame> {
  const moduleUrl = import.meta.url;
  const tsx = workers > 0 ? await tsxLoaderFor(moduleUrl, null) : undefined;
  const useWorkers = workers > 0 && (tsx !== undefined || !/\.ts$/.test(new URL(moduleUrl).pathname));
  if (!useWorkers) {
    const cache = new Map<string, unknown>();
    for (const job of jobs) yield await renderJob(job, cache);
    return;
  }
  const { Worker } = await import("node:worker_threads");
  const n = Math.max(1, Math.min(workers, jobs.length));
  const pending = new Map<number, { resolve: (f: SynthRenderedFrame) => void; reject: (e: unknown) => void }>();
  const results = new Map<number, Promise<SynthRenderedFrame>>();
  const idle: InstanceType<typeof Worker>[] = [];
  const queue: number[] = [];
  let failure: unknown;
  const fail = (e: unknown) => {
    failure ??= e;
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
  };
  const dispatch = () => {
    while (idle.length && queue.length) {
      const id = queue.shift() as number;
      (idle.pop() as InstanceType<typeof Worker>).postMessage({ id, job: jobs[id] });
    }
  };
  const pool: InstanceType<typeof Worker>[] = [];
  for (let k = 0; k < n; k++) {
    const w = new Worker(BOOTSTRAP, { eval: true, workerData: { moduleUrl, tsx }, execArgv: tsx ? ["--conditions=@hyped/source"] : [] });
    pool.push(w);
    w.on("message", (m: Reply) => {
      if ("ready" in m) {
        idle.push(w);
        return dispatch();
      }
      if ("fatal" in m) return fail(new HypedError("IO", `synthetic render worker failed to start: ${m.fatal}`, {}));
      const p = pending.get(m.id);
      pending.delete(m.id);
      if ("error" in m) p?.reject(new HypedError("IO", `rendering synthetic frame ${m.id} failed: ${m.error}`, { job: jobs[m.id] }));
      else p?.resolve({ image: m.image, labels: m.labels });
      idle.push(w);
      dispatch();
    });
    w.on("error", (e) => fail(new HypedError("IO", `synthetic render worker failed: ${e.message}`, {}, { cause: e })));
  }
  const request = (id: number) => {
    if (id >= jobs.length || results.has(id)) return;
    const pr = new Promise<SynthRenderedFrame>((resolve, reject) => {
      if (failure) return reject(failure);
      pending.set(id, { resolve, reject });
    });
    pr.catch(() => {}); // observed when awaited
    results.set(id, pr);
    queue.push(id);
    dispatch();
  };
  try {
    const ahead = 2 * n;
    for (let id = 0; id < Math.min(ahead, jobs.length); id++) request(id);
    for (let id = 0; id < jobs.length; id++) {
      const frame = await (results.get(id) as Promise<SynthRenderedFrame>);
      results.delete(id);
      request(id + ahead);
      yield frame;
    }
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}

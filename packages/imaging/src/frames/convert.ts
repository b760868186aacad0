/**
 * `convertCziToFrames`: raw CZI acquisitions → one HDF5 frame file per (condition, replicate, time), with a
 * `dataset.json` manifest. Atomic, resumable, parallel (worker threads) and shardable across machines.
 * Node only (it writes a folder). See `docs/frames.md`.
 *
 * Stages: plan the sources and list their frames (`convert-plan.ts`), check what a previous run left
 * ({@link resumeState}), then convert the rest ({@link runTasks}, {@link executeTasks}).
 */
import { forEachLimited, HypedError, isHypedError, throwIfAborted } from "@hyped/core";
import type { ConvertOptions, ConvertResult } from "./convert-options.js";
import { baseName, listFrames, type PlannedFrame, planSources, type SourcePlan, validateConvertOptions } from "./convert-plan.js";
import { sha256Of } from "./hash.js";
import { buildManifest, type ManifestHeader, readManifestFile, shardManifestName, writeManifestFile } from "./manifest.js";
import { type FrameTask, type TaskInit, type TaskResult, TaskRunner } from "./task.js";
import { MANIFEST_NAME, type ManifestFrame } from "./types.js";
import { FramePool } from "./worker.js";

export type { ConvertOptions, ConvertProgressEvent, ConvertResult } from "./convert-options.js";

/**
 * Convert CZI files into a frame directory. For each mapped scene and each time point it stitches every
 * channel (`CziFile.readPlane`) and writes `<outDir>/<condition>_r<replicate>_t<NNNNN>.h5` (see `format.md`).
 *
 * - **Atomic**: each frame is written to a temp file and renamed; an interrupted run (even `kill -9`) leaves
 *   no partial frame under a frame name, and stale temp files are removed by the next run.
 * - **Resumable**: frames listed in the existing manifest whose file still has the recorded SHA-256 (and the
 *   same source checksum and layout) are skipped. The manifest is rewritten (atomically) at most every 2 s
 *   while converting and at the end.
 * - **Parallel**: `workers` threads each convert whole frames.
 * - **Sharded**: `shard: [i, n]` converts frames k with k mod n = i and writes `dataset.shard-i-of-n.json`;
 *   merge with {@link mergeManifests} (`hyped frames manifest`).
 *
 * Throws `NOT_FOUND` naming the CZI for a requested channel it lacks, `SHAPE_MISMATCH` naming the CZI/scene
 * whose shape or channels differ from the first, `FORMAT` for unreadable CZIs, `ABORTED` on cancel.
 */
export async function convertCziToFrames(
  cziSources: ReadonlyArray<string | Blob>,
  outDir: string,
  options: ConvertOptions = {},
): Promise<ConvertResult> {
  const started = performance.now();
  const { signal } = options;
  if (cziSources.length === 0) throw new HypedError("INVALID_ARGUMENT", "no CZI files to convert", {});
  const shard = options.shard;
  if (shard && !(Number.isInteger(shard[0]) && Number.isInteger(shard[1]) && shard[1] >= 1 && shard[0] >= 0 && shard[0] < shard[1])) {
    throw new HypedError("INVALID_ARGUMENT", `shard [${shard}] must be [i, n] with 0 <= i < n`, { shard });
  }
  validateConvertOptions(options);
  const plans = await planSources(cziSources, options);

  // ---- source checksums (once per CZI)
  const sourceSha: string[] = [];
  for (const p of plans) sourceSha.push(options.sourceChecksum === false ? "" : await sha256Of(p.input, signal));
  for (const p of plans) await p.czi.close();

  // ---- all frames, in a stable order; then this shard's share
  const all = listFrames(plans, sourceSha);
  const mine = shard ? all.filter((_, k) => k % shard[1] === shard[0]) : all;
  const state = await resumeState(plans, mine, outDir, options);
  return runTasks(plans, state, outDir, options, started);
}

/** What a run starts from: the manifest header and path, frames already done, and this run's tasks. */
interface ResumeState {
  header: ManifestHeader;
  manifestPath: string;
  done: Map<string, ManifestFrame>;
  tasks: FrameTask[];
}

/**
 * Read the manifest so far (resume) and remove stale temp files: frames it lists with the same layout, source
 * checksum and identity get an expected SHA-256 (skipped when the file still has it). Throws `SHAPE_MISMATCH` when
 * it lists frames of another layout that this run would not replace.
 */
async function resumeState(plans: SourcePlan[], mine: PlannedFrame[], outDir: string, options: ConvertOptions): Promise<ResumeState> {
  const fs = await import("node:fs/promises");
  const path = await import("node:path");
  const shard = options.shard;
  const ref = plans[0] as SourcePlan;
  const axes = options.axes ?? "CYX";
  const compression = options.compression ?? "gzip";
  await fs.mkdir(outDir, { recursive: true });
  const manifestPath = path.join(outDir, shard ? shardManifestName(shard[0], shard[1]) : MANIFEST_NAME);
  const header: ManifestHeader = {
    channels: ref.channelNames,
    dtype: options.dtype ?? ref.dtype,
    axes,
    shape: [ref.channelNames.length, ref.height, ref.width],
    pixelSizeM: ref.pixelSizeM.map((v) => (Number.isFinite(v) ? v : null)) as [number | null, number | null],
    compression,
    ...(shard ? { shard } : {}),
    created: {
      tool: "@hyped/imaging convertCziToFrames",
      at: new Date().toISOString(),
      sources: plans.map((p) => baseName(p.name)),
      ...(ref.zSize > 1 ? { z: { index: ref.z, size: ref.zSize } } : {}),
    },
  };
  const previous = await readManifestFile(manifestPath).catch((e: unknown) => {
    if (isHypedError(e, "IO") && e.context.errno === "ENOENT") return undefined;
    throw e;
  });
  const done = new Map<string, ManifestFrame>();
  const planned = new Set(mine.map((m) => m.file));
  if (previous) {
    const sameLayout =
      previous.channels.join("\u0000") === header.channels.join("\u0000") &&
      previous.dtype === header.dtype &&
      previous.axes === header.axes &&
      previous.shape.join(",") === header.shape.join(",") &&
      previous.compression === header.compression;
    for (const f of previous.frames) {
      if (sameLayout) done.set(f.file, f);
      else if (!planned.has(f.file)) {
        throw new HypedError(
          "SHAPE_MISMATCH",
          `${manifestPath} lists frames of another layout (${previous.shape} ${previous.dtype} ${previous.axes} ${previous.compression}) that this run would not replace (e.g. ${f.file}); use a new output folder`,
          { file: manifestPath },
        );
      }
    }
  }
  const existing = await fs.readdir(outDir);
  for (const n of existing) {
    const m = /^(.*)\.tmp-[^/]*$/.exec(n);
    if (m && planned.has(m[1] as string)) await fs.rm(path.join(outDir, n), { force: true });
  }

  const tasks: FrameTask[] = mine.map((m, id) => {
    const prev = done.get(m.file);
    const ok =
      prev?.sha256 &&
      prev.sourceSha256 === m.meta.sourceSha256 &&
      prev.condition === m.meta.condition &&
      prev.replicate === m.meta.replicate &&
      prev.t === m.t;
    if (prev && !ok) done.delete(m.file);
    return { ...m, id, ...(ok ? { expectSha256: prev.sha256 } : {}) };
  });

  return { header, manifestPath, done, tasks };
}

/** Convert the tasks (in this thread or in `workers` threads), keeping the manifest up to date; report progress. */
async function runTasks(
  plans: SourcePlan[],
  state: ResumeState,
  outDir: string,
  options: ConvertOptions,
  started: number,
): Promise<ConvertResult> {
  const os = await import("node:os");
  const { header, manifestPath, done, tasks } = state;
  const ref = plans[0] as SourcePlan;
  const { axes, compression } = header;
  const init: TaskInit = {
    inputs: plans.map((p) => p.input),
    outDir,
    dtype: header.dtype,
    write: { axes, compression, ...(options.level !== undefined ? { level: options.level } : {}), tile: options.tile ?? ref.tile },
  };
  const nWorkers = Math.min(tasks.length, Math.max(0, Math.floor(options.workers ?? os.availableParallelism())));
  let converted = 0;
  let skipped = 0;
  let bytesWritten = 0;
  let rawBytes = 0;
  let lastSave = performance.now();
  const report = () => {
    const secs = (performance.now() - started) / 1000;
    const rate = converted / Math.max(secs, 1e-9);
    options.onProgress?.({
      done: converted + skipped,
      total: tasks.length,
      unit: "frames",
      label: "converting",
      skipped,
      rawBytes,
      mbPerSecond: rawBytes / 1e6 / Math.max(secs, 1e-9),
      etaSeconds: converted > 0 ? (tasks.length - converted - skipped) / rate : Number.NaN,
    });
  };
  const save = async () => {
    lastSave = performance.now();
    await writeManifestFile(manifestPath, buildManifest(header, [...done.values()]));
  };
  const onResult = async (task: FrameTask, r: TaskResult) => {
    if (r.skipped) skipped++;
    else {
      converted++;
      bytesWritten += r.bytes;
      rawBytes += r.rawBytes;
    }
    done.set(task.file, {
      file: task.file,
      condition: task.meta.condition,
      replicate: task.meta.replicate,
      t: task.t,
      timeS: Number.isFinite(task.meta.timeS) ? task.meta.timeS : null,
      scene: task.meta.scene,
      sha256: r.sha256,
      bytes: r.bytes,
      source: task.meta.source,
      sourceSha256: task.meta.sourceSha256,
    });
    report();
    if (performance.now() - lastSave > 2000) await save();
  };

  report();
  const failure = await executeTasks(tasks, init, nWorkers, onResult, options.signal);
  await save();
  if (failure !== undefined) throw failure;
  report();
  const manifest = buildManifest(header, [...done.values()]);
  return { manifest, manifestPath, total: tasks.length, converted, skipped, bytesWritten, seconds: (performance.now() - started) / 1000 };
}

/**
 * Run every task through `onResult`, in this thread (`nWorkers` 0, or inputs that cannot be sent to a worker)
 * or in a pool of worker threads. Returns the first failure (cancellation as `ABORTED`), or undefined.
 */
async function executeTasks(
  tasks: FrameTask[],
  init: TaskInit,
  nWorkers: number,
  onResult: (task: FrameTask, r: TaskResult) => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  let failure: unknown;
  if (nWorkers === 0 || !init.inputs.every(cloneable)) {
    const runner = new TaskRunner(init);
    try {
      for (const task of tasks) {
        throwIfAborted(signal, "convertCziToFrames");
        await onResult(task, await runner.run(task, signal));
      }
    } catch (e) {
      failure = e;
    } finally {
      await runner.close();
    }
  } else {
    const pool = await FramePool.start(nWorkers, { kind: "convert", init });
    const onAbort = () => void pool.terminate();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      await forEachLimited(
        tasks.length,
        nWorkers,
        async (i) => {
          const task = tasks[i] as FrameTask;
          await onResult(task, await pool.run(task));
        },
        signal,
        "convertCziToFrames",
      ).catch((e) => {
        failure ??= e;
      });
    } finally {
      signal?.removeEventListener("abort", onAbort);
      await pool.terminate();
    }
    if (signal?.aborted && !isHypedError(failure, "ABORTED"))
      failure = new HypedError("ABORTED", "convertCziToFrames was cancelled", {}, { cause: signal.reason });
  }
  return failure;
}

function cloneable(x: string | Blob): boolean {
  return typeof x === "string" || (typeof Blob !== "undefined" && x instanceof Blob);
}

/**
 * `convertCziToFrames`: raw CZI acquisitions → one HDF5 frame file per (condition, replicate, time), with a
 * `dataset.json` manifest. Atomic, resumable, parallel (worker threads) and shardable across machines.
 * Node only (it writes a folder). See `docs/frames.md`.
 */
import { forEachLimited, fsError, HypedError, isHypedError, type LongTaskOptions, type ProgressEvent, throwIfAborted } from "@hyped/core";
import { type CziFile, openCzi } from "../czi/index.js";
import type { FrameMeta } from "./frame.js";
import { sha256Of } from "./hash.js";
import { buildManifest, frameFileName, type ManifestHeader, readManifestFile, shardManifestName, writeManifestFile } from "./manifest.js";
import { inferScenes, lookupScene, parseSceneMap, type SceneAssignment, type SceneMap } from "./scenes.js";
import { type FrameTask, type TaskInit, type TaskResult, TaskRunner } from "./task.js";
import { DEFAULT_CHANNELS, type FrameAxes, type FrameDType, type FrameManifest, MANIFEST_NAME, type ManifestFrame } from "./types.js";
import { FramePool } from "./worker.js";

/** A progress report of {@link convertCziToFrames} (unit `frames`). */
export interface ConvertProgressEvent extends ProgressEvent {
  /** Frames skipped because they were already present with a matching checksum. */
  skipped: number;
  /** Uncompressed pixel bytes produced so far by this run. */
  rawBytes: number;
  /** Pixel throughput of this run in MB/s (10^6 bytes per second). */
  mbPerSecond: number;
  /** Estimated seconds left; `NaN` before the first converted frame. */
  etaSeconds: number;
}

/** Options of {@link convertCziToFrames}. */
export interface ConvertOptions extends Omit<LongTaskOptions, "onProgress"> {
  /**
   * Scene → (condition, replicate): a {@link SceneMap}, or a path to its JSON file. Default: inferred from the
   * scene names (see {@link inferScenes}). With a map, unmapped scenes are not converted.
   */
  scenes?: SceneMap | string;
  /** Worker threads converting frames in parallel. Default: `os.availableParallelism()`; 0 runs in this thread. */
  workers?: number;
  /** Convert only shard `i` (0-based) of `n` disjoint frame sets (frame k goes to shard k mod n). */
  shard?: [number, number];
  /** `gzip` (default) or `none`. */
  compression?: "gzip" | "none";
  /** gzip level 0-9. Default 1. */
  level?: number;
  /** On-disk axis order. Default `"CYX"`. */
  axes?: FrameAxes;
  /** Frame sample type. Default `uint16` for Gray8/Gray16 CZIs, `float32` for Gray32Float. */
  dtype?: FrameDType;
  /**
   * Channels to convert, by name (as in the CZI metadata), in frame order. Default: all channels of the CZI,
   * named from its metadata (Cy5, mKate, TagGFP, Oblique for unnamed 4-channel files).
   */
  channels?: string[];
  /**
   * Z index to convert. Default: the file's first Z (0). It is checked against every CZI's Z range before
   * anything is written (OUT_OF_RANGE). The manifest records it (`created.z`) when a file has several Z planes;
   * converting every plane is one frame store per Z (`hyped convert --z all`).
   */
  z?: number;
  /** Called with a message for things the user should know but that do not stop the run (e.g. Z planes left out). */
  onWarning?: (message: string) => void;
  /** Chunk tile `[height, width]`. Default: the CZI's tile size. */
  tile?: [number, number];
  /** Record each source CZI's SHA-256 in the frames (costs one read of the CZI). Default true. */
  sourceChecksum?: boolean;
  /** Progress in frames, with MB/s and ETA. */
  onProgress?: (e: ConvertProgressEvent) => void;
}

/** Result of {@link convertCziToFrames}. */
export interface ConvertResult {
  /** The manifest written (`dataset.json`, or the shard's `dataset.shard-i-of-n.json`). */
  manifest: FrameManifest;
  /** Where it was written. */
  manifestPath: string;
  /** Frames in this run's (shard's) set. */
  total: number;
  /** Frames written by this run. */
  converted: number;
  /** Frames found present with a matching checksum. */
  skipped: number;
  /** Bytes of frame files written by this run. */
  bytesWritten: number;
  /** Wall time in seconds. */
  seconds: number;
}

interface SourcePlan {
  input: string | Blob;
  name: string;
  czi: CziFile;
  channels: number[];
  channelNames: string[];
  height: number;
  width: number;
  dtype: FrameDType;
  times: number[];
  timeS: (t: number) => number;
  pixelSizeM: [number, number];
  tile: [number, number];
  scenes: Array<{ index: number | undefined; assign: SceneAssignment }>;
  /** The Z index converted and the file's number of Z planes (1 without a Z dimension). */
  z: number;
  zSize: number;
}

/** Check the options that need no file, before anything is opened or created (INVALID_ARGUMENT). */
function validateConvertOptions(o: ConvertOptions): void {
  const bad = (what: string, v: unknown) => new HypedError("INVALID_ARGUMENT", `${what}, got ${JSON.stringify(v)}`, { option: what });
  const int = (v: unknown) => typeof v === "number" && Number.isInteger(v);
  if (o.level !== undefined && !(int(o.level) && o.level >= 0 && o.level <= 9)) throw bad("level must be an integer 0-9", o.level);
  if (o.workers !== undefined && !(int(o.workers) && o.workers >= 0)) throw bad("workers must be an integer >= 0", o.workers);
  if (o.z !== undefined && !int(o.z)) throw bad("z must be an integer", o.z);
  if (o.compression !== undefined && o.compression !== "gzip" && o.compression !== "none")
    throw bad("compression must be gzip or none", o.compression);
  if (o.axes !== undefined && o.axes !== "CYX" && o.axes !== "CXY") throw bad("axes must be CYX or CXY", o.axes);
  if (o.dtype !== undefined && !["uint8", "uint16", "float32"].includes(o.dtype))
    throw bad("dtype must be uint8, uint16 or float32", o.dtype);
  if (o.tile !== undefined && !(Array.isArray(o.tile) && o.tile.length === 2 && o.tile.every((v) => int(v) && v >= 1)))
    throw bad("tile must be [height, width] of positive integers", o.tile);
  if (
    o.channels !== undefined &&
    !(Array.isArray(o.channels) && o.channels.length > 0 && o.channels.every((c) => typeof c === "string" && c !== ""))
  )
    throw bad("channels must be a non-empty list of channel names", o.channels);
}

/** The Z plane to convert from `czi`: checked against its Z range; warns when other planes are left out. */
function planZ(czi: CziFile, name: string, options: ConvertOptions): { z: number; zSize: number } {
  const d = czi.dims.Z;
  // The Z planes the subblocks back (a corrupt Z size must not make millions of planes).
  const backed = czi.dimValues("Z");
  const zSize = Math.max(1, backed.length);
  const z = options.z ?? backed[0] ?? 0;
  const lo = d?.start ?? 0;
  const hi = d ? d.start + d.size - 1 : 0;
  if (z < lo || z > hi || (d && !backed.includes(z))) {
    const why = z < lo || z > hi ? `is outside its Z range ${lo}..${hi}` : "has no subblock";
    throw new HypedError("OUT_OF_RANGE", `${name}: Z index ${z} ${why}`, { file: name, z, start: lo, size: d?.size ?? 1 });
  }
  if (zSize > 1 && options.z === undefined) {
    options.onWarning?.(`${name} has ${zSize} Z planes; converting Z=${z} only (choose one with --z N, or every one with --z all)`);
  }
  return { z, zSize };
}

const baseName = (s: string) => s.replace(/^.*[/\\]/, "");

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
  const fs = await import("node:fs/promises");
  const path = await import("node:path");
  const os = await import("node:os");
  const { signal } = options;
  if (cziSources.length === 0) throw new HypedError("INVALID_ARGUMENT", "no CZI files to convert", {});
  const shard = options.shard;
  if (shard && !(Number.isInteger(shard[0]) && Number.isInteger(shard[1]) && shard[1] >= 1 && shard[0] >= 0 && shard[0] < shard[1])) {
    throw new HypedError("INVALID_ARGUMENT", `shard [${shard}] must be [i, n] with 0 <= i < n`, { shard });
  }
  validateConvertOptions(options);
  const sceneMap = typeof options.scenes === "string" ? await readSceneMapFile(options.scenes) : options.scenes;

  // ---- plan: open each CZI (headers only) and list its frames
  const plans: SourcePlan[] = [];
  try {
    for (const input of cziSources) {
      throwIfAborted(signal, "convertCziToFrames");
      const name = typeof input === "string" ? input : ((input as { name?: string }).name ?? "blob.czi");
      let czi: CziFile;
      try {
        czi = await openCzi(input, signal ? { signal } : {});
      } catch (e) {
        if (isHypedError(e) && !e.message.includes(name))
          throw new HypedError(e.code, `${name}: ${e.message}`, { ...e.context, file: name }, { cause: e });
        throw e;
      }
      const stamps = await czi.readTimestamps(signal ? { signal } : {}).catch(() => undefined);
      plans.push(planSource(czi, input, name, sceneMap, options, stamps));
    }
  } catch (e) {
    for (const p of plans) await p.czi.close();
    throw e;
  }
  const ref = plans[0] as SourcePlan;
  for (const p of plans) {
    if (
      p.height !== ref.height ||
      p.width !== ref.width ||
      p.dtype !== ref.dtype ||
      p.channelNames.join("\u0000") !== ref.channelNames.join("\u0000")
    ) {
      for (const q of plans) await q.czi.close();
      throw new HypedError(
        "SHAPE_MISMATCH",
        `${p.name}: scenes are ${p.height}x${p.width} ${p.dtype} with channels ${p.channelNames.join(", ")}, but ${ref.name} has ${ref.height}x${ref.width} ${ref.dtype} with ${ref.channelNames.join(", ")}`,
        { file: p.name, other: ref.name },
      );
    }
  }

  // ---- source checksums (once per CZI)
  const sourceSha: string[] = [];
  for (const p of plans) sourceSha.push(options.sourceChecksum === false ? "" : await sha256Of(p.input, signal));
  for (const p of plans) await p.czi.close();

  // ---- all frames, in a stable order; then this shard's share
  const axes = options.axes ?? "CYX";
  const compression = options.compression ?? "gzip";
  const all: Array<Omit<FrameTask, "id" | "expectSha256">> = [];
  const owner = new Map<string, string>();
  plans.forEach((p, input) => {
    for (const s of p.scenes) {
      for (const t of p.times) {
        const file = frameFileName(s.assign.condition, s.assign.replicate, t);
        const key = `${s.assign.condition}\u0000${s.assign.replicate}\u0000${t}`;
        const prev = owner.get(key) ?? owner.get(`file\u0000${file}`);
        const here = `${p.name} scene ${s.index ?? 0}`;
        if (prev) {
          throw new HypedError(
            "INVALID_ARGUMENT",
            `${here} and ${prev} both give condition ${s.assign.condition} replicate ${s.assign.replicate} t ${t} (${file}); fix the scene map`,
            {
              file: p.name,
              other: prev,
            },
          );
        }
        owner.set(key, here);
        owner.set(`file\u0000${file}`, here);
        const meta: FrameMeta = {
          channels: p.channelNames,
          condition: s.assign.condition,
          replicate: s.assign.replicate,
          t,
          timeS: p.timeS(t),
          scene: s.index ?? -1,
          pixelSizeM: p.pixelSizeM,
          source: baseName(p.name),
          sourceSha256: sourceSha[input] as string,
        };
        all.push({ input, scene: s.index, t, z: p.z, cziChannels: p.channels, file, meta, height: p.height, width: p.width });
      }
    }
  });
  if (all.length === 0) {
    throw new HypedError("NOT_FOUND", `no scene of ${plans.map((p) => p.name).join(", ")} is in the scene map; nothing to convert`, {
      files: plans.map((p) => p.name),
    });
  }
  const mine = shard ? all.filter((_, k) => k % shard[1] === shard[0]) : all;

  // ---- the manifest so far (resume) and stale temp files
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

  // ---- run
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
  await save();
  if (failure !== undefined) throw failure;
  report();
  const manifest = buildManifest(header, [...done.values()]);
  return { manifest, manifestPath, total: tasks.length, converted, skipped, bytesWritten, seconds: (performance.now() - started) / 1000 };
}

function cloneable(x: string | Blob): boolean {
  return typeof x === "string" || (typeof Blob !== "undefined" && x instanceof Blob);
}

async function readSceneMapFile(p: string): Promise<SceneMap> {
  const fs = await import("node:fs/promises");
  let text: string;
  try {
    text = await fs.readFile(p, "utf8");
  } catch (e) {
    throw fsError(e, p, "read");
  }
  try {
    return parseSceneMap(JSON.parse(text), p);
  } catch (e) {
    if (isHypedError(e)) throw e;
    throw new HypedError("FORMAT", `${p}: not valid JSON: ${(e as Error).message}`, { file: p }, { cause: e });
  }
}

/** Work out what one CZI contributes: channels, shape, times, scenes. */
function planSource(
  czi: CziFile,
  input: string | Blob,
  name: string,
  sceneMap: SceneMap | undefined,
  options: ConvertOptions,
  stamps: Float64Array | undefined,
): SourcePlan {
  const md = czi.metadata;
  const nC = czi.dims.C?.size ?? 1;
  const c0 = czi.dims.C?.start ?? 0;
  const cBacked = czi.dimValues("C").length;
  if (nC > Math.max(1, cBacked)) {
    // Frames hold every channel: a C range that the subblocks do not fill is a corrupt (or sparse) file.
    throw new HypedError("FORMAT", `${name}: C runs ${c0}..${c0 + nC - 1} but subblocks back only ${cBacked} channel(s)`, {
      file: name,
      c: [c0, nC],
    });
  }
  const metaNames = Array.from({ length: nC }, (_, i) => {
    const ch = md.channels[i];
    return ch?.name || ch?.fluor || ch?.id || "";
  });
  const named = metaNames.every((n) => n !== "") && new Set(metaNames).size === nC;
  const names = named ? metaNames : nC === DEFAULT_CHANNELS.length ? [...DEFAULT_CHANNELS] : metaNames.map((_, i) => `C${i}`);
  let channels: number[];
  let channelNames: string[];
  if (options.channels) {
    channels = options.channels.map((want) => {
      const i = names.indexOf(want);
      if (i < 0) {
        throw new HypedError("NOT_FOUND", `${name} has no channel ${JSON.stringify(want)} (it has ${names.join(", ")})`, {
          file: name,
          channel: want,
          channels: names,
        });
      }
      return c0 + i;
    });
    channelNames = [...options.channels];
  } else {
    channels = names.map((_, i) => c0 + i);
    channelNames = names;
  }
  const sceneIdx: Array<number | undefined> = czi.scenes.length ? czi.scenes : [undefined];
  const boxes = sceneIdx.map((s) => (s === undefined ? czi.boundingBox : czi.sceneBoundingBoxes.get(s)));
  const b0 = boxes[0];
  if (!b0) throw new HypedError("NOT_FOUND", `${name} has no image subblocks`, { file: name });
  boxes.forEach((b, k) => {
    if (!b || b.w !== b0.w || b.h !== b0.h) {
      throw new HypedError(
        "SHAPE_MISMATCH",
        `${name}: scene ${sceneIdx[k]} is ${b?.w}x${b?.h} pixels but scene ${sceneIdx[0]} is ${b0.w}x${b0.h}; frames of a set share one shape`,
        {
          file: name,
          scene: sceneIdx[k],
        },
      );
    }
  });
  const pt = Object.keys(czi.pixelTypes)[0] ?? "Gray16";
  const dtype: FrameDType = options.dtype ?? (pt === "Gray32Float" ? "float32" : "uint16");
  if (!["Gray8", "Gray16", "Gray32Float"].includes(pt) || Object.keys(czi.pixelTypes).length > 1) {
    throw new HypedError(
      "UNSUPPORTED",
      `${name}: pixel types ${Object.keys(czi.pixelTypes).join(", ")}; frames are made from one of Gray8, Gray16, Gray32Float`,
      {
        file: name,
      },
    );
  }
  const nT = czi.dims.T?.size ?? 1;
  const t0 = czi.dims.T?.start ?? 0;
  // The time points the subblocks back (never a range a corrupt T size could make millions long).
  const tv = czi.dimValues("T");
  const times = tv.length ? tv : [t0];
  const inc = md.timeIncrementS;
  // capture times: the TimeStamps attachment when it has one value per time point, else T x the interval
  const timeS = (t: number) =>
    stamps && stamps.length === nT
      ? (stamps[t - t0] as number) - (stamps[0] as number)
      : inc !== undefined && Number.isFinite(inc)
        ? (t - t0) * inc
        : Number.NaN;
  const inferred = sceneMap
    ? undefined
    : inferScenes(
        name,
        sceneIdx.map((s) => ({ index: s ?? 0, name: s === undefined ? undefined : md.sceneNames[s] })),
      );
  const scenes: SourcePlan["scenes"] = [];
  for (const s of sceneIdx) {
    const assign = sceneMap
      ? lookupScene(sceneMap, baseName(name), s ?? 0, s === undefined ? undefined : md.sceneNames[s])
      : inferred?.get(s ?? 0);
    if (assign) scenes.push({ index: s, assign });
  }
  const sb = czi.subblocks.find((e) => e.layer0);
  const zPlan = planZ(czi, name, options);
  return {
    ...zPlan,
    input,
    name,
    czi,
    channels,
    channelNames,
    height: b0.h,
    width: b0.w,
    dtype,
    times,
    timeS,
    pixelSizeM: [md.scaling.X ?? Number.NaN, md.scaling.Y ?? Number.NaN],
    tile: [Math.min(sb?.height ?? 512, 1024), Math.min(sb?.width ?? 512, 1024)],
    scenes,
  };
}

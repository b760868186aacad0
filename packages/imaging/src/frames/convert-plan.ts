/**
 * Planning of {@link convertCziToFrames}: option checks, one {@link SourcePlan} per CZI (channels, shape, times,
 * scenes, Z; headers only), and the list of frames they make. Nothing is written here.
 */
import { fsError, HypedError, isHypedError, throwIfAborted } from "@hyped/core";
import { type CziFile, openCzi } from "../czi/index.js";
import type { ConvertOptions } from "./convert-options.js";
import type { FrameMeta } from "./frame.js";
import { frameFileName } from "./manifest.js";
import { inferScenes, lookupScene, parseSceneMap, type SceneAssignment, type SceneMap } from "./scenes.js";
import type { FrameTask } from "./task.js";
import { DEFAULT_CHANNELS, type FrameDType } from "./types.js";

/** What one CZI contributes to a conversion. */
export interface SourcePlan {
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

/** A frame to convert, before the resume check gives it an id and an expected checksum. */
export type PlannedFrame = Omit<FrameTask, "id" | "expectSha256">;

/** Check the options that need no file, before anything is opened or created (INVALID_ARGUMENT). */
export function validateConvertOptions(o: ConvertOptions): void {
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

/**
 * Open every CZI (headers only) and plan it; all must share one frame shape, dtype and channel list
 * (`SHAPE_MISMATCH` otherwise). The CZIs stay open (the caller closes them); on error they are closed.
 */
export async function planSources(cziSources: ReadonlyArray<string | Blob>, options: ConvertOptions): Promise<SourcePlan[]> {
  const { signal } = options;
  const sceneMap = typeof options.scenes === "string" ? await readSceneMapFile(options.scenes) : options.scenes;
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

  return plans;
}

/** Every frame of the plans, in a stable order; throws when two scenes map to the same frame or none is mapped. */
export function listFrames(plans: SourcePlan[], sourceSha: string[]): PlannedFrame[] {
  const all: PlannedFrame[] = [];
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
  return all;
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

export const baseName = (s: string) => s.replace(/^.*[/\\]/, "");

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

/** The CZI channels to convert (C indices) and their frame names: `options.channels` by name, or all of them. */
function planChannels(czi: CziFile, name: string, options: ConvertOptions): { channels: number[]; channelNames: string[] } {
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
  return { channels, channelNames };
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
  const { channels, channelNames } = planChannels(czi, name, options);
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

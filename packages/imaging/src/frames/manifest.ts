/**
 * The `dataset.json` manifest of a frame directory: building, validating, merging shard manifests and
 * writing it atomically. See `format.md`.
 */
import { fsError, HypedError } from "@hyped/core";
import { writeFileAtomic } from "./atomic.js";
import {
  FRAME_FORMAT,
  FRAME_FORMAT_VERSION,
  type FrameAxes,
  type FrameDType,
  type FrameManifest,
  MANIFEST_NAME,
  type ManifestFrame,
} from "./types.js";

/** The fields of a manifest that every frame shares. */
export type ManifestHeader = Pick<FrameManifest, "channels" | "dtype" | "axes" | "shape" | "pixelSizeM" | "compression"> & {
  shard?: [number, number];
  created?: FrameManifest["created"];
};

/** Characters kept as they are in file names; anything else becomes `-`. */
const SAFE = /[^A-Za-z0-9.+-]/g;

/**
 * The file name of a frame: `<condition>_r<replicate>_t<time index, 5 digits>.h5`, with characters outside
 * `A-Z a-z 0-9 . + -` in the condition replaced by `-`. The attributes, not the name, are authoritative.
 */
export function frameFileName(condition: string, replicate: number, t: number): string {
  const c = condition.replace(SAFE, "-") || "-";
  return `${c}_r${replicate}_t${String(t).padStart(5, "0")}.h5`;
}

/** The file name of shard `i` of `n`'s partial manifest: `dataset.shard-<i>-of-<n>.json`. */
export function shardManifestName(i: number, n: number): string {
  return `dataset.shard-${i}-of-${n}.json`;
}

/** Sort frames by condition, replicate, time. */
function sortFrames(frames: ManifestFrame[]): ManifestFrame[] {
  return [...frames].sort((a, b) =>
    a.condition < b.condition ? -1 : a.condition > b.condition ? 1 : a.replicate - b.replicate || a.t - b.t,
  );
}

/** Assemble a manifest from its header and frame entries (derives conditions, replicates and times). */
export function buildManifest(header: ManifestHeader, frames: ManifestFrame[]): FrameManifest {
  const sorted = sortFrames(frames);
  const reps = new Map<string, Set<number>>();
  const times = new Set<number>();
  for (const f of sorted) {
    let s = reps.get(f.condition);
    if (!s) reps.set(f.condition, (s = new Set()));
    s.add(f.replicate);
    times.add(f.t);
  }
  const conditions = [...reps.keys()].sort();
  return {
    format: FRAME_FORMAT,
    version: FRAME_FORMAT_VERSION,
    channels: [...header.channels],
    dtype: header.dtype,
    axes: header.axes,
    shape: [...header.shape],
    pixelSizeM: [...header.pixelSizeM],
    compression: header.compression,
    conditions,
    replicates: Object.fromEntries(conditions.map((c) => [c, [...(reps.get(c) as Set<number>)].sort((a, b) => a - b)])),
    times: [...times].sort((a, b) => a - b),
    frames: sorted,
    ...(header.shard ? { shard: header.shard } : {}),
    ...(header.created ? { created: header.created } : {}),
  };
}

function fail(file: string, what: string): never {
  throw new HypedError("FORMAT", `${file}: not a valid frame manifest: ${what}`, { file });
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);
const isStr = (v: unknown): v is string => typeof v === "string";

/**
 * Validate parsed JSON as a {@link FrameManifest}. Throws `FORMAT` naming `file` and the first bad field;
 * `UNSUPPORTED` for a newer format version.
 */
export function parseManifest(json: unknown, file = MANIFEST_NAME): FrameManifest {
  if (json === null || typeof json !== "object" || Array.isArray(json)) fail(file, "not a JSON object");
  const m = json as Record<string, unknown>;
  if (m.format !== FRAME_FORMAT) fail(file, `format is ${JSON.stringify(m.format)}, expected "${FRAME_FORMAT}"`);
  if (!isInt(m.version) || m.version < 1) fail(file, "version must be a positive integer");
  if (m.version > FRAME_FORMAT_VERSION) {
    throw new HypedError("UNSUPPORTED", `${file}: frame format version ${m.version} is newer than this reader (${FRAME_FORMAT_VERSION})`, {
      file,
      version: m.version,
    });
  }
  if (!Array.isArray(m.channels) || !m.channels.every(isStr) || m.channels.length === 0)
    fail(file, "channels must be a non-empty string array");
  if (m.dtype !== "uint16" && m.dtype !== "float32") fail(file, `dtype ${JSON.stringify(m.dtype)} is not uint16 or float32`);
  if (m.axes !== "CYX" && m.axes !== "CXY") fail(file, `axes ${JSON.stringify(m.axes)} is not CYX or CXY`);
  if (!Array.isArray(m.shape) || m.shape.length !== 3 || !m.shape.every((v) => isInt(v) && v > 0))
    fail(file, "shape must be 3 positive integers");
  if ((m.shape[0] as number) !== m.channels.length)
    fail(file, `shape [${m.shape}] has ${m.shape[0]} channels but ${m.channels.length} are named`);
  const px = Array.isArray(m.pixelSizeM) && m.pixelSizeM.length === 2 ? m.pixelSizeM : [null, null];
  if (!px.every((v) => v === null || typeof v === "number")) fail(file, "pixelSizeM must be two numbers or nulls");
  const compression = m.compression === "gzip" ? "gzip" : "none";
  if (!Array.isArray(m.frames)) fail(file, "frames must be an array");
  const frames: ManifestFrame[] = m.frames.map((f: unknown, i: number) => {
    const e = f as Record<string, unknown>;
    if (e === null || typeof e !== "object") fail(file, `frames[${i}] is not an object`);
    if (!isStr(e.file) || e.file === "" || e.file.startsWith("/") || e.file.split("/").includes(".."))
      fail(file, `frames[${i}].file must be a relative path`);
    if (!isStr(e.condition)) fail(file, `frames[${i}].condition must be a string`);
    if (!isInt(e.replicate)) fail(file, `frames[${i}].replicate must be an integer`);
    if (!isInt(e.t) || e.t < 0) fail(file, `frames[${i}].t must be a non-negative integer`);
    if (e.sha256 !== undefined && !(isStr(e.sha256) && /^[0-9a-f]{64}$/.test(e.sha256)))
      fail(file, `frames[${i}].sha256 must be 64 hex digits`);
    return {
      file: e.file,
      condition: e.condition,
      replicate: e.replicate,
      t: e.t,
      timeS: typeof e.timeS === "number" ? e.timeS : null,
      scene: isInt(e.scene) ? e.scene : -1,
      sha256: isStr(e.sha256) ? e.sha256 : "",
      bytes: isInt(e.bytes) ? e.bytes : -1,
      source: isStr(e.source) ? e.source : "",
      sourceSha256: isStr(e.sourceSha256) ? e.sourceSha256 : "",
    };
  });
  const seen = new Map<string, string>();
  for (const f of frames) {
    const key = `${f.condition}\u0000${f.replicate}\u0000${f.t}`;
    const prev = seen.get(key);
    if (prev !== undefined) fail(file, `frames ${prev} and ${f.file} are both condition ${f.condition} replicate ${f.replicate} t ${f.t}`);
    seen.set(key, f.file);
  }
  let shard: [number, number] | undefined;
  if (m.shard !== undefined) {
    const s = m.shard as unknown[];
    if (!Array.isArray(s) || s.length !== 2 || !isInt(s[0]) || !isInt(s[1]) || s[0] < 0 || s[0] >= s[1])
      fail(file, "shard must be [i, n] with 0 <= i < n");
    shard = [s[0] as number, s[1] as number];
  }
  const created = m.created as FrameManifest["created"] | undefined;
  return buildManifest(
    {
      channels: m.channels as string[],
      dtype: m.dtype as FrameDType,
      axes: m.axes as FrameAxes,
      shape: m.shape as [number, number, number],
      pixelSizeM: px as [number | null, number | null],
      compression,
      ...(shard ? { shard } : {}),
      ...(created && typeof created === "object" ? { created } : {}),
    },
    frames,
  );
}

/** Options of {@link mergeManifests}. */
export interface MergeOptions {
  /** Accept a set of shard manifests that does not cover every shard `0..n-1`. Default false. */
  allowPartial?: boolean;
}

/**
 * Merge shard manifests (from `convertCziToFrames({ shard: [i, n] })`) into one full manifest.
 *
 * Throws `SHAPE_MISMATCH` when manifests disagree on channels, dtype, axes or shape (naming the file),
 * `FORMAT` when two manifests list the same (condition, replicate, t) with different files or checksums,
 * `NOT_FOUND` naming the missing shard indices unless `allowPartial`.
 */
export function mergeManifests(manifests: Array<{ file: string; manifest: FrameManifest }>, options: MergeOptions = {}): FrameManifest {
  if (manifests.length === 0) throw new HypedError("INVALID_ARGUMENT", "no manifests to merge", {});
  const first = manifests[0] as { file: string; manifest: FrameManifest };
  const h = first.manifest;
  const byKey = new Map<string, { f: ManifestFrame; from: string }>();
  const shardsSeen = new Set<number>();
  let shardCount: number | undefined;
  for (const { file, manifest: m } of manifests) {
    const same =
      m.channels.join("\u0000") === h.channels.join("\u0000") &&
      m.dtype === h.dtype &&
      m.axes === h.axes &&
      m.shape.join(",") === h.shape.join(",");
    if (!same) {
      throw new HypedError(
        "SHAPE_MISMATCH",
        `${file} describes frames [${m.shape}] ${m.dtype} ${m.axes} channels ${m.channels.join(",")}, but ${first.file} has [${h.shape}] ${h.dtype} ${h.axes} channels ${h.channels.join(",")}`,
        { file, other: first.file },
      );
    }
    if (m.shard) {
      if (shardCount !== undefined && shardCount !== m.shard[1]) {
        throw new HypedError("INVALID_ARGUMENT", `${file} is shard ${m.shard[0]} of ${m.shard[1]}, others are of ${shardCount}`, { file });
      }
      shardCount = m.shard[1];
      shardsSeen.add(m.shard[0]);
    }
    for (const f of m.frames) {
      const key = `${f.condition}\u0000${f.replicate}\u0000${f.t}`;
      const prev = byKey.get(key);
      if (prev && (prev.f.file !== f.file || (prev.f.sha256 && f.sha256 && prev.f.sha256 !== f.sha256))) {
        throw new HypedError(
          "FORMAT",
          `${file} and ${prev.from} disagree on condition ${f.condition} replicate ${f.replicate} t ${f.t} (${f.file} vs ${prev.f.file})`,
          { file, other: prev.from },
        );
      }
      byKey.set(key, { f, from: file });
    }
  }
  if (shardCount !== undefined && !options.allowPartial) {
    const missing = Array.from({ length: shardCount }, (_, i) => i).filter((i) => !shardsSeen.has(i));
    if (missing.length) {
      throw new HypedError("NOT_FOUND", `shard manifests missing for shard(s) ${missing.join(", ")} of ${shardCount}`, {
        missing,
        of: shardCount,
      });
    }
  }
  return buildManifest(
    {
      channels: h.channels,
      dtype: h.dtype,
      axes: h.axes,
      shape: h.shape,
      pixelSizeM: h.pixelSizeM,
      compression: h.compression,
      ...(h.created ? { created: { ...h.created, at: new Date().toISOString() } } : {}),
    },
    [...byKey.values()].map((v) => v.f),
  );
}

/** Serialise a manifest (2-space JSON, trailing newline). */
export function manifestToJson(m: FrameManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** Write `manifest` to `path` atomically ({@link writeFileAtomic}: temp file in the same folder, then rename; creates the folder). Node only. */
export async function writeManifestFile(path: string, manifest: FrameManifest): Promise<void> {
  await writeFileAtomic(path, manifestToJson(manifest));
}

/** Read and validate a manifest file (Node path). `IO` naming it if it cannot be read, `FORMAT` if not valid JSON/manifest. */
export async function readManifestFile(path: string): Promise<FrameManifest> {
  const fs = await import("node:fs/promises");
  let text: string;
  try {
    text = await fs.readFile(path, "utf8");
  } catch (e) {
    throw fsError(e, path, "read");
  }
  return parseManifestText(text, path);
}

/** Parse manifest JSON text; `FORMAT` naming `file` on invalid JSON. */
export function parseManifestText(text: string, file: string): FrameManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new HypedError("FORMAT", `${file}: not valid JSON: ${(e as Error).message}`, { file }, { cause: e });
  }
  return parseManifest(json, file);
}

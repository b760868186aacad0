/** Options and results of {@link convertCziToFrames}. */
import type { LongTaskOptions, ProgressEvent } from "@hyped/core";
import type { SceneMap } from "./scenes.js";
import type { FrameAxes, FrameDType, FrameManifest } from "./types.js";

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

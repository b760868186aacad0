/**
 * Shared types and constants of the HDF5 frame store (see `format.md` in this folder).
 */
import type { DType } from "@hyped/core";

/** The format tag written in every frame file (attribute `hyped_format`) and manifest (`format`). */
export const FRAME_FORMAT = "hyped-frames";
/** Version of the frame format this code writes and the highest it reads. */
export const FRAME_FORMAT_VERSION = 1;
/** The frame dataset's path inside a frame file. */
export const FRAME_DATASET = "/frame";
/** The manifest's file name at the root of a frame directory. */
export const MANIFEST_NAME = "dataset.json";
/** The HYPED channel order, used for frame files that do not name their channels. */
export const DEFAULT_CHANNELS: readonly string[] = ["Cy5", "mKate", "TagGFP", "Oblique"];

/** Axis order of the on-disk `frame` dataset: (C, Y, X) (ours, row-major images) or the paper's (C, X, Y). */
export type FrameAxes = "CYX" | "CXY";
/** Sample types a frame may hold. */
export type FrameDType = "uint16" | "float32";

/** Everything a frame file says about itself (the attributes of `/frame`, see `format.md`). */
export interface FrameInfo {
  /** Channel names, in the order of the dataset's first axis. */
  channels: string[];
  /** Sample type: `uint16`/`float32` for our files; foreign files may hold any numeric dtype. */
  dtype: DType;
  /** On-disk axis order. */
  axes: FrameAxes;
  /** Image height in pixels (the Y extent). */
  height: number;
  /** Image width in pixels (the X extent). */
  width: number;
  /** Condition (treatment) label. */
  condition: string;
  /** Replicate number within the condition (1-based by convention). */
  replicate: number;
  /** Time index (0-based position in the time series). */
  t: number;
  /** Capture time in seconds since the start of the acquisition; `NaN` when unknown. */
  timeS: number;
  /** Scene index in the source CZI; -1 when unknown. */
  scene: number;
  /** Pixel size `[x, y]` in metres; `NaN` entries when unknown. */
  pixelSizeM: [number, number];
  /** Source CZI file name (base name); `""` when unknown. */
  source: string;
  /** Lower-case hex SHA-256 of the source CZI; `""` when unknown or not computed. */
  sourceSha256: string;
  /** Path of the image dataset inside the file (`/frame` for ours). */
  dataset: string;
  /** True when the file carries our attributes; false for a foreign layout read with defaults. */
  native: boolean;
}

/** One frame file as listed in the manifest. */
export interface ManifestFrame {
  /** File name relative to the frame directory (always `/`-separated). */
  file: string;
  condition: string;
  replicate: number;
  /** Time index. */
  t: number;
  /** Capture time in seconds since start; `null` when unknown (JSON has no NaN). */
  timeS: number | null;
  /** Source scene index; -1 when unknown. */
  scene: number;
  /** Lower-case hex SHA-256 of the frame file. */
  sha256: string;
  /** File size in bytes. */
  bytes: number;
  /** Source CZI base name. */
  source: string;
  /** Source CZI SHA-256 (`""` when not computed). */
  sourceSha256: string;
}

/** The `dataset.json` manifest (see `format.md`). */
export interface FrameManifest {
  format: typeof FRAME_FORMAT;
  version: number;
  /** Channel names in frame order. */
  channels: string[];
  dtype: FrameDType;
  axes: FrameAxes;
  /** Frame shape as `[C, height, width]` (always in C, Y, X terms, whatever `axes` is). */
  shape: [number, number, number];
  /** Pixel size `[x, y]` in metres, `null` entries when unknown. */
  pixelSizeM: [number | null, number | null];
  /** Compression of the frame datasets. */
  compression: "gzip" | "none";
  /** Sorted condition labels. */
  conditions: string[];
  /** Replicates per condition, sorted. */
  replicates: Record<string, number[]>;
  /** Sorted union of time indices. */
  times: number[];
  /** Every frame file, sorted by condition, replicate, time. */
  frames: ManifestFrame[];
  /** For a shard's partial manifest: `[i, n]` (0-based shard i of n). Absent in a merged/full manifest. */
  shard?: [number, number];
  /** Free-form provenance (tool, version, creation time, sources). */
  created?: { tool: string; at: string; sources?: string[]; z?: { index: number; size: number } };
}

/** A pixel rectangle in (Y, X) image space: `x`, `y` of the top-left corner, `width`, `height`. */
export interface FrameRegion {
  x: number;
  y: number;
  width: number;
  height: number;
}

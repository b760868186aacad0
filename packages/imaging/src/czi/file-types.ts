/** The public option and result types of the CZI reader ({@link openCzi}, {@link CziFile}). */
import type { AnyNdArray, LongTaskOptions, NumericTypedArray } from "@hyped/core";
import type { CziDecoder } from "./codecs/index.js";
import type { CziPixelType } from "./constants.js";
import type { CziSubblockEntry } from "./directory.js";
import type { CziRect } from "./stitch.js";
import type { CziLimits } from "./subblock.js";

/** Options of {@link openCzi}. */
export interface OpenCziOptions extends CziLimits {
  /** Cancels opening. */
  signal?: AbortSignal;
  /** Decoders for this file only, keyed by compression code; they take precedence over the global registry. */
  decoders?: ReadonlyMap<number, CziDecoder>;
}

/** The file header (ZISRAWFILE). Positions are file offsets; 0 means "absent". */
export interface CziFileHeader {
  major: number;
  minor: number;
  primaryFileGuid: string;
  fileGuid: string;
  filePart: number;
  directoryPosition: number;
  metadataPosition: number;
  attachmentDirectoryPosition: number;
  updatePending: boolean;
}

/** Start and size of one dimension. */
export interface CziDimRange {
  start: number;
  size: number;
}

/** A directory query: an index per dimension letter, plus `layer0` to keep only layer-0 (true) or pyramid (false) subblocks. */
export interface CziQuery {
  layer0?: boolean;
  [letter: string]: number | boolean | undefined;
}

/** Plane coordinates: an index per dimension letter ("S", "T", "C", "Z", "H", "R", ...). Unset dimensions take their start. */
export type CziPlaneCoords = Partial<Record<string, number>>;

/** One decoded subblock. */
export interface CziTile {
  /** The directory entry. */
  entry: CziSubblockEntry;
  /** Pixels, row-major, channels last in R,G,B(,A) order; a fresh copy the caller may modify. */
  data: NumericTypedArray;
  /** [storedHeight, storedWidth] or [storedHeight, storedWidth, samples]. */
  shape: number[];
  /** `data` as an ndarray of `shape`. */
  array: AnyNdArray;
  /** Pixel type and samples per pixel. */
  pixelType: CziPixelType;
  samples: number;
}

/** Options of {@link CziFile.readPlane}. */
export interface ReadPlaneOptions extends LongTaskOptions {
  /**
   * The rectangle to read, in pixels. By default it is relative to the scene's layer-0 bounding box (0,0 is the
   * scene's top-left; with no S dimension, the file's bounding box); with `coordinates: "raw"` it is in the
   * file's raw coordinate system. Default: the whole scene. Parts outside every tile are 0.
   */
  region?: CziRect;
  /** How `region` is given. Default "scene". */
  coordinates?: "scene" | "raw";
  /**
   * Scale factor in (0, 1] (default 1). The output is round(w*zoom) x round(h*zoom) pixels, sampled by nearest
   * neighbour from the coarsest pyramid layer that still has at least this resolution (layer-0 tiles fill in
   * where that layer has no tile), as libCZI's scaling accessor does.
   */
  zoom?: number;
  /** Read one pyramid layer instead: 0 = full resolution (default), 1 = the first pyramid level, ... (see {@link CziFile.pyramidLayers}). */
  layer?: number;
  /** Subblocks fetched concurrently (they are still painted in M order). Default 4. */
  concurrency?: number;
  /**
   * Paint into this array instead of a new one (it is zero-filled first). It must have the plane's dtype and
   * exactly height x width x samples elements (SHAPE_MISMATCH otherwise). Reusing one buffer avoids the
   * operating system's first-touch cost of a fresh multi-MB allocation for every plane.
   */
  out?: NumericTypedArray;
}

/** A stitched plane. */
export interface CziPlane {
  /** The plane's coordinates (every non-XY dimension of the file, defaults filled in). */
  coords: Record<string, number>;
  /** Pixels, row-major, channels last (R,G,B(,A) for colour). Uncovered pixels are 0. */
  data: NumericTypedArray;
  /** [height, width] or [height, width, samples]. */
  shape: number[];
  /** `data` as an ndarray. */
  array: AnyNdArray;
  /** Pixel type of the subblocks. */
  pixelType: CziPixelType;
  /** The raw-coordinate rectangle shown (before zoom). */
  region: CziRect;
  /** Raw coordinates [x, y] of the top-left pixel (the region's origin). */
  origin: [number, number];
  /** Scale of the output relative to raw pixels (1 = full resolution). */
  zoom: number;
  /** Directory indices of the subblocks painted, in paint order. */
  subblocks: number[];
}

/** Options of {@link CziFile.planes}. */
export interface PlanesOptions extends Omit<ReadPlaneOptions, "onProgress" | "out"> {
  /**
   * Reuse one output buffer for every plane of the same size (default false): each yielded plane's `data` is
   * then overwritten by the next one, so copy what you keep. Saves a fresh allocation per plane.
   */
  reuse?: boolean;
  /** Restrict the iteration: a list of values per dimension (e.g. `{ C: [0], S: [1, 2] }`). Default: all. */
  select?: Partial<Record<string, number[]>>;
  /** Progress in planes. */
  onProgress?: LongTaskOptions["onProgress"];
}

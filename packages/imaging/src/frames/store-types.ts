/** The public types of the frame store ({@link openFrameStore}). */
import type { AnyNdArray, DType, LongTaskOptions } from "@hyped/core";
import type { ForeignLayoutOptions } from "./frame.js";
import type { FrameAxes, FrameManifest, FrameRegion } from "./types.js";

/** A frame file in a store. */
export interface FrameEntry {
  /** Path relative to the store root, `/`-separated (or the `File`'s relative name). */
  file: string;
  condition: string;
  replicate: number;
  /** Time index. */
  t: number;
  /** Capture time in seconds since start; `NaN` when unknown. */
  timeS: number;
  /** Source scene index; -1 when unknown. */
  scene: number;
  /** Expected SHA-256 from the manifest (`""` without one). */
  sha256: string;
  /** Where the bytes are: a local path or a `Blob`/`File`; `undefined` when the manifest lists a file that is absent. */
  input: string | Blob | undefined;
}

/** What to load. */
export interface FrameRequest extends LongTaskOptions {
  /** Condition label. Default: the store's only condition (`INVALID_ARGUMENT` if there are several). */
  condition?: string;
  /** Replicate. Default: the condition's lowest replicate. */
  replicate?: number;
  /** Time indices `[start, end)`. Default: every time of the (condition, replicate). */
  t?: [number, number];
  /** Channels by name or index, in the order wanted. Default: all, in frame order. */
  channels?: ReadonlyArray<string | number>;
  /** Pixel rectangle in (Y, X) image space. Default: the whole image. */
  region?: FrameRegion;
  /** Largest result in bytes; larger requests throw `OUT_OF_RANGE` with the size before reading. Default: the store's (2 GiB). */
  budgetBytes?: number;
  /**
   * `loadFrames` only: fill this array instead of allocating one. It must be a TypedArray of the store's
   * dtype with exactly T x C x H x W elements of the request (`SHAPE_MISMATCH` otherwise); the result views
   * it. Reusing one buffer across batches (a training loop's data loader) skips the cost of fresh memory,
   * which on Linux without transparent huge pages is a large part of a read. Not used by the read workers.
   */
  into?: ArrayBufferView;
}

/** One frame yielded by {@link FrameStore.frames}. */
export interface LoadedFrame {
  condition: string;
  replicate: number;
  t: number;
  timeS: number;
  /** The file it came from. */
  file: string;
  /** (C, Y, X) samples of the requested channels and region. */
  data: AnyNdArray;
}

/** Options of {@link openFrameStore}. */
export interface OpenFrameStoreOptions extends LongTaskOptions {
  /** How to read frame files that lack our attributes (channel names, axis order). */
  foreign?: ForeignLayoutOptions & {
    /**
     * Map a foreign file's relative path to its condition, replicate and a sort number for time. Default: the
     * last number in the base name orders time; the condition is the path without that number (trailing
     * `_ - . t` trimmed, `default` when empty); replicate 1.
     */
    parseName?: (relPath: string) => { condition: string; replicate: number; order: number };
  };
  /** Default memory budget of loads in bytes. Default 2 GiB. */
  budgetBytes?: number;
  /** Ignore `dataset.json` and read every file's own attributes. Default false. */
  ignoreManifest?: boolean;
  /**
   * Worker threads reading frames in parallel for large `loadFrames` calls (Node, local files; at least 2
   * frames and 16 MB). Started on first use and shared by all stores; idle ones do not keep the process
   * alive; {@link closeFrameReadWorkers} stops them. Default 0 (read in the calling thread): V8 copies into a
   * `SharedArrayBuffer` with relaxed-atomic moves, about half the speed of ordinary copies, so on our 2-core
   * benchmark machine the workers did not beat one thread; they are opt-in.
   */
  readWorkers?: number;
  /** Smallest `loadFrames` result (bytes) worth the read workers. Default 16 MiB. */
  parallelMinBytes?: number;
}

/** An open frame store. */
export interface FrameStore {
  /** The directory path, or `"files"` for a list of `File`s. */
  readonly root: string;
  /** The manifest, when the store has a `dataset.json` (and it was not ignored). */
  readonly manifest: FrameManifest | undefined;
  /** Sorted condition labels. */
  readonly conditions: string[];
  /** Replicates per condition, sorted. */
  readonly replicates: Record<string, number[]>;
  /** Sorted union of time indices. */
  readonly times: number[];
  /** Channel names in frame order. */
  readonly channels: string[];
  /** Sample type of every frame. */
  readonly dtype: DType;
  /** Image height (Y extent) in pixels. */
  readonly height: number;
  /** Image width (X extent) in pixels. */
  readonly width: number;
  /** On-disk axis order (output is always (…, C, Y, X)). */
  readonly axes: FrameAxes;
  /** Every frame file, sorted by condition, replicate, time. */
  readonly entries: readonly FrameEntry[];
  /** Files that the manifest lists but that are not present. */
  readonly missing: readonly string[];
  /** The entry of one frame, or undefined. */
  entry(condition: string, replicate: number, t: number): FrameEntry | undefined;
  /**
   * Load frames into one (T, C, Y, X) ndarray of the store's dtype, reading only the requested channels
   * and region of each file through HDF5 hyperslabs. Throws `OUT_OF_RANGE` with the size when the result
   * would pass the budget, `NOT_FOUND` for absent conditions/replicates/times/channels, and
   * `SHAPE_MISMATCH`/`FORMAT` naming the file when one disagrees with the store.
   */
  loadFrames(request?: FrameRequest): Promise<AnyNdArray>;
  /** The same frames one at a time, (C, Y, X) each: memory stays at one frame whatever the range. */
  frames(request?: FrameRequest): AsyncGenerator<LoadedFrame>;
  /**
   * Recompute every present file's SHA-256 and compare with the manifest. Resolves to the files whose
   * checksum differs (empty when all match); entries without a recorded checksum are skipped.
   */
  verify(options?: LongTaskOptions): Promise<string[]>;
}

/**
 * The paper's per-frame nuclear segmentation (steps 1–5): percentile clip and scale, stack mKate + TagGFP,
 * Gaussian + Otsu foreground, watershed from distance-transform peaks, labels and an object table.
 */
import { type AnyNdArray, HypedError, isNdArray, type LongTaskOptions, markBool, type NdArray, ndarray, throwIfAborted } from "@hyped/core";
import { edtFlat } from "../filters/edt.js";
import { type BoundaryMode, gaussianFlat64 } from "../filters/gaussian.js";
import { checkNumber } from "../filters/image.js";
import { clipPercentileInto } from "../filters/intensity.js";
import { labelFlat } from "../filters/label.js";
import { fillHolesFlat } from "../filters/morphology.js";
import { peakLocalMax } from "../filters/peaks.js";
import { regionProps } from "../filters/regionprops.js";
import { giveBack, takeF64, takeI32, takeU8 } from "../filters/scratch.js";
import { type HistogramOptions, histogramOf, maskAbove, otsuFromHistogram } from "../filters/threshold.js";
import { watershedFlat } from "../filters/watershed.js";

/** The channel order of the HYPED frames (Incucyte export): far-red, the two FUCCI reporters, phase/oblique. */
export const SEGMENT_DEFAULT_CHANNELS = ["Cy5", "mKate", "TagGFP", "Oblique"] as const;

/** Options of {@link segmentFrame}; every step's parameter, with defaults that reproduce the paper. */
export interface SegmentFrameOptions extends LongTaskOptions {
  /** Names of the frame's channels, in order. Default `['Cy5', 'mKate', 'TagGFP', 'Oblique']`. */
  channelNames?: readonly string[];
  /** Axis order of the frame: `'CYX'` (default) or `'CXY'` (x before y, e.g. from column-major writers). */
  layout?: "CYX" | "CXY";
  /** The nuclear channels that are clipped, stacked and segmented (step 2). Default `['mKate', 'TagGFP']`. */
  nuclearChannels?: readonly string[];
  /** Step 1: upper clip percentile per channel (numpy linear percentile). Default 98. */
  clipPercentile?: number;
  /** Step 1: optional lower clip percentile. Default none. */
  clipLowPercentile?: number;
  /**
   * Step 1: scaling after the clip. `'divide'` (default, the paper): `min(x, p) / p`; `'minmax'`:
   * `(min(x, p) - min) / (p - min)`. See `clipPercentile`.
   */
  scale?: "divide" | "minmax";
  /**
   * Step 2–3: how the stacked channels give the foreground.
   * - `'stack'` (default, the paper's "stack mKate and TagGFP"): each channel is smoothed, one Otsu
   *   threshold is computed over the stack (both channels' pixels together), and a pixel is foreground when
   *   any channel is above it (`(stack > t).any(axis=0)`).
   * - `'max'` / `'sum'` / `'mean'`: the smoothed channels are combined first, Otsu on the combined image.
   */
  combine?: "stack" | "max" | "sum" | "mean";
  /** Step 3: Gaussian sigma in pixels (scikit-image's default, 1; the paper gives no value). */
  sigma?: number;
  /** Step 3: Gaussian truncate (default 4). */
  truncate?: number;
  /** Step 3: Gaussian boundary mode (default `'nearest'`). */
  mode?: BoundaryMode;
  /** Step 3: Otsu histogram bins (default 256). */
  nbins?: number;
  /** Step 3: a fixed threshold instead of Otsu, in scaled units. */
  threshold?: number;
  /** Step 3: fill holes in the foreground before the watershed. Default false. */
  fillHoles?: boolean;
  /** Step 3: drop foreground components smaller than this many pixels (4-connected). Default 0 (keep all). */
  minSize?: number;
  /** Step 4: `peakLocalMax` minimum distance between seeds, pixels. Default 5. */
  minDistance?: number;
  /** Step 4: `peakLocalMax` border exclusion. Default false (cells touching the edge keep their seed). */
  excludeBorder?: boolean | number;
  /**
   * Step 4: the `labels` given to `peakLocalMax`: `'components'` (default; each connected component of the
   * foreground searched separately), `'mask'` (the binary mask as one label, as in scikit-image's watershed
   * gallery example) or `'none'`.
   */
  peakLabels?: "components" | "mask" | "none";
  /** Step 4: watershed connectivity (default 1). */
  connectivity?: 1 | 2;
  /** Step 4: watershed compactness (default 0). */
  compactness?: number;
  /** Step 4: leave one-pixel watershed lines (default false). */
  watershedLine?: boolean;
  /** Step 5: channels whose raw mean intensity goes in the object table. Default: all channels. */
  measureChannels?: readonly string[];
}

/** Per-object table of {@link segmentFrame} (columns; index k ↔ object `id[k]`). */
export interface SegmentObjects {
  /** Object id = its value in `labels`. */
  id: Int32Array;
  /** Centroid row (y), pixels. */
  centroidRow: Float64Array;
  /** Centroid column (x), pixels. */
  centroidCol: Float64Array;
  /** Area, pixels. */
  area: Float64Array;
  /** Mean raw intensity (frame units) per measured channel. */
  meanIntensity: Record<string, Float64Array>;
}

/** Result of {@link segmentFrame}. */
export interface SegmentFrameResult {
  /** Object labels, int32 `[Y, X]`, 0 = background. */
  labels: NdArray<"int32">;
  /** Foreground mask after step 3, bool `[Y, X]`. */
  mask: NdArray<"bool">;
  /** The object table. */
  objects: SegmentObjects;
  /** The Otsu (or given) threshold, in scaled units. */
  threshold: number;
  /** The upper clip value (input units) per nuclear channel. */
  clipHigh: Record<string, number>;
  /** Number of watershed seeds. */
  seeds: number;
}

function channelView(frame: AnyNdArray, c: number, layout: "CYX" | "CXY"): AnyNdArray {
  const v = frame.pick(c, null, null) as AnyNdArray;
  return layout === "CXY" ? (v.transpose(1, 0) as AnyNdArray) : v;
}

/**
 * Segment the nuclei of one frame (the paper's steps 1–5):
 * 1. each nuclear channel is clipped above its 98th percentile and divided by it (`x / p`, range [0, 1]);
 * 2. mKate and TagGFP are stacked;
 * 3. each is smoothed with `gaussianFilter(sigma)` and Otsu's threshold over the stack gives the foreground;
 * 4. the Euclidean distance transform of the foreground is seeded at its `peakLocalMax` peaks (adjacent
 *    peaks merged by 4-connected labelling, as scikit-image's example) and flooded by `watershed(-distance,
 *    seeds, mask)`;
 * 5. labels plus a table of id, centroid, area and mean raw intensity per channel.
 *
 * `frame` is a 3-D ndarray (C, Y, X) of any numeric dtype (or (C, X, Y) with `layout: 'CXY'`).
 */
export function segmentFrame(frame: AnyNdArray, options: SegmentFrameOptions = {}): SegmentFrameResult {
  const { signal } = options;
  const { layout, names, idxOf, nuclear, combine } = checkSegmentInput(frame, options);
  const total = 6;
  let done = 0;
  const step = (label: string) => {
    throwIfAborted(signal, "segmentFrame");
    done++;
    options.onProgress?.({ done, total, unit: "steps", label });
  };
  throwIfAborted(signal, "segmentFrame");
  const { smoothed, clipHigh, rows, cols } = smoothNuclear(frame, nuclear, idxOf, layout, options);
  step("clip, scale and smooth");
  const n = rows * cols;
  const { mask, threshold } = foreground(smoothed, combine, rows, cols, options);
  step("threshold");
  // step 4: distance transform, seeds, watershed
  const dist = edtFlat(mask, rows, cols, 1, 1, takeF64(n));
  step("distance transform");
  const { seeds, seedMask } = watershedSeeds(dist, mask, rows, cols, options);
  step("seeds");
  const labels = watershedFlat(
    dist,
    seeds.labels,
    mask,
    rows,
    cols,
    options.connectivity ?? 1,
    options.compactness ?? 0,
    options.watershedLine ?? false,
    "pixel",
    true,
    takeI32(n), // the result leaves the pool for good; warm memory from the intermediates above
  );
  giveBack(seeds.labels, seedMask);
  giveBack(dist);
  step("watershed");
  // step 5: object table
  const measure = options.measureChannels ?? names;
  const labelsNd = ndarray(labels, [rows, cols]) as unknown as NdArray<"int32">;
  const table = regionProps(
    labelsNd,
    measure.map((m) => channelView(frame, idxOf(m), layout)),
    { channelNames: measure, shape: false },
  );
  const meanIntensity: Record<string, Float64Array> = {};
  for (const m of measure) meanIntensity[m] = table.intensity[m]!.mean;
  step("measure");
  return {
    labels: labelsNd,
    mask: markBool(ndarray(mask, [rows, cols])) as unknown as NdArray<"bool">,
    objects: { id: table.label, centroidRow: table.centroidRow, centroidCol: table.centroidCol, area: table.area, meanIntensity },
    threshold,
    clipHigh,
    seeds: seeds.count,
  };
}

/** Check the frame, layout and channel options of {@link segmentFrame}. */
function checkSegmentInput(frame: AnyNdArray, options: SegmentFrameOptions) {
  if (!isNdArray(frame) || frame.shape.length !== 3) {
    throw new HypedError(
      "INVALID_ARGUMENT",
      `frame must be a 3-D ndarray (C, Y, X), got shape [${isNdArray(frame) ? frame.shape : "?"}]`,
      {},
    );
  }
  const layout = options.layout ?? "CYX";
  if (layout !== "CYX" && layout !== "CXY")
    throw new HypedError("INVALID_ARGUMENT", `layout must be 'CYX' or 'CXY', got '${String(layout)}'`, {});
  const names = options.channelNames ?? SEGMENT_DEFAULT_CHANNELS;
  if (names.length !== frame.shape[0]) {
    throw new HypedError("SHAPE_MISMATCH", `frame has ${frame.shape[0]} channels but ${names.length} channel names were given`, {
      channels: frame.shape[0],
      names: [...names],
    });
  }
  const idxOf = (name: string) => {
    const i = names.indexOf(name);
    if (i < 0) throw new HypedError("NOT_FOUND", `channel '${name}' is not among [${names.join(", ")}]`, { channel: name });
    return i;
  };
  const nuclear = options.nuclearChannels ?? ["mKate", "TagGFP"];
  if (nuclear.length === 0) throw new HypedError("INVALID_ARGUMENT", "nuclearChannels is empty", {});
  const combine = options.combine ?? "stack";
  if (!["stack", "max", "sum", "mean"].includes(combine)) throw new HypedError("INVALID_ARGUMENT", `unknown combine '${combine}'`, {});
  return { layout, names, idxOf, nuclear, combine };
}

/** Steps 1–3a: clip each nuclear channel above its percentile, scale it, and smooth it (pooled scratch buffers). */
function smoothNuclear(
  frame: AnyNdArray,
  nuclear: readonly string[],
  idxOf: (name: string) => number,
  layout: "CYX" | "CXY",
  options: SegmentFrameOptions,
): { smoothed: Float64Array[]; clipHigh: Record<string, number>; rows: number; cols: number } {
  const clipHigh: Record<string, number> = {};
  const smoothed: Float64Array[] = [];
  let rows = 0;
  let cols = 0;
  const truncate = checkNumber(options.truncate ?? 4, "truncate", { min: 0 });
  const sigma = checkNumber(options.sigma ?? 1, "sigma", { min: 0 });
  const mode = options.mode ?? "nearest";
  if (!["nearest", "reflect", "mirror", "constant", "wrap"].includes(mode)) {
    throw new HypedError("UNSUPPORTED", `boundary mode '${mode}' is not supported (nearest, reflect, mirror, constant, wrap)`, { mode });
  }
  for (const name of nuclear) {
    const ch = channelView(frame, idxOf(name), layout);
    rows = ch.shape[0]!;
    cols = ch.shape[1]!;
    // clip into scratch, smooth into scratch: both are intermediates (the same arithmetic as clipPercentile + gaussianFilter)
    const clipped = clipPercentileInto(
      ch,
      {
        high: options.clipPercentile ?? 98,
        ...(options.clipLowPercentile === undefined ? {} : { low: options.clipLowPercentile }),
        scale: options.scale ?? "divide",
      },
      takeF64(rows * cols),
    );
    clipHigh[name] = clipped.high;
    const src = clipped.image.data as Float64Array;
    const g = gaussianFlat64(src, rows, cols, [sigma, sigma], truncate, mode, 0, takeF64(rows * cols));
    giveBack(src);
    smoothed.push(g);
  }
  return { smoothed, clipHigh, rows, cols };
}

/**
 * Step 3b: the foreground. The smoothed channels (stacked or combined) are thresholded at Otsu's value (or
 * `options.threshold`); holes are filled and small components dropped when asked. Returns the smoothed buffers
 * to the pool.
 */
function foreground(
  smoothed: Float64Array[],
  combine: string,
  rows: number,
  cols: number,
  options: SegmentFrameOptions,
): { mask: Uint8Array; threshold: number } {
  const n = rows * cols;
  const hopts: HistogramOptions = { nbins: options.nbins ?? 256 };
  let parts: Float64Array[];
  if (combine === "stack" || smoothed.length === 1) parts = smoothed;
  else {
    const comb = new Float64Array(n);
    const k = smoothed.length;
    if (combine === "max") {
      comb.set(smoothed[0] as Float64Array);
      for (let c = 1; c < k; c++) {
        const s = smoothed[c]!;
        for (let i = 0; i < n; i++) if (s[i]! > comb[i]!) comb[i] = s[i]!;
      }
    } else {
      for (const s of smoothed) for (let i = 0; i < n; i++) comb[i] = comb[i]! + s[i]!;
      if (combine === "mean") for (let i = 0; i < n; i++) comb[i] = comb[i]! / k;
    }
    parts = [comb];
  }
  let threshold: number;
  if (options.threshold !== undefined) threshold = options.threshold;
  else {
    const first = parts[0]![0]!;
    let flat = true;
    for (const p of parts) {
      for (let i = 0; i < p.length; i++)
        if (p[i] !== first) {
          flat = false;
          break;
        }
      if (!flat) break;
    }
    if (flat) threshold = first;
    else {
      const h = histogramOf(parts, "float64", hopts);
      threshold = otsuFromHistogram(h.counts, h.centers);
    }
  }
  let mask: Uint8Array = maskAbove(parts, threshold, n);
  giveBack(...smoothed);
  if (options.fillHoles) mask = fillHolesFlat(mask, rows, cols, 1);
  const minSize = options.minSize ?? 0;
  if (minSize > 0) {
    const cc = labelFlat(mask, rows, cols, 1, 0);
    const size = new Float64Array(cc.count + 1);
    for (let i = 0; i < n; i++) {
      const l = cc.labels[i]!;
      size[l] = size[l]! + 1;
    }
    for (let i = 0; i < n; i++) if (mask[i] && size[cc.labels[i]!]! < minSize) mask[i] = 0;
  }
  return { mask, threshold };
}

/** Step 4a: watershed seeds at the distance transform's `peakLocalMax` peaks, adjacent peaks merged by labelling. */
function watershedSeeds(dist: Float64Array, mask: Uint8Array, rows: number, cols: number, options: SegmentFrameOptions) {
  const n = rows * cols;
  const distNd = ndarray(dist, [rows, cols]) as unknown as NdArray<"float64">;
  const peakLabels = options.peakLabels ?? "components";
  let labelsForPeaks: AnyNdArray | undefined;
  let components: Int32Array | undefined;
  if (peakLabels === "components") {
    components = labelFlat(mask, rows, cols, 2, 0, takeI32(n)).labels;
    labelsForPeaks = ndarray(components, [rows, cols]) as unknown as AnyNdArray;
  } else if (peakLabels === "mask") labelsForPeaks = ndarray(mask, [rows, cols]) as unknown as AnyNdArray;
  const peaks = peakLocalMax(distNd, {
    minDistance: options.minDistance ?? 5,
    excludeBorder: options.excludeBorder ?? false,
    ...(labelsForPeaks ? { labels: labelsForPeaks } : {}),
  });
  const seedMask = takeU8(n).fill(0);
  const pk = peaks.data as Int32Array;
  for (let k = 0; k < pk.length; k += 2) seedMask[pk[k]! * cols + pk[k + 1]!] = 1;
  if (components) giveBack(components);
  const seeds = labelFlat(seedMask, rows, cols, 1, 0, takeI32(n));
  return { seeds, seedMask };
}

/** 2-D filters and measurements matching scikit-image 0.19.3 / scipy 1.10 (see docs/filters.md). */
export { distanceTransformEdt, type EdtOptions } from "./edt.js";
export { type BoundaryMode, type GaussianOptions, gaussianFilter, gaussianKernel1d } from "./gaussian.js";
export {
  type ClipPercentileOptions,
  type ClipPercentileResult,
  clipPercentile,
  type IntensityRange,
  percentile,
  percentiles,
  type RescaleOptions,
  rescaleIntensity,
} from "./intensity.js";
export { type LabelOptions, label } from "./label.js";
export {
  type BinaryMorphologyOptions,
  binaryDilation,
  binaryErosion,
  binaryOpening,
  type FillHolesOptions,
  fillHoles,
  type RemoveSmallOptions,
  removeSmallObjects,
  type Structure,
} from "./morphology.js";
export { numpyArgsort } from "./npsort.js";
export { type PeakCoordinates, type PeakOptions, peakLocalMax } from "./peaks.js";
export {
  type IntensityColumns,
  type RegionPropsOptions,
  type RegionRow,
  type RegionTable,
  regionProps,
  regionRows,
} from "./regionprops.js";
export { releaseFilterScratch, SCRATCH_POOL_MAX_BYTES } from "./scratch.js";
export {
  type Histogram,
  type HistogramOptions,
  histogramOf,
  imageHistogram,
  type MaskBackend,
  maskAbove,
  maskBackend,
  type OtsuOptions,
  otsuFromHistogram,
  thresholdOtsu,
} from "./threshold.js";
export { type WatershedOptions, watershed } from "./watershed.js";

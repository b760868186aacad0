export {
  type BenchmarkFrame,
  benchmarkSvg,
  type DenoisingBenchmarkOptions,
  type DenoisingRow,
  denoisingBenchmark,
  otsuForeground,
} from "./benchmark.js";
export { DENOISER_NAMES, denoiserByName, gaussianDenoiser, medianDenoiser, nlmDenoiser, tvDenoiser } from "./denoisers.js";
export { asFloat, type FloatImage } from "./float.js";
export {
  createFm2sNetwork,
  type Fm2sNetwork,
  type Fm2sOptions,
  fm2s,
  fm2sDenoiser,
  fm2sForward,
  fm2sNoise,
  fm2sParameterCount,
} from "./fm2s.js";
export { type MedianOptions, medianFilter } from "./median.js";
export { fastExp, type NlMeansOptions, nlMeans } from "./nlm.js";
export { type TvOptions, tvChambolle } from "./tv.js";
export type { Denoiser } from "./types.js";

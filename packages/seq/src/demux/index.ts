export { fitGmm2, type Gmm2, gmmPosteriorHigh, type KMeansResult, kmeans } from "./cluster.js";
export {
  assignConditions,
  clrNormalize,
  DEFAULT_QUANTILE_RANGE,
  type DemuxOptions,
  type DemuxResult,
  demultiplexHashtags,
  demuxRows,
  type HashtagClass,
  type HashtagCounts,
} from "./demultiplex.js";
export { fitNegBinomial, logNegBinomialPmf, type NegBinomialFit, negBinomialCdf, negBinomialQuantile } from "./nbinom.js";
export { type SimulatedHashtags, type SimulateHashtagsOptions, simulateHashtags } from "./simulate.js";

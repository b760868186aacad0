/**
 * `@hyped/seq`: AnnData `.h5ad` I/O and single-cell analyses for HYPED; the curated public API (see
 * README.md). Each area also has its own entry point with its full API, lower-level pieces included:
 * `@hyped/seq/anndata` (encoding registry, scalar dtypes, column helpers), `/mex` (Matrix Market and text
 * parsers), `/preprocess` (matrix kernels, LOESS), `/de` (special functions), `/demux` (mixture and
 * negative-binomial fits), `/embed`, `/figures`, `/geneformer` (dictionary helpers), `/onnx` (the tiny BERT
 * builder), `/perturb` (profile helpers) and `/synth`. Every type of every area is exported here too.
 */

export type {
  AnnDataInit,
  AwkwardArray,
  BooleanColumn,
  CategoricalColumn,
  Column,
  ColumnKind,
  ColumnSummary,
  ElementReader,
  H5adSource,
  H5adSummary,
  H5muSummary,
  MappingName,
  Matrix,
  MatrixSummary,
  MuData,
  MuDataMappingName,
  NullableBooleanColumn,
  NullableIntegerColumn,
  NullableStringColumn,
  NumericColumn,
  OnUnknown,
  OtherElements,
  ReadContext,
  ReadH5adOptions,
  RecArray,
  SlotSummary,
  StringColumn,
  StringNdArray,
  WriteH5adOptions,
} from "./anndata/index.js";
export {
  AnnData,
  BackedAnnData,
  BackedMatrix,
  ColumnView,
  categoricalFrom,
  columnSummary,
  columnValue,
  columnValues,
  DataFrame,
  defaultRegistry,
  EncodingRegistry,
  elementKind,
  formatH5adSummary,
  formatH5muSummary,
  LZF_FILTER_ID,
  MAPPING_NAMES,
  matrixShape,
  matrixSummary,
  openH5ad,
  readH5ad,
  readH5mu,
  setLzfPluginBytes,
  subsetMatrix,
  summarizeAnnData,
  summarizeH5ad,
  summarizeMuData,
  writeH5ad,
  writeH5adBytes,
} from "./anndata/index.js";
export type { CorrMethod, GroupLabels, RankGenesGroupsOptions, RankGenesGroupsResult, RankGenesMethod, RankGenesRow } from "./de/index.js";
export { benjaminiHochberg, rankGenesGroups, rankGenesGroupsMatrix, rankGenesGroupsRows } from "./de/index.js";
export type {
  DemuxOptions,
  DemuxResult,
  Gmm2,
  HashtagClass,
  HashtagCounts,
  KMeansResult,
  NegBinomialFit,
  SimulatedHashtags,
  SimulateHashtagsOptions,
} from "./demux/index.js";
export {
  assignConditions,
  clrNormalize,
  DEFAULT_QUANTILE_RANGE,
  demultiplexHashtags,
  demuxRows,
  simulateHashtags,
} from "./demux/index.js";
export type { KnnResult, NeighborsOptions, PcaOptions, PcaResult, SymEig, TsneOptions, UmapOptions } from "./embed/index.js";
export { knn, neighbors, pca, pcaMatrix, tsne, tsneEmbed, umap, umapEmbed } from "./embed/index.js";
export type { DeGenesPlotOptions, DeGenesPlotRow, EmbeddingPlotOptions } from "./figures/index.js";
export {
  embeddingSpec,
  embeddingSvg,
  rankGenesGroupsPlotRows,
  rankGenesGroupsPlotSpec,
  rankGenesGroupsPlotSvg,
} from "./figures/index.js";
export type {
  Dictionary,
  GeneformerVersion,
  PerturbTokensOptions,
  SpecialTokens,
  TokenizedCells,
  TokenizeOptions,
} from "./geneformer/index.js";
export {
  buildTokenDictionary,
  computeGeneMedians,
  deleteGene,
  geneToken,
  overexpress,
  perturbEncodings,
  specialTokens,
  tokenizeRankValue,
} from "./geneformer/index.js";
export type {
  Assembled,
  AssembleOptions,
  ConcatOptions,
  HashtagTarget,
  MatrixMarket,
  MatrixMarketColumns,
  MexContent,
  MexFiles,
  ParseMatrixMarketOptions,
  ReadMatrixMarketColumnsOptions,
  ReadMexOptions,
  ReadRunOptions,
  RunMatrices,
  WriteMexOptions,
} from "./mex/index.js";
export { assembleRuns, concatAnnData, findMexFiles, readMatrixMarket, readMex, readRun, writeMex } from "./mex/index.js";
export type {
  EmbeddingModel,
  OnnxAttr,
  OnnxEmbeddingOptions,
  OnnxModelSpec,
  OnnxNode,
  OnnxTensor,
  OnnxValueInfo,
  OrtModule,
  OrtSession,
  TinyBertConfig,
  TinyBertWeights,
} from "./onnx/index.js";
export { OnnxEmbeddingModel } from "./onnx/index.js";
export type {
  CellGroup,
  ConditionSyntax,
  EDistanceOptions,
  EmbeddingBenchmarkOptions,
  EmbeddingBenchmarkRow,
  EvaluatePerturbationOptions,
  GroupMeansOptions,
  LinearModelOptions,
  PerturbationEvalRow,
  PerturbationModel,
  PerturbationTrainingData,
  PredictionSource,
} from "./perturb/index.js";
export {
  AdditiveModel,
  discriminationScores,
  EVAL_COLUMNS,
  eDistance,
  embeddingBenchmark,
  evaluatePerturbation,
  GearsPredictions,
  LinearModel,
  MeanPerturbationModel,
  NoChangeModel,
  overlapAtN,
  rowsToCsv,
  splitCondition,
  trainingDataFromAnnData,
} from "./perturb/index.js";
export type {
  FloatArray,
  HvgFlavor,
  HvgOptions,
  HvgResult,
  NormalizeTotalOptions,
  NormalizeTotalResult,
  QcMetrics,
  QcMetricsOptions,
  ScaleOptions,
  ScaleResult,
} from "./preprocess/index.js";
export {
  calculateQcMetrics,
  highlyVariableGenes,
  highlyVariableGenesMatrix,
  log1p,
  log1pMatrix,
  normalizeTotal,
  normalizeTotalMatrix,
  qcMetricsMatrix,
  scale,
  scaleMatrix,
} from "./preprocess/index.js";
export type { Condition, Phase, PlantedEffect, SynthSeq, SynthSeqOptions } from "./synth/index.js";
export {
  CONDITIONS,
  ENSEMBL,
  FIBROBLAST_TARGETS,
  G1_GENES,
  G2M_GENES,
  HASHTAG_DESIGN,
  HOUSEKEEPING,
  MYOGENIC_TARGETS,
  PHASES,
  S_GENES,
  synthSeq,
} from "./synth/index.js";

export { forEachNonzero } from "../preprocess/matrix.js";
export {
  AdditiveModel,
  type ConditionSyntax,
  LinearModel,
  type LinearModelOptions,
  MeanPerturbationModel,
  NoChangeModel,
  type PerturbationModel,
  type PerturbationTrainingData,
  splitCondition,
  trainingDataFromAnnData,
} from "./baselines.js";
export { discriminationExcludes, discriminationScores, type EDistanceOptions, eDistance, overlapAtN, topAbs } from "./distances.js";
export { type EmbeddingBenchmarkOptions, type EmbeddingBenchmarkRow, embeddingBenchmark } from "./embedding-benchmark.js";
export {
  EVAL_COLUMNS,
  type EvaluatePerturbationOptions,
  evaluatePerturbation,
  type PerturbationEvalRow,
  type PredictionSource,
  rowsToCsv,
} from "./evaluate.js";
export { conditionKey, GearsPredictions } from "./gears.js";
export {
  type CellGroup,
  denseRows,
  type GroupMeansOptions,
  groupCells,
  groupMeans,
  meanProfile,
  obsLabels,
} from "./profiles.js";

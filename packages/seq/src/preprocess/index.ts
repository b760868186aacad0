/** Preprocessing: QC metrics, normalisation, log1p, highly variable genes, scaling (scanpy's `pp`). */

export { rawOrX, resolveMaskVar } from "./adata.js";
export {
  type FilterCellsOptions,
  type FilterGenesOptions,
  type FilterResult,
  filterCells,
  filterCellsMatrix,
  filterGenes,
  filterGenesMatrix,
} from "./filter.js";
export { type HvgFlavor, type HvgOptions, type HvgResult, highlyVariableGenesMatrix } from "./hvg.js";
export { type HvgAnnDataOptions, highlyVariableGenes } from "./hvg-adata.js";
export { type BatchLabels, type HvgBatchResult, highlyVariableGenesBatchedMatrix } from "./hvg-batch.js";
export { loessFit } from "./loess.js";
export { colMeanVar, type FloatArray, rowSums } from "./matrix.js";
export {
  log1p,
  log1pBase,
  log1pMatrix,
  type NormalizeTotalOptions,
  type NormalizeTotalResult,
  normalizeTotal,
  normalizeTotalMatrix,
} from "./normalize.js";
export { calculateQcMetrics, type QcMetrics, type QcMetricsOptions, qcMetricsMatrix } from "./qc.js";
export { type ScaleOptions, type ScaleResult, scale, scaleMatrix } from "./scale.js";
export {
  type CellCycleScores,
  type ScoreCellCycleOptions,
  type ScoreControlsOptions,
  type ScoreGenesOptions,
  type ScoreGenesResult,
  scoreGenes,
  scoreGenesCellCycle,
  scoreGenesControls,
} from "./score.js";

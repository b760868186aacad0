/** Differential expression: scanpy's `rank_genes_groups` and the statistics behind it. */

export { type LogisticRegressionFit, type LogisticRegressionOptions, logisticRegression } from "./logreg.js";
export {
  benjaminiHochberg,
  type CorrMethod,
  type GroupLabels,
  type RankGenesGroupsAnnDataOptions,
  type RankGenesGroupsOptions,
  type RankGenesGroupsResult,
  type RankGenesMethod,
  type RankGenesRow,
  rankGenesGroups,
  rankGenesGroupsMatrix,
  rankGenesGroupsRows,
} from "./rankGenesGroups.js";
export { betaInc, erfc, gammaQ, lnBeta, normSf, studentTTwoSided } from "./special.js";

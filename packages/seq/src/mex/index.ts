export { type Assembled, type AssembleOptions, assembleRuns, type HashtagTarget } from "./assemble.js";
export { type ConcatOptions, concatAnnData } from "./concat.js";
export {
  type MatrixMarketColumns,
  type ParseMatrixMarketOptions,
  parseMatrixMarketChunks,
  type ReadMatrixMarketColumnsOptions,
  readMatrixMarketColumns,
} from "./mtx.js";
export {
  cooToCsrTransposed,
  findMexFiles,
  type MatrixMarket,
  type MexFiles,
  makeUnique,
  type ReadMexOptions,
  readMatrixMarket,
  readMex,
  splitFeatureTypes,
} from "./read.js";
export { type ReadRunOptions, type RunMatrices, readRun } from "./run.js";
export { byteChunks, lines, readTextLines } from "./text.js";
export { type MexContent, type WriteMexOptions, writeMex } from "./write.js";

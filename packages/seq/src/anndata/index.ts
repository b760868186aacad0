export {
  AnnData,
  type AnnDataInit,
  elementKind,
  MAPPING_NAMES,
  type MappingName,
  type Matrix,
  matrixShape,
  type OtherElements,
} from "./anndata.js";
export { BackedAnnData, BackedMatrix, openH5ad } from "./backed.js";
export { createDefaultRegistry, defaultRegistry } from "./builtins.js";
export * from "./dataframe.js";
export { type H5adSource, type ReadH5adOptions, readH5ad } from "./h5ad.js";
export { LZF_FILTER_ID, prepareLzf, setLzfPluginBytes } from "./lzf.js";
export { subsetMatrix } from "./matrix.js";
export { type MuData, type MuDataMappingName, readH5mu } from "./mudata.js";
export {
  createEncodedGroup,
  type ElementReader,
  type ElementWriter,
  type Encoding,
  EncodingRegistry,
  type EncodingSpec,
  encodingOf,
  type OnUnknown,
  type ReadContext,
  readAny,
  SKIPPED,
  setEncoding,
  type WriteContext,
  type WriteHint,
} from "./registry.js";
export {
  type ColumnSummary,
  columnSummary,
  formatH5adSummary,
  formatH5muSummary,
  type H5adSummary,
  type H5muSummary,
  type MatrixSummary,
  matrixSummary,
  type SlotSummary,
  summarizeAnnData,
  summarizeH5ad,
  summarizeMuData,
} from "./summary.js";
export * from "./types.js";
export { type WriteH5adOptions, writeH5ad, writeH5adBytes } from "./write.js";

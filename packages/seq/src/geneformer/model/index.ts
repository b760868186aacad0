/**
 * `@hyped/seq/geneformer`: run a Geneformer checkpoint (Hugging Face layout) with ONNX Runtime, in Node and
 * browsers. ONNX Runtime is loaded only when a model is.
 */

export {
  cosine,
  meanEmbedding,
  type PerturbCellsOptions,
  type PerturbCellsResult,
  type PerturbGroupRow,
  perturbCells,
} from "./insilico.js";
export { type GeneformerSource, type LoadGeneformerOptions, loadGeneformer } from "./load.js";
export { type CellEmbeddings, type EmbedCellsOptions, GeneformerModel, lengthBuckets } from "./model.js";
export { type RandomBertOptions, randomBertCheckpoint } from "./random.js";
export { loadRuntime, type OrtInferenceSession, type OrtRuntime, type RuntimeChoice } from "./runtime.js";

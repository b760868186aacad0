/**
 * `@hyped/seq/geneformer`: run a Geneformer checkpoint (Hugging Face layout) with ONNX Runtime, in Node and
 * browsers. ONNX Runtime is loaded only when a model is.
 */
export { loadGeneformer, type GeneformerSource, type LoadGeneformerOptions } from "./load.js";
export { type CellEmbeddings, type EmbedCellsOptions, GeneformerModel, lengthBuckets } from "./model.js";
export { loadRuntime, type OrtInferenceSession, type OrtRuntime, type RuntimeChoice } from "./runtime.js";

export {
  BERT_ACTIVATIONS,
  type BertConfig,
  type BertExternalWeight,
  type BertWeightSource,
  buildBertOnnx,
  checkBertConfig,
} from "./bert.js";
export { OnnxEmbeddingModel, type OnnxEmbeddingOptions, type OrtModule, type OrtSession, resolveLayerOutput } from "./embedding.js";
export type { EmbeddingModel } from "./model.js";
export {
  encodeOnnxModel,
  type OnnxAttr,
  type OnnxExternalData,
  type OnnxModelSpec,
  type OnnxNode,
  type OnnxTensor,
  OnnxType,
  type OnnxValueInfo,
} from "./proto.js";
export { buildTinyBert, TINY_BERT_EPS, type TinyBertConfig, type TinyBertWeights } from "./tiny-bert.js";

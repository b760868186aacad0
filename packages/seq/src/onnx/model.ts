/** The embedding-model interface every cell-embedding backend implements. */

/**
 * A model that embeds token sequences (rank-value encodings) into one vector per sequence.
 * Implementations: {@link OnnxEmbeddingModel} (an exported Geneformer in ONNX), or any user object.
 */
export interface EmbeddingModel {
  /** Embedding dimension, when known before the first call. */
  readonly dim?: number;
  /** Embed a batch: one vector per token array, all of the same length. */
  embed(tokenBatch: Int32Array[]): Promise<Float32Array[]>;
}

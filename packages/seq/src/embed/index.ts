/** Embeddings: PCA, kNN graphs, t-SNE and UMAP (scanpy's `pp.pca`, `pp.neighbors`, `tl.tsne`, `tl.umap`). */
export { type SymEig, symEig } from "./eig.js";
export {
  fuzzyConnectivities,
  KNN_EXACT_MAX_CELLS,
  type KnnResult,
  knn,
  knnDistanceMatrix,
  type NeighborsOptions,
  neighbors,
  representation,
} from "./neighbors.js";
export { type NnDescentOptions, nnDescent } from "./nndescent.js";
export { type PcaAnnDataOptions, type PcaOptions, type PcaResult, pca, pcaMatrix } from "./pca.js";
export type { LanczosOperator, PcaSolver } from "./pca-lanczos.js";
export { TSNE_FFT_MIN_CELLS, TSNE_LEARNING_RATE, type TsneOptions, tsne, tsneEmbed } from "./tsne.js";
export { type UmapOptions, umap, umapEmbed } from "./umap.js";

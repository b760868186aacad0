/** Embeddings: PCA, kNN graphs, t-SNE and UMAP (scanpy's `pp.pca`, `pp.neighbors`, `tl.tsne`, `tl.umap`). */
export { type PcaOptions, type PcaResult, pca, pcaMatrix } from "./pca.js";

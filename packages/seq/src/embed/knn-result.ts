/** The kNN table shared by the exact search (neighbors.ts) and NN-descent (nndescent.ts). */
/** A kNN table: row i lists i's neighbours nearest first, itself first (distance 0), like scikit-learn's `kneighbors(X)`. */
export interface KnnResult {
  /** n × k neighbour indices (row-major). */
  indices: Int32Array;
  /** n × k Euclidean distances (row-major). */
  distances: Float64Array;
  n: number;
  k: number;
}

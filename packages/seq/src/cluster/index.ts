/** Clustering of the neighbors graph: scanpy's `tl.leiden` and `tl.louvain`, and the graph tools behind them. */
export {
  adjacencyOf,
  aggregate,
  fromRows,
  type GraphSource,
  graphFromAdjacency,
  modularity,
  renumberBySize,
  type WeightedGraph,
} from "./graph.js";
export { type LeidenGraphOptions, leidenGraph } from "./leiden.js";
export { type LouvainGraphOptions, louvainGraph } from "./louvain.js";
export { type ClusterOptions, type ClusterResult, type LeidenOptions, leiden, louvain } from "./tl.js";

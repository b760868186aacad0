/**
 * Louvain communities through `graphology-communities-louvain` (a maintained implementation of Blondel et al.
 * 2008 with a resolution parameter), on the same weighted graph as {@link leidenGraph}.
 */
import { HypedError, Random } from "@hyped/core";
import graphologyModule from "graphology";
import louvainModule from "graphology-communities-louvain";
import { renumberBySize, type WeightedGraph } from "./graph.js";

// Both packages ship CommonJS with ESM-style typings: under Node's ESM loader the default import is
// `module.exports` itself, under bundlers it may be `{ default }`; take whichever holds the export.
const interop = <T>(m: unknown): T => ((m as { default?: T }).default ?? m) as T;
const Graph = interop<typeof graphologyModule.default>(graphologyModule);
const louvainImpl = interop<typeof louvainModule.default>(louvainModule);

/** Options of {@link louvainGraph}. */
export interface LouvainGraphOptions {
  /** Resolution γ of the modularity. Default 1. */
  resolution?: number;
  /** Seed of the node order. Default 0. */
  seed?: number;
}

/** Louvain communities of a weighted graph; labels 0..k−1 numbered by size, largest first. */
export function louvainGraph(g: WeightedGraph, options: LouvainGraphOptions = {}): { labels: Int32Array; k: number } {
  const { resolution = 1, seed = 0 } = options;
  if (!(resolution >= 0 && Number.isFinite(resolution)))
    throw new HypedError("INVALID_ARGUMENT", `resolution must be a finite number ≥ 0, got ${resolution}`, { resolution });
  if (g.n === 0) return { labels: new Int32Array(0), k: 0 };
  if (g.total === 0) return renumberBySize(Int32Array.from({ length: g.n }, (_, i) => i));
  const graph = new Graph({ type: "undirected", multi: false, allowSelfLoops: true });
  for (let i = 0; i < g.n; i++) graph.addNode(String(i));
  for (let i = 0; i < g.n; i++) {
    for (let p = g.indptr[i] as number; p < (g.indptr[i + 1] as number); p++) {
      const j = g.indices[p] as number;
      // each undirected edge once; a self-loop's weight A_ii counts once in the degree here, as in the graph
      if (j > i) graph.addUndirectedEdge(String(i), String(j), { weight: g.weights[p] as number });
      else if (j === i) graph.addUndirectedEdge(String(i), String(i), { weight: (g.weights[p] as number) / 2 });
    }
  }
  const rng = Random.mulberry32(seed);
  const communities = louvainImpl(graph, { resolution, getEdgeWeight: "weight", rng: () => rng.next() });
  return renumberBySize(Int32Array.from({ length: g.n }, (_, i) => communities[String(i)] as number));
}

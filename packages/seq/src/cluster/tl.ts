/** scanpy's `tl.leiden` and `tl.louvain` on an AnnData's neighbors graph. */
import { HypedError, type LongTaskOptions, type SparseMatrix } from "@hyped/core";
import { type AnnData, categoricalFrom } from "../anndata/index.js";
import { asCsr } from "../preprocess/matrix.js";
import { adjacencyOf, type GraphSource, graphFromAdjacency, modularity } from "./graph.js";
import { leidenGraph } from "./leiden.js";
import { louvainGraph } from "./louvain.js";

/** Options of {@link leiden} and {@link louvain}. */
export interface ClusterOptions extends GraphSource, LongTaskOptions {
  /** Resolution γ (higher: more, smaller clusters). Default 1 (scanpy's default). */
  resolution?: number;
  /** Seed. Default 0 (scanpy's `random_state=0`). Results are reproducible per seed, not equal to scanpy's draws. */
  randomState?: number;
  /** obs column for the labels. Default `"leiden"` / `"louvain"`. */
  keyAdded?: string;
  /** Use the edge weights (connectivities). Default true for leiden, false for louvain (scanpy's defaults). */
  useWeights?: boolean;
  /** Cluster only these cells (mask); the others get no label (null), unlike scanpy's `restrict_to` which subclusters. */
  cells?: ArrayLike<number | boolean>;
}

/** Options of {@link leiden}. */
export interface LeidenOptions extends ClusterOptions {
  /** Passes; −1 (default, leidenalg's) repeats until a pass changes nothing; scanpy's igraph flavour uses 2. */
  nIterations?: number;
}

/** Result of {@link leiden} / {@link louvain}. */
export interface ClusterResult {
  /** Label of each cell (0 = largest cluster; −1 outside `cells`). */
  labels: Int32Array;
  nClusters: number;
  /** Modularity (with the resolution) of the labels on the graph used. */
  modularity: number;
}

function run(
  adata: AnnData,
  options: ClusterOptions,
  defaults: { key: string; useWeights: boolean },
  algo: "leiden" | "louvain",
  nIterations?: number,
): ClusterResult {
  const A = adjacencyOf(adata, options);
  if (A.shape[0] !== adata.nObs)
    throw new HypedError("SHAPE_MISMATCH", `adjacency is ${A.shape[0]}×${A.shape[1]} for ${adata.nObs} cells`, {});
  const useWeights = options.useWeights ?? defaults.useWeights;
  let cells: Int32Array | null = null;
  let g = graphFromAdjacency(A, { useWeights });
  if (options.cells) {
    if (options.cells.length !== adata.nObs)
      throw new HypedError("SHAPE_MISMATCH", `cells has ${options.cells.length} entries for ${adata.nObs} cells`, {});
    cells = Int32Array.from(Array.from(options.cells).flatMap((v, i) => (v ? [i] : [])));
    g = graphFromAdjacency(subsetSquare(A, cells), { useWeights });
  }
  const resolution = options.resolution ?? 1;
  const seed = options.randomState ?? 0;
  const r =
    algo === "leiden"
      ? leidenGraph(g, { resolution, seed, nIterations: nIterations ?? -1, signal: options.signal, onProgress: options.onProgress })
      : louvainGraph(g, { resolution, seed });
  const labels = new Int32Array(adata.nObs).fill(-1);
  if (cells)
    cells.forEach((i, q) => {
      labels[i] = r.labels[q] as number;
    });
  else labels.set(r.labels);
  const names = Array.from({ length: r.k }, (_, c) => String(c));
  const key = options.keyAdded ?? defaults.key;
  adata.obs.set(
    key,
    categoricalFrom(
      Array.from(labels, (c) => (c < 0 ? null : String(c))),
      names,
    ),
  );
  adata.uns[key] = {
    params: { resolution, random_state: seed, use_weights: useWeights, ...(algo === "leiden" ? { n_iterations: nIterations ?? -1 } : {}) },
  };
  return { labels, nClusters: r.k, modularity: modularity(g, r.labels, resolution) };
}

/** The rows and columns `idx` of a sparse square matrix (CSR out). */
function subsetSquare(A: SparseMatrix, idx: Int32Array): SparseMatrix {
  const at = new Int32Array(A.shape[0]).fill(-1);
  idx.forEach((i, q) => {
    at[i] = q;
  });
  const src = asCsr(A);
  const rows: number[] = [0];
  const cols: number[] = [];
  const vals: number[] = [];
  for (const i of idx) {
    for (let p = Number(src.indptr[i]); p < Number(src.indptr[i + 1]); p++) {
      const q = at[src.indices[p] as number] as number;
      if (q < 0) continue;
      cols.push(q);
      vals.push(Number(src.data[p]));
    }
    rows.push(cols.length);
  }
  return {
    format: "csr",
    shape: [idx.length, idx.length],
    indptr: Int32Array.from(rows),
    indices: Int32Array.from(cols),
    data: Float64Array.from(vals),
  };
}

/**
 * Leiden clustering of the neighbors graph (scanpy's `tl.leiden`): modularity with `resolution` (RB configuration,
 * as leidenalg's default partition type and igraph's `community_leiden(objective_function="modularity")`), edge
 * weights from the connectivities, seeded. Writes `obs[keyAdded]` (categorical "0", "1", … with "0" the largest
 * cluster) and `uns[keyAdded].params`. Our own implementation of the algorithm (see `leidenGraph`); partitions
 * agree with leidenalg/igraph in quality, not draw for draw.
 */
export function leiden(adata: AnnData, options: LeidenOptions = {}): ClusterResult {
  return run(adata, options, { key: "leiden", useWeights: true }, "leiden", options.nIterations);
}

/**
 * Louvain clustering of the neighbors graph (scanpy's `tl.louvain`, default flavour `vtraag`): modularity with
 * `resolution`, through graphology-communities-louvain; unweighted by default as scanpy (`use_weights=False`).
 * Writes `obs[keyAdded]` and `uns[keyAdded].params`.
 */
export function louvain(adata: AnnData, options: ClusterOptions = {}): ClusterResult {
  return run(adata, options, { key: "louvain", useWeights: false }, "louvain");
}

/**
 * UMAP embedding via umap-js (the maintained JavaScript port of umap-learn), seeded so runs are repeatable,
 * with scanpy's `tl.umap` defaults (min_dist 0.5, spread 1) and our exact kNN table as its neighbour graph.
 */
import { HypedError, type LongTaskOptions, progressReporter, Random, throwIfAborted } from "@hyped/core";
import { UMAP } from "umap-js";
import type { AnnData } from "../anndata/index.js";
import { denseFrom } from "../preprocess/matrix.js";
import { type KnnResult, knn, representation } from "./neighbors.js";

/** Options of {@link umapEmbed} / {@link umap}. */
export interface UmapOptions extends LongTaskOptions {
  /** Neighbours including the cell itself. Default 15. */
  nNeighbors?: number;
  /** Default 0.5 (scanpy). */
  minDist?: number;
  /** Default 1. */
  spread?: number;
  /** Optimisation epochs; default umap-js's choice (500 below 2,500 cells … 200 above 7,500). */
  nEpochs?: number;
  /** Output dimensions. Default 2. */
  nComponents?: number;
  /** Seed of the random initialisation and the negative sampling. Default 0. */
  seed?: number;
  /** Precomputed neighbours (self first); computed exactly when absent. */
  knn?: KnnResult;
}

/** UMAP of the rows of `data` (n × dim, row-major). Returns n × nComponents row-major coordinates. */
export async function umapEmbed(data: Float64Array, n: number, dim: number, options: UmapOptions = {}): Promise<Float64Array> {
  const { nNeighbors = 15, minDist = 0.5, spread = 1, nComponents = 2, seed = 0, signal } = options;
  if (n <= nNeighbors)
    throw new HypedError("INVALID_ARGUMENT", `UMAP needs more cells (${n}) than neighbours (${nNeighbors})`, { n, nNeighbors });
  const nn = options.knn ?? knn(data, n, dim, nNeighbors, { signal });
  if (nn.k < nNeighbors) throw new HypedError("INVALID_ARGUMENT", `the kNN table has ${nn.k} neighbours, need ${nNeighbors}`, {});
  const rows: number[][] = [];
  const ki: number[][] = [];
  const kd: number[][] = [];
  for (let i = 0; i < n; i++) {
    rows.push(Array.from(data.subarray(i * dim, i * dim + dim)));
    ki.push(Array.from(nn.indices.subarray(i * nn.k, i * nn.k + nNeighbors)));
    kd.push(Array.from(nn.distances.subarray(i * nn.k, i * nn.k + nNeighbors)));
  }
  const rng = Random.mulberry32(seed); // a seeded stream for umap-js (its default is Math.random)
  const u = new UMAP({
    nComponents,
    nNeighbors,
    minDist,
    spread,
    random: () => rng.next(),
    ...(options.nEpochs ? { nEpochs: options.nEpochs } : {}),
  });
  u.setPrecomputedKNN(ki, kd);
  const epochs = u.initializeFit(rows);
  const progress = progressReporter(options.onProgress, "epochs", epochs, "UMAP");
  for (let e = 0; e < epochs; e++) {
    if (e % 20 === 0) {
      await new Promise((r) => setImmediate(r));
      throwIfAborted(signal, "UMAP");
    }
    u.step();
    progress.tick();
  }
  progress.finish();
  const emb = u.getEmbedding();
  const out = new Float64Array(n * nComponents);
  emb.forEach((row, i) => {
    for (let c = 0; c < nComponents; c++) out[i * nComponents + c] = row[c] as number;
  });
  return out;
}

/** UMAP on an AnnData (scanpy `tl.umap`): uses `obsm.X_pca` (or `useRep`), writes `obsm.X_umap` and `uns.umap.params`. */
export async function umap(adata: AnnData, options: UmapOptions & { useRep?: string; nPcs?: number } = {}): Promise<AnnData> {
  const { data, dim, rep } = representation(adata, options.useRep, options.nPcs);
  const Y = await umapEmbed(data, adata.nObs, dim, options);
  const nc = options.nComponents ?? 2;
  adata.obsm.set("X_umap", denseFrom(Y, adata.nObs, nc));
  adata.uns.umap = { params: { min_dist: options.minDist ?? 0.5, spread: options.spread ?? 1, use_rep: rep } };
  return adata;
}

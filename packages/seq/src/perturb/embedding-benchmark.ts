/**
 * The paper's Algorithm 1: compare the embedding of experimentally perturbed cells with the embedding of control
 * cells perturbed in silico, per cell-cycle phase.
 */
import { HypedError, type LongTaskOptions, progressReporter, throwIfAborted } from "@hyped/core";
import { cosineSimilarity, mae, mse, pearson } from "@hyped/metrics";
import type { AnnData } from "../anndata/index.js";
import { type PerturbTokensOptions, perturbEncodings } from "../geneformer/perturb.js";
import { type TokenizedCells, type TokenizeOptions, tokenizeRankValue } from "../geneformer/tokenize.js";
import type { EmbeddingModel } from "../onnx/model.js";
import { groupCells, obsLabels } from "./profiles.js";

/** Options of {@link embeddingBenchmark}. */
export interface EmbeddingBenchmarkOptions extends LongTaskOptions {
  /** obs column of conditions. Default `"assigned_condition"`. */
  conditionColumn?: string;
  /** Control condition value (cells perturbed in silico). Required. */
  control: string;
  /** Condition value of the experimentally perturbed cells. Required. */
  perturbed: string;
  /** The in-silico perturbation: genes to overexpress (moved first) and to delete (tokens, Ensembl IDs or symbols). */
  perturbations: { overexpress?: Array<number | string>; delete?: Array<number | string> };
  /** obs column to split by (default `"phase"`); `null` for all cells only. A row over all cells (`"all"`) is always added. */
  by?: string | null;
  /** How to tokenise (dictionaries, version); not needed when `tokens` is given. */
  tokenize?: Omit<TokenizeOptions, "signal" | "onProgress">;
  /** Pre-computed encodings of the AnnData's cells (from {@link tokenizeRankValue}). */
  tokens?: TokenizedCells;
  /** Options for the in-silico perturbation (version, dictionaries for gene names). Defaults follow `tokenize`. */
  perturbOptions?: PerturbTokensOptions;
  /** Sequences per `embed` call. Default 32. */
  batchSize?: number;
  /** Also embed the unperturbed control cells and report their cosine to the perturbed mean. Default true. */
  compareUnperturbed?: boolean;
}

/** One row of {@link embeddingBenchmark}. */
export interface EmbeddingBenchmarkRow {
  group: string;
  nPerturbed: number;
  nControl: number;
  /** Between the mean embedding of perturbed cells and of in-silico perturbed control cells. */
  cosine: number;
  mse: number;
  mae: number;
  pearson: number;
  /** Cosine between the perturbed mean and the unperturbed control mean (the starting point); NaN when not computed. */
  cosineUnperturbed: number;
}

async function meanEmbedding(
  model: EmbeddingModel,
  seqs: Int32Array[],
  batchSize: number,
  tick: (n: number) => void,
  signal?: AbortSignal,
) {
  let sum: Float64Array | null = null;
  for (let s = 0; s < seqs.length; s += batchSize) {
    throwIfAborted(signal, "embeddingBenchmark");
    const batch = seqs.slice(s, s + batchSize);
    const out = await model.embed(batch);
    if (out.length !== batch.length)
      throw new HypedError("SHAPE_MISMATCH", `embed returned ${out.length} vectors for ${batch.length} sequences`, {});
    for (const v of out) {
      if (!sum) sum = new Float64Array(v.length);
      if (v.length !== sum.length) throw new HypedError("SHAPE_MISMATCH", "embeddings of different lengths", {});
      for (let j = 0; j < v.length; j++) sum[j] = (sum[j] as number) + (v[j] as number);
    }
    tick(batch.length);
  }
  if (!sum) return null;
  for (let j = 0; j < sum.length; j++) sum[j] = (sum[j] as number) / seqs.length;
  return sum;
}

/**
 * Algorithm 1 of the paper, per group (phase) and over all cells:
 * 1. embed the experimentally perturbed cells and average them;
 * 2. apply the in-silico perturbation to the control cells' encodings, embed them and average them;
 * 3. report cosine, MSE, MAE and Pearson between the two means (from `@hyped/metrics`).
 * Groups without perturbed or control cells are skipped.
 */
export async function embeddingBenchmark(
  model: EmbeddingModel,
  adata: AnnData,
  options: EmbeddingBenchmarkOptions,
): Promise<EmbeddingBenchmarkRow[]> {
  const {
    conditionColumn = "assigned_condition",
    control,
    perturbed,
    by = "phase",
    batchSize = 32,
    compareUnperturbed = true,
    signal,
    onProgress,
  } = options;
  const tokens =
    options.tokens ??
    (options.tokenize
      ? tokenizeRankValue(adata, { ...options.tokenize, signal })
      : (() => {
          throw new HypedError("INVALID_ARGUMENT", "embeddingBenchmark needs `tokens` or `tokenize` options", {});
        })());
  const seqOf = new Map<number, Int32Array>();
  tokens.cellIndex.forEach((i, k) => {
    seqOf.set(i, tokens.inputIds[k] as Int32Array);
  });
  const popts: PerturbTokensOptions = {
    modelVersion: tokens.modelVersion,
    modelInputSize: tokens.modelInputSize,
    specialTokens: tokens.specialTokens,
    tokenDictionary: options.tokenize?.tokenDictionary,
    ...options.perturbOptions,
  };
  const cond = obsLabels(adata, conditionColumn);
  const groups: Array<{ name: string; rows: ArrayLike<number> }> = [];
  if (by) for (const [name, g] of groupCells(adata, by)) groups.push({ name, rows: g.rows });
  groups.push({ name: "all", rows: Int32Array.from({ length: adata.nObs }, (_, i) => i) });
  const select = (rows: ArrayLike<number>, value: string) => {
    const out: Int32Array[] = [];
    for (let r = 0; r < rows.length; r++) {
      const i = rows[r] as number;
      const s = seqOf.get(i);
      if (cond[i] === value && s) out.push(s);
    }
    return out;
  };
  const total = groups.reduce(
    (a, g) => a + select(g.rows, perturbed).length + select(g.rows, control).length * (compareUnperturbed ? 2 : 1),
    0,
  );
  const rep = progressReporter(onProgress, "cells", total, "embed");
  const rows: EmbeddingBenchmarkRow[] = [];
  for (const g of groups) {
    const pert = select(g.rows, perturbed);
    const ctrl = select(g.rows, control);
    if (!pert.length || !ctrl.length) continue;
    const a = await meanEmbedding(model, pert, batchSize, (n) => rep.tick(n), signal);
    const b = await meanEmbedding(model, perturbEncodings(ctrl, options.perturbations, popts), batchSize, (n) => rep.tick(n), signal);
    const c = compareUnperturbed ? await meanEmbedding(model, ctrl, batchSize, (n) => rep.tick(n), signal) : null;
    if (!a || !b) continue;
    const safe = (f: () => number) => {
      try {
        return f();
      } catch {
        return Number.NaN;
      }
    };
    rows.push({
      group: g.name,
      nPerturbed: pert.length,
      nControl: ctrl.length,
      cosine: safe(() => cosineSimilarity(b, a)),
      mse: safe(() => mse(a, b)),
      mae: safe(() => mae(a, b)),
      pearson: safe(() => pearson(b, a)),
      cosineUnperturbed: c ? safe(() => cosineSimilarity(c, a)) : Number.NaN,
    });
  }
  rep.finish();
  if (!rows.length)
    throw new HypedError("NOT_FOUND", `no group has both '${perturbed}' and '${control}' cells with encodings`, { perturbed, control });
  return rows;
}

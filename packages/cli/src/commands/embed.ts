/**
 * `hyped embed`: Geneformer cell embeddings of an `.h5ad`, from a Hugging Face model folder (config.json +
 * model.safetensors), written as a float32 `.npy` (cells × hidden). Also the loading and tokenising steps
 * `hyped perturb` shares.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fromTyped, writeNpy } from "@hyped/core";
import { type AnnData, type GeneformerVersion, readH5ad, type TokenizedCells, tokenizeRankValue } from "@hyped/seq";
import { type GeneformerModel, loadGeneformer } from "@hyped/seq/geneformer";
import type { Command } from "commander";
import { progressBar, UsageError } from "../context.js";

/** Options shared by `hyped embed` and `hyped perturb`. */
export interface GeneformerCliOptions {
  model: string;
  tokenDictionary?: string;
  geneMedians?: string;
  ensemblColumn?: string;
  nCountsColumn?: string;
  countsLayer?: string;
  modelVersion?: string;
  layer: string;
  pooling: string;
  runtime: string;
  batchTokens: string;
}

/** Register the options shared by `embed` and `perturb`. */
export function geneformerOptions(cmd: Command): Command {
  return cmd
    .requiredOption("--model <dir>", "Hugging Face model folder: config.json, model.safetensors (and the dictionaries as JSON)")
    .option("--token-dictionary <json>", "Ensembl ID → token, as JSON (default: <model>/token_dictionary.json)")
    .option("--gene-medians <json>", "Ensembl ID → median, as JSON (default: <model>/gene_median_dictionary.json)")
    .option("--ensembl-column <name>", "var column of Ensembl IDs (default: ensembl_id, else gene_ids, else the var names)")
    .option("--n-counts-column <name>", "obs column of total counts (default: n_counts when present, else row sums)")
    .option("--counts-layer <name>", "read raw counts from this layer instead of X")
    .option("--model-version <V1|V2>", "tokenisation (default: V2 when the dictionary has <cls>, else V1)")
    .option("--layer <k>", "Geneformer emb_layer: -1 = second-to-last hidden state, 0 = last", "-1")
    .option("--pooling <mean|cls>", "mean over gene tokens (Geneformer's cell embedding) or the <cls> token", "mean")
    .option("--runtime <auto|node|web>", "ONNX Runtime: onnxruntime-node when installed, else onnxruntime-web", "auto")
    .option("--batch-tokens <n>", "most padded tokens per forward pass", "4096");
}

async function readJson(path: string, what: string): Promise<Record<string, unknown>> {
  if (!existsSync(path)) {
    throw new UsageError(
      `${what} not found at ${path}: Geneformer ships it as a pickle; convert it once with python3 -c "import pickle, json; json.dump(pickle.load(open('X.pkl', 'rb')), open('X.json', 'w'))"`,
    );
  }
  return JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
}

/** Pick the var column with Ensembl IDs: the option, else `ensembl_id`, else `gene_ids`, else the var names (null). */
export function ensemblColumn(adata: AnnData, name?: string): string | null {
  if (name) {
    if (!adata.var.has(name)) throw new UsageError(`the .h5ad has no var column '${name}'`);
    return name;
  }
  for (const c of ["ensembl_id", "gene_ids"]) if (adata.var.has(c)) return c;
  return null;
}

/** Parse and check the numeric options. */
export function numericOptions(o: GeneformerCliOptions): { layer: number; batchTokens: number; pooling: "mean" | "cls" } {
  const layer = Number(o.layer);
  const batchTokens = Number(o.batchTokens);
  if (!Number.isInteger(layer) || layer > 0) throw new UsageError(`--layer must be 0 or a negative integer, got '${o.layer}'`);
  if (!Number.isInteger(batchTokens) || batchTokens < 1)
    throw new UsageError(`--batch-tokens must be a positive integer, got '${o.batchTokens}'`);
  if (o.pooling !== "mean" && o.pooling !== "cls") throw new UsageError(`--pooling must be mean or cls, got '${o.pooling}'`);
  if (!["auto", "node", "web"].includes(o.runtime)) throw new UsageError(`--runtime must be auto, node or web, got '${o.runtime}'`);
  return { layer, batchTokens, pooling: o.pooling };
}

/** Read the `.h5ad`, the dictionaries and the model; tokenise every cell. */
export async function loadForGeneformer(
  file: string,
  o: GeneformerCliOptions,
): Promise<{
  adata: AnnData;
  model: GeneformerModel;
  tokens: TokenizedCells;
  tokenDictionary: Record<string, number>;
  ensembl: string | null;
}> {
  const tokenDictionary = (await readJson(o.tokenDictionary ?? join(o.model, "token_dictionary.json"), "token dictionary")) as Record<
    string,
    number
  >;
  const geneMedians = (await readJson(o.geneMedians ?? join(o.model, "gene_median_dictionary.json"), "gene median dictionary")) as Record<
    string,
    number
  >;
  const version = (o.modelVersion ?? (Object.hasOwn(tokenDictionary, "<cls>") ? "V2" : "V1")) as GeneformerVersion;
  if (version !== "V1" && version !== "V2") throw new UsageError(`--model-version must be V1 or V2, got '${o.modelVersion}'`);
  const adata = await readH5ad(file);
  const ensembl = ensemblColumn(adata, o.ensemblColumn);
  const nCounts = o.nCountsColumn ?? (adata.obs.has("n_counts") ? "n_counts" : null);
  const bar = progressBar("load model");
  let model: GeneformerModel;
  try {
    model = await loadGeneformer(o.model, { tokenDictionary, runtime: o.runtime as "auto", onProgress: bar.onProgress });
  } finally {
    bar.stop();
  }
  const tokens = tokenizeRankValue(adata, {
    tokenDictionary,
    geneMedians,
    ensemblIdColumn: ensembl,
    nCountsColumn: nCounts,
    layer: o.countsLayer,
    modelVersion: version,
    modelInputSize: Math.min(model.maxLength, version === "V2" ? 4096 : 2048),
  });
  if (!tokens.inputIds.length) throw new UsageError(`no cell of ${file} has a gene of the token dictionary`);
  return { adata, model, tokens, tokenDictionary, ensembl };
}

interface EmbedOpts extends GeneformerCliOptions {
  out: string;
  obsOut?: string;
}

export function embedCommand(program: Command): void {
  geneformerOptions(
    program
      .command("embed")
      .description("Geneformer cell embeddings of an .h5ad from a Hugging Face model folder, as a float32 .npy (cells × hidden)")
      .argument("<h5ad>", "cells (.h5ad) with raw counts")
      .requiredOption("--out <npy>", "embeddings file (.npy, float32, one row per tokenised cell)")
      .option("--obs-out <txt>", "write the obs name of each row (cells without any dictionary gene are left out)"),
  ).action(async (file: string, o: EmbedOpts) => {
    const { layer, batchTokens, pooling } = numericOptions(o);
    const { adata, model, tokens } = await loadForGeneformer(file, o);
    const bar = progressBar("embed");
    try {
      const e = await model.embedCells(tokens.inputIds, { layer, pooling, maxBatchTokens: batchTokens, onProgress: bar.onProgress });
      await writeFile(o.out, writeNpy(fromTyped(e.data, e.shape)));
      if (o.obsOut) await writeFile(o.obsOut, `${Array.from(tokens.cellIndex, (i) => adata.obsNames[i]).join("\n")}\n`);
      process.stdout.write(`${o.out}: ${e.shape[0]} cells × ${e.shape[1]} (layer ${layer}, ${pooling}, ${model.runtime})\n`);
    } finally {
      bar.stop();
      await model.dispose();
    }
  });
}

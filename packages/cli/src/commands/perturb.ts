/**
 * `hyped perturb`: in-silico perturbation with Geneformer, as its InSilicoPerturber does for cell embeddings:
 * delete and/or overexpress genes in each cell's rank-value encoding, embed before and after, and report the
 * cosine shift per cell and per group, and the shift towards a target state (the paper's Algorithm 1).
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fromTyped, writeNpy } from "@hyped/core";
import { rowsToCsv } from "@hyped/seq";
import { meanEmbedding, type PerturbCellsResult, perturbCells } from "@hyped/seq/geneformer";
import type { Command } from "commander";
import { progressBar, UsageError } from "../context.js";
import { type GeneformerCliOptions, geneformerOptions, loadForGeneformer, numericOptions } from "./embed.js";

interface PerturbOpts extends GeneformerCliOptions {
  out: string;
  overexpress?: string;
  delete?: string;
  geneNames?: string;
  cells?: string;
  target?: string;
  groupBy?: string;
}

const list = (s?: string) =>
  (s ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

/** `column=value[,value…]` → a row filter. */
function selector(spec: string, flag: string): { column: string; values: Set<string> } {
  const k = spec.indexOf("=");
  if (k < 1) throw new UsageError(`${flag} takes column=value[,value…], got '${spec}'`);
  return { column: spec.slice(0, k), values: new Set(list(spec.slice(k + 1))) };
}

/** Write cells.csv, groups.csv, original.npy, perturbed.npy and summary.json into `out`. */
async function writeOutputs(
  out: string,
  r: PerturbCellsResult,
  names: string[],
  groups: string[] | undefined,
  meta: Record<string, unknown>,
): Promise<void> {
  await mkdir(out, { recursive: true });
  const cellRows = names.map((obs_name, i) => ({
    obs_name,
    group: groups?.[i] ?? "all",
    cosine: r.cosine[i],
    shift_to_target: r.shift ? r.shift[i] : Number.NaN,
  }));
  await writeFile(join(out, "cells.csv"), rowsToCsv(cellRows));
  await writeFile(join(out, "groups.csv"), rowsToCsv(r.groups));
  await writeFile(join(out, "original.npy"), writeNpy(fromTyped(r.original.data, r.original.shape)));
  await writeFile(join(out, "perturbed.npy"), writeNpy(fromTyped(r.perturbed.data, r.perturbed.shape)));
  const summary = { ...meta, groups: r.groups };
  await writeFile(
    join(out, "summary.json"),
    `${JSON.stringify(summary, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2)}\n`,
  );
}

export function perturbCommand(program: Command): void {
  geneformerOptions(
    program
      .command("perturb")
      .description("in-silico overexpression/deletion with Geneformer: cosine shift per cell and group, and towards a target state")
      .argument("<h5ad>", "cells (.h5ad) with raw counts")
      .requiredOption("--out <dir>", "output folder: cells.csv, groups.csv, original.npy, perturbed.npy, summary.json")
      .option("--overexpress <genes>", "genes to move to the front (symbols, Ensembl IDs or tokens, comma-separated)")
      .option("--delete <genes>", "genes to remove (applied first)")
      .option("--gene-names <json>", "symbol → Ensembl ID as JSON (default: <model>/gene_name_id_dict.json, else the .h5ad's var names)")
      .option("--cells <column=values>", "perturb only these cells, e.g. assigned_condition=control (default: all)")
      .option("--target <column=values>", "target state: the mean embedding of these cells, e.g. assigned_condition=mmMYOD1")
      .option("--group-by <column>", "summarise per value of this obs column, e.g. phase"),
  ).action((file: string, o: PerturbOpts) => runPerturb(file, o));
}

/** `hyped perturb`: load, select the cells, embed the target state, perturb, write and print the groups. */
async function runPerturb(file: string, o: PerturbOpts): Promise<void> {
  const { layer, batchTokens, pooling } = numericOptions(o);
  const up = list(o.overexpress);
  const del = list(o.delete);
  if (!up.length && !del.length) throw new UsageError("give --overexpress and/or --delete");
  const { adata, model, tokens, tokenDictionary, ensembl } = await loadForGeneformer(file, o);
  try {
    const namesFile = o.geneNames ?? join(o.model, "gene_name_id_dict.json");
    const geneNameToId: Record<string, string> = existsSync(namesFile)
      ? JSON.parse(await readFile(namesFile, "utf8"))
      : ensembl
        ? Object.fromEntries(adata.varNames.map((s, j) => [s, String(adata.var.get(ensembl).values()[j])]))
        : {};
    const obs = (column: string) => {
      if (!adata.obs.has(column)) throw new UsageError(`the .h5ad has no obs column '${column}'`);
      return adata.obs.get(column).values().map(String);
    };
    const rows = Array.from(tokens.cellIndex);
    let pick = rows.map((_, k) => k);
    if (o.cells) {
      const s = selector(o.cells, "--cells");
      const col = obs(s.column);
      pick = pick.filter((k) => s.values.has(col[rows[k] as number] as string));
    }
    if (!pick.length) throw new UsageError("no tokenised cell matches --cells");
    const embOpts = { layer, pooling, maxBatchTokens: batchTokens } as const;
    const targetState = o.target ? await embedTarget(o.target, model, tokens, obs, embOpts) : undefined;
    const groupCol = o.groupBy ? obs(o.groupBy) : undefined;
    const groups = groupCol ? pick.map((k) => groupCol[rows[k] as number] as string) : undefined;
    const bar = progressBar("perturb");
    let r: Awaited<ReturnType<typeof perturbCells>>;
    try {
      r = await perturbCells(
        model,
        pick.map((k) => tokens.inputIds[k] as Int32Array),
        {
          ...embOpts,
          overexpress: up,
          delete: del,
          groups,
          targetState,
          perturbOptions: {
            modelVersion: tokens.modelVersion,
            modelInputSize: tokens.modelInputSize,
            tokenDictionary,
            geneNameToId,
            specialTokens: tokens.specialTokens,
          },
          onProgress: bar.onProgress,
        },
      );
    } finally {
      bar.stop();
    }
    const names = pick.map((k) => adata.obsNames[rows[k] as number] as string);
    await writeOutputs(o.out, r, names, groups, {
      h5ad: file,
      model: o.model,
      runtime: model.runtime,
      overexpress: up,
      delete: del,
      layer,
      pooling,
      cells: o.cells ?? "all",
      target: o.target ?? null,
    });
    const f = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : "nan");
    process.stdout.write(`group  cells  mean_cosine  median_cosine  mean_shift_to_target\n`);
    for (const g of r.groups)
      process.stdout.write(`${g.group}  ${g.nCells}  ${f(g.meanCosine)}  ${f(g.medianCosine)}  ${f(g.meanShift)}\n`);
    process.stdout.write(`wrote ${o.out}/{cells.csv, groups.csv, original.npy, perturbed.npy, summary.json}\n`);
  } finally {
    await model.dispose();
  }
}

/** The target state of `--target column=values`: the mean embedding of the tokenised cells it selects. */
async function embedTarget(
  target: string,
  model: Loaded["model"],
  tokens: Loaded["tokens"],
  obs: (column: string) => string[],
  embOpts: Parameters<Loaded["model"]["embedCells"]>[1],
): Promise<Float64Array> {
  const rows = Array.from(tokens.cellIndex);
  const s = selector(target, "--target");
  const col = obs(s.column);
  const t = rows.map((_, k) => k).filter((k) => s.values.has(col[rows[k] as number] as string));
  if (!t.length) throw new UsageError("no tokenised cell matches --target");
  const bar = progressBar("embed target cells");
  try {
    return meanEmbedding(
      await model.embedCells(
        t.map((k) => tokens.inputIds[k] as Int32Array),
        { ...embOpts, onProgress: bar.onProgress },
      ),
    );
  } finally {
    bar.stop();
  }
}

type Loaded = Awaited<ReturnType<typeof loadForGeneformer>>;

/**
 * The sequencing half of `hyped demo`: demultiplexing, QC/normalisation/HVG/PCA/t-SNE/DE (Figure 2b–d),
 * Geneformer-style tokenisation with in-silico MYOD1 overexpression and PRRX1 deletion, the paper's
 * Algorithm 1 with Geneformer run from a Hugging Face-layout checkpoint, and the perturbation baselines scored per condition × phase (Table 3).
 */
import { HypedError, type SparseMatrix } from "@hyped/core";
import {
  AdditiveModel,
  assignConditions,
  buildTokenDictionary,
  calculateQcMetrics,
  categoricalFrom,
  computeGeneMedians,
  deleteGene,
  demultiplexHashtags,
  embeddingBenchmark,
  embeddingSvg,
  evaluatePerturbation,
  G2M_GENES,
  highlyVariableGenes,
  LinearModel,
  log1p,
  MeanPerturbationModel,
  NoChangeModel,
  normalizeTotal,
  overexpress,
  type PerturbationModel,
  pca,
  rankGenesGroups,
  rankGenesGroupsPlotSvg,
  rankGenesGroupsRows,
  readH5ad,
  S_GENES,
  scoreGenesCellCycle,
  tokenizeRankValue,
  trainingDataFromAnnData,
  tsne,
} from "@hyped/seq";
import { type GeneformerModel, loadGeneformer, meanEmbedding, perturbCells, randomBertCheckpoint } from "@hyped/seq/geneformer";
import type { DemoContext } from "./context.js";

const CONTROL = "control";

/** Perturbed genes of each HYPED condition, for models that reason in genes (GEARS-style names). */
const CONDITION_GENES: Record<string, string> = { mmMYOD1: "MYOD1", siPRRX1: "PRRX1", "siPRRX1+mmMYOD1": "MYOD1+PRRX1" };

/** Summary figures the report quotes. */
export interface SeqDemoSummary {
  nDroplets: number;
  nSinglets: number;
  singletAccuracy?: number;
  doubletRecall?: number;
  phaseAccuracy?: number;
}

/**
 * Run the sequencing pipeline on `h5adPath`, recording tables and figures in `ctx`: one named stage per
 * step of the report (demultiplex, characterise, DE, tokenise, embedding benchmark, baselines).
 */
export async function runSeqDemo(h5adPath: string, ctx: DemoContext): Promise<SeqDemoSummary> {
  const adata = await ctx.step("read the .h5ad", () => readH5ad(h5adPath));
  ctx.log(`  ${adata.nObs} droplets x ${adata.nVars} genes; obs: ${adata.obs.columns.join(", ")}`);
  const summary: SeqDemoSummary = { nDroplets: adata.nObs, nSinglets: 0 };
  await ctx.step("demultiplex hashtags (HTODemux: CLR, k-means background, NB cutoff)", () =>
    demultiplexStage(adata, h5adPath, summary, ctx),
  );
  const cells = adata.obsSubset((adata.obs.get("assigned_condition").values() as string[]).map((a) => a !== "Doublet" && a !== "Negative"));
  summary.nSinglets = cells.nObs;
  cells.layers.set("counts", cells.X as SparseMatrix);
  await ctx.step(`QC, normalise, log1p, HVG, PCA and t-SNE on ${cells.nObs} singlets`, async () => characteriseStage(cells, summary, ctx));
  await ctx.figure(
    "fig2b_tsne_phase.svg",
    "Figure 2b: t-SNE coloured by cell-cycle phase",
    await embeddingSvg(cells, { basis: "X_tsne", color: "phase", title: "t-SNE by phase" }),
  );
  await ctx.figure(
    "fig2c_tsne_condition.svg",
    "Figure 2c: t-SNE coloured by condition",
    await embeddingSvg(cells, { basis: "X_tsne", color: "assigned_condition", title: "t-SNE by condition" }),
  );
  await ctx.step("rank genes per condition (t-test, Benjamini–Hochberg)", () => deStage(cells, ctx));
  const genes = cells.var.get("gene_ids").values() as string[];
  // no pretrained model ships with the demo: build Geneformer-style dictionaries from the data itself
  const geneMedians = computeGeneMedians(cells, { ensemblIdColumn: "gene_ids", nCountsColumn: "n_counts", layer: "counts" });
  const tokenDictionary = buildTokenDictionary(Object.keys(geneMedians), { special: ["<pad>", "<mask>"] });
  const dicts: Dictionaries = { genes, geneMedians, tokenDictionary };
  const tokens = await ctx.step("tokenise (rank-value encoding, V1) and perturb in silico", () => tokeniseStage(cells, dicts, ctx));
  await ctx.step("embedding benchmark (Algorithm 1) with a Geneformer-layout BERT", () => embeddingStage(cells, dicts, tokens, ctx));
  await ctx.step("perturbation baselines scored per condition x phase (Table 3)", () => baselinesStage(cells, ctx));
  return summary;
}

type AnnData = Awaited<ReturnType<typeof readH5ad>>;
type Tokens = ReturnType<typeof tokenizeRankValue>;

/** The Geneformer-style dictionaries the demo builds from the data itself. */
interface Dictionaries {
  genes: string[];
  geneMedians: ReturnType<typeof computeGeneMedians>;
  tokenDictionary: ReturnType<typeof buildTokenDictionary>;
}

/** 1. Demultiplexing; scored against `true_condition` when the file has it. */
async function demultiplexStage(adata: AnnData, h5adPath: string, summary: SeqDemoSummary, ctx: DemoContext): Promise<void> {
  const counts = adata.obsm.get("hto_counts");
  if (!counts) throw new HypedError("NOT_FOUND", `${h5adPath} has no obsm['hto_counts'] (cells x hashtags)`, {});
  const names =
    (adata.uns.hto_names as string[] | undefined) ?? Array.from({ length: (counts.shape[1] as number) ?? 0 }, (_, j) => `HTO${j + 1}`);
  const design = (adata.uns.hashtag_design ?? {}) as Record<string, { condition: string; phase?: string }>;
  const res = demultiplexHashtags(counts, { hashtags: names });
  assignConditions(adata, res, Object.fromEntries(names.map((h) => [h, design[h]?.condition ?? h])));
  adata.obs.set(
    "facs_phase",
    categoricalFrom(
      res.assignment.map((a) => design[a]?.phase ?? null),
      ["G1", "S", "G2M"],
    ),
  );
  const assigned = adata.obs.get("assigned_condition").values() as Array<string | null>;
  const rows: Record<string, unknown>[] = [];
  const tally = new Map<string, number>();
  for (const a of assigned) tally.set(String(a), (tally.get(String(a)) ?? 0) + 1);
  for (const [k, v] of [...tally].sort()) rows.push({ assigned_condition: k, cells: v });
  if (adata.obs.has("true_condition")) {
    const truth = adata.obs.get("true_condition").values() as string[];
    let sing = 0;
    let ok = 0;
    let dbl = 0;
    let dblOk = 0;
    truth.forEach((t, i) => {
      if (t === "Doublet") {
        dbl++;
        if (assigned[i] === "Doublet") dblOk++;
      } else if (t !== "Negative") {
        sing++;
        if (assigned[i] === t) ok++;
      }
    });
    summary.singletAccuracy = ok / sing;
    summary.doubletRecall = dblOk / dbl;
  }
  await ctx.table({
    name: "demultiplexing",
    title: "Cell-hashing demultiplexing",
    rows,
    note:
      summary.singletAccuracy !== undefined
        ? `Against the true condition: singlet accuracy ${(summary.singletAccuracy * 100).toFixed(2)} % (target ≥ 98 %), doublet recall ${((summary.doubletRecall ?? 0) * 100).toFixed(2)} % (target ≥ 90 %).`
        : undefined,
  });
}

/** 2. Characterise the singlets: QC, normalise, log1p, HVG, cell-cycle phase, PCA, t-SNE. */
function characteriseStage(cells: AnnData, summary: SeqDemoSummary, ctx: DemoContext): void {
  calculateQcMetrics(cells, { percentTop: [50, 100, 200, 500].filter((p) => p <= cells.nVars) });
  cells.obs.set("n_counts", { kind: "numeric", values: cells.obs.get("total_counts").toFloat64() });
  normalizeTotal(cells, { targetSum: 1e4 });
  log1p(cells);
  highlyVariableGenes(cells, { flavor: "seurat", nTopGenes: Math.min(500, Math.floor(cells.nVars / 2)) });
  // scanpy's score_genes_cell_cycle (binned control genes); FACS-sorted controls keep their sorted phase,
  // so every perturbed cell's phase in Table 3 comes from the scores
  const sc = scoreGenesCellCycle(cells, { sGenes: S_GENES, g2mGenes: G2M_GENES });
  const facs = cells.obs.get("facs_phase").values() as Array<string | null>;
  cells.obs.set(
    "phase",
    categoricalFrom(
      sc.phase.map((p, i) => facs[i] ?? p),
      ["G1", "S", "G2M"],
    ),
  );
  if (cells.obs.has("true_phase")) {
    const truth = cells.obs.get("true_phase").values() as Array<string | null>;
    let n = 0;
    let ok = 0;
    sc.phase.forEach((p, i) => {
      if (truth[i] && facs[i] === null) {
        n++;
        if (truth[i] === p) ok++;
      }
    });
    summary.phaseAccuracy = n ? ok / n : undefined;
  }
  pca(cells, { nComps: Math.min(50, Math.floor(cells.nVars / 2) - 1, cells.nObs - 1), useHighlyVariable: true });
  const bar = ctx.bar("t-SNE");
  tsne(cells, { seed: 1, onProgress: bar.onProgress });
  bar.stop();
}

/** 3. Top DE genes per condition (vs the rest, t-test). */
async function deStage(cells: AnnData, ctx: DemoContext): Promise<void> {
  const r = rankGenesGroups(cells, "assigned_condition", { method: "t-test", groups: ["control", ...Object.keys(CONDITION_GENES)] });
  const rows = rankGenesGroupsRows(r, { n: 10 }).map((x) => ({ ...x }));
  await ctx.table({
    name: "top_de_genes",
    title: "Top 10 DE genes per condition (Figure 2d)",
    rows,
    columns: ["group", "rank", "names", "logfoldchanges", "pvals_adj"],
  });
  await ctx.figure(
    "fig2d_de_genes.svg",
    "Figure 2d: top DE genes per condition",
    await rankGenesGroupsPlotSvg(cells, { nGenes: 10, kind: "dotplot", groupby: "assigned_condition" }),
  );
}

/** 4. Geneformer-style tokenisation and in-silico perturbation. */
async function tokeniseStage(cells: AnnData, dicts: Dictionaries, ctx: DemoContext): Promise<Tokens> {
  const { genes, geneMedians, tokenDictionary } = dicts;
  const t = tokenizeRankValue(cells, {
    tokenDictionary,
    geneMedians,
    ensemblIdColumn: "gene_ids",
    nCountsColumn: "n_counts",
    layer: "counts",
  });
  const myod = tokenDictionary[genes[cells.varIndex("MYOD1")] as string] as number;
  const prrx = tokenDictionary[genes[cells.varIndex("PRRX1")] as string] as number;
  const cond = cells.obs.get("assigned_condition").values() as string[];
  const rows: Record<string, unknown>[] = [];
  for (const c of ["control", "mmMYOD1", "siPRRX1", "siPRRX1+mmMYOD1"]) {
    const idx = [...t.cellIndex].filter((i) => cond[i] === c);
    const rankOf = (tok: number, ids: Int32Array) => {
      const k = ids.indexOf(tok);
      return k < 0 ? Number.NaN : k + 1;
    };
    const obsMyod = median(idx.map((i) => rankOf(myod, t.inputIds[i] as Int32Array)).filter(Number.isFinite));
    const hasPrrx = idx.filter((i) => (t.inputIds[i] as Int32Array).includes(prrx)).length / Math.max(1, idx.length);
    let silicoMyod = Number.NaN;
    let silicoPrrx = Number.NaN;
    if (c === "control") {
      const pert = idx.map((i) =>
        deleteGene(overexpress(t.inputIds[i] as Int32Array, myod, { modelVersion: "V1" }), prrx, { modelVersion: "V1" }),
      );
      silicoMyod = median(pert.map((ids) => rankOf(myod, ids)).filter(Number.isFinite));
      silicoPrrx = pert.filter((ids) => ids.includes(prrx)).length / Math.max(1, pert.length);
    }
    rows.push({
      condition: c,
      cells: idx.length,
      median_tokens: median(idx.map((i) => (t.inputIds[i] as Int32Array).length)),
      myod1_rank: obsMyod,
      prrx1_present: hasPrrx,
      in_silico_myod1_rank: silicoMyod,
      in_silico_prrx1_present: silicoPrrx,
    });
  }
  await ctx.table({
    name: "tokenisation",
    title: "Rank-value encoding: MYOD1 rank and PRRX1 presence (in silico: control cells with MYOD1 moved first and PRRX1 deleted)",
    rows,
  });
  return t;
}

/** Write a small random Geneformer-layout model folder; returns its folder name, context length and gene map. */
async function writeRandomCheckpoint(cells: AnnData, dicts: Dictionaries, ctx: DemoContext) {
  const { genes, geneMedians, tokenDictionary } = dicts;
  const geneNameIdDictionary = Object.fromEntries(cells.varNames.map((s, j) => [s, genes[j] as string]));
  // A V1-shaped (ReLU, 2,048 positions) but small random model, written as a real model folder is laid out,
  // so that a downloaded Geneformer folder is a drop-in (and `hyped embed` / `hyped perturb` run on this one).
  // 64 positions keep the demo quick: like Geneformer, the model reads the first max_position_embeddings tokens.
  const maxLen = 64;
  const ckpt = randomBertCheckpoint({
    vocabSize: Object.keys(tokenDictionary).length,
    hidden: 16,
    layers: 2,
    heads: 2,
    intermediate: 32,
    maxPositions: maxLen,
    seed: 7,
  });
  const dir = "geneformer-random";
  await ctx.write(`${dir}/config.json`, `${JSON.stringify(ckpt.config, null, 2)}\n`);
  await ctx.write(`${dir}/model.safetensors`, ckpt.weights);
  await ctx.write(`${dir}/token_dictionary.json`, JSON.stringify(tokenDictionary));
  await ctx.write(`${dir}/gene_median_dictionary.json`, JSON.stringify(geneMedians));
  await ctx.write(`${dir}/gene_name_id_dict.json`, JSON.stringify(geneNameIdDictionary));
  return { dir, maxLen, geneNameIdDictionary };
}

/** 5. The paper's Algorithm 1, with Geneformer run from a Hugging Face-layout checkpoint (random weights here). */
async function embeddingStage(cells: AnnData, dicts: Dictionaries, tokens: Tokens, ctx: DemoContext): Promise<void> {
  const { tokenDictionary } = dicts;
  const { dir, maxLen, geneNameIdDictionary } = await writeRandomCheckpoint(cells, dicts, ctx);
  let model: GeneformerModel;
  try {
    model = await loadGeneformer(`${ctx.out}/${dir}`, { tokenDictionary });
  } catch (e) {
    ctx.notes.push(`The embedding benchmark was skipped: the model could not be run (${(e as Error).message}).`);
    return;
  }
  const rows: Record<string, unknown>[] = [];
  const shiftRows: Record<string, unknown>[] = [];
  const perts: Record<string, { overexpress?: string[]; delete?: string[] }> = {
    mmMYOD1: { overexpress: ["MYOD1"] },
    siPRRX1: { delete: ["PRRX1"] },
    "siPRRX1+mmMYOD1": { overexpress: ["MYOD1"], delete: ["PRRX1"] },
  };
  const perturbOptions = { modelVersion: "V1" as const, modelInputSize: maxLen, tokenDictionary, geneNameToId: geneNameIdDictionary };
  const inputIds = tokens.inputIds.map((t) => t.subarray(0, maxLen));
  const short = { ...tokens, inputIds, lengths: Int32Array.from(inputIds, (t) => t.length), modelInputSize: maxLen };
  const cond = cells.obs.get("assigned_condition").values() as string[];
  const phase = cells.obs.get("phase").values().map(String);
  const byCond = (c: string) => [...tokens.cellIndex.keys()].filter((k) => cond[tokens.cellIndex[k] as number] === c);
  const control = byCond(CONTROL);
  for (const [perturbed, p] of Object.entries(perts)) {
    const r = await embeddingBenchmark(model, cells, {
      conditionColumn: "assigned_condition",
      control: CONTROL,
      perturbed,
      perturbations: p,
      by: "phase",
      tokens: short,
      perturbOptions,
    });
    for (const row of r) rows.push({ perturbed, ...row });
    // InSilicoPerturber-style shift of each control cell towards the perturbed cells' mean embedding
    const target = meanEmbedding(await model.embedCells(byCond(perturbed).map((k) => inputIds[k] as Int32Array)));
    const s = await perturbCells(
      model,
      control.map((k) => inputIds[k] as Int32Array),
      { ...p, perturbOptions, targetState: target, groups: control.map((k) => phase[tokens.cellIndex[k] as number] as string) },
    );
    for (const g of s.groups) shiftRows.push({ perturbed, ...g });
  }
  await model.dispose();
  await ctx.table({
    name: "embedding_benchmark",
    title: "Algorithm 1: mean embedding of perturbed cells vs in-silico perturbed controls (Geneformer-layout BERT, random weights)",
    rows,
    note: `The model is a 2-layer, 16-wide BERT with random weights in Hugging Face layout, reading the first 64 tokens of each cell (${dir}/: config.json, model.safetensors), loaded with \`loadGeneformer\` to show the harness; point \`loadGeneformer\` (or \`hyped embed --model\`) at a downloaded Geneformer folder for real numbers.`,
  });
  await ctx.table({
    name: "insilico_shift",
    title:
      "In-silico perturbation of control cells: cosine to the unperturbed cell, and shift towards the perturbed condition's mean embedding",
    rows: shiftRows,
    columns: ["perturbed", "group", "nCells", "meanCosine", "medianCosine", "meanShift", "medianShift"],
  });
}

/** 6. Prediction baselines scored per condition x phase (Table 3), leave-one-condition-out. */
async function baselinesStage(cells: AnnData, ctx: DemoContext): Promise<void> {
  const conditions = Object.keys(CONDITION_GENES);
  const models: Array<() => PerturbationModel> = [
    () => new NoChangeModel(),
    () => new MeanPerturbationModel(),
    () => new AdditiveModel(),
    () => new LinearModel({ lambda: 0.1 }),
  ];
  const rows: Record<string, unknown>[] = [];
  for (const make of models) {
    // leave-one-condition-out: each condition is predicted by a model trained on the others
    const preds = new Map<string, Float64Array>();
    let name = "";
    for (const c of conditions) {
      const train = conditions.filter((x) => x !== c);
      const data = trainingDataFromAnnData(cells, { conditionColumn: "assigned_condition", control: CONTROL, train });
      const renamed = { ...data, perturbations: new Map([...data.perturbations].map(([k, v]) => [CONDITION_GENES[k] as string, v])) };
      const m = make();
      name = m.name;
      try {
        await m.fit(renamed);
        preds.set(c, await m.predict(CONDITION_GENES[c] as string));
      } catch (e) {
        ctx.notes.push(`${m.name} could not predict ${c}: ${(e as Error).message}`);
      }
    }
    if (preds.size === 0) continue;
    const r = await evaluatePerturbation(cells, preds, {
      conditionColumn: "assigned_condition",
      control: CONTROL,
      conditions: [...preds.keys()],
      groupBy: "phase",
      topN: 20,
      model: name,
    });
    rows.push(...(r as unknown as Record<string, unknown>[]));
  }
  await ctx.table({
    name: "table3_perturbation",
    title: "Table 3: predicted vs observed mean profiles per condition x phase (leave-one-condition-out baselines)",
    rows,
    columns: ["model", "condition", "group", "nCells", "cosine", "mse", "mae", "pearson", "pearsonDelta", "directionFraction"],
  });
}

function median(a: number[]): number {
  if (a.length === 0) return Number.NaN;
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

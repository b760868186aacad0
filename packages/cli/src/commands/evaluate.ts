/**
 * `hyped evaluate`: score perturbation predictions (baselines and/or GEARS exports) against an `.h5ad`, per
 * condition × group (the paper's Table 3). Prints a table and writes CSV and JSON.
 */
import { writeFile } from "node:fs/promises";
import { HypedError, readLocalFile } from "@hyped/core";
import {
  AdditiveModel,
  AnnData,
  EVAL_COLUMNS,
  evaluatePerturbation,
  G2M_GENES,
  GearsPredictions,
  LinearModel,
  log1p,
  MeanPerturbationModel,
  NoChangeModel,
  normalizeTotal,
  type PerturbationEvalRow,
  type PerturbationModel,
  readH5ad,
  rowsToCsv,
  S_GENES,
  scoreGenesCellCycle,
  trainingDataFromAnnData,
} from "@hyped/seq";
import type { Command } from "commander";
import { jsonReplacer, printJson, progressBar, UsageError } from "../context.js";

/** Baselines by CLI name. */
const BASELINES: Record<string, (lambda: number) => PerturbationModel> = {
  "no-change": () => new NoChangeModel(),
  mean: () => new MeanPerturbationModel(),
  additive: () => new AdditiveModel(),
  linear: (lambda) => new LinearModel({ lambda }),
};

const TABLE_COLUMNS: Array<keyof PerturbationEvalRow> = [
  "model",
  "condition",
  "group",
  "nCells",
  "cosine",
  "mse",
  "mae",
  "pearson",
  "pearsonDelta",
  "directionFraction",
  "overlapAtN",
  "discrimination",
];

/** Render rows as an aligned text table (numbers with 4 significant decimals, NaN as "nan"). */
export function formatTable(rows: PerturbationEvalRow[], columns = TABLE_COLUMNS): string {
  const cell = (v: unknown) =>
    typeof v === "number" ? (Number.isInteger(v) ? String(v) : Number.isNaN(v) ? "nan" : v.toFixed(4)) : String(v);
  const body = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, k) => Math.max(c.length, ...body.map((b) => (b[k] as string).length)));
  const line = (cells: string[]) =>
    cells.map((s, k) => (k < 3 ? s.padEnd(widths[k] as number) : s.padStart(widths[k] as number))).join("  ");
  return [line(columns as string[]), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

const list = (s: string | undefined) =>
  s
    ?.split(",")
    .map((x) => x.trim())
    .filter(Boolean);

interface EvaluateOpts {
  conditionColumn: string;
  control: string;
  groupBy?: string;
  models: string;
  gears?: string[];
  train?: string;
  conditions?: string;
  topN: string;
  de?: string;
  lambda: string;
  layer?: string;
  csv?: string;
  out?: string;
  json?: boolean;
  scorePhases?: boolean;
  sGenes?: string;
  g2mGenes?: string;
}

/**
 * Write obs `phase`, `S_score` and `G2M_score` with scanpy's `score_genes_cell_cycle` (`scoreGenesCellCycle`).
 * Scores log-normalised data: X (or the layer) as is when `uns.log1p` says it is logged, else
 * normalize_total(1e4) + log1p of it, on a copy.
 */
export function scorePhases(adata: AnnData, options: { layer?: string; sGenes?: string[]; g2mGenes?: string[] } = {}): void {
  const X = options.layer === undefined ? adata.X : adata.layers.get(options.layer);
  if (!X) throw new HypedError("NOT_FOUND", options.layer ? `no layer '${options.layer}'` : "the .h5ad has no X", {});
  const work = new AnnData({ X, var: adata.var, uns: adata.uns.log1p ? { log1p: adata.uns.log1p } : {} });
  if (!adata.uns.log1p) log1p(normalizeTotal(work, { targetSum: 1e4 }));
  const r = scoreGenesCellCycle(work, { sGenes: options.sGenes ?? [...S_GENES], g2mGenes: options.g2mGenes ?? [...G2M_GENES] });
  adata.obs.set("S_score", { kind: "numeric", values: r.sScore });
  adata.obs.set("G2M_score", { kind: "numeric", values: r.g2mScore });
  adata.obs.set("phase", { kind: "string", values: r.phase.slice() });
}

export function evaluateCommand(program: Command): void {
  program
    .command("evaluate")
    .description("score perturbation predictions against an .h5ad per condition × group (Table 3): table, CSV and JSON")
    .argument("<h5ad>", "observed cells (.h5ad) with a condition column")
    .option("--condition-column <name>", "obs column with each cell's condition", "assigned_condition")
    .option("--control <value>", "control condition", "control")
    .option("--group-by <name>", "obs column to split by, e.g. phase (adds an 'all' row)")
    .option("--models <list>", `baselines to run: ${Object.keys(BASELINES).join(",")} (or 'none')`, "no-change,mean,additive,linear")
    .option("--gears <file...>", "GEARS predictions exported as .csv (wide/long) or .h5ad (one obs row per condition)")
    .option("--train <list>", "training conditions for the baselines (default: every condition but the control)")
    .option("--conditions <list>", "conditions to score (default: every condition but the control, Doublet, Negative)")
    .option("--top-n <n>", "number of top DE genes", "20")
    .option("--de <method>", "rank DE genes with rank_genes_groups (t-test, t-test_overestim_var, wilcoxon) instead of |mean difference|")
    .option("--lambda <x>", "ridge penalty of the linear model", "0.1")
    .option("--layer <name>", "read expression from this layer instead of X")
    .option("--csv <file>", "write all rows as CSV")
    .option("--out <file>", "write all rows as JSON")
    .option("--json", "print JSON rows instead of the table")
    .option(
      "--score-phases",
      "recompute obs.phase with scanpy's score_genes_cell_cycle (done anyway for --group-by phase when obs has no phase)",
    )
    .option("--s-genes <list>", "S-phase genes for the phase scores (default: the built-in Tirosh et al. subset)")
    .option("--g2m-genes <list>", "G2/M genes for the phase scores (default: the built-in Tirosh et al. subset)")
    .action(async (file: string, opts: EvaluateOpts) => {
      const topN = Number(opts.topN);
      const lambda = Number(opts.lambda);
      if (!Number.isInteger(topN) || topN < 1) throw new UsageError(`--top-n must be a positive integer, got '${opts.topN}'`);
      if (opts.de && !["t-test", "t-test_overestim_var", "wilcoxon"].includes(opts.de))
        throw new UsageError(`unknown --de method '${opts.de}'`);
      if (!(lambda >= 0)) throw new UsageError(`--lambda must be ≥ 0, got '${opts.lambda}'`);
      const names = opts.models === "none" ? [] : (list(opts.models) ?? []);
      for (const n of names)
        if (!BASELINES[n]) throw new UsageError(`unknown model '${n}' (use ${Object.keys(BASELINES).join(", ")} or none)`);
      if (!names.length && !opts.gears?.length) throw new UsageError("nothing to evaluate: give --models and/or --gears");

      const adata = await readH5ad(file);
      if (opts.scorePhases || (opts.groupBy === "phase" && !adata.obs.has("phase"))) {
        if (!opts.scorePhases) process.stderr.write("hyped: obs has no 'phase'; scoring phases with score_genes_cell_cycle\n");
        scorePhases(adata, { layer: opts.layer, sGenes: list(opts.sGenes), g2mGenes: list(opts.g2mGenes) });
      }
      const conditions = list(opts.conditions);
      const train = list(opts.train);
      const data = trainingDataFromAnnData(adata, {
        conditionColumn: opts.conditionColumn,
        control: opts.control,
        train,
        layer: opts.layer,
      });
      const models: PerturbationModel[] = names.map((n) => (BASELINES[n] as (l: number) => PerturbationModel)(lambda));
      for (const g of opts.gears ?? []) {
        const label = `gears:${g.split("/").pop()}`;
        if (/\.h5ad$/i.test(g)) models.push(GearsPredictions.fromAnnData(await readH5ad(g), { name: label }));
        else models.push(GearsPredictions.fromCsv(new TextDecoder().decode(await readLocalFile(g)), { name: label }));
      }
      const rows: PerturbationEvalRow[] = [];
      const bar = progressBar("evaluate", !opts.json && process.stderr.isTTY === true);
      try {
        for (const m of models) {
          await m.fit(data);
          const wanted =
            conditions ??
            [...new Set(adata.obs.get(opts.conditionColumn).values().map(String))].filter(
              (c) => c !== opts.control && c !== "Doublet" && c !== "Negative" && c !== "null",
            );
          const ok: string[] = [];
          for (const c of wanted) {
            try {
              await m.predict(c);
              ok.push(c);
            } catch (e) {
              if (e instanceof HypedError && e.code === "NOT_FOUND")
                process.stderr.write(`hyped: ${m.name} cannot predict '${c}': ${e.message}\n`);
              else throw e;
            }
          }
          if (!ok.length) continue;
          rows.push(
            ...(await evaluatePerturbation(adata, m, {
              conditionColumn: opts.conditionColumn,
              control: opts.control,
              conditions: ok,
              groupBy: opts.groupBy ?? null,
              topN,
              deMethod: opts.de as never,
              layer: opts.layer,
              onProgress: bar.onProgress,
            })),
          );
        }
      } finally {
        bar.stop();
      }
      if (opts.csv) await writeFile(opts.csv, rowsToCsv(rows, EVAL_COLUMNS));
      if (opts.out) await writeFile(opts.out, `${JSON.stringify(rows, jsonReplacer, 2)}\n`);
      if (opts.json) printJson(rows);
      else process.stdout.write(`${formatTable(rows)}\n`);
    });
}

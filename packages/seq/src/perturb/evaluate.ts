/**
 * `evaluatePerturbation`: score predicted mean profiles against the experiment, one tidy row per condition ×
 * group (e.g. cell-cycle phase, as the paper's Table 3).
 */
import { HypedError, type LongTaskOptions, progressReporter, throwIfAborted } from "@hyped/core";
import { cosineSimilarity, mae, mse, pearson } from "@hyped/metrics";
import type { AnnData, Matrix } from "../anndata/index.js";
import { type RankGenesMethod, rankGenesGroupsMatrix } from "../de/index.js";
import { expressionMatrix } from "../preprocess/matrix.js";
import type { ConditionSyntax, PerturbationModel } from "./baselines.js";
import { discriminationExcludes, discriminationScores, eDistance, overlapAtN, topAbs } from "./distances.js";
import { denseRows, groupCells, meanProfile, obsLabels as obsLabelsOf } from "./profiles.js";

/** Where predictions come from: a fitted model, a map condition → profile, or a function of (condition, group). */
export type PredictionSource =
  | PerturbationModel
  | Map<string, Float64Array>
  | Record<string, Float64Array>
  | ((condition: string, group: string) => Float64Array | Promise<Float64Array>);

/** Options of {@link evaluatePerturbation}. */
export interface EvaluatePerturbationOptions extends LongTaskOptions, ConditionSyntax {
  /** obs column holding each cell's condition (e.g. `assigned_condition`). Required. */
  conditionColumn: string;
  /** The control condition's value. Required. */
  control: string;
  /** Conditions to score. Default: every value of `conditionColumn` but the control, `Doublet` and `Negative`. */
  conditions?: string[];
  /** obs column splitting cells into groups (e.g. `phase`); `null` (default) scores all cells together. */
  groupBy?: string | null;
  /** Also add a row over all cells (group `"all"`) when `groupBy` is set. Default true. */
  includeAll?: boolean;
  /** Number of top DE genes. Default 20 (GEARS; the paper used 500 for GEARS). */
  topN?: number;
  /**
   * Ranked DE genes per condition (e.g. from `rankGenesGroups` against the control); the first `topN` are used.
   * Default: genes ranked by |mean(condition) − mean(control)| over all cells of the condition.
   */
  deGenes?: Record<string, string[]> | Map<string, string[]>;
  /**
   * When `deGenes` is not given: rank DE genes with scanpy's `rank_genes_groups` (`rankGenesGroups`, this method,
   * `reference` = the control, `rankby_abs=True`, as GEARS does). Default: rank by |mean difference|.
   */
  deMethod?: RankGenesMethod;
  /** Read expression from this layer instead of `X`. */
  layer?: string;
  /**
   * Cell-level predictions (cells × genes, same gene order), per condition or per `condition|group`; when present the
   * E-distance between predicted and observed cells is reported.
   */
  cellPredictions?: Map<string, Matrix>;
  /** E-distance metric. Default `"sqeuclidean"` (scPerturb). */
  eDistanceMetric?: "sqeuclidean" | "euclidean";
  /** Model name written in each row. Default the model's `name`, else `"prediction"`. */
  model?: string;
}

/** One evaluation row (tidy): a condition in a group. Metrics are NaN where undefined. */
export interface PerturbationEvalRow {
  model: string;
  condition: string;
  group: string;
  nCells: number;
  nControl: number;
  /** On mean profiles over all genes: predicted vs observed. */
  cosine: number;
  mse: number;
  mae: number;
  pearson: number;
  /** The same over the top-N DE genes. */
  cosineDe: number;
  mseDe: number;
  maeDe: number;
  pearsonDe: number;
  /** GEARS `pearson_delta`: Pearson of (pred − control) vs (observed − control), all genes. */
  pearsonDelta: number;
  /** GEARS `pearson_delta_de`: the same over the top-N DE genes. */
  pearsonDeltaDe: number;
  /** Fraction of top-N DE genes whose predicted change has the observed sign (GEARS `frac_correct_direction`). */
  directionFraction: number;
  /**
   * cell-eval `overlap_at_N` with N = topN: the real top-N DE genes (the given `deGenes`, else the top |observed −
   * control| of this group) found among the top-N |predicted − control|.
   */
  overlapAtN: number;
  /** cell-eval perturbation discrimination score among the conditions of this group. */
  discrimination: number;
  /** scPerturb E-distance between predicted and observed cells (NaN without cell-level predictions). */
  eDistance: number;
}

/** Column order of {@link PerturbationEvalRow}. */
export const EVAL_COLUMNS: Array<keyof PerturbationEvalRow> = [
  "model",
  "condition",
  "group",
  "nCells",
  "nControl",
  "cosine",
  "mse",
  "mae",
  "pearson",
  "cosineDe",
  "mseDe",
  "maeDe",
  "pearsonDe",
  "pearsonDelta",
  "pearsonDeltaDe",
  "directionFraction",
  "overlapAtN",
  "discrimination",
  "eDistance",
];

function isModel(p: PredictionSource): p is PerturbationModel {
  return typeof p === "object" && !(p instanceof Map) && typeof (p as PerturbationModel).predict === "function";
}

const pick = (v: Float64Array, idx: Int32Array) => Float64Array.from(idx, (i) => v[i] as number);
const safe = (f: () => number) => {
  try {
    return f();
  } catch {
    return Number.NaN;
  }
};

/**
 * Score predictions against the experiment, per condition and group. For each (condition, group): the observed mean
 * of the condition's cells in the group, the control mean of the control cells in the same group (all control cells
 * when the group has none), and the prediction (looked up as `condition|group`, then `condition`). Metrics come
 * from `@hyped/metrics` (scipy/scikit-learn semantics; NaN where undefined, e.g. Pearson of a constant vector).
 */
export async function evaluatePerturbation(
  adata: AnnData,
  predictions: PredictionSource,
  options: EvaluatePerturbationOptions,
): Promise<PerturbationEvalRow[]> {
  const { conditionColumn, control, groupBy = null, includeAll = true, layer, signal, onProgress } = options;
  const m = expressionMatrix(adata, layer);
  const nGenes = adata.nVars;
  const byCond = groupCells(adata, conditionColumn);
  const ctrlAll = byCond.get(control);
  if (!ctrlAll) throw new HypedError("NOT_FOUND", `no control cells (${conditionColumn} = '${control}')`, { control });
  const conditions = options.conditions ?? [...byCond.keys()].filter((c) => c !== control && c !== "Doublet" && c !== "Negative");
  for (const c of conditions)
    if (!byCond.has(c)) throw new HypedError("NOT_FOUND", `no cells with ${conditionColumn} = '${c}'`, { condition: c });
  const modelName = options.model ?? (isModel(predictions) ? predictions.name : "prediction");

  const predict = predictionLookup(predictions, nGenes);

  const { deIdx, givenDe } = deGenesOf(adata, m, options, conditions, byCond, ctrlAll.rows);

  const groups = evalGroups(adata, groupBy, includeAll);
  const rows: PerturbationEvalRow[] = [];
  const rep = progressReporter(onProgress, "rows", groups.length * conditions.length, "evaluate");
  for (const grp of groups) {
    const inGroup = grp.rows ? new Set(grp.rows) : null;
    const filt = (r: Int32Array) => (inGroup ? r.filter((i) => inGroup.has(i)) : r);
    let ctrlRows = filt(ctrlAll.rows);
    if (ctrlRows.length === 0) ctrlRows = ctrlAll.rows;
    const ctrl = meanProfile(m, ctrlRows);
    const entries: Array<{ cond: string; obs: Float64Array; pred: Float64Array; n: number; obsRows: Int32Array }> = [];
    for (const c of conditions) {
      throwIfAborted(signal, "evaluatePerturbation");
      const obsRows = filt((byCond.get(c) as { rows: Int32Array }).rows);
      if (obsRows.length === 0) continue;
      entries.push({ cond: c, obs: meanProfile(m, obsRows), pred: await predict(c, grp.name), n: obsRows.length, obsRows });
    }
    const delta = (v: Float64Array) => Float64Array.from(v, (x, j) => x - (ctrl[j] as number));
    const disc = discriminationScores(
      entries.map((e) => delta(e.obs)),
      entries.map((e) => delta(e.pred)),
      discriminationExcludes(
        entries.map((e) => e.cond),
        adata.varNames,
      ),
    );
    entries.forEach((e, k) => {
      const de = deIdx.get(e.cond) as Int32Array;
      rows.push(
        scoreEntry(
          e,
          { m, ctrl, nControl: ctrlRows.length, group: grp.name, de, givenDe: givenDe.has(e.cond), disc: disc[k] as number },
          modelName,
          options,
        ),
      );
      rep.tick();
    });
  }
  rep.finish();
  return rows;
}

type Predict = (cond: string, group: string) => Promise<Float64Array>;

/** The prediction of (`condition`, `group`) from any {@link PredictionSource}, checked for its length. */
function predictionLookup(predictions: PredictionSource, nGenes: number): Predict {
  return async (cond: string, group: string): Promise<Float64Array> => {
    let p: Float64Array | undefined;
    if (typeof predictions === "function") p = await predictions(cond, group);
    else if (isModel(predictions)) p = await predictions.predict(cond);
    else {
      const get = (k: string) =>
        predictions instanceof Map ? predictions.get(k) : Object.hasOwn(predictions, k) ? predictions[k] : undefined;
      p = get(`${cond}|${group}`) ?? get(cond);
    }
    if (!p) throw new HypedError("NOT_FOUND", `no prediction for condition '${cond}'`, { condition: cond });
    if (p.length !== nGenes)
      throw new HypedError("SHAPE_MISMATCH", `prediction for '${cond}' has ${p.length} genes, the data ${nGenes}`, { condition: cond });
    return p;
  };
}

/** Condition-level DE genes: given (`deGenes`), ranked (`deMethod`), or the top |mean − control mean|. */
function deGenesOf(
  adata: AnnData,
  m: Matrix,
  options: EvaluatePerturbationOptions,
  conditions: string[],
  byCond: Map<string, { rows: Int32Array }>,
  ctrlRows: Int32Array,
): { deIdx: Map<string, Int32Array>; givenDe: Set<string> } {
  const { conditionColumn, control, topN = 20, layer } = options;
  const geneIndex = new Map(adata.varNames.map((g, i) => [g, i]));
  const ctrlMeanAll = meanProfile(m, ctrlRows);
  const deIdx = new Map<string, Int32Array>();
  const givenDe = new Set<string>();
  let ranked: Record<string, string[]> | null = null;
  if (options.deMethod && !options.deGenes) {
    ranked = rankGenesGroupsMatrix(m, obsLabelsOf(adata, conditionColumn), adata.varNames, {
      method: options.deMethod,
      reference: control,
      groups: conditions,
      nGenes: topN,
      rankbyAbs: true,
      layer,
    }).names;
  }
  for (const c of conditions) {
    const given = options.deGenes instanceof Map ? options.deGenes.get(c) : (options.deGenes?.[c] ?? ranked?.[c]);
    if (given) {
      const idx = given.slice(0, topN).map((g) => {
        const i = geneIndex.get(g);
        if (i === undefined) throw new HypedError("NOT_FOUND", `DE gene '${g}' of '${c}' is not in var`, { gene: g });
        return i;
      });
      deIdx.set(c, Int32Array.from(idx));
      givenDe.add(c);
    } else {
      const mc = meanProfile(m, (byCond.get(c) as { rows: Int32Array }).rows);
      deIdx.set(
        c,
        topAbs(
          Float64Array.from(mc, (v, j) => v - (ctrlMeanAll[j] as number)),
          topN,
        ),
      );
    }
  }

  return { deIdx, givenDe };
}

/** The groups rows are scored in: each `groupBy` value (plus `all` when `includeAll`), or `all` alone. */
function evalGroups(
  adata: AnnData,
  groupBy: string | string[] | null,
  includeAll: boolean,
): Array<{ name: string; rows: Int32Array | null }> {
  const groups: Array<{ name: string; rows: Int32Array | null }> = [];
  if (groupBy) {
    for (const [name, g] of groupCells(adata, groupBy)) groups.push({ name, rows: g.rows });
    if (includeAll) groups.push({ name: "all", rows: null });
  } else groups.push({ name: "all", rows: null });

  return groups;
}

/** What {@link scoreEntry} needs of its group besides the entry. */
interface GroupScoring {
  m: Matrix;
  ctrl: Float64Array;
  nControl: number;
  group: string;
  de: Int32Array;
  givenDe: boolean;
  disc: number;
}

/** One result row: the metrics of one condition's prediction in one group. */
function scoreEntry(
  e: { cond: string; obs: Float64Array; pred: Float64Array; n: number; obsRows: Int32Array },
  g: GroupScoring,
  modelName: string,
  options: EvaluatePerturbationOptions,
): PerturbationEvalRow {
  const { m, ctrl, de } = g;
  const topN = options.topN ?? 20;
  const nGenes = ctrl.length;
  const delta = (v: Float64Array) => Float64Array.from(v, (x, j) => x - (ctrl[j] as number));
  const dObs = delta(e.obs);
  const dPred = delta(e.pred);
  let same = 0;
  for (const j of de) if (Math.sign(dObs[j] as number) === Math.sign(dPred[j] as number)) same++;
  let ed = Number.NaN;
  const cp = options.cellPredictions?.get(`${e.cond}|${g.group}`) ?? options.cellPredictions?.get(e.cond);
  if (cp) {
    const nPred = "format" in cp ? cp.shape[0] : (cp.shape[0] as number);
    const predCells = denseRows(
      cp,
      Int32Array.from({ length: nPred }, (_, i) => i),
    );
    ed = eDistance(predCells, nPred, denseRows(m, e.obsRows), e.obsRows.length, nGenes, { metric: options.eDistanceMetric });
  }
  return {
    model: modelName,
    condition: e.cond,
    group: g.group,
    nCells: e.n,
    nControl: g.nControl,
    cosine: safe(() => cosineSimilarity(e.pred, e.obs)),
    mse: safe(() => mse(e.obs, e.pred)),
    mae: safe(() => mae(e.obs, e.pred)),
    pearson: safe(() => pearson(e.pred, e.obs)),
    cosineDe: safe(() => cosineSimilarity(pick(e.pred, de), pick(e.obs, de))),
    mseDe: safe(() => mse(pick(e.obs, de), pick(e.pred, de))),
    maeDe: safe(() => mae(pick(e.obs, de), pick(e.pred, de))),
    pearsonDe: safe(() => pearson(pick(e.pred, de), pick(e.obs, de))),
    pearsonDelta: safe(() => pearson(dPred, dObs)),
    pearsonDeltaDe: safe(() => pearson(pick(dPred, de), pick(dObs, de))),
    directionFraction: de.length ? same / de.length : Number.NaN,
    overlapAtN: overlapAtN(g.givenDe ? de : topAbs(dObs, topN), topAbs(dPred, g.givenDe ? de.length : topN)),
    discrimination: g.disc,
    eDistance: ed,
  };
}

/** Format tidy rows as CSV (header from the keys of the first row, or `columns`); numbers with full precision, NaN as empty. */
export function rowsToCsv<T extends object>(rows: T[], columns?: Array<keyof T & string>): string {
  const cols = columns ?? (rows.length ? (Object.keys(rows[0] as object) as Array<keyof T & string>) : []);
  const cell = (v: unknown) => {
    if (typeof v === "number") return Number.isNaN(v) ? "" : String(v);
    const s = String(v ?? "");
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[cols.join(","), ...rows.map((r) => cols.map((c) => cell((r as Record<string, unknown>)[c])).join(","))].join("\n")}\n`;
}

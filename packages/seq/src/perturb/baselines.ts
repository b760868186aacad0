/**
 * Perturbation-prediction baselines behind one {@link PerturbationModel} interface: train on some conditions'
 * mean profiles, predict a mean profile for a condition.
 */
import { HypedError } from "@hyped/core";
import { EigenvalueDecomposition, inverse, Matrix as MlMatrix } from "ml-matrix";
import type { AnnData } from "../anndata/index.js";
import { groupMeans, obsLabels } from "./profiles.js";

/** Training data: gene order, the control mean and the mean profile of each training condition. */
export interface PerturbationTrainingData {
  /** Gene (var) names, the order of every profile. */
  genes: string[];
  /** Mean profile of the control cells. */
  control: Float64Array;
  /** Condition name → mean profile of its cells. */
  perturbations: Map<string, Float64Array>;
}

/** A model that predicts the mean expression profile of a perturbation condition. */
export interface PerturbationModel {
  /** Short name used in result tables. */
  readonly name: string;
  /** Learn from training conditions. */
  fit(data: PerturbationTrainingData): void | Promise<void>;
  /** Predicted mean profile (same gene order as training) for `condition`. */
  predict(condition: string): Float64Array | Promise<Float64Array>;
}

/** Options of {@link splitCondition}. */
export interface ConditionSyntax {
  /** Separator of a combination. Default `"+"` (GEARS writes `A+B`, and `A+ctrl` for a single). */
  separator?: string | RegExp;
  /** Names that mean "no perturbation" inside a combination. Default `["ctrl", "control"]`. */
  controlNames?: string[];
}

/** The perturbed genes of a condition name: `"MYOD1+PRRX1"` → `["MYOD1", "PRRX1"]`; `"PRRX1+ctrl"` → `["PRRX1"]`. */
export function splitCondition(condition: string, { separator = "+", controlNames = ["ctrl", "control"] }: ConditionSyntax = {}): string[] {
  return condition
    .split(separator)
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !controlNames.includes(s));
}

/**
 * Build training data from an AnnData: mean profiles per value of `conditionColumn`. `train` names the training
 * conditions (default: all but the control).
 */
export function trainingDataFromAnnData(
  adata: AnnData,
  { conditionColumn, control, train, layer }: { conditionColumn: string; control: string; train?: string[]; layer?: string },
): PerturbationTrainingData {
  const means = groupMeans(adata, conditionColumn, { layer });
  const ctrl = means.get(control);
  if (!ctrl) throw new HypedError("NOT_FOUND", `no cells with ${conditionColumn} = '${control}'`, { control });
  const names = train ?? [...new Set(obsLabels(adata, conditionColumn))].filter((c): c is string => c !== null && c !== control);
  const perturbations = new Map<string, Float64Array>();
  for (const c of names) {
    const g = means.get(c);
    if (!g) throw new HypedError("NOT_FOUND", `no cells with ${conditionColumn} = '${c}'`, { condition: c });
    perturbations.set(c, g.mean);
  }
  return { genes: adata.varNames, control: ctrl.mean, perturbations };
}

function need<T>(v: T | null, name: string): T {
  if (v === null) throw new HypedError("INVALID_ARGUMENT", `${name}: call fit() before predict()`, {});
  return v;
}

/** No change: every condition is predicted as the control mean. */
export class NoChangeModel implements PerturbationModel {
  readonly name = "no-change";
  private control: Float64Array | null = null;
  fit(data: PerturbationTrainingData): void {
    this.control = data.control;
  }
  predict(_condition: string): Float64Array {
    return Float64Array.from(need(this.control, this.name));
  }
}

/** Mean of the training perturbations: every condition is predicted as the average of the training conditions' means. */
export class MeanPerturbationModel implements PerturbationModel {
  readonly name = "mean-perturbation";
  private mean: Float64Array | null = null;
  fit(data: PerturbationTrainingData): void {
    if (data.perturbations.size === 0)
      throw new HypedError("INVALID_ARGUMENT", "mean-perturbation needs at least one training condition", {});
    const out = new Float64Array(data.control.length);
    for (const p of data.perturbations.values()) for (let j = 0; j < out.length; j++) out[j] = (out[j] as number) + (p[j] as number);
    for (let j = 0; j < out.length; j++) out[j] = (out[j] as number) / data.perturbations.size;
    this.mean = out;
  }
  predict(_condition: string): Float64Array {
    return Float64Array.from(need(this.mean, this.name));
  }
}

/**
 * Additive: for a combination A+B+…, `c + Σ_g (ȳ_g − c)` with c the control mean and ȳ_g the training mean of the
 * single perturbation g (the additive baseline of Ahlmann-Eltze, Huber & Anders 2025). A single perturbation seen
 * in training is its own mean; a component without a training single is `NOT_FOUND`.
 */
export class AdditiveModel implements PerturbationModel {
  readonly name = "additive";
  private data: PerturbationTrainingData | null = null;
  private singles = new Map<string, Float64Array>();
  constructor(private readonly syntax: ConditionSyntax = {}) {}
  fit(data: PerturbationTrainingData): void {
    this.data = data;
    this.singles.clear();
    for (const [c, p] of data.perturbations) {
      const g = splitCondition(c, this.syntax);
      if (g.length === 1) this.singles.set(g[0] as string, p);
    }
  }
  predict(condition: string): Float64Array {
    const d = need(this.data, this.name);
    const out = Float64Array.from(d.control);
    for (const g of splitCondition(condition, this.syntax)) {
      const s = this.singles.get(g);
      if (!s)
        throw new HypedError("NOT_FOUND", `additive: no training single perturbation for '${g}' (in '${condition}')`, {
          gene: g,
          condition,
        });
      for (let j = 0; j < out.length; j++) out[j] = (out[j] as number) + (s[j] as number) - (d.control[j] as number);
    }
    return out;
  }
}

/** Options of {@link LinearModel}. */
export interface LinearModelOptions extends ConditionSyntax {
  /** Ridge penalty λ. Default 0.1 (the paper's value). */
  lambda?: number;
  /** Embedding dimension K (number of principal components of the training matrix). Default 10, capped by the number of training conditions. */
  nComponents?: number;
  /**
   * Gene embedding G (genes × K, row-major, in training gene order) to use instead of the PCA of the training
   * data (the paper also tries embeddings from foundation models).
   */
  geneEmbedding?: { data: Float64Array; k: number };
}

/**
 * The linear baseline of Ahlmann-Eltze, Huber & Anders (2025, "Deep-learning-based gene perturbation effect
 * prediction does not yet outperform simple linear baselines", Nature Methods):
 *
 * `Y_train ≈ G W Pᵀ + b`, with Y_train the genes × conditions matrix of training means, b its row means, G the
 * genes × K embedding from the top-K principal components of Y_train (genes as observations), P the conditions × K
 * perturbation embedding (the rows of G of each condition's perturbed genes, summed for combinations), and
 * `W = (GᵀG + λI)⁻¹ Gᵀ (Y_train − b) P (PᵀP + λI)⁻¹`. A prediction is `G W pᵀ + b`.
 * A perturbed gene missing from the genes is `NOT_FOUND`. PCA signs are fixed so the largest-|loading| entry is positive.
 */
export class LinearModel implements PerturbationModel {
  readonly name = "linear";
  private G: MlMatrix | null = null;
  private W: MlMatrix | null = null;
  private b: Float64Array | null = null;
  private geneIndex = new Map<string, number>();
  constructor(private readonly options: LinearModelOptions = {}) {}

  fit(data: PerturbationTrainingData): void {
    const { lambda = 0.1 } = this.options;
    const conds = [...data.perturbations.keys()];
    const nG = data.genes.length;
    const M = conds.length;
    if (M === 0) throw new HypedError("INVALID_ARGUMENT", "linear model needs at least one training condition", {});
    this.geneIndex = new Map(data.genes.map((g, i) => [g, i]));
    const Y = new MlMatrix(nG, M);
    const b = new Float64Array(nG);
    conds.forEach((c, m) => {
      const p = data.perturbations.get(c) as Float64Array;
      for (let i = 0; i < nG; i++) Y.set(i, m, p[i] as number);
    });
    for (let i = 0; i < nG; i++) {
      let s = 0;
      for (let m = 0; m < M; m++) s += Y.get(i, m);
      b[i] = s / M;
    }
    const Yc = new MlMatrix(nG, M);
    for (let i = 0; i < nG; i++) for (let m = 0; m < M; m++) Yc.set(i, m, Y.get(i, m) - (b[i] as number));
    let G: MlMatrix;
    if (this.options.geneEmbedding) {
      const { data: e, k } = this.options.geneEmbedding;
      if (e.length !== nG * k) throw new HypedError("SHAPE_MISMATCH", `geneEmbedding has ${e.length} values, expected ${nG}×${k}`, {});
      G = new MlMatrix(nG, k);
      for (let i = 0; i < nG; i++) for (let j = 0; j < k; j++) G.set(i, j, e[i * k + j] as number);
    } else G = pcaScores(Y, Math.min(this.options.nComponents ?? 10, M));
    const K = G.columns;
    const P = new MlMatrix(M, K);
    conds.forEach((c, m) => {
      const row = this.embed(c, G);
      for (let k = 0; k < K; k++) P.set(m, k, row[k] as number);
    });
    const I = MlMatrix.eye(K, K).mul(lambda);
    const left = inverse(G.transpose().mmul(G).add(I)).mmul(G.transpose());
    const right = P.mmul(inverse(P.transpose().mmul(P).add(I)));
    this.W = left.mmul(Yc).mmul(right);
    this.G = G;
    this.b = b;
  }

  private embed(condition: string, G: MlMatrix): Float64Array {
    const row = new Float64Array(G.columns);
    for (const g of splitCondition(condition, this.options)) {
      const i = this.geneIndex.get(g);
      if (i === undefined)
        throw new HypedError("NOT_FOUND", `linear model: perturbed gene '${g}' is not among the genes`, { gene: g, condition });
      for (let k = 0; k < G.columns; k++) row[k] = (row[k] as number) + G.get(i, k);
    }
    return row;
  }

  predict(condition: string): Float64Array {
    const G = need(this.G, this.name);
    const W = this.W as MlMatrix;
    const b = this.b as Float64Array;
    const p = MlMatrix.columnVector(Array.from(this.embed(condition, G)));
    const y = G.mmul(W.mmul(p));
    return Float64Array.from({ length: b.length }, (_, i) => y.get(i, 0) + (b[i] as number));
  }
}

/**
 * Top-K principal-component scores of the rows of Y (rows = observations): eigenvectors of the M × M covariance of
 * the column-centred Y, scores = Yc V. Deterministic signs (largest-|loading| entry positive).
 */
function pcaScores(Y: MlMatrix, K: number): MlMatrix {
  const n = Y.rows;
  const M = Y.columns;
  const Yc = Y.clone();
  for (let m = 0; m < M; m++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Yc.get(i, m);
    const mean = s / n;
    for (let i = 0; i < n; i++) Yc.set(i, m, Yc.get(i, m) - mean);
  }
  const C = Yc.transpose().mmul(Yc);
  const evd = new EigenvalueDecomposition(C, { assumeSymmetric: true });
  const vals = evd.realEigenvalues;
  const V = evd.eigenvectorMatrix;
  const order = vals.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]);
  const k = Math.max(1, Math.min(K, M));
  const Vk = new MlMatrix(M, k);
  for (let c = 0; c < k; c++) {
    const src = (order[c] as readonly [number, number])[1];
    let big = 0;
    for (let m = 0; m < M; m++) if (Math.abs(V.get(m, src)) > Math.abs(big)) big = V.get(m, src);
    const sign = big < 0 ? -1 : 1;
    for (let m = 0; m < M; m++) Vk.set(m, c, sign * V.get(m, src));
  }
  return Yc.mmul(Vk);
}

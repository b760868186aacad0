/**
 * In-silico perturbation with a loaded Geneformer, as Geneformer's `InSilicoPerturber` does it for cell
 * embeddings (`emb_mode="cell"`), plus the shift towards a target state (`cell_states_to_model`; the paper's
 * Algorithm 1 takes the mean embedding of the experimentally perturbed cells as the target).
 */
import { HypedError } from "@hyped/core";
import { geneToken } from "../dictionaries.js";
import { type PerturbTokensOptions, perturbEncodings } from "../perturb.js";
import { defaultModelInputSize } from "../tokenize.js";
import type { CellEmbeddings, EmbedCellsOptions, GeneformerModel } from "./model.js";

/** Options of {@link perturbCells}. */
export interface PerturbCellsOptions extends EmbedCellsOptions {
  /** Genes moved to the front of each cell (tokens, Ensembl IDs or symbols; see {@link PerturbTokensOptions}). */
  overexpress?: Array<number | string>;
  /** Genes removed from each cell. Applied before `overexpress`. */
  delete?: Array<number | string>;
  /** Version, dictionaries and `modelInputSize` (default: the model's `max_position_embeddings`). */
  perturbOptions?: PerturbTokensOptions;
  /** One group label per cell (e.g. the cell-cycle phase), for {@link PerturbCellsResult.groups}. Default: one group "all". */
  groups?: ArrayLike<string>;
  /** Target state embedding (length `hidden`): per cell, report how much the perturbation moved it towards this. */
  targetState?: ArrayLike<number>;
}

/** Per-group summary of {@link perturbCells}. */
export interface PerturbGroupRow {
  group: string;
  nCells: number;
  /** Mean and median over cells of cos(perturbed, original): 1 = no change. */
  meanCosine: number;
  medianCosine: number;
  /** Mean and median over cells of the shift towards the target state (NaN without a target). */
  meanShift: number;
  medianShift: number;
}

/** What {@link perturbCells} returns. Rows are in input order. */
export interface PerturbCellsResult {
  /** Embeddings of the unperturbed cells (for overexpression, truncated as InSilicoPerturber truncates them). */
  original: CellEmbeddings;
  /** Embeddings of the perturbed cells. */
  perturbed: CellEmbeddings;
  /** Per cell: cosine similarity between the perturbed and the original embedding. */
  cosine: Float64Array;
  /** Per cell: cos(perturbed, target) − cos(original, target), Geneformer's `cos_sim_shift`; null without `targetState`. */
  shift: Float64Array | null;
  /** Summary per group label (sorted), then `"all"`. */
  groups: PerturbGroupRow[];
}

/** Cosine similarity of two vectors (float64). NaN when either has zero norm. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>, ao = 0, bo = 0, n = a.length): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[ao + i] as number;
    const y = b[bo + i] as number;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : Number.NaN;
}

/** The mean embedding of `rows` (default all) of an embedding matrix, in float64. */
export function meanEmbedding(e: CellEmbeddings, rows?: ArrayLike<number>): Float64Array {
  const [n, H] = e.shape;
  const idx = rows ?? Array.from({ length: n }, (_, i) => i);
  if (!idx.length) throw new HypedError("INVALID_ARGUMENT", "the mean of no cells", {});
  const m = new Float64Array(H);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k] as number;
    if (!(i >= 0 && i < n)) throw new HypedError("OUT_OF_RANGE", `row ${i} outside 0…${n - 1}`, { row: i });
    for (let h = 0; h < H; h++) m[h] = (m[h] as number) + (e.data[i * H + h] as number);
  }
  for (let h = 0; h < H; h++) m[h] = (m[h] as number) / idx.length;
  return m;
}

/**
 * InSilicoPerturber's comparability rule for overexpression: when inserting genes pushes a cell past the model
 * input size, the perturbed cell loses its last genes, so the original is compared without them too
 * (`calc_n_overflow` / `truncate_by_n_overflow`; V2 keeps `<eos>` last).
 */
function truncateForOverflow(orig: Int32Array, added: number, maxLen: number, v2: boolean): Int32Array {
  const overflow = orig.length + added - maxLen;
  if (overflow <= 0) return orig;
  if (v2) return Int32Array.from([...orig.subarray(0, orig.length - overflow - 1), orig[orig.length - 1] as number]);
  return orig.slice(0, orig.length - overflow);
}

function median(xs: number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const mean = (xs: number[]) => {
  const f = xs.filter(Number.isFinite);
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : Number.NaN;
};

/**
 * Perturb cells in silico (delete, then overexpress: move to the front) and compare each cell's embedding with
 * its unperturbed embedding, as `InSilicoPerturber` does with `emb_mode="cell"`, and, with `targetState`, the
 * shift towards it (`cell_states_to_model`). Embedding options (`layer`, `pooling`, batching, progress, signal)
 * are those of {@link GeneformerModel.embedCells}; progress counts both passes (2 × cells).
 */
export async function perturbCells(
  model: GeneformerModel,
  cells: Int32Array[],
  options: PerturbCellsOptions = {},
): Promise<PerturbCellsResult> {
  const { groups, targetState, onProgress } = options;
  if (!options.overexpress?.length && !options.delete?.length) {
    throw new HypedError("INVALID_ARGUMENT", "perturbCells needs genes to overexpress or delete", {});
  }
  const popts: PerturbTokensOptions = { modelInputSize: model.maxLength, ...options.perturbOptions };
  const v2 = (popts.modelVersion ?? "V1") === "V2";
  const maxLen = popts.modelInputSize ?? defaultModelInputSize(popts.modelVersion ?? "V1");
  const perturbed = perturbEncodings(cells, { overexpress: options.overexpress, delete: options.delete }, popts);
  const up = (options.overexpress ?? []).map((g) => geneToken(g, popts));
  const originals = cells.map((c) => {
    if (!up.length) return c;
    const afterDelete = options.delete?.length ? (perturbEncodings([c], { delete: options.delete }, popts)[0] as Int32Array) : c;
    const present = new Set(afterDelete);
    return truncateForOverflow(c, up.filter((t) => !present.has(t)).length, maxLen, v2);
  });
  if (groups && groups.length !== cells.length) {
    throw new HypedError("SHAPE_MISMATCH", `${groups.length} group labels for ${cells.length} cells`, {});
  }
  const H = model.dim;
  if (targetState && targetState.length !== H) {
    throw new HypedError("SHAPE_MISMATCH", `targetState has ${targetState.length} values, the model's embeddings ${H}`, {});
  }
  const n = cells.length;
  const prog = (offset: number) =>
    onProgress ? (e: { done: number; unit: string }) => onProgress({ ...e, done: offset + e.done, total: 2 * n }) : undefined;
  const original = await model.embedCells(originals, { ...options, onProgress: prog(0) });
  const pert = await model.embedCells(perturbed, { ...options, onProgress: prog(n) });
  const cos = new Float64Array(n);
  const shift = targetState ? new Float64Array(n) : null;
  for (let i = 0; i < n; i++) {
    cos[i] = cosine(pert.data, original.data, i * H, i * H, H);
    if (shift && targetState) shift[i] = cosine(pert.data, targetState, i * H, 0, H) - cosine(original.data, targetState, i * H, 0, H);
  }
  const labels = groups ? [...new Set(Array.from(groups))].sort() : [];
  const rows: PerturbGroupRow[] = [];
  for (const g of [...labels, "all"]) {
    const idx = Array.from({ length: n }, (_, i) => i).filter((i) => g === "all" || groups?.[i] === g);
    const c = idx.map((i) => cos[i] as number);
    const s = shift ? idx.map((i) => shift[i] as number) : [];
    rows.push({ group: g, nCells: idx.length, meanCosine: mean(c), medianCosine: median(c), meanShift: mean(s), medianShift: median(s) });
  }
  return { original, perturbed: pert, cosine: cos, shift, groups: rows };
}

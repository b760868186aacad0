/**
 * Geneformer's rank-value encoding (`geneformer.tokenizer.TranscriptomeTokenizer`), for an in-memory AnnData.
 */
import {
  convertSparse,
  HypedError,
  isSparse,
  type LongTaskOptions,
  progressReporter,
  type SparseMatrix,
  throwIfAborted,
} from "@hyped/core";
import type { AnnData } from "../anndata/index.js";
import { type Dictionary, dictGet, type SpecialTokens, specialTokens } from "./dictionaries.js";
import { stableArgsortDesc } from "./sort.js";

/** Geneformer model generations: V1 (gc30M, 2048 tokens, no special tokens), V2 (gc95M/gc104M, 4096 with `<cls>`/`<eos>`). */
export type GeneformerVersion = "V1" | "V2";

/** Options of {@link tokenizeRankValue}. */
export interface TokenizeOptions extends LongTaskOptions {
  /** Ensembl ID → token (Geneformer's `token_dictionary*.pkl`, as a plain object or Map). Required. */
  tokenDictionary: Dictionary<number>;
  /** Ensembl ID → non-zero median of normalised expression over the pretraining corpus (`gene_median_dictionary*.pkl`). Required. */
  geneMedians: Dictionary<number>;
  /** `var` column with Ensembl IDs; `null` uses the var names. Default `"ensembl_id"` (Geneformer's attribute name). */
  ensemblIdColumn?: string | null;
  /** `obs` column with each cell's total counts. Default `"n_counts"`. With `null`, the row sums over all genes of the matrix are used. */
  nCountsColumn?: string | null;
  /** `"V1"` (default) or `"V2"`. */
  modelVersion?: GeneformerVersion;
  /** Maximum length including special tokens. Default 2048 for V1, 4096 for V2 (Geneformer's `model_input_size`). */
  modelInputSize?: number;
  /** Counts per cell after scaling, before dividing by the median. Default 10,000 (Geneformer's `target_sum`). */
  targetSum?: number;
  /** Read counts from this layer instead of `X`. */
  layer?: string;
  /**
   * `obs` column of 0/1 (or boolean) flags: only cells with 1 are tokenised (Geneformer's `filter_pass`).
   * Default `"filter_pass"` when that column exists, otherwise all cells.
   */
  filterPassColumn?: string | null;
  /**
   * Sum the counts of var columns that share an Ensembl ID before normalising (Geneformer's `collapse_gene_ids`,
   * default true in current Geneformer). With false, duplicates are tokenised separately, as Geneformer V1 did.
   */
  collapseGeneIds?: boolean;
}

/** Result of {@link tokenizeRankValue}. */
export interface TokenizedCells {
  /** One token array per tokenised cell (`input_ids`). */
  inputIds: Int32Array[];
  /** The obs row of each entry of `inputIds`. */
  cellIndex: Int32Array;
  /** Length of each `inputIds` entry. */
  lengths: Int32Array;
  /** The version tokenised for. */
  modelVersion: GeneformerVersion;
  /** The maximum length used. */
  modelInputSize: number;
  /** The special tokens of the dictionary (V2 uses `cls` and `eos`). */
  specialTokens: SpecialTokens;
  /** Number of var columns kept (genes present in both the token dictionary and the median dictionary). */
  nGenesKept: number;
}

/** Default `model_input_size` of a Geneformer version. */
export function defaultModelInputSize(version: GeneformerVersion): number {
  return version === "V2" ? 4096 : 2048;
}

/** The model version checks of {@link tokenizeRankValue}: input size, special tokens, genes kept per cell. */
function versionSettings(options: TokenizeOptions) {
  const { tokenDictionary, modelVersion = "V1" } = options;
  if (modelVersion !== "V1" && modelVersion !== "V2") {
    throw new HypedError("INVALID_ARGUMENT", `modelVersion must be 'V1' or 'V2', got '${String(modelVersion)}'`, { modelVersion });
  }
  const modelInputSize = options.modelInputSize ?? defaultModelInputSize(modelVersion);
  const special = specialTokens(tokenDictionary);
  if (modelVersion === "V2" && (special.cls === undefined || special.eos === undefined)) {
    throw new HypedError(
      "NOT_FOUND",
      "V2 tokenisation needs '<cls>' and '<eos>' in the token dictionary (the V1 gc30M dictionary has neither)",
      {
        modelVersion,
      },
    );
  }
  const maxGenes = modelVersion === "V2" ? modelInputSize - 2 : modelInputSize;
  if (!Number.isInteger(modelInputSize) || maxGenes < 1) {
    throw new HypedError("INVALID_ARGUMENT", `modelInputSize ${modelInputSize} is too small for ${modelVersion}`, { modelInputSize });
  }
  return { modelVersion, modelInputSize, special, maxGenes };
}

/** Gene selection (step 1): var column → slot of a kept gene (or −1), with each slot's token and median. */
function selectGenes(adata: AnnData, options: TokenizeOptions) {
  const { tokenDictionary, geneMedians, ensemblIdColumn = "ensembl_id", collapseGeneIds = true } = options;
  const ids: string[] =
    ensemblIdColumn === null
      ? adata.varNames
      : adata.var
          .get(ensemblIdColumn)
          .values()
          .map((v) => (v === null ? "" : String(v)));
  const nVars = adata.nVars;
  const colSlot = new Int32Array(nVars).fill(-1);
  const slotToken: number[] = [];
  const slotMedian: number[] = [];
  const slotOfId = new Map<string, number>();
  for (let j = 0; j < nVars; j++) {
    const id = ids[j] as string;
    const tok = dictGet(tokenDictionary, id);
    if (tok === undefined || id.startsWith("<")) continue;
    const seen = collapseGeneIds ? slotOfId.get(id) : undefined;
    if (seen !== undefined) {
      colSlot[j] = seen;
      continue;
    }
    const med = dictGet(geneMedians, id);
    // Geneformer keeps only the genes of its median dictionary: a token-dictionary gene without a median is skipped
    if (med === undefined) continue;
    colSlot[j] = slotToken.length;
    slotOfId.set(id, slotToken.length);
    slotToken.push(tok);
    slotMedian.push(Number(med));
  }
  return { colSlot, nSlots: slotToken.length, tokens: Int32Array.from(slotToken), medians: Float64Array.from(slotMedian) };
}

/** The cells to tokenise (those with `filter_pass` = 1 when the column is there or named) and their total counts. */
function selectCells(adata: AnnData, options: TokenizeOptions, rows: ReturnType<typeof rowReader>) {
  const { nCountsColumn = "n_counts" } = options;
  const nObs = adata.nObs;
  const fpName = options.filterPassColumn === undefined ? (adata.obs.has("filter_pass") ? "filter_pass" : null) : options.filterPassColumn;
  let cells: Int32Array;
  if (fpName) {
    const fp = adata.obs.get(fpName).toFloat64();
    const keep: number[] = [];
    for (let i = 0; i < nObs; i++) if (fp[i] === 1) keep.push(i);
    cells = Int32Array.from(keep);
  } else cells = Int32Array.from({ length: nObs }, (_, i) => i);
  let nCounts: Float64Array;
  if (nCountsColumn === null) {
    nCounts = new Float64Array(nObs);
    for (const i of cells) {
      const r = rows(i);
      let s = 0;
      for (let k = 0; k < r.n; k++) s += r.values[k] as number;
      nCounts[i] = s;
    }
  } else nCounts = adata.obs.get(nCountsColumn).toFloat64();
  return { cells, nCounts };
}

/**
 * Rank-value encode each cell as Geneformer's `TranscriptomeTokenizer` does.
 *
 * 1. Keep the var columns whose Ensembl ID is in both `tokenDictionary` and `geneMedians` (a token-dictionary
 *    gene without a median is skipped, as Geneformer's tokenizer selects genes by the keys it has medians for).
 * 2. Normalise in float64: `count / n_counts * targetSum / median`, evaluated left to right as numpy does.
 * 3. Drop zeros.
 * 4. Sort descending. **Tie order**: genes with exactly equal normalised values keep the order of their var
 *    columns (the first column of a collapsed Ensembl ID counts). Geneformer uses `np.argsort(-x)`
 *    (quicksort, not stable), so its order among exact ties is unspecified; ours is stable and documented.
 * 5. Truncate: V1 keeps the first `modelInputSize` (2048) tokens with no special tokens; V2 keeps
 *    `modelInputSize − 2` (4094) tokens and wraps them in `<cls>` … `<eos>` from the token dictionary.
 *
 * Cells with no counts give an empty array in V1 (`[<cls>, <eos>]` in V2). A cell with counts but
 * `n_counts ≤ 0` is `INVALID_ARGUMENT`.
 */
export function tokenizeRankValue(adata: AnnData, options: TokenizeOptions): TokenizedCells {
  const { nCountsColumn = "n_counts", targetSum = 10_000, layer, signal, onProgress } = options;
  const { modelVersion, modelInputSize, special, maxGenes } = versionSettings(options);
  const m = layer ? adata.layers.get(layer) : adata.X;
  if (!m) throw new HypedError("NOT_FOUND", layer ? `no layer '${layer}'` : "the AnnData has no X", { layer });
  const { colSlot, nSlots, tokens, medians } = selectGenes(adata, options);
  const rows = rowReader(m);
  const { cells, nCounts } = selectCells(adata, options, rows);

  const acc = new Float64Array(nSlots);
  const touched = new Int32Array(nSlots);
  const isTouched = new Uint8Array(nSlots);
  const keys = new Float64Array(nSlots);
  const idx = new Int32Array(nSlots);
  const tmp = new Int32Array(nSlots);
  const keysTmp = new Float64Array(nSlots);
  const inputIds: Int32Array[] = new Array(cells.length);
  const lengths = new Int32Array(cells.length);
  const rep = progressReporter(onProgress, "cells", cells.length, "tokenize");
  const v2 = modelVersion === "V2";
  // Fast path: CSR with numeric data, column-sorted rows and no collapsed duplicates → read the row in place.
  const fast = fastCsr(m, colSlot, nSlots);
  for (let c = 0; c < cells.length; c++) {
    if ((c & 255) === 0) throwIfAborted(signal, "tokenizeRankValue");
    const i = cells[c] as number;
    const n = nCounts[i] as number;
    let nz = 0;
    const bad = () =>
      new HypedError("INVALID_ARGUMENT", `cell ${adata.obsNames[i]} has counts but ${nCountsColumn ?? "row sum"} = ${n}`, { cell: i });
    if (fast) {
      const { data, indices, indptr } = fast;
      for (let k = indptr[i] as number, e = indptr[i + 1] as number; k < e; k++) {
        const s = colSlot[indices[k] as number] as number;
        if (s < 0) continue;
        const x = data[k] as number;
        if (x === 0) continue;
        if (!(n > 0)) throw bad();
        keys[nz] = ((x / n) * targetSum) / (medians[s] as number);
        idx[nz] = nz;
        touched[nz] = s;
        nz++;
      }
    } else {
      const r = rows(i);
      // gather the cell's kept genes (summing collapsed duplicates) in first-column order
      let nt = 0;
      for (let k = 0; k < r.n; k++) {
        const s = colSlot[r.cols[k] as number] as number;
        if (s < 0) continue;
        if (!isTouched[s]) {
          isTouched[s] = 1;
          touched[nt++] = s;
          acc[s] = 0;
        }
        acc[s] = (acc[s] as number) + (r.values[k] as number);
      }
      for (let t = 0; t < nt; t++) {
        const s = touched[t] as number;
        isTouched[s] = 0;
        const x = acc[s] as number;
        if (x === 0) continue;
        if (!(n > 0)) throw bad();
        keys[nz] = ((x / n) * targetSum) / (medians[s] as number);
        idx[nz] = nz;
        touched[nz] = s; // reuse as the slot of each kept entry (nz ≤ t)
        nz++;
      }
    }
    const order = stableArgsortDesc(keys, idx, tmp, nz, keysTmp);
    const take = Math.min(nz, maxGenes);
    const out = new Int32Array(v2 ? take + 2 : take);
    let o = 0;
    if (v2) out[o++] = special.cls as number;
    for (let q = 0; q < take; q++) out[o++] = tokens[touched[order[q] as number] as number] as number;
    if (v2) out[o++] = special.eos as number;
    inputIds[c] = out;
    lengths[c] = out.length;
    rep.tick();
  }
  rep.finish();
  return { inputIds, cellIndex: cells, lengths, modelVersion, modelInputSize, specialTokens: special, nGenesKept: nSlots };
}

/** CSR arrays for the in-place fast path, or null when a row must be gathered (CSC/dense, unsorted rows, duplicates). */
function fastCsr(
  m: AnnData["X"] & object,
  colSlot: Int32Array,
  nSlots: number,
): { data: ArrayLike<number>; indices: ArrayLike<number>; indptr: ArrayLike<number> } | null {
  if (!isSparse(m) || m.format !== "csr") return null;
  if (m.data instanceof BigInt64Array || m.data instanceof BigUint64Array) return null;
  const seen = new Uint8Array(nSlots);
  for (let j = 0; j < colSlot.length; j++) {
    const s = colSlot[j] as number;
    if (s < 0) continue;
    if (seen[s]) return null; // a collapsed Ensembl ID
    seen[s] = 1;
  }
  const { indices, indptr } = m;
  for (let i = 0; i + 1 < indptr.length; i++) {
    for (let k = Number(indptr[i]) + 1; k < Number(indptr[i + 1]); k++)
      if ((indices[k] as number) <= (indices[k - 1] as number)) return null;
  }
  return { data: m.data as ArrayLike<number>, indices, indptr };
}

interface Row {
  n: number;
  cols: ArrayLike<number>;
  values: ArrayLike<number>;
}

/** Random access to the nonzero entries of row `i`, in increasing column order, as float64 values. */
function rowReader(m: AnnData["X"] & object): (i: number) => Row {
  if (isSparse(m)) {
    const csr = (m.format === "csr" ? m : convertSparse(m, "csr")) as SparseMatrix;
    if (csr.data instanceof BigInt64Array || csr.data instanceof BigUint64Array) {
      throw new HypedError("UNSUPPORTED", "64-bit integer counts: convert X to float64 first", {});
    }
    const data = csr.data as ArrayLike<number>;
    const ind = csr.indices as ArrayLike<number>;
    const ptr = csr.indptr as ArrayLike<number>;
    const n = csr.shape[1];
    const cols = new Int32Array(n);
    const vals = new Float64Array(n);
    return (i) => {
      const a = Number(ptr[i]);
      const b = Number(ptr[i + 1]);
      let len = 0;
      for (let k = a; k < b; k++) {
        cols[len] = ind[k] as number;
        vals[len++] = data[k] as number;
      }
      for (let k = 1; k < len; k++) {
        if ((cols[k] as number) < (cols[k - 1] as number)) {
          sortPairs(cols, vals, len); // unsorted indices (allowed by scipy): order by column first
          break;
        }
      }
      return { n: len, cols, values: vals };
    };
  }
  const nc = m.shape[1] as number;
  const cols = new Int32Array(nc);
  const vals = new Float64Array(nc);
  return (i) => {
    let len = 0;
    for (let j = 0; j < nc; j++) {
      const v = Number(m.get(i, j));
      if (v !== 0) {
        cols[len] = j;
        vals[len++] = v;
      }
    }
    return { n: len, cols, values: vals };
  };
}

function sortPairs(cols: Int32Array, vals: Float64Array, n: number): void {
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => (cols[a] as number) - (cols[b] as number));
  const c2 = order.map((k) => cols[k] as number);
  const v2 = order.map((k) => vals[k] as number);
  for (let k = 0; k < n; k++) {
    cols[k] = c2[k] as number;
    vals[k] = v2[k] as number;
  }
}

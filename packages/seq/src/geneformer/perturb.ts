/**
 * In-silico perturbation of rank-value encodings, as Geneformer's `InSilicoPerturber` does
 * (`perturber_utils.overexpress_tokens` / `delete_indices`).
 */
import { HypedError } from "@hyped/core";
import type { Dictionary, SpecialTokens } from "./dictionaries.js";
import { geneToken } from "./dictionaries.js";
import { defaultModelInputSize, type GeneformerVersion } from "./tokenize.js";

/** Options of {@link overexpress} and {@link deleteGene}. */
export interface PerturbTokensOptions {
  /** `"V1"` (default): no special tokens. `"V2"`: the first token is `<cls>` and the last `<eos>`, and both stay in place. */
  modelVersion?: GeneformerVersion;
  /** Maximum length after overexpression (including special tokens). Default 2048 (V1) / 4096 (V2). */
  modelInputSize?: number;
  /** Needed when genes are given as Ensembl IDs or symbols. */
  tokenDictionary?: Dictionary<number>;
  /** Symbol → Ensembl ID (Geneformer's `gene_name_id_dict`), for genes given as symbols. */
  geneNameToId?: Dictionary<string>;
  /** Special tokens; when given for V2, the first/last tokens are checked against `cls`/`eos`. */
  specialTokens?: SpecialTokens;
}

function checkV2(tokens: Int32Array, o: PerturbTokensOptions): void {
  if (tokens.length < 2) throw new HypedError("INVALID_ARGUMENT", "a V2 encoding has at least <cls> and <eos>", { length: tokens.length });
  const { cls, eos } = o.specialTokens ?? {};
  if ((cls !== undefined && tokens[0] !== cls) || (eos !== undefined && tokens[tokens.length - 1] !== eos)) {
    throw new HypedError("INVALID_ARGUMENT", `a V2 encoding starts with <cls> (${cls}) and ends with <eos> (${eos})`, {
      first: tokens[0],
      last: tokens[tokens.length - 1],
    });
  }
}

/**
 * Overexpress genes in one encoding: remove each gene's token where present, insert the genes first (after
 * `<cls>` in V2) in the order given, then truncate to `modelInputSize` (V2 keeps `<eos>` as the last token).
 * Matches Geneformer's `overexpress_tokens(example, max_len, special_token)`. Genes may be tokens, Ensembl IDs or symbols.
 * Returns a new array.
 */
export function overexpress(
  tokens: Int32Array,
  gene: number | string | Array<number | string>,
  options: PerturbTokensOptions = {},
): Int32Array {
  const version = options.modelVersion ?? "V1";
  const maxLen = options.modelInputSize ?? defaultModelInputSize(version);
  const genes = (Array.isArray(gene) ? gene : [gene]).map((g) => geneToken(g, options));
  const v2 = version === "V2";
  if (v2) checkV2(tokens, options);
  const drop = new Set(genes);
  const rest: number[] = [];
  for (let k = v2 ? 1 : 0; k < tokens.length; k++) if (!drop.has(tokens[k] as number)) rest.push(tokens[k] as number);
  const seq = v2 ? [tokens[0] as number, ...genes, ...rest] : [...genes, ...rest];
  if (seq.length > maxLen) {
    if (v2) return Int32Array.from([...seq.slice(0, maxLen - 1), seq[seq.length - 1] as number]);
    return Int32Array.from(seq.slice(0, maxLen));
  }
  return Int32Array.from(seq);
}

/**
 * Delete genes from one encoding (every occurrence of their tokens); the order of the rest is kept.
 * Matches Geneformer's `delete_indices`. Genes not present leave the encoding unchanged. Returns a new array.
 */
export function deleteGene(
  tokens: Int32Array,
  gene: number | string | Array<number | string>,
  options: PerturbTokensOptions = {},
): Int32Array {
  const genes = new Set((Array.isArray(gene) ? gene : [gene]).map((g) => geneToken(g, options)));
  const v2 = (options.modelVersion ?? "V1") === "V2";
  if (v2) checkV2(tokens, options);
  const out: number[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k] as number;
    const special = v2 && (k === 0 || k === tokens.length - 1);
    if (special || !genes.has(t)) out.push(t);
  }
  return Int32Array.from(out);
}

/**
 * Apply a list of perturbations to every encoding: `{ overexpress: [...], delete: [...] }` (deletions first).
 * Handy for the paper's MYOD1-up / PRRX1-deleted conditions.
 */
export function perturbEncodings(
  encodings: Int32Array[],
  perturbation: { overexpress?: Array<number | string>; delete?: Array<number | string> },
  options: PerturbTokensOptions = {},
): Int32Array[] {
  return encodings.map((t) => {
    let x = t;
    if (perturbation.delete?.length) x = deleteGene(x, perturbation.delete, options);
    if (perturbation.overexpress?.length) x = overexpress(x, perturbation.overexpress, options);
    return x;
  });
}

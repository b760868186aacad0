/**
 * Geneformer's dictionaries (token dictionary, gene-median dictionary) as inputs.
 *
 * They ship with each Geneformer model as pickles; users usually convert them to JSON, which gives plain
 * objects. Both plain objects and `Map`s are accepted everywhere.
 */
import { HypedError } from "@hyped/core";

/** A string-keyed dictionary as a plain object (JSON) or a `Map`. */
export type Dictionary<V> = Readonly<Record<string, V>> | ReadonlyMap<string, V>;

/** Look `key` up in a plain-object or `Map` dictionary (`undefined` when absent; never reads the prototype). */
export function dictGet<V>(d: Dictionary<V>, key: string): V | undefined {
  if (d instanceof Map) return d.get(key);
  return Object.hasOwn(d, key) ? (d as Record<string, V>)[key] : undefined;
}

/** Number of entries of a plain-object or `Map` dictionary. */
export function dictSize(d: Dictionary<unknown>): number {
  return d instanceof Map ? d.size : Object.keys(d).length;
}

/** Geneformer's special tokens, looked up in a token dictionary. Absent ones are `undefined`. */
export interface SpecialTokens {
  /** `<pad>`: padding (0 in the shipped dictionaries). */
  pad?: number;
  /** `<mask>`: masked-language-model mask. */
  mask?: number;
  /** `<cls>`: prepended in V2. */
  cls?: number;
  /** `<eos>`: appended in V2. */
  eos?: number;
}

/** Read `<pad>`, `<mask>`, `<cls>`, `<eos>` from a token dictionary. */
export function specialTokens(tokenDictionary: Dictionary<number>): SpecialTokens {
  return {
    pad: dictGet(tokenDictionary, "<pad>"),
    mask: dictGet(tokenDictionary, "<mask>"),
    cls: dictGet(tokenDictionary, "<cls>"),
    eos: dictGet(tokenDictionary, "<eos>"),
  };
}

/**
 * The token of a gene given as a token number, an Ensembl ID (looked up in `tokenDictionary`) or a gene symbol
 * (mapped to an Ensembl ID through `geneNameToId`, Geneformer's `gene_name_id_dict`, then looked up).
 * Throws `NOT_FOUND` naming the gene when it cannot be resolved.
 */
export function geneToken(
  gene: number | string,
  dictionaries: { tokenDictionary?: Dictionary<number>; geneNameToId?: Dictionary<string> } = {},
): number {
  if (typeof gene === "number") {
    if (!Number.isInteger(gene) || gene < 0)
      throw new HypedError("INVALID_ARGUMENT", `token must be a non-negative integer, got ${gene}`, { gene });
    return gene;
  }
  const { tokenDictionary, geneNameToId } = dictionaries;
  if (!tokenDictionary) {
    throw new HypedError("INVALID_ARGUMENT", `gene '${gene}' given by name: pass tokenDictionary (and geneNameToId for symbols)`, { gene });
  }
  const direct = dictGet(tokenDictionary, gene);
  if (direct !== undefined) return direct;
  const id = geneNameToId ? dictGet(geneNameToId, gene) : undefined;
  const viaId = id !== undefined ? dictGet(tokenDictionary, id) : undefined;
  if (viaId !== undefined) return viaId;
  throw new HypedError(
    "NOT_FOUND",
    id !== undefined
      ? `gene '${gene}' maps to ${id}, which is not in the token dictionary`
      : `gene '${gene}' is neither in the token dictionary nor${geneNameToId ? "" : " (no geneNameToId given)"} in the name→ID dictionary`,
    { gene, ensemblId: id },
  );
}

/**
 * Building Geneformer-style dictionaries for data without a pretrained model (synthetic data, demos, training a
 * small model of one's own). Real use passes the dictionaries that ship with the model instead.
 */
import { HypedError } from "@hyped/core";
import type { AnnData } from "../anndata/index.js";
import { expressionMatrix, forEachNonzero } from "../preprocess/matrix.js";

/**
 * A token dictionary in Geneformer's layout: the special tokens first (default `<pad>` = 0, `<mask>` = 1, `<cls>` = 2,
 * `<eos>` = 3, as the gc95M/gc104M dictionaries order them), then the unique gene IDs in sorted order.
 */
export function buildTokenDictionary(geneIds: string[], { special = ["<pad>", "<mask>", "<cls>", "<eos>"] } = {}): Record<string, number> {
  const out: Record<string, number> = {};
  special.forEach((s, i) => {
    out[s] = i;
  });
  [...new Set(geneIds)]
    .filter((g) => g.length > 0 && !Object.hasOwn(out, g))
    .sort()
    .forEach((g, i) => {
      out[g] = special.length + i;
    });
  return out;
}

/**
 * Non-zero median of each gene's normalised expression (`count / n_counts × targetSum`) over the cells of an
 * AnnData: what Geneformer's gene-median dictionary holds, computed over its pretraining corpus (there with
 * t-digests; here exactly, as numpy's `median`, averaging the two middle values). Genes never expressed are left out.
 * Keys are the values of `ensemblIdColumn` (default `ensembl_id`; `null` = var names); duplicated IDs keep the first.
 */
export function computeGeneMedians(
  adata: AnnData,
  {
    ensemblIdColumn = "ensembl_id",
    nCountsColumn = "n_counts",
    targetSum = 10_000,
    layer,
  }: { ensemblIdColumn?: string | null; nCountsColumn?: string | null; targetSum?: number; layer?: string } = {},
): Record<string, number> {
  const m = expressionMatrix(adata, layer);
  const ids =
    ensemblIdColumn === null
      ? adata.varNames
      : adata.var
          .get(ensemblIdColumn)
          .values()
          .map((v) => (v === null ? "" : String(v)));
  const all = Int32Array.from({ length: adata.nObs }, (_, i) => i);
  let n: Float64Array;
  if (nCountsColumn === null) {
    n = new Float64Array(adata.nObs);
    forEachNonzero(m, all, (i, _j, v) => {
      n[i] = (n[i] as number) + v;
    });
  } else n = adata.obs.get(nCountsColumn).toFloat64();
  const values: number[][] = Array.from({ length: adata.nVars }, () => []);
  forEachNonzero(m, all, (i, j, v) => {
    const ni = n[i] as number;
    if (!(ni > 0)) throw new HypedError("INVALID_ARGUMENT", `cell ${adata.obsNames[i]} has counts but n_counts = ${ni}`, { cell: i });
    (values[j] as number[]).push((v / ni) * targetSum);
  });
  const out: Record<string, number> = {};
  values.forEach((vs, j) => {
    const id = ids[j] as string;
    if (!vs.length || !id || Object.hasOwn(out, id)) return;
    vs.sort((a, b) => a - b);
    const h = vs.length >> 1;
    out[id] = vs.length % 2 ? (vs[h] as number) : ((vs[h - 1] as number) + (vs[h] as number)) / 2;
  });
  return out;
}

/**
 * Reading 10x Market Exchange (MEX) directories: `matrix.mtx(.gz)`, `barcodes.tsv(.gz)` and
 * `features.tsv(.gz)` (or the older `genes.tsv(.gz)`), as written by Cell Ranger and EPI2ME wf-single-cell.
 * See `format.md`.
 */
import { type ByteSource, HypedError, type LongTaskOptions, openSource, type SourceInput, type SparseMatrix } from "@hyped/core";
import { AnnData } from "../anndata/anndata.js";
import { categoricalFrom, DataFrame } from "../anndata/dataframe.js";
import { readMatrixMarketColumns } from "./mtx.js";
import { readTextLines } from "./text.js";

/** A parsed MatrixMarket coordinate matrix, as COO triplets (0-based). */
export interface MatrixMarket {
  rows: number;
  cols: number;
  /** `integer`, `real` or `pattern`. */
  field: "integer" | "real" | "pattern";
  /** `general` or `symmetric` (symmetric entries are mirrored on read). */
  symmetry: "general" | "symmetric";
  /** Row index of each stored entry (after mirroring). */
  row: Int32Array;
  /** Column index of each stored entry. */
  col: Int32Array;
  /** Values (float64; `pattern` files give 1). */
  value: Float64Array;
}

/**
 * Stream-parse a MatrixMarket `coordinate` file (plain or gzip) into COO triplets, like scipy's
 * `scipy.io.mmread` (duplicates kept, `symmetric` entries mirrored). Entries come grouped by column, in file
 * order within each column. Checks the header, every index against the declared size, and the declared
 * entry count against the entries present; errors are `FORMAT` with the file and line. For large matrices
 * prefer {@link readMatrixMarketColumns}, which skips the triplets.
 */
export async function readMatrixMarket(input: SourceInput | ByteSource, options: LongTaskOptions = {}): Promise<MatrixMarket> {
  const m = await readMatrixMarketColumns(input, { ...options, values: "float64" });
  const col = new Int32Array(m.indices.length);
  for (let c = 0; c < m.cols; c++) col.fill(c, m.indptr[c] as number, m.indptr[c + 1] as number);
  return { rows: m.rows, cols: m.cols, field: m.field, symmetry: m.symmetry, row: m.indices, col, value: m.data as Float64Array };
}

/**
 * COO → CSR with rows and columns swapped (features × barcodes → cells × features), summing duplicates
 * as scipy does, values cast to float32 like scanpy's reader.
 */
export function cooToCsrTransposed(m: MatrixMarket): SparseMatrix<Float32Array> {
  const nCells = m.cols;
  const nGenes = m.rows;
  const indptr = new Int32Array(nCells + 1);
  for (let k = 0; k < m.col.length; k++) {
    const c = (m.col[k] as number) + 1;
    indptr[c] = (indptr[c] as number) + 1;
  }
  for (let c = 0; c < nCells; c++) indptr[c + 1] = (indptr[c + 1] as number) + (indptr[c] as number);
  const next = indptr.slice(0, nCells);
  const indices = new Int32Array(m.col.length);
  const data = new Float32Array(m.col.length);
  for (let k = 0; k < m.col.length; k++) {
    const c = m.col[k] as number;
    const p = next[c] as number;
    next[c] = p + 1;
    indices[p] = m.row[k] as number;
    data[p] = m.value[k] as number;
  }
  // sort each row by gene index and merge duplicates
  let w = 0;
  const out = new Int32Array(nCells + 1);
  for (let c = 0; c < nCells; c++) {
    const a = indptr[c] as number;
    const b = indptr[c + 1] as number;
    let sorted = true;
    for (let k = a + 1; k < b; k++) if ((indices[k] as number) <= (indices[k - 1] as number)) sorted = false;
    if (!sorted) {
      const order = Array.from({ length: b - a }, (_, k) => a + k).sort((x, y) => (indices[x] as number) - (indices[y] as number) || x - y);
      const ii = order.map((k) => indices[k] as number);
      const dd = order.map((k) => data[k] as number);
      for (let k = 0; k < ii.length; k++) {
        if (k > 0 && ii[k] === ii[k - 1]) data[w - 1] = (data[w - 1] as number) + (dd[k] as number);
        else {
          indices[w] = ii[k] as number;
          data[w++] = dd[k] as number;
        }
      }
    } else {
      for (let k = a; k < b; k++) {
        indices[w] = indices[k] as number;
        data[w++] = data[k] as number;
      }
    }
    out[c + 1] = w;
  }
  return { format: "csr", shape: [nCells, nGenes], data: data.subarray(0, w), indices: indices.subarray(0, w), indptr: out };
}

/**
 * anndata's `make_index_unique` with `-` as joiner: the first occurrence keeps its name, later ones get
 * `-1`, `-2`, ... (skipping suffixes that already exist as names).
 */
export function makeUnique(names: string[], join = "-"): string[] {
  const seen = new Set(names);
  const counts = new Map<string, number>();
  const firstDone = new Set<string>();
  const out = names.slice();
  for (let i = 0; i < names.length; i++) {
    const n = names[i] as string;
    if (!firstDone.has(n)) {
      firstDone.add(n);
      continue;
    }
    let k = counts.get(n) ?? 0;
    let cand: string;
    do {
      k++;
      cand = `${n}${join}${k}`;
    } while (seen.has(cand));
    counts.set(n, k);
    seen.add(cand);
    out[i] = cand;
  }
  return out;
}

/** Where the three files of one MEX matrix are. Each may be a path, URL, Blob or bytes. */
export interface MexFiles {
  matrix: SourceInput;
  barcodes: SourceInput;
  features: SourceInput;
  /** True for the older 2-column `genes.tsv` layout (no feature types). Detected from the column count otherwise. */
  legacyGenes?: boolean;
}

/** Options of {@link readMex}. */
export interface ReadMexOptions extends LongTaskOptions {
  /** Keep only features of this type (e.g. `"Gene Expression"`, `"Antibody Capture"`). */
  featureType?: string;
  /** var names from `gene_symbols` (default, made unique as scanpy does) or `gene_ids`. */
  varNames?: "gene_symbols" | "gene_ids";
  /** Make var names unique (default true, as scanpy's `read_10x_mtx`). */
  makeUnique?: boolean;
}

/** The files found in a directory, trying the `.gz` and plain names, features then genes. */
export async function findMexFiles(dir: string): Promise<MexFiles> {
  const { existsSync } = await import("node:fs");
  const { join } = await import("node:path");
  const pick = (...names: string[]) => names.map((n) => join(dir, n)).find((p) => existsSync(p));
  const matrix = pick("matrix.mtx.gz", "matrix.mtx");
  const barcodes = pick("barcodes.tsv.gz", "barcodes.tsv");
  const features = pick("features.tsv.gz", "features.tsv");
  const genes = pick("genes.tsv.gz", "genes.tsv");
  if (!matrix || !barcodes || !(features || genes)) {
    throw new HypedError(
      "NOT_FOUND",
      `${dir}: not a MEX directory (need matrix.mtx[.gz], barcodes.tsv[.gz] and features.tsv[.gz] or genes.tsv[.gz])`,
      { dir },
    );
  }
  return { matrix, barcodes, features: (features ?? genes) as string, legacyGenes: !features };
}

/**
 * Read one MEX matrix into an AnnData of cells × features (CSR float32 `X`), matching scanpy's
 * `read_10x_mtx`: obs names from the barcodes; var names from gene symbols made unique with `-1`, `-2`
 * suffixes (or from the IDs on request); var columns `gene_ids`, `gene_symbols` and (v3) `feature_types`.
 * `dirOrFiles` is a directory path (Node) or the three files.
 */
export async function readMex(dirOrFiles: string | MexFiles, options: ReadMexOptions = {}): Promise<AnnData> {
  const files = typeof dirOrFiles === "string" ? await findMexFiles(dirOrFiles) : dirOrFiles;
  const [mSrc, bSrc, fSrc] = await Promise.all([openSource(files.matrix), openSource(files.barcodes), openSource(files.features)]);
  try {
    const barcodes = (await readTextLines(bSrc, options.signal))
      .filter((l, i, a) => !(i === a.length - 1 && l === ""))
      .map((l) => l.split("\t")[0] as string);
    const featLines = (await readTextLines(fSrc, options.signal)).filter((l, i, a) => !(i === a.length - 1 && l === ""));
    const feats = featLines.map((l, i) => {
      const parts = l.split("\t");
      if (parts.length < 1 || parts[0] === "")
        throw new HypedError("FORMAT", `${fSrc.name}:${i + 1}: empty feature line`, { file: fSrc.name, line: i + 1 });
      return parts;
    });
    const legacy = files.legacyGenes ?? feats.every((p) => p.length < 3);
    const mm = await readMatrixMarketColumns(mSrc, { ...options, values: "float32", sumDuplicates: true });
    if (mm.cols !== barcodes.length) {
      throw new HypedError("FORMAT", `${mSrc.name}: the matrix has ${mm.cols} columns but ${bSrc.name} lists ${barcodes.length} barcodes`, {
        file: mSrc.name,
        barcodes: barcodes.length,
        columns: mm.cols,
      });
    }
    if (mm.rows !== feats.length) {
      throw new HypedError("FORMAT", `${mSrc.name}: the matrix has ${mm.rows} rows but ${fSrc.name} lists ${feats.length} features`, {
        file: mSrc.name,
        features: feats.length,
        rows: mm.rows,
      });
    }
    // features x barcodes by column = cells x features by row: the columns form is the CSR we return
    let X: SparseMatrix<Float32Array> = {
      format: "csr",
      shape: [mm.cols, mm.rows],
      data: mm.data as Float32Array,
      indices: mm.indices,
      indptr: mm.indptr,
    };
    let ids = feats.map((p) => p[0] as string);
    let symbols = feats.map((p) => p[1] ?? (p[0] as string));
    let types = legacy ? null : feats.map((p) => p[2] ?? "");
    if (options.featureType !== undefined) {
      if (!types) throw new HypedError("INVALID_ARGUMENT", `${fSrc.name} has no feature types (old genes.tsv layout)`, { file: fSrc.name });
      const keep = types.flatMap((t, j) => (t === options.featureType ? [j] : []));
      X = selectColumns(X, keep);
      ids = keep.map((j) => ids[j] as string);
      symbols = keep.map((j) => symbols[j] as string);
      types = keep.map(() => options.featureType as string);
    }
    const byIds = options.varNames === "gene_ids";
    let names = byIds ? ids : symbols;
    if (options.makeUnique ?? true) names = makeUnique(names);
    const varDf = new DataFrame(names);
    varDf.set("gene_ids", { kind: "string", values: ids });
    varDf.set("gene_symbols", { kind: "string", values: symbols });
    if (types) varDf.set("feature_types", categoricalFrom(types));
    return new AnnData({ X, obs: new DataFrame(barcodes), var: varDf });
  } finally {
    await Promise.all([mSrc.close?.(), bSrc.close?.(), fSrc.close?.()]);
  }
}

/** Keep columns `keep` (sorted ascending) of a CSR matrix. */
function selectColumns(m: SparseMatrix<Float32Array>, keep: number[]): SparseMatrix<Float32Array> {
  const remap = new Int32Array(m.shape[1]).fill(-1);
  keep.forEach((j, k) => {
    remap[j] = k;
  });
  const indptr = new Int32Array(m.shape[0] + 1);
  let w = 0;
  const indices = new Int32Array(m.indices.length);
  const data = new Float32Array(m.data.length);
  for (let i = 0; i < m.shape[0]; i++) {
    for (let k = Number(m.indptr[i]); k < Number(m.indptr[i + 1]); k++) {
      const j = remap[m.indices[k] as number] as number;
      if (j >= 0) {
        indices[w] = j;
        data[w++] = m.data[k] as number;
      }
    }
    indptr[i + 1] = w;
  }
  return { format: "csr", shape: [m.shape[0], keep.length], data: data.subarray(0, w), indices: indices.subarray(0, w), indptr };
}

/** Split an AnnData by `var.feature_types` into one AnnData per feature type (e.g. gene expression and hashtags). */
export function splitFeatureTypes(adata: AnnData): Map<string, AnnData> {
  const col = adata.var.get("feature_types");
  const out = new Map<string, AnnData>();
  const values = col.values() as Array<string | null>;
  for (const t of [...new Set(values.filter((v): v is string => v !== null))]) out.set(t, adata.varSubset(col.eq(t)));
  return out;
}

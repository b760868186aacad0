/**
 * Writing MEX directories (for fixtures, benchmarks and users who export): `matrix.mtx[.gz]`,
 * `barcodes.tsv[.gz]`, `features.tsv[.gz]` or the older `genes.tsv[.gz]`. Node only.
 */
import {
  convertSparse,
  denseToCsr,
  HypedError,
  isSparse,
  type LongTaskOptions,
  progressReporter,
  type SparseMatrix,
  throwIfAborted,
} from "@hyped/core";
import type { Matrix } from "../anndata/anndata.js";

/** What to write. `X` is cells × features (CSR, CSC or dense). */
export interface MexContent {
  X: Matrix;
  barcodes: string[];
  featureIds: string[];
  featureNames: string[];
  /** Feature types (3rd column, v3 layout). Omit with `legacyGenes`. */
  featureTypes?: string[];
}

/** Options of {@link writeMex}. */
export interface WriteMexOptions extends LongTaskOptions {
  /** gzip every file (default true, as Cell Ranger v3). */
  gzip?: boolean;
  /** MatrixMarket field: `integer` (default; values are rounded) or `real`. */
  field?: "integer" | "real";
  /** Write `symmetric` (only entries with row ≥ col; the matrix must be square and symmetric). Default false. */
  symmetric?: boolean;
  /** Write the older 2-column `genes.tsv` instead of `features.tsv`. */
  legacyGenes?: boolean;
}

/** Write a MEX directory (creates it). Entries are written feature-major, as Cell Ranger does (rows = features). */
export async function writeMex(dir: string, c: MexContent, options: WriteMexOptions = {}): Promise<void> {
  const fs = await import("node:fs");
  const { join } = await import("node:path");
  const zlib = await import("node:zlib");
  const { once } = (await import("node:events")).default;
  const gz = options.gzip ?? true;
  const ext = gz ? ".gz" : "";
  const field = options.field ?? "integer";
  fs.mkdirSync(dir, { recursive: true });
  const [nCells, nFeat] = isSparse(c.X) ? c.X.shape : [c.X.shape[0] as number, c.X.shape[1] as number];
  if (c.barcodes.length !== nCells || c.featureIds.length !== nFeat || c.featureNames.length !== nFeat) {
    throw new HypedError(
      "SHAPE_MISMATCH",
      `X is ${nCells}x${nFeat} but there are ${c.barcodes.length} barcodes and ${c.featureIds.length} features`,
      {},
    );
  }
  const small = (name: string, text: string) => fs.writeFileSync(join(dir, name + ext), gz ? zlib.gzipSync(text) : text);
  small("barcodes.tsv", c.barcodes.map((b) => `${b}\n`).join(""));
  if (options.legacyGenes) small("genes.tsv", c.featureIds.map((id, j) => `${id}\t${c.featureNames[j]}\n`).join(""));
  else
    small(
      "features.tsv",
      c.featureIds.map((id, j) => `${id}\t${c.featureNames[j]}\t${c.featureTypes?.[j] ?? "Gene Expression"}\n`).join(""),
    );

  // matrix: features x cells, iterate cells (columns of the MEX matrix) from a CSR of cells x features
  const csr: SparseMatrix = isSparse(c.X) ? convertSparse(c.X, "csr") : denseToCsr(c.X);
  let count = 0;
  for (let i = 0; i < nCells; i++) {
    for (let k = Number(csr.indptr[i]); k < Number(csr.indptr[i + 1]); k++) {
      const j = csr.indices[k] as number;
      if (options.symmetric && j < i) continue;
      count++;
    }
  }
  const out = fs.createWriteStream(join(dir, `matrix.mtx${ext}`));
  const sink: NodeJS.WritableStream = gz ? zlib.createGzip({ level: 6 }) : out;
  if (gz) (sink as import("node:zlib").Gzip).pipe(out);
  const write = async (s: string) => {
    if (!sink.write(s)) await once(sink, "drain");
  };
  await write(
    `%%MatrixMarket matrix coordinate ${field} ${options.symmetric ? "symmetric" : "general"}\n%metadata_json: {"software_version": "hyped"}\n${nFeat} ${nCells} ${count}\n`,
  );
  const prog = progressReporter(options.onProgress, "cells", nCells, `writing ${dir}`);
  let buf = "";
  for (let i = 0; i < nCells; i++) {
    if ((i & 1023) === 0) throwIfAborted(options.signal, "writing MEX");
    for (let k = Number(csr.indptr[i]); k < Number(csr.indptr[i + 1]); k++) {
      const j = csr.indices[k] as number;
      if (options.symmetric && j < i) continue;
      const v = Number(csr.data[k]);
      buf += `${j + 1} ${i + 1} ${field === "integer" ? Math.round(v) : v}\n`;
    }
    if (buf.length > 1 << 20) {
      await write(buf);
      buf = "";
    }
    prog.tick();
  }
  await write(buf);
  sink.end();
  await once(out, "finish");
  prog.finish();
}

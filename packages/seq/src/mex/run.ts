/**
 * Reading one sequencing run's output directory, as EPI2ME wf-single-cell writes it: a gene-level and a
 * transcript-level MEX matrix side by side (`gene_processed_feature_bc_matrix/`,
 * `transcript_processed_feature_bc_matrix/`, or the `*_raw_*` variants), or a plain MEX directory.
 */
import { HypedError, type LongTaskOptions } from "@hyped/core";
import type { AnnData } from "../anndata/anndata.js";
import { findMexFiles, readMex } from "./read.js";
import { readTextLines } from "./text.js";

/** What a run directory holds. */
export interface RunMatrices {
  /** Cells × genes (becomes `X` of the combined AnnData). */
  gene: AnnData;
  /** Cells × transcripts (isoforms), when the run has a transcript matrix; `var.gene` names each isoform's gene. */
  transcript?: AnnData;
  /** The directories that were read. */
  paths: { gene: string; transcript?: string };
}

/** Options of {@link readRun}. */
export interface ReadRunOptions extends LongTaskOptions {
  /** Prefer the `processed` (cell-called; default) or `raw` matrices. */
  matrices?: "processed" | "raw";
  /**
   * A 2-column TSV (transcript id, gene name/id) naming each isoform's gene. Without it the gene is taken
   * from the transcript features' second column when that differs from the id, else left empty.
   */
  transcriptToGene?: string;
}

/** Read a run directory (Node). */
export async function readRun(dir: string, options: ReadRunOptions = {}): Promise<RunMatrices> {
  const { existsSync, readdirSync } = await import("node:fs");
  const { join } = await import("node:path");
  const kind = options.matrices ?? "processed";
  const other = kind === "processed" ? "raw" : "processed";
  const find = (level: "gene" | "transcript") => {
    for (const k of [kind, other]) {
      const hit = readdirSync(dir).find((n) => n === `${level}_${k}_feature_bc_matrix` || n.endsWith(`.${level}_${k}_feature_bc_matrix`));
      if (hit && existsSync(join(dir, hit))) return join(dir, hit);
    }
    return undefined;
  };
  const geneDir = find("gene");
  const txDir = find("transcript");
  if (!geneDir) {
    await findMexFiles(dir); // throws NOT_FOUND with a clear message when not MEX either
    return { gene: await readMex(dir, options), paths: { gene: dir } };
  }
  const gene = await readMex(geneDir, options);
  if (!txDir) return { gene, paths: { gene: geneDir } };
  const transcript = await readMex(txDir, { ...options, varNames: "gene_ids" });
  let geneOf: string[];
  if (options.transcriptToGene) {
    const map = new Map<string, string>();
    for (const line of await readTextLines(await (await import("@hyped/core")).fileSource(options.transcriptToGene))) {
      const [t, g] = line.split("\t");
      if (t && g) map.set(t, g);
    }
    geneOf = transcript.varNames.map((t) => map.get(t) ?? "");
  } else {
    const symbols = transcript.var.get("gene_symbols").values() as string[];
    geneOf = transcript.varNames.map((t, j) => (symbols[j] && symbols[j] !== t ? (symbols[j] as string) : ""));
  }
  transcript.var.set("gene", { kind: "string", values: geneOf });
  if (transcript.nObs !== gene.nObs || transcript.obsNames.some((b, i) => b !== gene.obsNames[i])) {
    throw new HypedError("FORMAT", `${dir}: the gene and transcript matrices list different barcodes`, {
      dir,
      gene: geneDir,
      transcript: txDir,
    });
  }
  return { gene, transcript, paths: { gene: geneDir, transcript: txDir } };
}

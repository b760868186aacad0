/**
 * The paper's §3.2 assembly step: several sequencing runs (MEX output of wf-single-cell) → one AnnData
 * with `assigned_condition` from cell hashing.
 */
import { HypedError, type LongTaskOptions, throwIfAborted } from "@hyped/core";
import type { AnnData } from "../anndata/anndata.js";
import { categoricalFrom } from "../anndata/dataframe.js";
import { assignConditions, type DemuxOptions, type DemuxResult, demultiplexHashtags } from "../demux/demultiplex.js";
import { concatAnnData } from "./concat.js";
import { readMex, splitFeatureTypes } from "./read.js";
import { readRun } from "./run.js";

/** What a hashtag stands for: a condition, or a condition plus the FACS-sorted cell-cycle phase (controls). */
export type HashtagTarget = string | { condition: string; phase?: string };

/** Options of {@link assembleRuns}. */
export interface AssembleOptions extends LongTaskOptions {
  /** Hashtag name (as in the features file) → condition or `{ condition, phase }`. Required. */
  hashtags: Record<string, HashtagTarget>;
  /** Run names for the `sample` column and obs-name suffixes. Default: the run directories' base names. */
  keys?: string[];
  /** Feature type of the hashing oligos in the features file. Default `"Antibody Capture"`. */
  hashtagFeatureType?: string;
  /**
   * Where the hashtag counts are when they are not in the run's own matrix: a MEX directory per run (same
   * barcodes). Default: a subdirectory of the run whose name contains `hto` or `hashtag`, if any.
   */
  hashtagDirs?: string[];
  /** Variable join across runs. Default `inner`, as the paper's combined object. */
  join?: "inner" | "outer";
  /** Demultiplexing options (method, quantile, seed). */
  demux?: DemuxOptions;
}

/** The assembled data. */
export interface Assembled {
  /** Cells × genes; obs has `sample`, `assigned_condition`, `facs_phase` (controls), `hto_*` columns. */
  adata: AnnData;
  /** Cells × transcripts when every run had a transcript matrix (same obs as `adata`). */
  transcripts?: AnnData;
  /** The per-run demultiplexing results, in run order. */
  demux: DemuxResult[];
}

/** Read, demultiplex and combine runs (Node; directories). */
export async function assembleRuns(runDirs: string[], options: AssembleOptions): Promise<Assembled> {
  const { basename, join } = await import("node:path");
  const { readdirSync, statSync } = await import("node:fs");
  if (runDirs.length === 0) throw new HypedError("INVALID_ARGUMENT", "assembleRuns needs at least one run directory", {});
  const keys = options.keys ?? runDirs.map((d) => basename(d.replace(/\/+$/, "")));
  const htType = options.hashtagFeatureType ?? "Antibody Capture";
  const conditionOf = new Map<string, string>();
  const phaseOf = new Map<string, string>();
  for (const [h, t] of Object.entries(options.hashtags)) {
    conditionOf.set(h, typeof t === "string" ? t : t.condition);
    if (typeof t !== "string" && t.phase) phaseOf.set(h, t.phase);
  }
  const genes: AnnData[] = [];
  const txs: AnnData[] = [];
  const results: DemuxResult[] = [];
  for (let r = 0; r < runDirs.length; r++) {
    throwIfAborted(options.signal, "assembling runs");
    const dir = runDirs[r] as string;
    options.onProgress?.({ done: r, total: runDirs.length, unit: "runs", label: `reading ${dir}` });
    const run = await readRun(dir, { signal: options.signal });
    let gex = run.gene;
    let hto: AnnData | undefined;
    if (gex.var.has("feature_types")) {
      const parts = splitFeatureTypes(gex);
      hto = parts.get(htType);
      gex =
        parts.get("Gene Expression") ??
        gex.varSubset(
          gex.var
            .get("feature_types")
            .eq(htType)
            .map((v) => 1 - v),
        );
    }
    if (!hto) {
      const htDir =
        options.hashtagDirs?.[r] ??
        readdirSync(dir)
          .filter((n) => /hto|hashtag/i.test(n) && statSync(join(dir, n)).isDirectory())
          .map((n) => join(dir, n))[0];
      if (!htDir) throw new HypedError("NOT_FOUND", `${dir}: no '${htType}' features and no hashtag matrix directory`, { dir });
      hto = await readMex(htDir);
      hto = hto.obsSubset(
        gex.obsNames.map((b) => {
          const i = hto?.obsIndex(b) ?? -1;
          if (i < 0)
            throw new HypedError("FORMAT", `${htDir}: barcode ${b} of the gene matrix has no hashtag counts`, { dir: htDir, barcode: b });
          return i;
        }),
      );
    }
    const names = hto.var.has("gene_symbols") ? (hto.var.get("gene_symbols").values() as string[]) : hto.varNames;
    const res = demultiplexHashtags(hto.X as NonNullable<AnnData["X"]>, { ...options.demux, hashtags: names });
    assignConditions(gex, res, Object.fromEntries(names.map((n) => [n, conditionOf.get(n) ?? missing(n)])));
    gex.obs.set("facs_phase", categoricalFrom(res.assignment.map((a) => phaseOf.get(a) ?? null)));
    results.push(res);
    genes.push(gex);
    if (run.transcript) txs.push(run.transcript);
  }
  options.onProgress?.({ done: runDirs.length, total: runDirs.length, unit: "runs", label: "combining" });
  const adata = concatAnnData(genes, { label: "sample", keys, indexUnique: "-", join: options.join ?? "inner" });
  let transcripts: AnnData | undefined;
  if (txs.length === runDirs.length) {
    transcripts = concatAnnData(txs, { label: "sample", keys, indexUnique: "-", join: "outer" });
    for (const c of ["assigned_condition", "facs_phase"]) {
      const col = adata.obs.column(c);
      if (col) transcripts.obs.set(c, col);
    }
  }
  return { adata, ...(transcripts ? { transcripts } : {}), demux: results };
}

function missing(h: string): never {
  throw new HypedError("NOT_FOUND", `the hashtag map has no entry for '${h}'`, { hashtag: h });
}

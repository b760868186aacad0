/**
 * `hyped assemble <run dirs...> --hashtags map.json --out combined.h5ad`: the paper's §3.2 step — read each
 * sequencing run's MEX output (gene and transcript matrices), demultiplex the hashtags into
 * `assigned_condition` (and the FACS phase of controls), and write one `.h5ad`.
 */
import { readLocalFile } from "@hyped/core";
import { assembleRuns, type HashtagTarget, writeH5ad } from "@hyped/seq";
import type { Command } from "commander";
import { printJson, progressBar, UsageError } from "../context.js";

export function assembleCommand(program: Command): void {
  program
    .command("assemble")
    .description("combine sequencing runs (MEX) into one .h5ad with assigned_condition from cell hashing")
    .argument("<runs...>", "run directories (wf-single-cell output or plain MEX folders)")
    .requiredOption("--hashtags <map.json>", 'JSON: { "HTO1": "control" | { "condition": "control", "phase": "G1" }, ... }')
    .requiredOption("--out <file.h5ad>", "output file")
    .option("--keys <names>", "comma-separated run names (default: directory names)")
    .option("--join <how>", "inner or outer variable join", "inner")
    .option("--method <m>", "demultiplexing: clr-kmeans or gmm", "clr-kmeans")
    .option("--json", "print a JSON summary")
    .action(async (runs: string[], o: { hashtags: string; out: string; keys?: string; join: string; method: string; json?: boolean }) => {
      if (o.join !== "inner" && o.join !== "outer") throw new UsageError("--join must be inner or outer");
      if (o.method !== "clr-kmeans" && o.method !== "gmm") throw new UsageError("--method must be clr-kmeans or gmm");
      let map: Record<string, HashtagTarget>;
      // an unreadable file is an IO error naming it (from readLocalFile); bad JSON is a usage error
      const text = new TextDecoder().decode(await readLocalFile(o.hashtags));
      try {
        map = JSON.parse(text);
      } catch (e) {
        throw new UsageError(`cannot read the hashtag map ${o.hashtags}: ${(e as Error).message}`);
      }
      const keys = o.keys?.split(",");
      if (keys && keys.length !== runs.length) throw new UsageError(`--keys names ${keys.length} runs, ${runs.length} given`);
      const bar = progressBar("assemble", !o.json && process.stderr.isTTY === true);
      const res = await assembleRuns(runs, {
        hashtags: map,
        join: o.join,
        demux: { method: o.method },
        ...(keys ? { keys } : {}),
        onProgress: bar.onProgress,
      });
      await writeH5ad(o.out, res.adata, { compression: "gzip", onProgress: bar.onProgress });
      let txOut: string | undefined;
      if (res.transcripts) {
        txOut = o.out.replace(/\.h5ad$/i, "") + ".transcripts.h5ad";
        await writeH5ad(txOut, res.transcripts, { compression: "gzip" });
      }
      bar.stop();
      const counts: Record<string, number> = {};
      for (const v of res.adata.obs.get("assigned_condition").values()) counts[String(v)] = (counts[String(v)] ?? 0) + 1;
      const summary = {
        out: o.out,
        transcripts: txOut ?? null,
        n_obs: res.adata.nObs,
        n_vars: res.adata.nVars,
        assigned_condition: counts,
      };
      if (o.json) printJson(summary);
      else {
        process.stdout.write(`wrote ${o.out}: ${summary.n_obs} cells x ${summary.n_vars} genes${txOut ? ` (+ ${txOut})` : ""}\n`);
        for (const [k, v] of Object.entries(counts)) process.stdout.write(`  ${k.padEnd(20)} ${v}\n`);
      }
    });
}

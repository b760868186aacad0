/**
 * `.h5ad` in the CLI: the `hyped inspect file.h5ad [--json]` and `hyped inspect file.h5mu [--json]`
 * inspectors (registered here; a `.h5mu` file is read whole with `readH5mu`), and
 * `hyped h5ad convert` (rewrite any anndata layout in the current encodings) and `hyped h5ad rows`
 * (print a row slice, read lazily).
 */
import { isSparse } from "@hyped/core";
import { formatH5adSummary, formatH5muSummary, openH5ad, readH5ad, readH5mu, summarizeH5ad, summarizeMuData, writeH5ad } from "@hyped/seq";
import type { Command } from "commander";
import { printJson, progressBar, UsageError } from "../context.js";
import { registerInspector } from "./inspect.js";

async function summary(path: string) {
  const b = await openH5ad(path);
  try {
    return summarizeH5ad(b);
  } finally {
    b.close();
  }
}

registerInspector({
  name: "h5ad",
  match: (p) => /\.h5ad$/i.test(p),
  json: (p) => summary(p),
  async text(p) {
    return formatH5adSummary(await summary(p), `AnnData object (${p})`);
  },
});

registerInspector({
  name: "h5mu",
  match: (p) => /\.h5mu$/i.test(p),
  json: async (p) => summarizeMuData(await readH5mu(p)),
  async text(p) {
    return formatH5muSummary(summarizeMuData(await readH5mu(p)), `MuData object (${p})`);
  },
});

/** Register `hyped h5ad`. */
export function h5adCommand(program: Command): void {
  const h5ad = program.command("h5ad").description("AnnData .h5ad files: convert layouts, read row slices");
  h5ad
    .command("convert")
    .description("read any .h5ad (anndata 0.5–0.13, scanpy, anndataR) and write it in the current anndata encodings")
    .argument("<in>", "input .h5ad")
    .argument("<out>", "output .h5ad (written atomically)")
    .option("--compression <c>", "gzip | lzf | none", "gzip")
    .option("--on-unknown <mode>", "unknown encodings: error | skip | raw", "error")
    .action(async (input: string, out: string, o: { compression: string; onUnknown: string }) => {
      if (!["gzip", "lzf", "none"].includes(o.compression))
        throw new UsageError(`--compression must be gzip, lzf or none, got ${o.compression}`);
      if (!["error", "skip", "raw"].includes(o.onUnknown))
        throw new UsageError(`--on-unknown must be error, skip or raw, got ${o.onUnknown}`);
      const a = await readH5ad(input, { onUnknown: o.onUnknown as "error" | "skip" | "raw" });
      const bar = progressBar("writing");
      try {
        await writeH5ad(out, a, { compression: o.compression as "gzip" | "lzf" | "none", onProgress: bar.onProgress });
      } finally {
        bar.stop();
      }
      process.stdout.write(`wrote ${out}: ${a.nObs} × ${a.nVars}\n`);
    });
  h5ad
    .command("rows")
    .description("print rows [start, end) of X (or a layer) as JSON, reading only those rows")
    .argument("<file>", ".h5ad file")
    .argument("<start>", "first row")
    .argument("<end>", "end row (exclusive)")
    .option("--layer <name>", "a layer instead of X")
    .action(async (file: string, start: string, end: string, o: { layer?: string }) => {
      const s = Number(start);
      const e = Number(end);
      if (!Number.isInteger(s) || !Number.isInteger(e)) throw new UsageError("start and end must be integers");
      const b = await openH5ad(file);
      try {
        const m = o.layer ? b.layers.get(o.layer) : b.X;
        if (!m) throw new UsageError(o.layer ? `no layer '${o.layer}'` : "the file has no X");
        const r = m.rows(s, e);
        const obs = b.obsNames.slice(s, e);
        if (isSparse(r)) {
          const rows = obs.map((name, i) => {
            const entries: Record<string, number> = {};
            for (let k = Number(r.indptr[i]); k < Number(r.indptr[i + 1]); k++)
              entries[b.varNames[r.indices[k] as number] as string] = Number(r.data[k]);
            return { obs: name, values: entries };
          });
          printJson({ kind: m.kind, shape: [e - s, m.shape[1]], rows });
        } else {
          const cols = m.shape[1];
          const d = r.data as unknown as ArrayLike<number>;
          printJson({
            kind: m.kind,
            shape: [e - s, cols],
            rows: obs.map((name, i) => ({
              obs: name,
              values: Array.from({ length: cols }, (_, j) =>
                Number(d[r.offset + i * (r.stride[0] as number) + j * (r.stride[1] as number)]),
              ),
            })),
          });
        }
      } finally {
        b.close();
      }
    });
}

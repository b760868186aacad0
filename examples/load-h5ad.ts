/**
 * Open an AnnData `.h5ad` two ways: lazily (headers only, rows read on demand) and whole into memory.
 *
 *   node --conditions=@hyped/source --import tsx examples/load-h5ad.ts data.h5ad
 */
import { columnValue, formatH5adSummary, openH5ad, readH5ad, summarizeH5ad } from "@hyped/seq";

const path = process.argv[2];
if (!path) throw new Error("usage: load-h5ad.ts <file.h5ad>");

// 1. Backed: reads the layout, not the matrix; print an anndata-like repr.
const backed = await openH5ad(path);
console.log(formatH5adSummary(summarizeH5ad(backed)));
backed.close();

// 2. In memory: the whole object, with obs/var as columns.
const adata = await readH5ad(path);
console.log(`\n${adata.nObs} cells x ${adata.nVars} genes`);
console.log(`obs columns: ${adata.obs.columns.join(", ")}`);
console.log(`var columns: ${adata.var.columns.join(", ")}`);
console.log(`obsm: ${[...adata.obsm.keys()].join(", ") || "none"}`);

// Count cells per value of the first categorical obs column (the true condition for synthetic HYPED).
const key = adata.obs.columns.find((c) => adata.obs.column(c)?.kind === "categorical");
if (key) {
  const col = adata.obs.column(key);
  const counts = new Map<string, number>();
  for (let i = 0; i < adata.nObs; i++) {
    const v = String(col ? columnValue(col, i) : "");
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  console.log(`\ncells per ${key}:`);
  for (const [v, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`  ${v.padEnd(18)} ${n}`);
}

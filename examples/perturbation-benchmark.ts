/**
 * The paper's Table 3 on a HYPED-like `.h5ad`: demultiplex the cell hashes into conditions, normalise, call a
 * cell-cycle phase per cell, fit the baselines on the single perturbations and score their predictions for the
 * double perturbation per phase.
 *
 *   node --conditions=@hyped/source --import tsx examples/perturbation-benchmark.ts data.h5ad [table3.csv]
 */
import { writeFileSync } from "node:fs";
import {
  AdditiveModel,
  assignConditions,
  categoricalFrom,
  columnValue,
  demultiplexHashtags,
  EVAL_COLUMNS,
  evaluatePerturbation,
  G2M_GENES,
  HASHTAG_DESIGN,
  LinearModel,
  log1p,
  MeanPerturbationModel,
  NoChangeModel,
  normalizeTotal,
  readH5ad,
  rowsToCsv,
  S_GENES,
  trainingDataFromAnnData,
} from "@hyped/seq";

const [path, csvPath] = process.argv.slice(2);
if (!path) throw new Error("usage: perturbation-benchmark.ts <file.h5ad> [table3.csv]");
const adata = await readH5ad(path);

// 1. Demultiplex: HTO counts (obsm) -> hashtag per droplet -> condition (and the FACS gate of controls).
const hto = adata.obsm.get("hto_counts");
if (!hto) throw new Error("the .h5ad has no obsm['hto_counts']");
const hashtags = (adata.uns.hto_names as string[] | undefined) ?? Object.keys(HASHTAG_DESIGN);
const demux = demultiplexHashtags(hto, { hashtags });
const toCondition = Object.fromEntries(Object.entries(HASHTAG_DESIGN).map(([h, d]) => [h, d.condition]));
assignConditions(adata, demux, toCondition);
const assigned = adata.obs.get("assigned_condition").values() as string[];
const truth = adata.obs.column("true_condition");
if (truth) {
  let ok = 0;
  for (let i = 0; i < adata.nObs; i++) if (String(columnValue(truth, i)) === assigned[i]) ok++;
  console.log(`demultiplexing: ${((100 * ok) / adata.nObs).toFixed(1)}% of droplets match the true condition`);
}

// 2. scanpy's normalize_total (1e4) + log1p.
normalizeTotal(adata, { targetSum: 1e4 });
log1p(adata);

// 3. Phase per cell: controls carry their FACS gate in the hashtag; other cells are scored in the spirit of
//    scanpy's score_genes_cell_cycle: the mean z-score (across cells) of the S genes and of the G2M genes; G1
//    when both are negative, else the larger.
const symbols = adata.var.column("gene_symbols");
const bySymbol = new Map<string, string>();
adata.varNames.forEach((name, j) => {
  bySymbol.set(symbols ? String(columnValue(symbols, j)) : name, name);
});
const meanZ = (genes: readonly string[]) => {
  const out = new Float64Array(adata.nObs);
  const names = genes.map((g) => bySymbol.get(g)).filter((g): g is string => g !== undefined);
  for (const g of names) {
    const v = adata.obsVector(g);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) || 1;
    for (let i = 0; i < v.length; i++) out[i] = (out[i] as number) + ((v[i] as number) - mean) / sd / names.length;
  }
  return out;
};
const s = meanZ(S_GENES);
const g2m = meanZ(G2M_GENES);
const phase = assigned.map((_, i) => {
  const gate = HASHTAG_DESIGN[demux.assignment[i] as string]?.phase;
  if (gate) return gate;
  const ds = s[i] as number;
  const dg = g2m[i] as number;
  return ds < 0 && dg < 0 ? "G1" : ds > dg ? "S" : "G2M";
});
adata.obs.set("phase", categoricalFrom(phase, ["G1", "S", "G2M"]));
const truePhase = adata.obs.column("true_phase");
if (truePhase) {
  let ok = 0;
  let n = 0;
  for (let i = 0; i < adata.nObs; i++) {
    if (assigned[i] === "Doublet" || assigned[i] === "Negative") continue;
    n++;
    if (String(columnValue(truePhase, i)) === phase[i]) ok++;
  }
  console.log(`phase calls: ${((100 * ok) / n).toFixed(1)}% of singlets match the true phase`);
}

// 4. Name each condition by its perturbed genes, GEARS-style ("ctrl", "MYOD1", "PRRX1+MYOD1"), so models that
//    embed genes (the linear baseline) can find them among the var names.
const gene = (symbol: string) => bySymbol.get(symbol) ?? symbol;
const geneNames: Record<string, string> = {
  control: "ctrl",
  mmMYOD1: gene("MYOD1"),
  siPRRX1: gene("PRRX1"),
  "siPRRX1+mmMYOD1": `${gene("PRRX1")}+${gene("MYOD1")}`,
};
adata.obs.set("perturbation", categoricalFrom(assigned.map((c) => geneNames[c] ?? c)));
const double = geneNames["siPRRX1+mmMYOD1"] as string;

// 5. Fit on control + single perturbations, predict the double one, score per phase.
const train = trainingDataFromAnnData(adata, {
  conditionColumn: "perturbation",
  control: "ctrl",
  train: [geneNames.mmMYOD1 as string, geneNames.siPRRX1 as string],
});
const rows = [];
for (const model of [new NoChangeModel(), new MeanPerturbationModel(), new AdditiveModel(), new LinearModel()]) {
  await model.fit(train);
  rows.push(
    ...(await evaluatePerturbation(adata, model, {
      conditionColumn: "perturbation",
      control: "ctrl",
      conditions: [double],
      groupBy: "phase",
      topN: 20,
    })),
  );
}

const fmt = (v: number) => (Number.isNaN(v) ? "NaN" : v.toFixed(3)).padStart(11);
console.log("\nTable 3: siPRRX1+mmMYOD1 predicted from the single perturbations");
console.log(
  `${"model".padEnd(19)}${"phase".padEnd(6)}${"cells".padStart(6)}${["pearson", "pearsonΔ", "pearsonΔDE", "mseDE", "direction"].map((h) => h.padStart(11)).join("")}`,
);
for (const r of rows)
  console.log(
    `${r.model.padEnd(19)}${r.group.padEnd(6)}${String(r.nCells).padStart(6)}${[r.pearson, r.pearsonDelta, r.pearsonDeltaDe, r.mseDe, r.directionFraction].map(fmt).join("")}`,
  );
if (csvPath) {
  writeFileSync(csvPath, rowsToCsv(rows, EVAL_COLUMNS));
  console.log(`\nwrote ${rows.length} rows to ${csvPath}`);
}

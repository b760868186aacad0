/**
 * A synthetic HYPED sequencing experiment with known truth: raw UMI counts from a negative-binomial model
 * with cell-cycle programs, the paper's four conditions with planted perturbation effects, cell-hashing (HTO)
 * counts with doublets and empty droplets, Ensembl IDs in `var`, and controls FACS-sorted into G1/S/G2M.
 */
import { HypedError, type LongTaskOptions, Random, type SparseMatrix, throwIfAborted } from "@hyped/core";
import { AnnData } from "../anndata/anndata.js";
import { categoricalFrom, DataFrame } from "../anndata/dataframe.js";
import { simulateHashtags } from "../demux/simulate.js";
import { ENSEMBL, FIBROBLAST_TARGETS, G1_GENES, G2M_GENES, HOUSEKEEPING, MYOGENIC_TARGETS, S_GENES } from "./genes.js";

/** The paper's four treatments. */
export const CONDITIONS = ["control", "mmMYOD1", "siPRRX1", "siPRRX1+mmMYOD1"] as const;
/** A treatment. */
export type Condition = (typeof CONDITIONS)[number];
/** Cell-cycle phases as FACS sorts them. */
export const PHASES = ["G1", "S", "G2M"] as const;
/** A phase. */
export type Phase = (typeof PHASES)[number];

/** The hashtag design: three control hashtags (one per FACS gate) and one per perturbed condition. */
export const HASHTAG_DESIGN: Readonly<Record<string, { condition: Condition; phase?: Phase }>> = {
  HTO1: { condition: "control", phase: "G1" },
  HTO2: { condition: "control", phase: "S" },
  HTO3: { condition: "control", phase: "G2M" },
  HTO4: { condition: "mmMYOD1" },
  HTO5: { condition: "siPRRX1" },
  HTO6: { condition: "siPRRX1+mmMYOD1" },
};

/** Phase occupancy of the unsorted perturbed populations (MYOD1 pushes cells out of the cycle). */
const OCCUPANCY: Record<Exclude<Condition, "control">, [number, number, number]> = {
  mmMYOD1: [0.66, 0.19, 0.15],
  siPRRX1: [0.5, 0.28, 0.22],
  "siPRRX1+mmMYOD1": [0.74, 0.15, 0.11],
};

/** Options of {@link synthSeq}. */
export interface SynthSeqOptions extends LongTaskOptions {
  /** `mini` (default): 3,000 droplets × 2,000 genes; `full`: 20,000 × 36,000 (slow: minutes). */
  scale?: "mini" | "full";
  /** Override the number of droplets. */
  nCells?: number;
  /** Override the number of genes (at least the ~130 named genes). */
  nGenes?: number;
  /** Seed (default 1). */
  seed?: number;
  /** Mean UMIs per cell. Default 4000. */
  meanLibrary?: number;
  /** Negative-binomial size of gene counts. Default 3. */
  size?: number;
  /** Fraction of heterotypic doublets. Default 0.06. */
  doubletRate?: number;
  /** Fraction of empty droplets (ambient RNA, background hashtags). Default 0.03. */
  negativeRate?: number;
}

/** A planted effect: `factor` multiplies the gene's mean in `condition` (relative to control). */
export interface PlantedEffect {
  gene: string;
  condition: Condition;
  factor: number;
}

/** The generated data. */
export interface SynthSeq {
  /**
   * Droplets × genes raw counts (CSR float32). obs: `true_condition` (the truth, for scoring; `Doublet` /
   * `Negative` for those droplets), `true_hashtag`, `true_phase`, `droplet_type`; var: `gene_ids` (Ensembl),
   * `gene_symbols`; obsm `hto_counts` (droplets × hashtags); uns `hto_names`, `hashtag_design`.
   */
  adata: AnnData;
  /** Hashtag → condition (and FACS phase for controls). */
  hashtagDesign: typeof HASHTAG_DESIGN;
  /** Every planted condition effect. */
  effects: PlantedEffect[];
}

/** Generate the synthetic sequencing experiment (deterministic for a seed). */
export function synthSeq(options: SynthSeqOptions = {}): SynthSeq {
  const full = options.scale === "full";
  const nCells = options.nCells ?? (full ? 20_000 : 3_000);
  const named = [
    ...new Set(["MYOD1", "PRRX1", ...MYOGENIC_TARGETS, ...FIBROBLAST_TARGETS, ...S_GENES, ...G2M_GENES, ...G1_GENES, ...HOUSEKEEPING]),
  ];
  const nGenes = options.nGenes ?? (full ? 36_000 : 2_000);
  if (nGenes < named.length)
    throw new HypedError("INVALID_ARGUMENT", `nGenes must be at least ${named.length} (the named genes)`, { nGenes });
  const seed = options.seed ?? 1;
  const rng = Random.mulberry32(seed * 7919 + 17);
  const size = options.size ?? 3;
  const meanLibrary = options.meanLibrary ?? 4000;

  const { symbols, ids, idx, base } = synthGenes(named, nGenes, rng);
  const { factor, effects, phaseFactor } = plantEffects(named.length, symbols, idx, rng);
  // droplets: hashtag truth first, then the cells it implies
  const hashtags = Object.keys(HASHTAG_DESIGN);
  const sim = simulateHashtags({
    nCells,
    nHashtags: hashtags.length,
    doubletRate: options.doubletRate ?? 0.06,
    negativeRate: options.negativeRate ?? 0.03,
    seed: seed * 31 + 5,
  });
  const { X, trueCondition, trueHashtag, truePhase, dropletType } = synthDroplets(sim, hashtags, base, factor, phaseFactor, rng, {
    size,
    meanLibrary,
    signal: options.signal,
    onProgress: options.onProgress,
  });
  const obsNames = Array.from({ length: nCells }, (_, i) => `${barcode(i, seed)}-1`);
  const obs = new DataFrame(obsNames, {
    true_condition: categoricalFrom(trueCondition, [...CONDITIONS, "Doublet", "Negative"]),
    true_hashtag: categoricalFrom(trueHashtag, [...hashtags, "Doublet", "Negative"]),
    true_phase: categoricalFrom(truePhase, [...PHASES]),
    droplet_type: categoricalFrom(dropletType, ["Singlet", "Doublet", "Negative"]),
  });
  const varDf = new DataFrame(symbols, {
    gene_ids: { kind: "string", values: ids },
    gene_symbols: { kind: "string", values: symbols.slice() },
  });
  const adata = new AnnData({
    X,
    obs,
    var: varDf,
    obsm: { hto_counts: sim.counts },
    uns: { hto_names: hashtags, hashtag_design: HASHTAG_DESIGN, synth: { seed, scale: full ? "full" : "mini" } },
  });
  options.onProgress?.({ done: nCells, total: nCells, unit: "cells", label: "synthesising counts" });
  return { adata, hashtagDesign: HASHTAG_DESIGN, effects };
}

/** The genes: the named ones first, then fillers with clearly synthetic IDs; baseline relative expression (log-normal, sums to 1) with biology for the named genes. */
function synthGenes(named: string[], nGenes: number, rng: Random) {
  const symbols = [...named];
  const ids = named.map((g) => ENSEMBL[g] as string);
  for (let j = named.length; j < nGenes; j++) {
    symbols.push(`SYN${String(j).padStart(5, "0")}`);
    ids.push(`ENSG9${String(j).padStart(10, "0")}`);
  }
  const idx = new Map(symbols.map((g, j) => [g, j]));
  // baseline relative expression: log-normal, with biology for the named genes
  const base = new Float64Array(nGenes);
  for (let j = 0; j < nGenes; j++) base[j] = Math.exp(1.6 * rng.normal() - 1);
  const setBase = (genes: readonly string[], v: number) => {
    for (const g of genes) base[idx.get(g) as number] = v * (0.7 + 0.6 * rng.next());
  };
  setBase(["MYOD1"], 0.03);
  setBase(["PRRX1"], 4);
  setBase(MYOGENIC_TARGETS, 0.08);
  setBase(FIBROBLAST_TARGETS, 12);
  setBase(S_GENES, 0.8);
  setBase(G2M_GENES, 0.8);
  setBase(G1_GENES, 1.5);
  setBase(HOUSEKEEPING, 40);
  let sum = 0;
  for (const b of base) sum += b;
  for (let j = 0; j < nGenes; j++) base[j] = (base[j] as number) / sum;
  return { symbols, ids, idx, base };
}

/** Multiplicative condition effects (non-additive in the double perturbation), every one listed, and the cell-cycle programs. */
function plantEffects(nNamed: number, symbols: string[], idx: Map<string, number>, rng: Random) {
  const nGenes = symbols.length;
  const effects: PlantedEffect[] = [];
  const factor: Record<Condition, Float64Array> = {
    control: new Float64Array(nGenes).fill(1),
    mmMYOD1: new Float64Array(nGenes).fill(1),
    siPRRX1: new Float64Array(nGenes).fill(1),
    "siPRRX1+mmMYOD1": new Float64Array(nGenes).fill(1),
  };
  const plant = (c: Condition, g: string, f: number) => {
    const j = idx.get(g) as number;
    factor[c][j] = (factor[c][j] as number) * f;
  };
  plant("mmMYOD1", "MYOD1", 80);
  plant("siPRRX1+mmMYOD1", "MYOD1", 80);
  plant("siPRRX1", "PRRX1", 0.12);
  plant("siPRRX1+mmMYOD1", "PRRX1", 0.12);
  for (const g of MYOGENIC_TARGETS) {
    const f = 5 + 4 * rng.next();
    plant("mmMYOD1", g, f);
    plant("siPRRX1+mmMYOD1", g, f * 2.2); // synergy: PRRX1 loss unlocks myogenic conversion
  }
  for (const g of FIBROBLAST_TARGETS) {
    const f = 0.3 + 0.2 * rng.next();
    plant("siPRRX1", g, f);
    plant("siPRRX1+mmMYOD1", g, f * 0.6); // MYOD1 represses the fibroblast program further
  }
  const fillers = Array.from({ length: nGenes - nNamed }, (_, k) => nNamed + k);
  const pick = (n: number) => Array.from({ length: n }, () => fillers[rng.int(fillers.length)] as number);
  for (const c of ["mmMYOD1", "siPRRX1"] as const) {
    for (const j of pick(25)) {
      const f = Math.exp(0.9 * rng.normal());
      factor[c][j] = (factor[c][j] as number) * f;
      factor["siPRRX1+mmMYOD1"][j] = (factor["siPRRX1+mmMYOD1"][j] as number) * f;
    }
  }
  for (const j of pick(20)) factor["siPRRX1+mmMYOD1"][j] = (factor["siPRRX1+mmMYOD1"][j] as number) * Math.exp(1.2 * rng.normal()); // interaction-only genes
  for (const c of CONDITIONS) {
    factor[c].forEach((f, j) => {
      if (c !== "control" && Math.abs(Math.log(f)) > 1e-12) effects.push({ gene: symbols[j] as string, condition: c, factor: f });
    });
  }
  const phaseFactor = PHASES.map(() => new Float64Array(nGenes).fill(1));
  for (const g of S_GENES) {
    (phaseFactor[1] as Float64Array)[idx.get(g) as number] = 4;
    (phaseFactor[2] as Float64Array)[idx.get(g) as number] = 1.6;
  }
  for (const g of G2M_GENES) (phaseFactor[2] as Float64Array)[idx.get(g) as number] = 5;
  for (const g of G1_GENES) (phaseFactor[0] as Float64Array)[idx.get(g) as number] = 3;
  return { factor, effects, phaseFactor };
}

/** The droplets' counts (CSR float32) and truth columns: each cell's NB counts around its condition and phase, summed over a doublet's two cells; empty droplets get ambient counts. */
function synthDroplets(
  sim: ReturnType<typeof simulateHashtags>,
  hashtags: string[],
  base: Float64Array,
  factor: Record<Condition, Float64Array>,
  phaseFactor: Float64Array[],
  rng: Random,
  options: LongTaskOptions & { size: number; meanLibrary: number },
) {
  const { size, meanLibrary } = options;
  const nCells = sim.truth.length;
  const nGenes = base.length;
  const cellOf = (h: number): { condition: Condition; phase: Phase } => {
    const d = HASHTAG_DESIGN[hashtags[h] as string] as { condition: Condition; phase?: Phase };
    if (d.phase) return { condition: d.condition, phase: d.phase };
    const occ = OCCUPANCY[d.condition as Exclude<Condition, "control">];
    const u = rng.next();
    const phase: Phase = u < occ[0] ? "G1" : u < occ[0] + occ[1] ? "S" : "G2M";
    return { condition: d.condition, phase };
  };
  const indptr = new Int32Array(nCells + 1);
  let cap = Math.max(1024, Math.round(nCells * Math.min(nGenes, 1500)));
  let indices = new Int32Array(cap);
  let data = new Float32Array(cap);
  let nnz = 0;
  const trueCondition: string[] = [];
  const trueHashtag: string[] = [];
  const truePhase: Array<string | null> = [];
  const dropletType: string[] = [];
  const mu = new Float64Array(nGenes);
  const addCell = (cell: { condition: Condition; phase: Phase } | null, lib: number) => {
    const f = cell ? factor[cell.condition] : null;
    const p = cell ? (phaseFactor[PHASES.indexOf(cell.phase)] as Float64Array) : null;
    let tot = 0;
    for (let j = 0; j < nGenes; j++) {
      const m = (base[j] as number) * (f ? (f[j] as number) * ((p as Float64Array)[j] as number) : 1);
      mu[j] = m;
      tot += m;
    }
    const scale = lib / tot;
    return (j: number) => (mu[j] as number) * scale;
  };
  for (let i = 0; i < nCells; i++) {
    if ((i & 255) === 0) {
      throwIfAborted(options.signal, "synthSeq");
      options.onProgress?.({ done: i, total: nCells, unit: "cells", label: "synthesising counts" });
    }
    const type = sim.truth[i] === "Doublet" ? "Doublet" : sim.truth[i] === "Negative" ? "Negative" : "Singlet";
    const libOf = () => meanLibrary * Math.exp(0.35 * rng.normal());
    const row = new Float64Array(nGenes);
    if (type === "Negative") {
      const m = addCell(null, libOf() * 0.04);
      for (let j = 0; j < nGenes; j++) row[j] = rng.negBinomial(m(j), size);
      trueCondition.push("Negative");
      trueHashtag.push("Negative");
      truePhase.push(null);
    } else {
      const cells = type === "Doublet" ? [sim.truthFirst[i] as number, sim.truthSecond[i] as number] : [sim.truthFirst[i] as number];
      let first: { condition: Condition; phase: Phase } | null = null;
      for (const h of cells) {
        const cell = cellOf(h);
        first ??= cell;
        const m = addCell(cell, libOf());
        for (let j = 0; j < nGenes; j++) row[j] = (row[j] as number) + rng.negBinomial(m(j), size);
      }
      trueCondition.push(type === "Doublet" ? "Doublet" : (first as { condition: Condition }).condition);
      trueHashtag.push(type === "Doublet" ? "Doublet" : (hashtags[cells[0] as number] as string));
      truePhase.push(type === "Doublet" ? null : (first as { phase: Phase }).phase);
    }
    dropletType.push(type);
    for (let j = 0; j < nGenes; j++) {
      const v = row[j] as number;
      if (v === 0) continue;
      if (nnz === cap) {
        cap *= 2;
        const ni = new Int32Array(cap);
        ni.set(indices);
        indices = ni;
        const nd = new Float32Array(cap);
        nd.set(data);
        data = nd;
      }
      indices[nnz] = j;
      data[nnz++] = v;
    }
    indptr[i + 1] = nnz;
  }
  const X: SparseMatrix<Float32Array> = {
    format: "csr",
    shape: [nCells, nGenes],
    data: data.slice(0, nnz),
    indices: indices.slice(0, nnz),
    indptr,
  };
  return { X, trueCondition, trueHashtag, truePhase, dropletType };
}

/** A 16-letter nucleotide barcode for droplet `i` (unique per droplet). */
function barcode(i: number, seed: number): string {
  let x = (i * 2654435761 + seed * 97) >>> 0;
  let s = "";
  for (let k = 0; k < 16; k++) {
    s += "ACGT"[(x ^ (i >> (k % 12))) & 3];
    x = Math.imul(x ^ (x >>> 13), 1274126177) >>> 0;
  }
  return `${s}${i.toString(36).toUpperCase().padStart(4, "0")}`;
}

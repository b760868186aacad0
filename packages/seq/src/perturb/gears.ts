/**
 * An adapter for predictions a user exported from GEARS (`GEARS.predict([...])` returns one mean profile per
 * perturbation, keyed `"A"` or `"A_B"`), saved as CSV or h5ad. The adapter is a {@link PerturbationModel} whose
 * `fit` only checks the gene order; the file is read by the caller (the CLI or the user) and passed as text or as
 * an AnnData, so this analysis never opens files.
 */
import { HypedError, isSparse, sparseToDense } from "@hyped/core";
import type { AnnData } from "../anndata/index.js";
import type { ConditionSyntax, PerturbationModel, PerturbationTrainingData } from "./baselines.js";
import { splitCondition } from "./baselines.js";

/** Canonical key of a condition: its perturbed genes, sorted, joined by `"+"` (so `A_B`, `B+A`, `A+B+ctrl` agree). */
export function conditionKey(condition: string, syntax: ConditionSyntax = {}): string {
  return splitCondition(condition, { separator: syntax.separator ?? /[+_]/, controlNames: syntax.controlNames })
    .sort()
    .join("+");
}

/** Parse one CSV line (RFC 4180 quotes). */
function csvFields(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let cur = "";
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (q) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === delimiter) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Predictions by condition key, with the gene order they were written in. */
export class GearsPredictions implements PerturbationModel {
  readonly name: string;
  private order: Int32Array | null = null;
  constructor(
    /** Gene names of the stored profiles. */
    readonly genes: string[],
    /** Condition key ({@link conditionKey}) → profile in `genes` order. */
    readonly profiles: Map<string, Float64Array>,
    name = "gears",
  ) {
    this.name = name;
  }

  /**
   * From CSV text. Two layouts are recognised from the header:
   * - wide (default): first column the condition, the other columns genes (`condition,GENE1,GENE2,…`);
   * - long: columns `condition`, `gene`, `value` (any order; names case-insensitive).
   * A transposed wide table (first column genes, other columns conditions) is read with `{ transposed: true }`.
   */
  static fromCsv(text: string, { delimiter = ",", transposed = false, name = "gears" } = {}): GearsPredictions {
    const lines = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
    if (lines.length < 2) throw new HypedError("FORMAT", "GEARS predictions CSV needs a header and at least one row", {});
    const header = csvFields(lines[0] as string, delimiter).map((h) => h.trim());
    const lower = header.map((h) => h.toLowerCase());
    const rows = lines.slice(1).map((l) => csvFields(l, delimiter));
    const num = (s: string, where: string) => {
      const v = Number(s);
      if (s.trim() === "" || Number.isNaN(v)) throw new HypedError("FORMAT", `GEARS CSV: '${s}' is not a number (${where})`, { where });
      return v;
    };
    if (lower.includes("gene") && lower.includes("value") && (lower.includes("condition") || lower.includes("perturbation"))) {
      const ci = lower.includes("condition") ? lower.indexOf("condition") : lower.indexOf("perturbation");
      const gi = lower.indexOf("gene");
      const vi = lower.indexOf("value");
      const genes: string[] = [];
      const gpos = new Map<string, number>();
      const vals = new Map<string, Map<number, number>>();
      rows.forEach((r, k) => {
        const g = r[gi] as string;
        if (!gpos.has(g)) {
          gpos.set(g, genes.length);
          genes.push(g);
        }
        const key = conditionKey(r[ci] as string);
        if (!vals.has(key)) vals.set(key, new Map());
        (vals.get(key) as Map<number, number>).set(gpos.get(g) as number, num(r[vi] as string, `line ${k + 2}`));
      });
      const profiles = new Map<string, Float64Array>();
      for (const [key, m] of vals) {
        const p = new Float64Array(genes.length).fill(Number.NaN);
        for (const [j, v] of m) p[j] = v;
        profiles.set(key, p);
      }
      return new GearsPredictions(genes, profiles, name);
    }
    if (transposed) {
      const conds = header.slice(1);
      const genes = rows.map((r) => r[0] as string);
      const profiles = new Map<string, Float64Array>();
      conds.forEach((c, m) => {
        profiles.set(
          conditionKey(c),
          Float64Array.from(rows, (r, k) => num(r[m + 1] as string, `line ${k + 2}, column ${m + 2}`)),
        );
      });
      return new GearsPredictions(genes, profiles, name);
    }
    const genes = header.slice(1);
    const profiles = new Map<string, Float64Array>();
    rows.forEach((r, k) => {
      if (r.length !== header.length)
        throw new HypedError("FORMAT", `GEARS CSV line ${k + 2} has ${r.length} fields, header ${header.length}`, { line: k + 2 });
      profiles.set(
        conditionKey(r[0] as string),
        Float64Array.from(r.slice(1), (s, j) => num(s, `line ${k + 2}, column ${j + 2}`)),
      );
    });
    return new GearsPredictions(genes, profiles, name);
  }

  /** From an AnnData: one obs row per condition (named by `conditionColumn`, default the obs names), var = genes. */
  static fromAnnData(
    adata: AnnData,
    { conditionColumn, name = "gears" }: { conditionColumn?: string; name?: string } = {},
  ): GearsPredictions {
    if (!adata.X) throw new HypedError("NOT_FOUND", "GEARS predictions AnnData has no X", {});
    const d = isSparse(adata.X) ? sparseToDense(adata.X) : adata.X;
    const conds = conditionColumn ? adata.obs.get(conditionColumn).values().map(String) : adata.obsNames;
    const profiles = new Map<string, Float64Array>();
    conds.forEach((c, i) => {
      profiles.set(
        conditionKey(c),
        Float64Array.from({ length: adata.nVars }, (_, j) => Number(d.get(i, j))),
      );
    });
    return new GearsPredictions(adata.varNames, profiles, name);
  }

  /** Align to the training genes (`NOT_FOUND` naming the first missing genes). */
  fit(data: PerturbationTrainingData): void {
    const pos = new Map(this.genes.map((g, i) => [g, i]));
    const missing: string[] = [];
    this.order = Int32Array.from(data.genes, (g) => {
      const i = pos.get(g);
      if (i === undefined) missing.push(g);
      return i ?? -1;
    });
    if (missing.length) {
      throw new HypedError(
        "NOT_FOUND",
        `GEARS predictions lack ${missing.length} gene(s) of the data, e.g. ${missing.slice(0, 5).join(", ")}`,
        {
          missing: missing.slice(0, 20),
        },
      );
    }
  }

  /** The stored profile of `condition` (matched by {@link conditionKey}), in training gene order after `fit`. */
  predict(condition: string): Float64Array {
    const p = this.profiles.get(conditionKey(condition));
    if (!p)
      throw new HypedError(
        "NOT_FOUND",
        `no GEARS prediction for '${condition}' (have: ${[...this.profiles.keys()].slice(0, 10).join(", ")})`,
        { condition },
      );
    if (!this.order) return Float64Array.from(p);
    const o = this.order;
    return Float64Array.from(o, (i) => p[i] as number);
  }
}

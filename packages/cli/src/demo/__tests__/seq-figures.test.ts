/**
 * The sequencing half of the demo on the tiny synthetic run, checked at the level of the figures it writes:
 * the legends of Figure 2b (phase) and 2c (condition) and the groups of the 2d dotplot list exactly the
 * categories that have singlets, never the Doublet and Negative droplets filtered out before them nor empty
 * categories (the categorical keeps them after subsetting, as anndata does).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthSeq, writeH5ad } from "@hyped/seq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DemoContext } from "../context.js";
import { runSeqDemo } from "../seq.js";

const dir = mkdtempSync(join(tmpdir(), "hyped-demo-seq-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Texts of the SVG elements of one vega role (e.g. "legend-label", "axis-label"), in document order. */
function roleTexts(svg: string, role: string): string[] {
  const out: string[] = [];
  for (const g of svg.matchAll(new RegExp(`<g class="mark-text role-${role}"[^>]*>(.*?)</g>`, "gs")))
    for (const t of (g[1] as string).matchAll(/<text[^>]*>([^<]*)<\/text>/g)) out.push(t[1] as string);
  return out;
}

describe("demo Figure 2b–d legends", () => {
  const ctx = new DemoContext(dir, false, () => {});
  beforeAll(async () => {
    const h5ad = join(dir, "seq.h5ad");
    await writeH5ad(h5ad, synthSeq({ nCells: 600, nGenes: 400, seed: 1 }).adata, { compression: "gzip" });
    await runSeqDemo(h5ad, ctx);
  }, 300_000);

  const figure = (name: string) => readFileSync(join(dir, "figures", name), "utf8");
  /** Conditions with at least one singlet, from the demo's own demultiplexing table. */
  const singletConditions = () => {
    const rows = ctx.tables.find((t) => t.name === "demultiplexing")?.rows as Array<{ assigned_condition: string; cells: number }>;
    // the run must have droplets to leave out, or the checks below could not fail
    expect(rows.find((r) => r.assigned_condition === "Doublet")?.cells).toBeGreaterThan(0);
    expect(rows.find((r) => r.assigned_condition === "Negative")?.cells).toBeGreaterThan(0);
    return rows
      .filter((r) => r.cells > 0 && r.assigned_condition !== "Doublet" && r.assigned_condition !== "Negative")
      .map((r) => r.assigned_condition)
      .sort();
  };

  it("2c lists the conditions that have singlets, not Doublet or Negative", () => {
    const labels = roleTexts(figure("fig2c_tsne_condition.svg"), "legend-label");
    console.log(`fig2c legend: ${labels.join(", ")}`);
    expect([...labels].sort()).toEqual(singletConditions());
  });

  it("2d has one row and one gene bracket per condition with singlets, and a unit on mean expression", () => {
    const svg = figure("fig2d_de_genes.svg");
    const all = roleTexts(svg, "axis-label").concat(roleTexts(svg, "legend-label"), roleTexts(svg, "title-text"));
    console.log(`fig2d texts: ${[...new Set(all)].filter((t) => !/^SYN|^\d/.test(t)).join(", ")}`);
    expect(all.filter((t) => /Doublet|Negative/.test(t))).toEqual([]);
    expect(svg).not.toMatch(/Doublet|Negative/);
    const want = singletConditions();
    // each condition is named twice (its row, its gene-group bracket)
    for (const c of want) expect(all.filter((t) => t === c).length, c).toBeGreaterThanOrEqual(2);
    expect(svg).toMatch(/mean expression.{0,200}log1p of normalised counts/s);
  });

  it("2b lists only phases that occur", () => {
    const labels = roleTexts(figure("fig2b_tsne_phase.svg"), "legend-label");
    console.log(`fig2b legend: ${labels.join(", ")}`);
    expect(labels.length).toBeGreaterThan(0);
    expect(labels.every((l) => ["G1", "S", "G2M"].includes(l))).toBe(true);
  });
});

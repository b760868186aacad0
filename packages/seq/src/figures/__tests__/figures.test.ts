import type { DenseMatrix } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { AnnData, categoricalFrom, DataFrame } from "../../anndata/index.js";
import { rankGenesGroups } from "../../de/index.js";
import { log1p } from "../../preprocess/index.js";
import { lcgCounts } from "../../preprocess/synthetic.js";
import { embeddingSpec, embeddingSvg, rankGenesGroupsPlotRows, rankGenesGroupsPlotSpec, rankGenesGroupsPlotSvg } from "../index.js";

function dataset() {
  const { X, groups } = lcgCounts({ nCells: 60, nGenes: 30, seed: 9 });
  const labels = Array.from(groups, (g) => `cond${g}`);
  const obs = new DataFrame(
    labels.map((_, i) => `cell${i}`),
    { condition: categoricalFrom(labels), depth: { kind: "numeric", values: Float64Array.from(labels, (_, i) => i) } },
  );
  const ad = new AnnData({ X, obs, var: new DataFrame(Array.from({ length: 30 }, (_, j) => `G${j}`)) });
  log1p(ad);
  const emb = Float64Array.from({ length: 120 }, (_, k) => Math.sin(k) * 10);
  ad.obsm.set("X_tsne", { data: emb, shape: [60, 2], stride: [2, 1], offset: 0 } as unknown as DenseMatrix);
  rankGenesGroups(ad, "condition", { method: "wilcoxon" });
  return ad;
}

describe("figures", () => {
  it("embedding scatter: categorical and numeric colouring, SVG output", async () => {
    const ad = dataset();
    const spec = embeddingSpec(ad, { color: "condition" });
    const enc = spec.encoding as Record<string, { type: string; scale?: { domain?: string[] } }>;
    expect(enc.color!.type).toBe("nominal");
    expect(enc.color!.scale!.domain).toEqual(["cond0", "cond1", "cond2"]);
    expect((spec.data as { values: unknown[] }).values).toHaveLength(60);
    expect((embeddingSpec(ad, { color: "depth" }).encoding as Record<string, { type: string }>).color!.type).toBe("quantitative");
    const svg = await embeddingSvg(ad, { color: "condition", basis: "X_tsne" });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("cond2");
    // a category without cells (filtered out) is left out of the legend and the dot plot; excluded values too
    const col = ad.obs.column("condition") as { kind: "categorical"; categories: string[] };
    col.categories = [...col.categories, "Doublet"];
    const withEmpty = embeddingSpec(ad, { color: "condition", exclude: ["cond2"] });
    expect((withEmpty.encoding as Record<string, { scale: { domain: string[] } }>).color!.scale.domain).toEqual(["cond0", "cond1"]);
    expect(rankGenesGroupsPlotRows(ad, { nGenes: 2 }).some((r) => r.group === "Doublet")).toBe(false);
    expect(() => embeddingSpec(ad, { color: "nope" })).toThrow(/no obs column 'nope'/);
    expect(() => embeddingSpec(ad, { color: "condition", basis: "X_umap" })).toThrow(/no obsm/);
  });

  it("DE dot plot rows: mean expression and fraction expressing per group for the top genes", () => {
    const ad = dataset();
    const rows = rankGenesGroupsPlotRows(ad, { nGenes: 3 });
    const genes = new Set(rows.map((r) => r.gene));
    expect(genes.size).toBeLessThanOrEqual(9);
    expect(rows.length).toBe(genes.size * 3);
    // check one entry by hand
    const r = rows[0]!;
    const v = ad.obsVector(r.gene);
    const lab = ad.obs.get("condition").values();
    let s = 0;
    let nz = 0;
    let c = 0;
    v.forEach((x, i) => {
      if (lab[i] === r.group) {
        s += x;
        c++;
        if (x !== 0) nz++;
      }
    });
    expect(r.meanExpression).toBeCloseTo(s / c, 12);
    expect(r.fractionExpressing).toBeCloseTo(nz / c, 12);
    for (const row of rows) expect(row.scaled >= 0 && row.scaled <= 1).toBe(true);
  });

  it("DE dot plot and heatmap render to SVG", async () => {
    const ad = dataset();
    const dot = await rankGenesGroupsPlotSvg(ad, { nGenes: 5 });
    expect(dot.startsWith("<svg")).toBe(true);
    expect(dot).toContain("fraction of cells");
    // the colour legend carries a unit, and each gene group has a bracket (a rule) under its name
    expect(dot).toMatch(/\((log1p of normalised counts|X units)\)/);
    const blocks = new Set(rankGenesGroupsPlotRows(ad, { nGenes: 5 }).map((r) => r.block));
    expect(blocks.size).toBeGreaterThan(1);
    for (const b of blocks) expect(dot).toContain(`>${b}<`);
    expect((dot.match(/class="mark-rule role-mark/g) ?? []).length).toBe(blocks.size);
    await expect(rankGenesGroupsPlotSvg(ad, { nGenes: 5, expressionUnit: "CP10k" })).resolves.toContain("(CP10k)");
    const heat = await rankGenesGroupsPlotSvg(ad, { nGenes: 5, kind: "heatmap" });
    expect(heat).toContain("mean (scaled)");
    expect(() => rankGenesGroupsPlotSpec(ad, { kind: "violin" as never })).toThrow(/plot kind 'violin'/);
    expect(() => rankGenesGroupsPlotSpec(new AnnData({ X: null, obsNames: [], varNames: [] }))).toThrow(/no DE result/);
  });
});

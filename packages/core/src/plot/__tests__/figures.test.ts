import { describe, expect, it } from "vitest";
import { metricSmallMultiplesSpec, PHASE_COLOURS, renderSvg, scanpyEmbeddingSpec } from "../index.js";

const rows = [
  ...Array.from({ length: 30 }, (_, i) => ({ UMAP1: i, UMAP2: i % 7, phase: "G1" })),
  ...Array.from({ length: 3 }, (_, i) => ({ UMAP1: i, UMAP2: 2, phase: "S/G2/M" })),
  { UMAP1: 1, UMAP2: 1, phase: "Doublet" },
];

describe("scanpyEmbeddingSpec", () => {
  it("draws large groups first, leaves out excluded and empty categories, uses the phase palette", async () => {
    const spec = scanpyEmbeddingSpec(rows, {
      x: "UMAP1",
      y: "UMAP2",
      color: "phase",
      categories: ["early-G1/unknown", "G1", "G1/S", "S/G2/M", "Doublet"],
      exclude: ["Doublet"],
    });
    const values = (spec.data as { values: Array<{ phase: string }> }).values;
    expect(values).toHaveLength(33);
    expect(values.at(-1)?.phase).toBe("S/G2/M"); // the small group is drawn last, on top
    const scale = (spec.encoding as { color: { scale: { domain: string[]; range: string[] } } }).color.scale;
    expect(scale).toEqual({ domain: ["G1", "S/G2/M"], range: [PHASE_COLOURS.G1, PHASE_COLOURS["S/G2/M"]] });
    const svg = await renderSvg(spec);
    expect(svg).toContain(">UMAP1<");
    expect(svg).not.toContain("Doublet");
    expect(svg).not.toContain("early-G1");
    expect(svg).not.toMatch(/class="mark-rule role-axis-tick"/);
  });
  it("takes anndata's uns colours in category order", () => {
    const spec = scanpyEmbeddingSpec(rows, {
      x: "UMAP1",
      y: "UMAP2",
      color: "phase",
      categories: ["G1", "S/G2/M"],
      colours: ["#111111", "#222222"],
    });
    expect((spec.encoding as { color: { scale: { range: string[] } } }).color.scale.range).toEqual(["#111111", "#222222"]);
  });
});

describe("metricSmallMultiplesSpec", () => {
  it("gives each metric its own panel and axis title with the unit", async () => {
    const data = ["none", "median"].flatMap((method, k) =>
      [0, 1, 2].flatMap((f) => [
        { metric: "PSNR", method, value: 30 + k + f * 0.1 },
        { metric: "SSIM", method, value: 0.95 + k * 0.01 + f * 0.001 },
      ]),
    );
    const spec = metricSmallMultiplesSpec(data, { units: { PSNR: "dB", SSIM: "1" } });
    expect((spec.concat as unknown[]).length).toBe(2);
    const svg = await renderSvg(spec);
    expect(svg).toContain("PSNR (dB)");
    expect(svg).toContain("SSIM (1)");
    expect(svg).not.toContain(">value<");
  });
});

import { renderSvg, scanpyEmbeddingSpec } from "@hyped/core/plot";
import { describe, expect, it } from "vitest";
import { svgToPng } from "../png.js";
import { rasterisePoints } from "../rasterise.js";

describe("rasterisePoints", () => {
  it("turns 20 000 vector points into one image: the SVG shrinks below 200 kB and renders the same points", async () => {
    let s = 1;
    const rand = () => (s = (s * 16807) % 2147483647) / 2147483647;
    // ten clusters, as a t-SNE of cells looks (Box-Muller normals around ten centres)
    const normal = () => Math.sqrt(-2 * Math.log(rand() || 1e-9)) * Math.cos(2 * Math.PI * rand());
    const rows = Array.from({ length: 20000 }, (_, i) => {
      const k = i % 10;
      return { TSNE1: 10 * Math.cos(k) + normal(), TSNE2: 10 * Math.sin(k) + normal(), group: i % 50 === 0 ? "rare" : `c${k}` };
    });
    const spec = scanpyEmbeddingSpec(rows, { x: "TSNE1", y: "TSNE2", color: "group", size: 300 });
    const svg = await renderSvg(spec);
    expect(svg.length).toBeGreaterThan(500_000);
    const small = await rasterisePoints(svg);
    expect(small.length).toBeLessThan(200_000);
    expect(small).toContain("data:image/png;base64,");
    expect(small).toContain(">TSNE1<"); // axes stay vector
    // both render to images with about the same amount of ink
    const ink = async (text: string) => {
      const { Resvg } = await import("@resvg/resvg-js");
      const px = new Resvg(text, { background: "white" }).render().pixels;
      let n = 0;
      for (let i = 0; i < px.length; i += 4) if ((px[i] as number) + (px[i + 1] as number) + (px[i + 2] as number) < 600) n++;
      return n;
    };
    const [a, b] = [await ink(svg), await ink(small)];
    expect(Math.abs(a - b) / a).toBeLessThan(0.1);
    expect((await svgToPng(small)).length).toBeGreaterThan(1000);
  }, 120_000);
  it("leaves small SVGs alone", async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><g class="mark-symbol role-mark"><path d="M0,0"/></g></svg>';
    expect(await rasterisePoints(svg)).toBe(svg);
  });
});

/**
 * Keep dense scatter figures small: the point marks of a Vega SVG (its `mark-symbol` groups) are replaced by
 * one embedded PNG of the same points, drawn by resvg-js; axes, titles and legends stay vector. A t-SNE of
 * tens of thousands of cells drops from ~1 MB of `<path>` elements to a ~100 kB image.
 */
import { svgToPng } from "./png.js";

/** Options of {@link rasterisePoints}. */
export interface RasteriseOptions {
  /** Plot area size in px (the spec's width and height). */
  width: number;
  height: number;
  /** PNG pixels per SVG px. Default 2. */
  scale?: number;
  /** Margin around the plot area kept in the image (points on the edge), px. Default 8. */
  margin?: number;
  /** Only rasterise when the SVG is larger than this many bytes. Default 150 000. */
  minBytes?: number;
}

const GROUP = /<g class="mark-symbol role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/g;

/**
 * Replace every point-mark group of `svg` with a PNG `<image>` in the same coordinates. Returns the SVG
 * unchanged when it is small enough or has no point marks.
 */
export async function rasterisePoints(svg: string, o: RasteriseOptions): Promise<string> {
  if (svg.length <= (o.minBytes ?? 150_000)) return svg;
  const m = o.margin ?? 8;
  const w = o.width + 2 * m;
  const h = o.height + 2 * m;
  const parts: string[] = [];
  let last = 0;
  for (const g of svg.matchAll(GROUP)) {
    const inner = g[1] ?? "";
    const layer = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="${-m} ${-m} ${w} ${h}">${inner}</svg>`;
    const png = await svgToPng(layer, { scale: o.scale ?? 2, background: "rgba(0,0,0,0)" });
    const href = `data:image/png;base64,${Buffer.from(png).toString("base64")}`;
    parts.push(
      svg.slice(last, g.index),
      `<g class="mark-symbol role-mark rasterised"><image x="${-m}" y="${-m}" width="${w}" height="${h}" href="${href}"/></g>`,
    );
    last = (g.index ?? 0) + g[0].length;
  }
  if (parts.length === 0) return svg;
  parts.push(svg.slice(last));
  return parts.join("");
}

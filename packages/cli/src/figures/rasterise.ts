/**
 * Keep dense scatter figures small: the point marks of a Vega SVG (its `mark-symbol` groups) are replaced by
 * one embedded PNG of the same points, drawn by resvg-js; axes, titles and legends stay vector. A t-SNE of
 * tens of thousands of cells drops from ~1 MB of `<path>` elements to a ~100 kB image.
 */
import { svgToPng } from "./png.js";

/** Options of {@link rasterisePoints}. */
export interface RasteriseOptions {
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
export async function rasterisePoints(svg: string, o: RasteriseOptions = {}): Promise<string> {
  if (svg.length <= (o.minBytes ?? 150_000)) return svg;
  const m = o.margin ?? 8;
  const parts: string[] = [];
  let last = 0;
  for (const g of svg.matchAll(GROUP)) {
    const inner = g[1] ?? "";
    // the image covers the points' own extent (their translate() positions), plus the margin
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const t of inner.matchAll(/translate\(([-\d.e]+),([-\d.e]+)\)/g)) {
      const x = Number(t[1]);
      const y = Number(t[2]);
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
    if (!Number.isFinite(x0)) continue;
    const [x, y] = [Math.floor(x0 - m), Math.floor(y0 - m)];
    const [w, h] = [Math.ceil(x1 + m) - x, Math.ceil(y1 + m) - y];
    const layer = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="${x} ${y} ${w} ${h}">${inner}</svg>`;
    const png = await svgToPng(layer, { scale: o.scale ?? 2, background: "rgba(0,0,0,0)" });
    const href = `data:image/png;base64,${Buffer.from(png).toString("base64")}`;
    const image = `<g class="mark-symbol role-mark rasterised"><image x="${x}" y="${y}" width="${w}" height="${h}" href="${href}"/></g>`;
    parts.push(svg.slice(last, g.index), image);
    last = (g.index ?? 0) + g[0].length;
  }
  if (parts.length === 0) return svg;
  parts.push(svg.slice(last));
  return parts.join("");
}

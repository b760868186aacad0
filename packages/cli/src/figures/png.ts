/**
 * PNG copies of our SVG figures, for slides. Rendered by resvg-js (`@resvg/resvg-js`, the maintained Rust SVG
 * renderer with prebuilt binaries) rather than a browser: no Chromium needed, identical output on every machine.
 */
import { HypedError } from "@hyped/core";

/** Options of {@link svgToPng}. */
export interface SvgToPngOptions {
  /** Output pixels per SVG unit. Default 2 (a sharp image on slides). */
  scale?: number;
  /** Background colour. Default white (Vega's SVGs are transparent outside the plot). */
  background?: string;
}

/**
 * Render an SVG string to PNG bytes with the system's fonts (sans-serif for Vega's default font).
 * @throws HypedError INVALID_ARGUMENT when the SVG does not parse.
 */
export async function svgToPng(svg: string, options: SvgToPngOptions = {}): Promise<Uint8Array> {
  const { Resvg } = await import("@resvg/resvg-js");
  const scale = options.scale ?? 2;
  if (!(scale > 0 && scale <= 16)) throw new HypedError("INVALID_ARGUMENT", `scale ${scale} outside (0, 16]`, { scale });
  try {
    const r = new Resvg(svg, {
      background: options.background ?? "white",
      fitTo: { mode: "zoom", value: scale },
      font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
    });
    return new Uint8Array(r.render().asPng());
  } catch (e) {
    throw new HypedError("INVALID_ARGUMENT", `SVG does not render: ${(e as Error).message}`, {}, { cause: e });
  }
}

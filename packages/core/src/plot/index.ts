/**
 * `@hyped/core/plot`: SVG figures from Vega-Lite specs, rendered headless (no canvas, no browser).
 * We use Vega-Lite/Vega, maintained plotting libraries, rather than drawing SVG by hand.
 */
import { HypedError } from "../errors.js";

export { type EmbeddingFigureOptions, type MetricRow, metricSmallMultiplesSpec, scanpyEmbeddingSpec } from "./figures.js";
export { PHASE_COLOURS, phaseColour, phaseScale } from "./palette.js";

/** A Vega-Lite specification (see https://vega.github.io/vega-lite/docs/). */
export type VegaLiteSpec = Record<string, unknown>;

/**
 * Render a Vega-Lite spec to an SVG string. Data must be inline (`data: { values: rows }`).
 * Throws `INVALID_ARGUMENT` if the spec does not compile, and `UNSUPPORTED` if `vega` and `vega-lite` are not
 * installed (they are optional peer dependencies: `npm install vega vega-lite`; `@hyped/cli` brings them).
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  let vl: typeof import("vega-lite");
  let vega: typeof import("vega");
  try {
    [vl, vega] = await Promise.all([import("vega-lite"), import("vega")]);
  } catch (e) {
    throw new HypedError(
      "UNSUPPORTED",
      `SVG figures need the optional peer dependencies vega and vega-lite (npm install vega vega-lite): ${(e as Error).message.split("\n")[0]}`,
      {},
      { cause: e },
    );
  }
  let compiled: unknown;
  try {
    compiled = vl.compile(spec as never).spec;
  } catch (e) {
    throw new HypedError("INVALID_ARGUMENT", `invalid Vega-Lite spec: ${(e as Error).message}`, {}, { cause: e });
  }
  const view = new vega.View(vega.parse(compiled as never), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A stacked-area chart of `y` over `x`, coloured by `color`, optionally faceted into columns by `facet`. */
export function stackedAreaSpec(
  rows: Record<string, unknown>[],
  o: { x: string; y: string; color: string; facet?: string; title?: string; xTitle?: string; yTitle?: string },
): VegaLiteSpec {
  const base: VegaLiteSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    ...(o.title ? { title: o.title } : {}),
    data: { values: rows },
    mark: { type: "area" },
    encoding: {
      x: { field: o.x, type: "quantitative", title: o.xTitle ?? o.x },
      y: { field: o.y, type: "quantitative", stack: "normalize", title: o.yTitle ?? o.y },
      color: { field: o.color, type: "nominal" },
    },
    width: 220,
    height: 160,
  };
  if (!o.facet) return base;
  const { data, ...inner } = base;
  return { $schema: base.$schema, data, facet: { column: { field: o.facet, type: "nominal" } }, spec: { ...inner, title: undefined } };
}

/** A scatter plot of `x`/`y` coloured by `color`. */
export function scatterSpec(rows: Record<string, unknown>[], o: { x: string; y: string; color: string; title?: string }): VegaLiteSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    ...(o.title ? { title: o.title } : {}),
    data: { values: rows },
    mark: { type: "circle", size: 8, opacity: 0.7 },
    encoding: {
      x: { field: o.x, type: "quantitative" },
      y: { field: o.y, type: "quantitative" },
      color: { field: o.color, type: "nominal" },
    },
    width: 360,
    height: 300,
  };
}

/** A grouped bar chart of `y` per `x`, coloured by `color`. */
export function barSpec(
  rows: Record<string, unknown>[],
  o: { x: string; y: string; color?: string; column?: string; title?: string },
): VegaLiteSpec {
  const spec: VegaLiteSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    ...(o.title ? { title: o.title } : {}),
    data: { values: rows },
    mark: "bar",
    encoding: {
      x: { field: o.x, type: "nominal" },
      y: { field: o.y, type: "quantitative" },
      ...(o.color ? { color: { field: o.color, type: "nominal" } } : {}),
      ...(o.column ? { column: { field: o.column, type: "nominal" } } : {}),
    },
  };
  return spec;
}

/**
 * Figure specs in the style scanpy users expect, shared by the demo's figures: embeddings with no ticks or
 * grid (component names only), larger groups drawn first so small ones stay visible, legends listing only the
 * categories present; and metrics as small multiples, each with its own y axis and unit.
 */
import { PHASE_COLOURS } from "./palette.js";

/** A Vega-Lite specification (the same type as `VegaLiteSpec` of index.ts, restated to keep imports one way). */
type VegaLiteSpec = Record<string, unknown>;

/** Options of {@link scanpyEmbeddingSpec}. */
export interface EmbeddingFigureOptions {
  /** Field names of the two components (also the axis titles, e.g. "TSNE1"). */
  x: string;
  y: string;
  /** Field coloured by. */
  color: string;
  /** `nominal` (default) or `quantitative` (viridis, with a colour bar). */
  type?: "nominal" | "quantitative";
  /**
   * Colours per category in `categories` order (anndata's `uns['<color>_colors']`). Default: the phase
   * palette when every category is a phase name, else Vega's category10 (scanpy's default for <= 10 groups).
   */
  colours?: readonly string[];
  /** Category order (e.g. the categorical's categories). Default: order of first appearance. */
  categories?: readonly string[];
  /** Values of `color` left out of the figure (e.g. Doublet, Negative). */
  exclude?: readonly string[];
  title?: string;
  /** Plot size in px. Default 360. */
  size?: number;
}

/**
 * A scanpy-like embedding scatter: rows are reordered so larger groups are drawn first (small groups on top,
 * as scanpy's `sort_order`), the legend lists only categories with at least one point, axes carry names only.
 */
export function scanpyEmbeddingSpec(rows: readonly Record<string, unknown>[], o: EmbeddingFigureOptions): VegaLiteSpec {
  const excluded = new Set(o.exclude ?? []);
  const kept = rows.filter((r) => !excluded.has(String(r[o.color])));
  const size = o.size ?? 360;
  const axis = { ticks: false, labels: false, grid: false, domain: false, titleFontWeight: "normal" };
  let color: Record<string, unknown>;
  let values: Record<string, unknown>[];
  if (o.type === "quantitative") {
    color = { field: o.color, type: "quantitative", scale: { scheme: "viridis" } };
    // high values last, so they are on top (scanpy's default for continuous keys)
    values = [...kept].sort((a, b) => Number(a[o.color]) - Number(b[o.color]));
  } else {
    const count = new Map<string, number>();
    for (const r of kept) count.set(String(r[o.color]), (count.get(String(r[o.color])) ?? 0) + 1);
    const order = (o.categories ?? [...count.keys()]).map(String);
    const domain = order.filter((c) => (count.get(c) ?? 0) > 0);
    const allPhases = domain.length > 0 && domain.every((c) => c in PHASE_COLOURS);
    const range = o.colours
      ? domain.map((c) => o.colours?.[order.indexOf(c)] ?? "#999")
      : allPhases
        ? domain.map((c) => PHASE_COLOURS[c] as string)
        : undefined;
    color = { field: o.color, type: "nominal", scale: range ? { domain, range } : { domain }, legend: { title: o.color } };
    values = [...kept].sort((a, b) => (count.get(String(b[o.color])) ?? 0) - (count.get(String(a[o.color])) ?? 0));
  }
  const n = values.length;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    ...(o.title ? { title: o.title } : {}),
    width: size,
    height: size,
    data: { values },
    mark: { type: "circle", size: n > 20000 ? 3 : n > 5000 ? 6 : n > 1000 ? 12 : 24, opacity: 1 },
    encoding: {
      x: { field: o.x, type: "quantitative", axis, scale: { zero: false, nice: false } },
      y: { field: o.y, type: "quantitative", axis, scale: { zero: false, nice: false } },
      color,
    },
    config: { view: { stroke: "#222" } },
  };
}

/** One measurement for {@link metricSmallMultiplesSpec}. */
export interface MetricRow {
  /** Metric name, e.g. "PSNR". */
  metric: string;
  /** What is compared, e.g. the denoiser. */
  method: string;
  /** One value (a frame and channel); rows of the same metric and method give the mean and error bar. */
  value: number;
}

/**
 * Small multiples, one panel per metric, each with its own zoomed y axis titled with its unit
 * (`units[metric]`): the mean over rows as a dot and ± one standard deviation as an error bar per method.
 */
export function metricSmallMultiplesSpec(
  rows: readonly MetricRow[],
  options: { units?: Record<string, string>; title?: string; methodTitle?: string } = {},
): VegaLiteSpec {
  const metrics = [...new Set(rows.map((r) => r.metric))];
  const units = options.units ?? {};
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    ...(options.title ? { title: options.title } : {}),
    data: { values: rows.map((r) => ({ ...r })) },
    concat: metrics.map((m) => ({
      width: 140,
      height: 160,
      transform: [{ filter: { field: "metric", equal: m } }],
      layer: [
        {
          mark: { type: "errorbar", extent: "stdev", ticks: true },
          encoding: {
            x: { field: "method", type: "nominal", title: options.methodTitle ?? null },
            y: { field: "value", type: "quantitative", scale: { zero: false }, title: units[m] ? `${m} (${units[m]})` : m },
          },
        },
        {
          mark: { type: "point", filled: true, size: 50, color: "#222" },
          encoding: {
            x: { field: "method", type: "nominal" },
            y: { field: "value", type: "quantitative", aggregate: "mean" },
          },
        },
      ],
    })),
    columns: Math.min(metrics.length, 4),
    resolve: { scale: { y: "independent" } },
  };
}

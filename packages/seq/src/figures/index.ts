/**
 * Figures of the single-cell analyses as Vega-Lite specs and SVG (rendered by `@hyped/core/plot`): an
 * embedding scatter coloured by any obs column (scanpy's `pl.embedding`/`pl.tsne`/`pl.umap`), and a dot
 * plot or heatmap of the top DE genes per group (scanpy's `pl.rank_genes_groups_dotplot`/`_heatmap`).
 */
import { HypedError, isSparse } from "@hyped/core";
import { renderSvg, scanpyEmbeddingSpec, type VegaLiteSpec } from "@hyped/core/plot";
import type { AnnData, Matrix } from "../anndata/index.js";
import { columnValue } from "../anndata/index.js";
import type { RankGenesGroupsResult } from "../de/index.js";
import { inputMatrix } from "../preprocess/adata.js";
import { denseValues, numbers, shapeOf, toDenseF64 } from "../preprocess/matrix.js";

/** Options of {@link embeddingSpec}. */
export interface EmbeddingPlotOptions {
  /** obsm key; default the first of `X_umap`, `X_tsne`, `X_pca` that exists. */
  basis?: string;
  /** obs column to colour by (categorical/string/boolean → nominal colours, numbers → a colour ramp). */
  color: string;
  /** Components to plot (0-based). Default `[0, 1]`. */
  components?: [number, number];
  title?: string;
  /** Point size in square pixels. Default: by the number of points (24 below 1000, down to 3 above 20 000). */
  pointSize?: number;
  /** Values of `color` left out (e.g. `["Doublet", "Negative"]`); legends list only categories drawn. */
  exclude?: readonly string[];
}

function pickBasis(adata: AnnData, basis?: string): string {
  if (basis) {
    if (!adata.obsm.has(basis))
      throw new HypedError("NOT_FOUND", `no obsm['${basis}'] (have: ${[...adata.obsm.keys()].join(", ") || "none"})`, { basis });
    return basis;
  }
  for (const b of ["X_umap", "X_tsne", "X_pca"]) if (adata.obsm.has(b)) return b;
  throw new HypedError("NOT_FOUND", "no embedding in obsm (run umap, tsne or pca first)", {});
}

/** A Vega-Lite scatter of an embedding coloured by an obs column (one point per cell). */
export function embeddingSpec(adata: AnnData, options: EmbeddingPlotOptions): VegaLiteSpec {
  const basis = pickBasis(adata, options.basis);
  const m = adata.obsm.get(basis) as Matrix;
  const [n, d] = shapeOf(m);
  const [c0, c1] = options.components ?? [0, 1];
  if (!(c0 >= 0 && c1 >= 0 && c0 < d && c1 < d))
    throw new HypedError("OUT_OF_RANGE", `components [${c0}, ${c1}] outside 0..${d - 1} of ${basis}`, { basis });
  const col = adata.obs.column(options.color);
  if (!col)
    throw new HypedError("NOT_FOUND", `no obs column '${options.color}' (have: ${adata.obs.columns.join(", ") || "none"})`, {
      color: options.color,
    });
  const Y = toDenseF64(m);
  const label = basis.replace(/^X_/, "").toUpperCase();
  const xName = `${label}${c0 + 1}`;
  const yName = `${label}${c1 + 1}`;
  const rows: Record<string, unknown>[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = columnValue(col, i);
    rows[i] = { [xName]: Y[i * d + c0], [yName]: Y[i * d + c1], [options.color]: typeof v === "bigint" ? Number(v) : v };
  }
  const numeric = col.kind === "numeric" || col.kind === "nullable-integer";
  const categories = col.kind === "categorical" ? col.categories.map(String) : undefined;
  // anndata's uns['<key>_colors'] when it has a colour per category, as scanpy uses them
  const stored = adata.uns[`${options.color}_colors`];
  const colours = Array.isArray(stored) && categories && stored.length >= categories.length ? stored.map(String) : undefined;
  const spec = scanpyEmbeddingSpec(rows, {
    x: xName,
    y: yName,
    color: options.color,
    type: numeric ? "quantitative" : "nominal",
    ...(categories ? { categories } : {}),
    ...(colours ? { colours } : {}),
    ...(options.exclude ? { exclude: options.exclude } : {}),
    title: options.title ?? `${label} coloured by ${options.color}`,
  });
  if (options.pointSize) spec.mark = { ...(spec.mark as object), size: options.pointSize };
  return spec;
}

/** {@link embeddingSpec} rendered to an SVG string. */
export async function embeddingSvg(adata: AnnData, options: EmbeddingPlotOptions): Promise<string> {
  return renderSvg(embeddingSpec(adata, options));
}

/** Options of {@link rankGenesGroupsPlotSpec}. */
export interface DeGenesPlotOptions {
  /** Genes per group. Default 10 (the paper's top 10). */
  nGenes?: number;
  /** `"dotplot"` (default; size = fraction expressing, colour = mean expression) or `"heatmap"` (mean, scaled 0–1 per gene). */
  kind?: "dotplot" | "heatmap";
  /** uns key of the DE result. Default `"rank_genes_groups"`. */
  key?: string;
  /** obs column grouping the cells; default the one the DE run used. */
  groupby?: string;
  /** Expression layer; default the DE run's (X when none). */
  layer?: string;
  title?: string;
  /**
   * Unit of mean expression in the dot plot's colour legend. Default "log1p of normalised counts" when
   * `uns.log1p` is set (scanpy's `pp.log1p` marks it), else "X units".
   */
  expressionUnit?: string;
}

/** Tidy rows behind the DE dot plot: one per (group of cells, gene). */
export interface DeGenesPlotRow {
  group: string;
  gene: string;
  /** Group whose top-gene block the gene belongs to. */
  block: string;
  meanExpression: number;
  fractionExpressing: number;
  /** meanExpression scaled to [0, 1] across groups for this gene. */
  scaled: number;
}

/** The data of the DE gene plot: mean expression and fraction expressing of each top gene in each group. */
export function rankGenesGroupsPlotRows(adata: AnnData, options: DeGenesPlotOptions = {}): DeGenesPlotRow[] {
  const key = options.key ?? "rank_genes_groups";
  const res = adata.uns[key] as RankGenesGroupsResult | undefined;
  if (!res?.names) throw new HypedError("NOT_FOUND", `no DE result in uns['${key}'] (run rankGenesGroups first)`, { key });
  const groupby = options.groupby ?? res.params.groupby;
  const col = adata.obs.column(groupby);
  if (!col) throw new HypedError("NOT_FOUND", `no obs column '${groupby}'`, { groupby });
  const nGenes = options.nGenes ?? 10;
  const genes: Array<{ gene: string; block: string; j: number }> = [];
  const seen = new Set<string>();
  for (const g of res.groups) {
    for (const gene of (res.names[g] ?? []).slice(0, nGenes)) {
      if (seen.has(gene)) continue;
      seen.add(gene);
      const j = adata.varIndex(gene);
      if (j < 0) throw new HypedError("NOT_FOUND", `DE gene '${gene}' is not in var`, { gene });
      genes.push({ gene, block: g, j });
    }
  }
  const labels: string[] = [];
  for (let i = 0; i < adata.nObs; i++) {
    const v = columnValue(col, i);
    labels.push(v === null ? "" : String(v));
  }
  const groups = col.kind === "categorical" ? col.categories.map(String) : [...new Set(labels)].filter((x) => x !== "").sort();
  const gi = new Map(groups.map((g, k) => [g, k]));
  const X = inputMatrix(adata, options.layer ?? res.params.layer ?? undefined);
  const G = genes.length;
  const pos = new Map(genes.map((g, k) => [g.j, k]));
  const sum = new Float64Array(groups.length * G);
  const nz = new Float64Array(groups.length * G);
  const size = new Float64Array(groups.length);
  const cellGroup = Int32Array.from(labels, (l) => gi.get(l) ?? -1);
  for (const g of cellGroup) if (g >= 0) size[g]! += 1;
  const add = (i: number, j: number, v: number) => {
    const k = pos.get(j);
    const g = cellGroup[i] as number;
    if (k === undefined || g < 0) return;
    sum[g * G + k]! += v;
    if (v !== 0) nz[g * G + k]! += 1;
  };
  const [n, d] = shapeOf(X);
  if (isSparse(X)) {
    const data = numbers(X.data);
    const major = X.format === "csr" ? n : d;
    for (let a = 0; a < major; a++) {
      if (X.format === "csc" && !pos.has(a)) continue;
      for (let p = Number(X.indptr[a]); p < Number(X.indptr[a + 1]); p++) {
        const b = X.indices[p] as number;
        if (X.format === "csr") add(a, b, data[p] as number);
        else add(b, a, data[p] as number);
      }
    }
  } else {
    const data = denseValues(X);
    for (let i = 0; i < n; i++) for (const { j } of genes) add(i, j, data[i * d + j] as number);
  }
  const rows: DeGenesPlotRow[] = [];
  genes.forEach(({ gene, block }, k) => {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    const means = groups.map((_, g) => ((size[g] as number) > 0 ? (sum[g * G + k] as number) / (size[g] as number) : Number.NaN));
    for (const m of means) {
      if (m < lo) lo = m;
      if (m > hi) hi = m;
    }
    groups.forEach((group, g) => {
      // a category without cells (e.g. Doublet after filtering) gets no row, so no empty line or legend entry
      if ((size[g] as number) === 0) return;
      const m = means[g] as number;
      rows.push({
        group,
        gene,
        block,
        meanExpression: m,
        fractionExpressing: (size[g] as number) > 0 ? (nz[g * G + k] as number) / (size[g] as number) : Number.NaN,
        scaled: hi > lo ? (m - lo) / (hi - lo) : 0,
      });
    });
  });
  return rows;
}

/** A Vega-Lite dot plot (or heatmap) of the top DE genes per group, genes in rank order grouped by block. */
export function rankGenesGroupsPlotSpec(adata: AnnData, options: DeGenesPlotOptions = {}): VegaLiteSpec {
  const rows = rankGenesGroupsPlotRows(adata, options);
  const genes = [...new Set(rows.map((r) => r.gene))];
  const groups = [...new Set(rows.map((r) => r.group))];
  const kind = options.kind ?? "dotplot";
  const x = { field: "gene", type: "nominal", sort: genes, title: null, axis: { labelAngle: -90 } };
  const y = {
    field: "group",
    type: "nominal",
    sort: groups,
    title: (adata.uns[options.key ?? "rank_genes_groups"] as RankGenesGroupsResult).params.groupby,
  };
  const base = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: options.title ?? `Top ${options.nGenes ?? 10} DE genes per group`,
    data: { values: rows },
    width: Math.max(200, 14 * genes.length),
    height: Math.max(80, 18 * groups.length),
  };
  if (kind === "heatmap") {
    return {
      ...base,
      mark: "rect",
      encoding: { x, y, color: { field: "scaled", type: "quantitative", title: "mean (scaled)", scale: { scheme: "viridis" } } },
    };
  }
  if (kind !== "dotplot") throw new HypedError("UNSUPPORTED", `plot kind '${kind}' (supported: dotplot, heatmap)`, { kind });
  // the unit of the colour: what X holds (scanpy's dotplot labels it "Mean expression in group")
  const unit = options.expressionUnit ?? (adata.uns.log1p !== undefined ? "log1p of normalised counts" : "X units");
  const blocks = [...new Set(rows.map((r) => r.block))];
  const { width: _width, ...rest } = base;
  // one column per gene group with a bracket (a rule) and the group's name above it, as scanpy's var_group_positions
  return {
    ...rest,
    facet: {
      column: {
        field: "block",
        type: "nominal",
        sort: blocks,
        header: { title: null, labelOrient: "top", labelAngle: 0, labelPadding: 2 },
      },
    },
    spacing: 6,
    resolve: { scale: { x: "independent" } },
    spec: {
      width: { step: 14 },
      height: base.height,
      layer: [
        {
          mark: { type: "circle" },
          encoding: {
            x: { ...x, sort: genes },
            y,
            size: { field: "fractionExpressing", type: "quantitative", title: "fraction of cells", scale: { domain: [0, 1] } },
            color: {
              field: "meanExpression",
              type: "quantitative",
              title: ["mean expression", `(${unit})`],
              legend: { titleLimit: 300 },
              scale: { scheme: "reds" },
            },
          },
        },
        {
          transform: [{ aggregate: [{ op: "count", as: "n" }], groupby: ["block"] }],
          mark: { type: "rule", color: "#222", strokeWidth: 1.5 },
          encoding: { x: { value: 2 }, x2: { value: "width" }, y: { value: -5 } },
        },
      ],
    },
  };
}

/** {@link rankGenesGroupsPlotSpec} rendered to an SVG string. */
export async function rankGenesGroupsPlotSvg(adata: AnnData, options: DeGenesPlotOptions = {}): Promise<string> {
  return renderSvg(rankGenesGroupsPlotSpec(adata, options));
}

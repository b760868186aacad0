/**
 * The distribution of cell-cycle phases over time per condition (the paper's Figure 2a): tidy rows and a
 * stacked-area SVG rendered with Vega-Lite (`@hyped/core/plot`).
 */
import { HypedError } from "@hyped/core";
import { phaseScale, renderSvg, stackedAreaSpec } from "@hyped/core/plot";
import { CELL_CYCLE_PHASES } from "./phases.js";

/**
 * Input of {@link phaseDistributionRows}: one entry per object (a tracks table joined with phase calls, or
 * an objects table). `phase` holds codes (indices of `CELL_CYCLE_PHASES`) or names.
 */
export interface PhaseTable {
  phase: ArrayLike<number> | readonly string[];
  /** Grouping columns, e.g. `time` (hours), `frame`, `condition`, `well`. */
  [column: string]: ArrayLike<number> | readonly string[] | undefined;
}

/** Options of {@link phaseDistributionRows}. */
export interface PhaseDistributionOptions {
  /**
   * Columns to group by. Default `['condition', 'time']` when the table has a `condition` column, else
   * `['time']` (or `['frame']` without `time`). The last one is the x axis of the plot.
   */
  by?: readonly string[];
  /** Phase names, in stacking order. Default `CELL_CYCLE_PHASES`. */
  phases?: readonly string[];
}

/** One tidy row: the group's values, the phase, its count and its fraction of the group. */
export type PhaseDistributionRow = Record<string, string | number> & { phase: string; count: number; fraction: number; total: number };

/**
 * Count phases per group: every group gets a row for every phase (zeros included, so stacked areas close),
 * with `fraction = count / total`. Rows are sorted by the group columns in order (numbers numerically).
 */
export function phaseDistributionRows(table: PhaseTable, options: PhaseDistributionOptions = {}): PhaseDistributionRow[] {
  const phases = options.phases ?? CELL_CYCLE_PHASES;
  const n = table.phase.length;
  const by = options.by ?? (table.condition ? ["condition", "time"] : table.time ? ["time"] : ["frame"]);
  const cols = by.map((b) => {
    const c = table[b];
    if (!c) throw new HypedError("NOT_FOUND", `phaseDistribution: no column "${b}"`, { column: b, available: Object.keys(table) });
    if (c.length !== n)
      throw new HypedError("SHAPE_MISMATCH", `phaseDistribution: column "${b}" has ${c.length} rows, phase has ${n}`, { column: b });
    return c;
  });
  const phaseIndex = new Map(phases.map((p, i) => [p, i]));
  const groups = new Map<string, { key: (string | number)[]; counts: Float64Array }>();
  for (let i = 0; i < n; i++) {
    const p = table.phase[i] as string | number;
    const pi =
      typeof p === "number"
        ? (phaseIndex.get(CELL_CYCLE_PHASES[p] ?? "") ?? (Number.isInteger(p) && p < phases.length ? p : -1))
        : (phaseIndex.get(p) ?? -1);
    if (pi < 0)
      throw new HypedError("INVALID_ARGUMENT", `phaseDistribution: unknown phase ${JSON.stringify(p)} at row ${i}`, { phase: p, row: i });
    const key = cols.map((c) => c[i] as string | number);
    const k = JSON.stringify(key);
    let g = groups.get(k);
    if (!g) {
      g = { key, counts: new Float64Array(phases.length) };
      groups.set(k, g);
    }
    g.counts[pi] = (g.counts[pi] as number) + 1;
  }
  const cmp = (a: string | number, b: string | number) =>
    typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b));
  const sorted = [...groups.values()].sort((a, b) => {
    for (let j = 0; j < by.length; j++) {
      const c = cmp(a.key[j] as string | number, b.key[j] as string | number);
      if (c !== 0) return c;
    }
    return 0;
  });
  const rows: PhaseDistributionRow[] = [];
  for (const g of sorted) {
    const total = g.counts.reduce((s, v) => s + v, 0);
    phases.forEach((p, i) => {
      const row: Record<string, string | number> = {};
      by.forEach((b, j) => {
        row[b] = g.key[j] as string | number;
      });
      rows.push({ ...row, phase: p, count: g.counts[i] as number, fraction: total ? (g.counts[i] as number) / total : 0, total });
    });
  }
  return rows;
}

/**
 * Phase distribution over time per condition: the tidy rows of {@link phaseDistributionRows} plus an SVG
 * stacked-area plot of the phase fractions over the last `by` column, one panel per condition (when
 * grouping by more than one column, the first is the facet). Set `svg: false` to skip the plot.
 */
export async function phaseDistribution(
  table: PhaseTable,
  options: PhaseDistributionOptions & { svg?: boolean; title?: string; xTitle?: string } = {},
): Promise<{ rows: PhaseDistributionRow[]; svg?: string }> {
  const rows = phaseDistributionRows(table, options);
  if (options.svg === false) return { rows };
  const by = options.by ?? (table.condition ? ["condition", "time"] : table.time ? ["time"] : ["frame"]);
  if (by.length > 2)
    throw new HypedError("UNSUPPORTED", `phaseDistribution: the plot takes at most two grouping columns, got ${by.length}`, { by });
  const x = by[by.length - 1] as string;
  const facet = by.length === 2 ? (by[0] as string) : undefined;
  // the shared phase palette, only the phases present (in data and legend), and an x axis ending with the data
  const present = CELL_CYCLE_PHASES.filter((p) => rows.some((r) => r.phase === p && r.fraction > 0));
  const spec = stackedAreaSpec(
    rows.filter((r) => (present as readonly string[]).includes(r.phase)),
    {
      x,
      y: "fraction",
      color: "phase",
      ...(facet ? { facet } : {}),
      title: options.title ?? "Cell-cycle phase distribution",
      xTitle: options.xTitle ?? x,
      yTitle: "fraction of cells",
    },
  );
  const enc = ((spec.spec ?? spec) as { encoding: Record<string, Record<string, unknown>> }).encoding;
  enc.color = { ...enc.color, scale: phaseScale(present), sort: present };
  enc.x = { ...enc.x, scale: { nice: false, zero: false } };
  return { rows, svg: await renderSvg(spec) };
}

/** Writes `report.md` from the tables, figures and accuracy figures of a demo run. */
import type { DemoContext, ReportTable } from "./context.js";
import type { ImagingDemoSummary } from "./imaging.js";
import type { SeqDemoSummary } from "./seq.js";

const fmt = (v: unknown): string => {
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "n/a";
    if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
    if (Number.isInteger(v)) return String(v);
    return Math.abs(v) >= 1000 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4);
  }
  if (v === null || v === undefined) return "";
  return String(v).replaceAll("|", "\\|");
};

/** A markdown table of `rows` (all columns, or `columns`). */
export function markdownTable(t: Pick<ReportTable, "rows" | "columns">): string {
  if (t.rows.length === 0) return "_(no rows)_\n";
  const cols = t.columns ?? [...new Set(t.rows.flatMap((r) => Object.keys(r)))];
  return (
    [
      `| ${cols.join(" | ")} |`,
      `|${cols.map(() => "---").join("|")}|`,
      ...t.rows.map((r) => `| ${cols.map((c) => fmt(r[c])).join(" | ")} |`),
    ].join("\n") + "\n"
  );
}

/** Pass/fail line for a figure with a target. */
function target(name: string, value: number | undefined, min: number): Record<string, unknown> {
  return {
    measure: name,
    value: value === undefined ? "n/a (no truth)" : value,
    target: `≥ ${min}`,
    met: value === undefined ? "n/a" : value >= min ? "yes" : "NO",
  };
}

/** Assemble report.md. */
export function renderReport(
  ctx: DemoContext,
  info: { data: string; seed?: number; scale?: string; started: Date; seconds: number },
  imaging: ImagingDemoSummary | undefined,
  seq: SeqDemoSummary | undefined,
): string {
  const out: string[] = [];
  out.push("# HYPED demo report\n");
  out.push(
    `Run on ${info.started.toISOString()} in ${info.seconds.toFixed(1)} s; data: \`${info.data}\`${info.scale ? ` (synthetic ${info.scale}, seed ${info.seed})` : ""}. Every number below was computed in this run.\n`,
  );
  const acc: Record<string, unknown>[] = [];
  if (imaging) {
    acc.push(target("segmentation F1 at IoU 0.5", imaging.segmentationF1, 0.95));
    acc.push(target("tracking TRA (CTC)", imaging.tra, 0.95));
    acc.push(target("divisions found", imaging.divisionsFound, 0.9));
    acc.push(target("FUCCI phase accuracy away from transitions", imaging.phaseAccuracy, 0.95));
  }
  if (seq) {
    acc.push(target("demultiplexing: singlet accuracy", seq.singletAccuracy, 0.98));
    acc.push(target("demultiplexing: doublet recall", seq.doubletRecall, 0.9));
    acc.push({
      measure: "cell-cycle score vs true phase (unsorted cells)",
      value: seq.phaseAccuracy ?? "n/a",
      target: "(descriptive)",
      met: "",
    });
  }
  out.push("## Accuracy against the ground truth\n");
  out.push(markdownTable({ rows: acc }));
  for (const t of ctx.tables) {
    out.push(`## ${t.title}\n`);
    out.push(markdownTable(t));
    if (t.note) out.push(`${t.note}\n`);
    out.push(`CSV/JSON: \`tables/${t.name}.csv\`, \`tables/${t.name}.json\`\n`);
  }
  if (ctx.figures.length) {
    out.push("## Figures\n");
    for (const f of ctx.figures) out.push(`### ${f.title}\n\n![${f.title}](${f.file})\n`);
  }
  if (ctx.notes.length) out.push(`## Notes\n\n${ctx.notes.map((n) => `- ${n}`).join("\n")}\n`);
  out.push("## Timings\n");
  out.push(markdownTable({ rows: ctx.timings.map((t) => ({ step: t.step, seconds: t.seconds, cpu_seconds: t.cpu_seconds })) }));
  out.push("CPU seconds count this process only (conversion workers run in their own threads).\n");
  return out.join("\n");
}

/** What every demo step gets: where to write, how to report, and shared tables for the report. */
import { join } from "node:path";
import type { Progress } from "@hyped/core";
import { rowsToCsv } from "@hyped/seq";
import { jsonReplacer, progressBar } from "../context.js";

/** A table for the report (also written as CSV and JSON). */
export interface ReportTable {
  /** File stem under `tables/` and the table's heading. */
  name: string;
  title: string;
  rows: Record<string, unknown>[];
  /** Columns to show in report.md (default: all). */
  columns?: string[];
  /** A note printed under the table. */
  note?: string;
}

/** Demo run state. */
export class DemoContext {
  readonly tables: ReportTable[] = [];
  readonly figures: Array<{ file: string; title: string }> = [];
  readonly notes: string[] = [];
  readonly timings: Array<{ step: string; seconds: number; cpu_seconds: number }> = [];
  constructor(
    readonly out: string,
    readonly showBars: boolean,
    readonly log: (line: string) => void,
    readonly signal?: AbortSignal,
  ) {}

  /** A progress bar (on stderr when it is a TTY). */
  bar(label: string): { onProgress: Progress; stop(): void } {
    return progressBar(label, this.showBars);
  }

  /**
   * Write a file under the output folder atomically (`writeFileAtomic`: temp file, then rename; creating
   * folders), so a killed run or merge never leaves a partial report or table.
   */
  async write(rel: string, data: string | Uint8Array): Promise<string> {
    const p = join(this.out, rel);
    const { writeFileAtomic } = await import("@hyped/imaging");
    await writeFileAtomic(p, data);
    return p;
  }

  /** Record a table and write `tables/<name>.csv` and `.json`. */
  async table(t: ReportTable): Promise<void> {
    this.tables.push(t);
    await this.write(`tables/${t.name}.csv`, rowsToCsv(t.rows as Array<Record<string, unknown>>));
    await this.write(`tables/${t.name}.json`, JSON.stringify(t.rows, jsonReplacer, 1));
  }

  /**
   * Record and write an SVG figure under `figures/`, dense point layers rasterised (figures/rasterise.ts), and
   * its PNG twin for slides (same name, `.png`).
   */
  async figure(file: string, title: string, svg: string): Promise<void> {
    const [{ rasterisePoints }, { svgToPng }] = await Promise.all([import("../figures/rasterise.js"), import("../figures/png.js")]);
    this.figures.push({ file: `figures/${file}`, title });
    const small = await rasterisePoints(svg);
    await this.write(`figures/${file}`, small);
    await this.write(`figures/${file.replace(/\.svg$/, "")}.png`, await svgToPng(small));
  }

  /** Time a step, logging its name and duration. */
  async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    this.log(`▸ ${name}`);
    const r = await fn();
    const s = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1e6;
    this.timings.push({ step: name, seconds: s, cpu_seconds: cpu });
    this.log(`  done in ${s.toFixed(1)} s (${cpu.toFixed(1)} s CPU in this process)`);
    return r;
  }
}

/**
 * The verdict rows of `pnpm bench` and the one table it prints at the end (pure functions, unit-tested in
 * `scripts/__tests__/bench-table.test.ts`).
 *
 * Each bench turns its in-turns results into {@link VerdictRecord}s (`verdictTable` in bench-utils) and, when
 * `BENCH_VERDICTS` names a file, appends them there as JSON lines; the runner reads them all back and prints
 * {@link combinedTable}, ready to paste into `docs/performance.md`.
 *
 * The ratio is always ours/peer time (< 1: we are faster). Wall ratio: median(ours) / median(peer). Its
 * min–max is over the rounds, pairing ours and the peer of the same round (they ran back to back). The
 * verdict reads the CPU ratio when the machine is loaded (1-minute load average above its core count, where
 * wall time mostly measures the scheduler), the wall ratio otherwise.
 */

/** Median, min and max of a sample, in ms. */
export interface Span {
  median: number;
  min: number;
  max: number;
}

/** One verdict row of one bench. Times in ms. */
export interface VerdictRecord {
  /** The bench file, repo-relative (from `BENCH_NAME`), or "" if run outside `pnpm bench`. */
  bench: string;
  step: string;
  peer: string;
  oursWall: Span;
  oursCpu: Span;
  /** Undefined when the peer is absent on this machine. */
  peerWall?: Span;
  peerCpu?: Span;
  /** ours/peer of the medians, and min–max over the rounds. */
  ratioWall?: Span;
  ratioCpu?: Span;
  /** Goal for ours/peer (<= goal meets it). */
  goal: number;
  /** Which ratio the verdict reads. */
  judgedBy: "cpu" | "wall";
  verdict: "meets" | "misses" | "no peer";
  /** 1-minute load average when the row was judged. */
  load: number;
}

/** The timing samples of one row (what `inTurns` returns, minus its printing). */
export interface RowSamples {
  name: string;
  peerName: string;
  ours: readonly number[];
  peer: readonly number[];
  oursCpu: readonly number[];
  peerCpu: readonly number[];
  goal: number;
}

function medianOf(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Median, min and max of a non-empty sample. */
export function spanOf(xs: readonly number[]): Span {
  return { median: medianOf(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** ours/peer: ratio of the medians, min–max of the per-round ratios (undefined without peer samples). */
export function ratioSpan(ours: readonly number[], peer: readonly number[]): Span | undefined {
  if (!ours.length || !peer.length) return undefined;
  const n = Math.min(ours.length, peer.length);
  const per: number[] = [];
  for (let i = 0; i < n; i++) per.push((ours[i] as number) / (peer[i] as number));
  return { median: medianOf(ours) / medianOf(peer), min: Math.min(...per), max: Math.max(...per) };
}

/**
 * Whether ratio `r` meets `goal`, judged on `r` as printed (2 decimals), so that a table never shows "1.00x"
 * beside "misses" for a goal of 1.0.
 */
export function meetsGoal(r: number, goal: number): boolean {
  return Math.round(r * 100) / 100 <= goal;
}

/** The verdict record of one row; `loaded` says whether the verdict reads CPU time. */
export function verdictRecord(r: RowSamples, bench: string, load: number, loaded: boolean): VerdictRecord {
  const ratioWall = ratioSpan(r.ours, r.peer);
  const ratioCpu = ratioSpan(r.oursCpu, r.peerCpu);
  const judgedBy = loaded ? "cpu" : "wall";
  const judged = loaded ? ratioCpu : ratioWall;
  const rec: VerdictRecord = {
    bench,
    step: r.name,
    peer: r.peerName,
    oursWall: spanOf(r.ours),
    oursCpu: spanOf(r.oursCpu),
    goal: r.goal,
    judgedBy,
    verdict: judged === undefined ? "no peer" : meetsGoal(judged.median, r.goal) ? "meets" : "misses",
    load,
  };
  if (r.peer.length) {
    rec.peerWall = spanOf(r.peer);
    rec.peerCpu = spanOf(r.peerCpu);
  }
  if (ratioWall) rec.ratioWall = ratioWall;
  if (ratioCpu) rec.ratioCpu = ratioCpu;
  return rec;
}

/** Parse JSON lines written by benches (blank lines ignored; a malformed line throws, naming its number). */
export function parseVerdictLines(text: string): VerdictRecord[] {
  const out: VerdictRecord[] = [];
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line) as VerdictRecord);
    } catch {
      throw new Error(`verdict line ${i + 1} is not JSON: ${line.slice(0, 80)}`);
    }
  });
  return out;
}

/** What the table's heading says about the run. */
export interface RunInfo {
  /** ISO date-time of the start. */
  date: string;
  cpuModel: string;
  cores: number;
  /** 1, 5 and 15-minute load averages at the start and at the end. */
  loadStart: readonly number[];
  loadEnd: readonly number[];
  node: string;
  command: string;
  /** "dist" (built packages, plain Node) or "source" (BENCH_SOURCE=1, tsx). */
  library: "dist" | "source";
  /** Benches that ran, that failed, and that ran but wrote no verdict row. */
  ran: readonly string[];
  failed: readonly string[];
}

const f2 = (v: number) => v.toFixed(2);
const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const ratioCell = (s: Span | undefined) => (s ? `${f2(s.median)}x (${f2(s.min)}–${f2(s.max)})` : "-");
const msCell = (s: Span | undefined) => (s ? `${ms(s.median)} (${ms(s.min)}–${ms(s.max)})` : "-");
const esc = (s: string) => s.replace(/\|/g, "\\|");

/** The combined markdown table of a `pnpm bench` run, with its heading (date, machine, load, Node, command). */
export function combinedTable(records: readonly VerdictRecord[], info: RunInfo): string {
  const loads = (l: readonly number[]) => l.map(f2).join(" / ");
  const lines = [
    `### \`${info.command}\`, ${info.date}`,
    "",
    `Machine: ${info.cpuModel}, ${info.cores} cores; load average (1 / 5 / 15 min) ${loads(info.loadStart)} at the start, ${loads(info.loadEnd)} at the end; Node ${info.node}; library ${info.library === "dist" ? "from the built `dist/` in plain Node" : "from the sources under tsx (BENCH_SOURCE=1)"}.`,
    "Ratios are ours/peer time (< 1: we are faster), median of the rounds in turns (min–max over the rounds). The verdict reads CPU time when the 1-minute load average was above the core count, wall time otherwise.",
    "",
    "| bench | step | peer | ours/peer CPU | ours/peer wall | ours CPU ms | peer CPU ms | goal | verdict |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of records) {
    const verdict = r.verdict === "no peer" ? "no peer" : `${r.verdict} (${r.judgedBy}, load ${f2(r.load)})`;
    lines.push(
      `| ${esc(r.bench.replace(/^packages\//, ""))} | ${esc(r.step)} | ${esc(r.peer)} | ${ratioCell(r.ratioCpu)} | ${ratioCell(r.ratioWall)} | ${msCell(r.oursCpu)} | ${msCell(r.peerCpu)} | <= ${f2(r.goal)}x | ${verdict} |`,
    );
  }
  if (!records.length) lines.push("| (no bench wrote a verdict row) | | | | | | | | |");
  const counts = (k: VerdictRecord["verdict"]) => records.filter((r) => r.verdict === k).length;
  lines.push(
    "",
    `${records.length} rows: ${counts("meets")} meet their goal, ${counts("misses")} miss it, ${counts("no peer")} without a peer.`,
  );
  const withRows = new Set(records.map((r) => r.bench));
  const silent = info.ran.filter((b) => !withRows.has(b) && !info.failed.includes(b));
  if (silent.length) lines.push(`Ran without verdict rows (figures in their own output only): ${silent.join(", ")}.`);
  if (info.failed.length) lines.push(`Failed: ${info.failed.join(", ")}.`);
  return `${lines.join("\n")}\n`;
}

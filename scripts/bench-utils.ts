/**
 * Helpers for `pnpm bench` scripts (`packages/<pkg>/bench/*.bench.ts`). Each bench is a standalone script that
 * measures ours and the peer (Python or a native CLI) in the same run and prints ratios.
 */
import { type ChildProcessByStdio, execFileSync, spawn, spawnSync } from "node:child_process";
import { appendFileSync, existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { meetsGoal, type VerdictRecord, verdictRecord } from "./bench-table.js";

export type { VerdictRecord } from "./bench-table.js";

/** The repository root (this file is `scripts/bench-utils.ts`). */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * How this bench process loads the library: "dist" (the built packages in plain Node, what `pnpm bench` runs)
 * or "source" (`BENCH_SOURCE=1`, or a bench started by hand with `--conditions=@hyped/source`).
 */
export function benchMode(): "dist" | "source" {
  return process.env.BENCH_SOURCE === "1" || process.execArgv.includes("--conditions=@hyped/source") ? "source" : "dist";
}

/** Node arguments that run this same bench file again in a child process, in the same mode (add your own after). */
export function rerunSelfArgs(): string[] {
  return [...process.execArgv, process.argv[1] as string];
}

/**
 * Node arguments that run the TypeScript script `file` (e.g. a memory probe under `src/**\/__tests__`) in a
 * child process in this bench's mode: bundled and run in plain Node against `dist/` (see bench-bundle.ts), or
 * under tsx against the sources.
 */
export async function tsScriptArgs(file: string): Promise<string[]> {
  if (benchMode() === "source") return ["--conditions=@hyped/source", "--import", "tsx", file];
  const { bundleBench, inlinedNote } = await import("./bench-bundle.js");
  const b = await bundleBench(file, ROOT);
  if (b.inlinedSources.length) console.log(`${path.relative(ROOT, file)}: ${inlinedNote(b)}`);
  return [b.file];
}

/** Node arguments that run the `hyped` command: its built `dist/index.js` (the package's bin), or its sources. */
export function hypedCliArgs(): string[] {
  return benchMode() === "source"
    ? ["--conditions=@hyped/source", "--import", "tsx", path.join(ROOT, "packages/cli/src/index.ts")]
    : [path.join(ROOT, "packages/cli/dist/index.js")];
}

/** Median wall time in ms of `fn` over `repeat` runs (after one warm-up unless `warmup` is false). */
export async function timeIt(fn: () => unknown | Promise<unknown>, repeat = 3, warmup = true): Promise<number> {
  if (warmup) await fn();
  const t: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)] as number;
}

/** The Debian python used as the peer, if it has the modules named. */
export function pythonWith(...modules: string[]): string | undefined {
  const py = "/usr/bin/python3";
  if (!existsSync(py)) return undefined;
  const r = spawnSync(py, ["-c", modules.map((m) => `import ${m}`).join(";") || "pass"], { stdio: "ignore" });
  return r.status === 0 ? py : undefined;
}

/**
 * Run a Python snippet that prints one JSON object on its last line; returns it. The snippet should time its
 * own work (e.g. `time.perf_counter()`), so interpreter start-up is not counted.
 */
export function runPython<T = Record<string, number>>(code: string, py = "/usr/bin/python3"): T {
  const out = execFileSync(py, ["-c", code], { encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
  const lines = out.trim().split("\n");
  return JSON.parse(lines[lines.length - 1] as string) as T;
}

/** True if a command is on PATH. */
export function hasCommand(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

/**
 * Print one result line: ours, the peer, and the time ratio ours/peer = `oursMs / peerMs` (< 1 means we are
 * faster; the one convention of every bench). Prints only: rows that should reach the closing table of
 * `pnpm bench` go through {@link inTurns} and {@link verdictTable}.
 */
export function report(name: string, oursMs: number, peerMs: number | undefined, peerName = "peer"): void {
  if (peerMs === undefined) {
    console.log(`${name}: ours ${oursMs.toFixed(1)} ms; ${peerName} absent on this machine, no ratio`);
    return;
  }
  const ratio = oursMs / peerMs;
  console.log(
    `${name}: ours ${oursMs.toFixed(1)} ms, ${peerName} ${peerMs.toFixed(1)} ms, time ratio ours/${peerName} = ${ratio.toFixed(3)}x`,
  );
}

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Median of a sample (the sample is not modified). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * A long-lived Python peer: runs `setup` once, then times single calls of Python expressions on request, so
 * the peer's runs interleave with ours (turns) instead of running once at the start. Each `time(expr)` runs
 * `expr` once and returns its wall time in ms (interpreter start-up and setup are never counted).
 */
export class PythonPeer {
  private readonly proc: ChildProcessByStdio<Writable, Readable, null>;
  private buf = "";
  private waiting: ((line: string) => void) | undefined;
  private failed: ((e: Error) => void) | undefined;
  private readonly lines: string[] = [];

  private constructor(py: string, setup: string) {
    const server = `
import sys, time, json
exec(compile(${JSON.stringify(setup)}, "<setup>", "exec"), globals())
sys.stdout.write("ready\\n"); sys.stdout.flush()
for line in sys.stdin:
    expr = json.loads(line)
    fn = eval("lambda: (" + expr + ")", globals())
    c = time.process_time(); a = time.perf_counter(); fn(); ms = (time.perf_counter() - a) * 1000; cpu = (time.process_time() - c) * 1000
    sys.stdout.write(json.dumps([ms, cpu]) + "\\n"); sys.stdout.flush()
`;
    this.proc = spawn(py, ["-u", "-c", server], { stdio: ["pipe", "pipe", "inherit"] });
    this.proc.stdout.setEncoding("utf8");
    this.proc.stdout.on("data", (d: string) => {
      this.buf += d;
      let k = this.buf.indexOf("\n");
      while (k >= 0) {
        this.lines.push(this.buf.slice(0, k));
        this.buf = this.buf.slice(k + 1);
        k = this.buf.indexOf("\n");
      }
      this.flush();
    });
    this.proc.on("exit", (code) => this.failed?.(new Error(`python peer exited (${code})`)));
  }

  private flush(): void {
    if (this.waiting && this.lines.length) {
      const w = this.waiting;
      this.waiting = undefined;
      w(this.lines.shift() as string);
    }
  }

  private next(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failed = reject;
      this.flush();
    });
  }

  /** Start the peer with `setup` run once (undefined when no suitable python is installed). */
  static async start(setup: string, ...modules: string[]): Promise<PythonPeer | undefined> {
    const py = pythonWith(...modules);
    if (!py) return undefined;
    const p = new PythonPeer(py, setup);
    const ready = await p.next();
    if (ready !== "ready") throw new Error(`python peer did not start: ${ready}`);
    return p;
  }

  /** Wall time in ms of one evaluation of the Python expression `expr`. */
  async time(expr: string): Promise<number> {
    return (await this.timeCpu(expr)).wall;
  }

  /** Wall and CPU time (all threads of the Python process) in ms of one evaluation of `expr`. */
  async timeCpu(expr: string): Promise<{ wall: number; cpu: number }> {
    const r = this.next();
    this.proc.stdin.write(`${JSON.stringify(expr)}\n`);
    const [wall, cpu] = JSON.parse(await r) as [number, number];
    return { wall, cpu };
  }

  /** Stop the Python process. */
  close(): void {
    this.proc.stdin.end();
  }
}

/** Wall and CPU time of one peer run, in ms. */
export interface PeerTime {
  wall: number;
  cpu: number;
}

/**
 * A native command as a peer for {@link inTurns}: each call runs `cmd args` once (stdout discarded) and
 * returns its wall and CPU time (user + system of the command, from bash's `times`, 1 ms resolution). The
 * clock starts just before the command's own process start, which is included (as a user running it pays).
 */
export function commandPeer(cmd: string, args: readonly string[]): () => Promise<PeerTime> {
  const q = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
  const script = `s=$EPOCHREALTIME; ${[cmd, ...args].map(q).join(" ")} > /dev/null || exit 9; e=$EPOCHREALTIME; echo "$s $e"; times`;
  return async () => {
    const r = spawnSync("bash", ["-c", script], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    if (r.status !== 0) throw new Error(`${cmd} failed (exit ${r.status})`);
    const lines = r.stdout.trim().split("\n");
    const [s, e] = (lines[0] ?? "").split(" ").map(Number);
    // `times` prints the shell's own user/sys, then its children's: "0m0.123s 0m0.004s".
    const sec = (t: string) => {
      const m = /^(\d+)m([\d.]+)s$/.exec(t);
      return m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
    };
    const [u, sy] = (lines[2] ?? "").trim().split(/\s+/).map(sec);
    return { wall: ((e as number) - (s as number)) * 1000, cpu: ((u as number) + (sy as number)) * 1000 };
  };
}

/** One row of {@link inTurns}: our call, the peer's Python expression, and the goal for ours/peer. */
export interface TurnRow {
  name: string;
  ours: () => unknown | Promise<unknown>;
  /**
   * Python expression evaluated by the {@link PythonPeer}, or a function that runs the peer once and returns
   * its times (e.g. {@link commandPeer} for a native CLI); a function peer needs no PythonPeer.
   */
  peer: string | (() => Promise<PeerTime>);
  peerName: string;
  /** The goal for the ratio ours/peer (default 1.0). */
  goal?: number;
  /** Rounds (default 5); one warm-up of each side precedes them. */
  rounds?: number;
  /** Our call does this many units of the peer's work: our times are divided by it (default 1). */
  perCall?: number;
}

/** Result of one {@link inTurns} row (times in ms). */
export interface TurnResult {
  name: string;
  peerName: string;
  /** Wall times. */
  ours: number[];
  peer: number[];
  /** CPU times (user + system, all threads of each process). */
  oursCpu: number[];
  peerCpu: number[];
  /** Ratio of the wall-time medians, ours/peer. */
  ratio: number | undefined;
  /** Ratio of the CPU-time medians, ours/peer (steadier than wall time on a loaded machine). */
  cpuRatio: number | undefined;
  goal: number;
}

function fmtSpan(xs: readonly number[]): string {
  return `${median(xs).toFixed(1)} ms (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
}

/**
 * Measure each row in turns: one warm-up of each side, then `rounds` rounds of (ours once, peer once),
 * alternating which side goes first. Prints medians with min–max and the time ratio ours/peer (medians).
 */
export async function inTurns(rows: readonly TurnRow[], peer: PythonPeer | undefined): Promise<TurnResult[]> {
  const out: TurnResult[] = [];
  for (const row of rows) {
    const rounds = row.rounds ?? 5;
    const ours: number[] = [];
    const theirs: number[] = [];
    const oursCpu: number[] = [];
    const peerCpu: number[] = [];
    const per = row.perCall ?? 1;
    const runOurs = async () => {
      const c = process.cpuUsage();
      const s = performance.now();
      await row.ours();
      ours.push((performance.now() - s) / per);
      const u = process.cpuUsage(c);
      oursCpu.push((u.user + u.system) / 1000 / per);
    };
    const rowPeer = row.peer;
    const peerRun: (() => Promise<PeerTime>) | undefined =
      typeof rowPeer === "function" ? rowPeer : peer ? () => peer.timeCpu(rowPeer) : undefined;
    const runPeer = async (p: () => Promise<PeerTime>) => {
      const t = await p();
      theirs.push(t.wall);
      peerCpu.push(t.cpu);
    };
    await row.ours();
    if (peerRun) await peerRun();
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0 || !peerRun) await runOurs();
      if (peerRun) await runPeer(peerRun);
      if (r % 2 === 1 && peerRun) await runOurs();
    }
    const ratio = peerRun ? median(ours) / median(theirs) : undefined;
    const cpuRatio = peerRun ? median(oursCpu) / median(peerCpu) : undefined;
    out.push({ name: row.name, peerName: row.peerName, ours, peer: theirs, oursCpu, peerCpu, ratio, cpuRatio, goal: row.goal ?? 1 });
    console.log(
      peerRun
        ? `${row.name}: wall ours ${fmtSpan(ours)}, ${row.peerName} ${fmtSpan(theirs)}; CPU ours ${fmtSpan(oursCpu)}, ${row.peerName} ${fmtSpan(peerCpu)}; ours/${row.peerName} = ${(ratio as number).toFixed(2)}x wall, ${(cpuRatio as number).toFixed(2)}x CPU (${rounds} rounds in turns)`
        : `${row.name}: ours ${fmtSpan(ours)}; ${row.peerName} absent on this machine, no ratio`,
    );
  }
  return out;
}

/**
 * Append verdict rows to the file named by `BENCH_VERDICTS` (JSON lines; set by `pnpm bench`, which prints
 * all of them in one table at the end). Does nothing when the variable is unset. {@link verdictTable} calls it.
 */
export function recordVerdicts(records: readonly VerdictRecord[]): void {
  const file = process.env.BENCH_VERDICTS;
  if (!file || !records.length) return;
  appendFileSync(file, records.map((r) => `${JSON.stringify(r)}\n`).join(""));
}

/**
 * Print the closing table of a bench: one line per row with the wall and CPU medians, ours/peer for each, and
 * the verdict against the row's goal. The verdict reads the wall ratio, unless the machine is loaded (load
 * average above its core count), where wall time mostly measures the scheduler: then it reads the CPU ratio.
 * Under `pnpm bench` the rows also go to the run's closing table ({@link recordVerdicts}).
 */
export function verdictTable(results: readonly TurnResult[]): void {
  const load = loadavg()[0]!;
  const loaded = load > availableParallelism();
  recordVerdicts(results.map((r) => verdictRecord(r, process.env.BENCH_NAME ?? "", load, loaded)));
  console.log(
    `\n| step | ours ms wall / CPU | peer ms wall / CPU | ours/peer wall | ours/peer CPU | goal | verdict (${loaded ? "CPU: machine loaded" : "wall"}) |`,
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const r of results) {
    const judged = loaded ? r.cpuRatio : r.ratio;
    const verdict = judged === undefined ? "no peer" : meetsGoal(judged, r.goal) ? "meets" : "misses";
    const x = (v: number | undefined) => (v === undefined ? "-" : `${v.toFixed(2)}x`);
    console.log(
      `| ${r.name} | ${median(r.ours).toFixed(1)} / ${median(r.oursCpu).toFixed(1)} | ${r.peer.length ? `${median(r.peer).toFixed(1)} / ${median(r.peerCpu).toFixed(1)} (${r.peerName})` : "-"} | ${x(r.ratio)} | ${x(r.cpuRatio)} | <= ${r.goal.toFixed(1)}x | ${verdict} |`,
    );
  }
}

/**
 * Helpers for `pnpm bench` scripts (`packages/<pkg>/bench/*.bench.ts`). Each bench is a standalone script that
 * measures ours and the peer (Python or a native CLI) in the same run and prints ratios.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

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

/** Print one result line: ours, the peer, and the ratio peer/ours (>1 means we are faster). */
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

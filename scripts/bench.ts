/**
 * `pnpm bench [filter] [--no-build | --build] [--out file.md]`: runs every `packages/*\/bench/*.bench.ts` in its
 * own Node process (so memory figures are per benchmark), printing each one's output, then ONE table of every
 * verdict row the benches wrote. Benchmarks are never part of `pnpm test`.
 *
 * What runs is what users run: the built `dist/` of each package, in plain Node.
 * 1. Build: if any package's `src/` (or its package.json / tsup config) is newer than its `dist/`, or a `dist/`
 *    is missing, `pnpm build` runs first; otherwise the build is skipped. The runner says which. `--no-build`
 *    (or `BENCH_BUILD=0`) never builds (it warns if `dist/` is stale), `--build` (`BENCH_BUILD=1`) always does.
 * 2. Each bench file is bundled alone by esbuild with every bare import external (scripts/bench-bundle.ts says
 *    why not tsx), and run by plain `node`: each `@hyped/*` import resolves through the package's `exports` to
 *    `dist/`. A preloaded guard (scripts/bench-guard.mjs) prints where `@hyped/core` resolved and fails the
 *    bench if it is `src/`.
 * `BENCH_SOURCE=1 pnpm bench` measures the sources instead (tsx, `--conditions=@hyped/source`; no build).
 *
 * Benches append their verdict rows to the file in `BENCH_VERDICTS` (bench-utils `verdictTable`); the closing
 * table (scripts/bench-table.ts) carries the date, machine, load average at start and end, Node version and
 * command, ready to paste into docs/performance.md; `--out file.md` also writes it there.
 *
 * On Linux the benches run with `GLIBC_TUNABLES=glibc.malloc.hugetlb=1` (`withHugePages` from
 * `@hyped/cli/hugepages`, the helper the `hyped` command uses). The runner itself runs under tsx on the
 * sources (it is plumbing, and it must run before the build it may trigger).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { withHugePages } from "@hyped/cli/hugepages";
import { bundleBench, inlinedNote } from "./bench-bundle.js";
import { staleDists } from "./bench-stale.js";
import { combinedTable, parseVerdictLines } from "./bench-table.js";

const root = path.resolve(import.meta.dirname, "..");
/** Where the user typed the command (pnpm runs scripts from the root and says where in INIT_CWD). */
const userCwd = process.env.INIT_CWD ?? process.cwd();
process.chdir(root);

interface Args {
  filter: string | undefined;
  build: "auto" | "always" | "never";
  out: string | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = {
    filter: undefined,
    build: process.env.BENCH_BUILD === "0" ? "never" : process.env.BENCH_BUILD === "1" ? "always" : "auto",
    out: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i] as string;
    if (v === "--no-build") a.build = "never";
    else if (v === "--build") a.build = "always";
    else if (v === "--out") {
      a.out = argv[++i];
      if (!a.out) throw new Error("--out needs a file name");
    } else if (v.startsWith("--out=")) a.out = v.slice(6);
    else if (v.startsWith("--")) throw new Error(`unknown option ${v} (known: --no-build, --build, --out <file.md>)`);
    else a.filter = v;
  }
  return a;
}

function benchFiles(filter: string | undefined): string[] {
  const files: string[] = [];
  for (const pkg of readdirSync("packages")) {
    const dir = path.join("packages", pkg, "bench");
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir))
      if (f.endsWith(".bench.ts") && (!filter || path.join(dir, f).includes(filter))) files.push(path.join(dir, f));
  }
  return files.sort();
}

let args: Args;
try {
  args = parseArgs(process.argv.slice(2));
} catch (e) {
  console.error(`pnpm bench: ${(e as Error).message}`);
  process.exit(2);
}
const source = process.env.BENCH_SOURCE === "1";
const command = `${source ? "BENCH_SOURCE=1 " : ""}pnpm bench ${process.argv.slice(2).join(" ")}`.trim();

if (source) console.log("BENCH_SOURCE=1: measuring the sources under tsx (--conditions=@hyped/source), not dist/; no build");
else {
  const stale = staleDists(root);
  if (args.build === "never") {
    console.log(
      stale.length
        ? `build skipped (--no-build), but dist/ is STALE:\n  ${stale.join("\n  ")}`
        : "build skipped (--no-build); dist/ is fresh",
    );
  } else if (args.build === "always" || stale.length) {
    console.log(
      args.build === "always" ? "building (--build): pnpm build" : `dist/ is stale, building (pnpm build):\n  ${stale.join("\n  ")}`,
    );
    const t0 = performance.now();
    const b = spawnSync("pnpm", ["build"], { stdio: ["ignore", "ignore", "inherit"] });
    if (b.status !== 0) {
      console.error("pnpm build failed: no bench ran");
      process.exit(1);
    }
    console.log(`built in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  } else console.log("dist/ is fresh (every package's dist/ is newer than its src/): build skipped");
}

// Node's allocator asks for transparent huge pages only with this glibc tunable (numpy asks by itself):
// the benchmarks run with it, as the `hyped` command does; HYPED_HUGEPAGES=0 measures without.
const env: NodeJS.ProcessEnv = { ...(withHugePages(process.env) ?? process.env) };
console.log(`GLIBC_TUNABLES=${env.GLIBC_TUNABLES ?? ""} (transparent huge pages for large buffers; HYPED_HUGEPAGES=0 to measure without)`);
const work = mkdtempSync(path.join(tmpdir(), "hyped-bench-run-"));
const verdicts = path.join(work, "verdicts.jsonl");
writeFileSync(verdicts, "");
env.BENCH_VERDICTS = verdicts;
const guard = path.join(root, "scripts/bench-guard.mjs");

const files = benchFiles(args.filter);
if (!files.length) {
  console.error(`no bench file matches ${JSON.stringify(args.filter)} (files: packages/*/bench/*.bench.ts)`);
  process.exit(1);
}
const failed: string[] = [];
// After any build: the load average and date of the benches themselves.
const loadStart = loadavg();
const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
for (const f of files) {
  console.log(`\n=== ${f}`);
  let runArgs: string[];
  if (source) runArgs = ["--conditions=@hyped/source", "--import", "tsx", f];
  else {
    try {
      const b = await bundleBench(f, root);
      console.log(`bundled by esbuild to ${path.relative(root, b.file)} (library imports external, resolved to dist/ by Node)`);
      if (b.inlinedSources.length) console.log(`  ${inlinedNote(b)}`);
      runArgs = [b.file];
    } catch (e) {
      console.error(`could not bundle ${f}: ${(e as Error).message}`);
      failed.push(f);
      continue;
    }
  }
  const r = spawnSync(process.execPath, ["--import", guard, "--max-old-space-size=16384", ...runArgs], {
    stdio: "inherit",
    env: { ...env, BENCH_NAME: f },
  });
  if (r.status !== 0) failed.push(f);
}
console.log(`\n${files.length - failed.length} benchmarks ran, ${failed.length} failed`);

const cpuModel = cpus()[0]?.model.trim() ?? "unknown CPU";
const table = combinedTable(parseVerdictLines(readFileSync(verdicts, "utf8")), {
  date,
  cpuModel,
  cores: availableParallelism(),
  loadStart,
  loadEnd: loadavg(),
  node: process.version,
  command,
  library: source ? "source" : "dist",
  ran: files,
  failed,
});
rmSync(work, { recursive: true, force: true });
console.log(`\n${table}`);
if (args.out) {
  const out = path.resolve(userCwd, args.out);
  writeFileSync(out, table);
  console.log(`table written to ${out}`);
}
process.exit(failed.length ? 1 : 0);

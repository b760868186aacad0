/**
 * `pnpm fuzz`: a seeded mutation fuzzer over the toolkit's public readers (see `README.md` beside this file).
 *
 *   pnpm fuzz [--cases 300] [--seed 1] [--target npy,h5ad,...] [--timeout 10000] [--heap 512] [--out .cache/fuzz]
 *   pnpm fuzz --seed 1 --target h5ad --case 117      # replay one case (keeps its input in <out>/work)
 *
 * Every case runs in a worker thread with a time limit and a V8 heap limit; after a case that threw, the
 * same worker opens the unmutated seed (a corrupt file must not affect the next one). A failure is an
 * untyped error, a hang, running out of memory, or a seed that no longer opens. The input of each distinct
 * failure is saved under `<out>/failures/<target>/`. Exit status 1 when anything failed.
 */
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { buildSeeds, type Seed } from "./corpus.js";
import { caseSeed, mutate, pick, prng } from "./mutate.js";
import { TARGETS, type TargetName } from "./targets.js";
import type { CaseMessage, CaseResult } from "./worker.js";

const { values: args } = parseArgs({
  options: {
    cases: { type: "string", default: "300" },
    seed: { type: "string", default: "1" },
    target: { type: "string", default: TARGETS.join(",") },
    case: { type: "string" },
    timeout: { type: "string", default: "10000" },
    heap: { type: "string", default: "512" },
    out: { type: "string", default: ".cache/fuzz" },
  },
});
const seed = Number(args.seed);
const timeoutMs = Number(args.timeout);
const heapMb = Number(args.heap);
const out = resolve(args.out as string);
const targets = (args.target as string).split(",").map((t) => t.trim()) as TargetName[];
for (const t of targets) if (!TARGETS.includes(t)) throw new Error(`unknown target ${t}; known: ${TARGETS.join(", ")}`);

type Kind = "ok" | "typed" | "untyped" | "hang" | "oom" | "next-fail";

/** One worker thread, restarted after a hang or a crash. */
class Runner {
  private w?: Worker;
  private nextId = 0;
  private ready?: Promise<void>;
  private start(): Worker {
    this.w = new Worker(new URL("./worker-boot.mjs", import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 64 },
      execArgv: ["--conditions=@hyped/source"],
      // web-worker (a geotiff dependency) reads `workerData.mod` when imported in a worker thread
      workerData: {},
      stdout: true,
      stderr: true,
    });
    this.w.unref();
    const w = this.w;
    this.ready = new Promise((res) => {
      const onReady = (m: { ready?: boolean }) => {
        if (!m.ready) return;
        w.off("message", onReady);
        res();
      };
      w.on("message", onReady);
      w.once("exit", () => res());
    });
    return this.w;
  }
  /** h5wasm instances loaded, summed over the workers this runner started. */
  instances = 0;
  private workerInstances = 0;
  async run(msg: Omit<CaseMessage, "id">): Promise<{ kind: Kind; detail: string; ms: number }> {
    const w = this.w ?? this.start();
    await this.ready;
    const id = ++this.nextId;
    const t0 = performance.now();
    return new Promise((res) => {
      const done = (kind: Kind, detail: string, restart: boolean) => {
        clearTimeout(timer);
        w.off("message", onMsg);
        w.off("error", onErr);
        w.off("exit", onExit);
        if (restart) {
          void w.terminate();
          this.w = undefined;
          this.workerInstances = 0;
        }
        res({ kind, detail, ms: performance.now() - t0 });
      };
      const onMsg = (r: CaseResult) => {
        if (r.id !== id) return;
        this.instances += r.instances - this.workerInstances;
        this.workerInstances = r.instances;
        if (r.next === "fail") done("next-fail", `${r.message} || next: ${r.nextMessage}`, true);
        else if (r.outcome === "untyped") done("untyped", r.message ?? "", false);
        else done(r.outcome, r.outcome === "typed" ? `${r.code}: ${r.message}` : "", false);
      };
      const onErr = (e: Error & { code?: string }) =>
        done(e.code === "ERR_WORKER_OUT_OF_MEMORY" ? "oom" : "untyped", `worker died: ${e.code ?? ""} ${e.message}`, true);
      const onExit = (c: number) => done("untyped", `worker exited with ${c}`, true);
      const timer = setTimeout(() => done("hang", `no answer in ${timeoutMs} ms`, true), timeoutMs);
      w.on("message", onMsg);
      w.on("error", onErr);
      w.on("exit", onExit);
      w.postMessage({ ...msg, id });
    });
  }
  async stop(): Promise<void> {
    await this.w?.terminate();
  }
}

/** Build the input of case `n` of `target` in `work`; returns what to open and how it was made. */
function prepareCase(target: TargetName, seeds: Seed[], n: number, work: string) {
  const r = prng(caseSeed(seed, target, n));
  const s = pick(r, seeds);
  const file = pick(r, s.mutable);
  const { bytes, ops } = mutate(new Uint8Array(readFileSync(join(s.dir, file))), r);
  rmSync(work, { recursive: true, force: true });
  cpSync(s.dir, work, { recursive: true });
  writeFileSync(join(work, file), bytes);
  return { path: join(work, s.entry), pristine: join(s.dir, s.entry), seedName: s.name, file, ops };
}

/** A failure's signature: its kind plus the message with numbers and paths blurred. */
function signature(kind: Kind, detail: string): string {
  const blurred = detail
    .replace(/\/[^\s:'"()]+/g, "<path>")
    .replace(/\d+/g, "N")
    .slice(0, 200);
  return `${kind}: ${blurred}`;
}

interface Row {
  target: string;
  cases: number;
  counts: Record<Kind, number>;
  distinct: Map<string, { n: number; first: number }>;
  seconds: number;
  instances: number;
}

async function fuzzTarget(target: TargetName, cases: number[], replay: boolean): Promise<Row> {
  const seeds = await buildSeeds(join(out, "corpus"), target);
  const row: Row = {
    target,
    cases: 0,
    counts: { ok: 0, typed: 0, untyped: 0, hang: 0, oom: 0, "next-fail": 0 },
    distinct: new Map(),
    seconds: 0,
    instances: 0,
  };
  if (seeds.length === 0) {
    console.log(`${target}: no seeds (fixtures absent?), skipped`);
    return row;
  }
  const runner = new Runner();
  const work = join(out, "work", target);
  const t0 = performance.now();
  for (const n of cases) {
    const c = prepareCase(target, seeds, n, work);
    const res = await runner.run({ target, path: c.path, pristine: c.pristine });
    row.cases++;
    row.counts[res.kind]++;
    if (replay || res.kind === "untyped" || res.kind === "hang" || res.kind === "oom" || res.kind === "next-fail") {
      // hangs and OOM say nothing about where: tell them apart by seed input and mutated file
      const where = res.kind === "hang" || res.kind === "oom" ? ` ${c.seedName} ${c.file}` : "";
      const sig = signature(res.kind, res.detail + where);
      const seen = row.distinct.get(sig);
      if (seen) seen.n++;
      else {
        row.distinct.set(sig, { n: 1, first: n });
        if (!replay) {
          const h = createHash("sha1").update(sig).digest("hex").slice(0, 10);
          const dir = join(out, "failures", target, `${res.kind}-${h}`);
          rmSync(dir, { recursive: true, force: true });
          cpSync(work, dir, { recursive: true });
          const info = { target, seed, case: n, seedInput: c.seedName, file: c.file, ops: c.ops, kind: res.kind, detail: res.detail };
          writeFileSync(join(dir, "case.json"), `${JSON.stringify(info, null, 2)}\n`);
        }
        console.log(`  ${target} case ${n} [${c.seedName} ${c.file} ${c.ops.join(" ")}] ${res.kind}: ${res.detail}`);
      }
    }
    if (replay) console.log(`${target} case ${n}: ${res.kind} ${res.detail} (${res.ms.toFixed(0)} ms; input kept in ${work})`);
    else if (row.cases % 500 === 0)
      console.error(`  ${target}: ${row.cases}/${cases.length} cases, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  await runner.stop();
  row.instances = runner.instances;
  row.seconds = (performance.now() - t0) / 1000;
  return row;
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const replay = args.case !== undefined;
  const n = Number(args.cases);
  const rows: Row[] = [];
  for (const t of targets) {
    const cases = replay ? [Number(args.case)] : Array.from({ length: n }, (_, i) => i);
    const r = await fuzzTarget(t, cases, replay);
    rows.push(r);
    // each target's row as soon as it is done (a long run stopped later keeps what finished)
    const c = r.counts;
    if (!replay)
      console.error(
        `  done: ${t} ${r.cases} cases: ${c.ok} opened, ${c.typed} typed, ${c.untyped} untyped, ${c.hang} hang, ${c.oom} OOM, ${c["next-fail"]} next-file failed, ${r.instances} instances, ${r.seconds.toFixed(0)} s`,
      );
  }
  console.log("");
  console.log(`seed ${seed}, time limit ${timeoutMs} ms, heap limit ${heapMb} MB`);
  console.log(
    "| target | cases | opened | typed error | untyped | hang | OOM | next file failed | distinct failures | h5wasm instances | s |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|");
  let bad = 0;
  for (const r of rows) {
    const c = r.counts;
    const failures = c.untyped + c.hang + c.oom + c["next-fail"];
    if (!replay) bad += failures;
    console.log(
      `| ${r.target} | ${r.cases} | ${c.ok} | ${c.typed} | ${c.untyped} | ${c.hang} | ${c.oom} | ${c["next-fail"]} | ${replay ? "-" : r.distinct.size} | ${r.instances} | ${r.seconds.toFixed(0)} |`,
    );
  }
  if (bad > 0) {
    console.log(`\n${bad} failing cases; inputs saved under ${join(out, "failures")}`);
    process.exitCode = 1;
  }
}

await main();

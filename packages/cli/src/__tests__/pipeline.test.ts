/**
 * `hyped pipeline` on a tiny frame store: a 4-shard run (4 processes) gives byte-identical outputs to a
 * 1-shard run, also when one shard is killed with SIGKILL and rerun; the release's foreign layout gives the
 * same results; the single steps (`segment`, `track`, `phases`, `snr`) and `merge` agree with the pipeline.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTinyStore } from "../../../imaging/src/pipeline/__tests__/make-frames.js";
import { runCli } from "./run-cli.js";

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, "..", "index.ts");
const tmp = mkdtempSync(join(tmpdir(), "hyped-pipeline-"));
const frames = join(tmp, "frames");
const foreign = join(tmp, "foreign");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every output file under `dir` (relative paths), without shard manifests and the timed report. */
function outputs(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (!/\.shard-\d+-of-\d+\.json$/.test(n) && n !== "report.md") out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

function expectSameOutputs(a: string, b: string, filter: (f: string) => boolean = () => true): void {
  const x = outputs(a);
  const y = outputs(b);
  expect([...y.keys()].filter(filter)).toEqual([...x.keys()].filter(filter));
  for (const [k, v] of x) if (filter(k)) expect(v.equals(y.get(k) as Buffer), `${k} differs`).toBe(true);
}

/** `hyped pipeline <frames> --out <out> --shard i/n` in its own process. */
function shardProcess(
  out: string,
  i: number,
  n: number,
): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; err: string }> } {
  const child = spawn(
    process.execPath,
    [
      "--conditions=@hyped/source",
      "--import",
      "tsx",
      cli,
      "pipeline",
      frames,
      "--out",
      out,
      "--shard",
      `${i}/${n}`,
      "--workers",
      "0",
      "--json",
    ],
    { env: { ...process.env, HYPED_HUGEPAGES: "0" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let err = "";
  child.stderr?.on("data", (d) => {
    err += String(d);
  });
  child.stdout?.resume();
  const done = new Promise<{ code: number | null; signal: string | null; err: string }>((res) =>
    child.on("exit", (code, signal) => res({ code, signal, err })),
  );
  return { child, done };
}

beforeAll(async () => {
  await makeTinyStore(frames, foreign);
}, 60_000);

describe("hyped pipeline", () => {
  const single = join(tmp, "single");

  it("runs every step on one machine and writes the report", async () => {
    const r = await runCli(["pipeline", frames, "--out", single, "--workers", "0"]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("segment: 20 frames done");
    for (const f of [
      "segmentation/segment.json",
      "tracks/track.json",
      "tracks/control_r1/res_track.txt",
      "tracks/control_r1/mask003.tif",
      "phases/phase_distribution.svg",
      "snr.csv",
      "report.md",
    ])
      expect(existsSync(join(single, f)), f).toBe(true);
    expect(readFileSync(join(single, "report.md"), "utf8")).toContain("Figure 2a");
    // a rerun finds everything finished and rewrites nothing
    const before = outputs(single);
    const watched = ["segmentation/control_r1_t00000.h5", "tracks/control_r1/res_track.txt", "phases/control_r1.csv"].map((f) =>
      join(single, f),
    );
    const mtimes = watched.map((f) => statSync(f).mtimeMs);
    const again = await runCli(["pipeline", frames, "--out", single, "--workers", "0"]);
    expect(again.out).toContain("segment: 0 frames done, 20 already finished");
    const after = outputs(single);
    expect(watched.map((f) => statSync(f).mtimeMs)).toEqual(mtimes); // skipped, not rewritten
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [k, v] of before)
      if (k.startsWith("segmentation/") || k.startsWith("tracks/")) expect(v.equals(after.get(k) as Buffer), k).toBe(true);
  }, 120_000);

  it("4 shards in 4 processes give byte-identical outputs; a shard killed with SIGKILL and rerun still does", async () => {
    const sharded = join(tmp, "sharded");
    const runs = [0, 1, 2, 3].map((i) => shardProcess(sharded, i, 4));
    for (const r of runs) {
      const x = await r.done;
      expect(x.code, x.err).toBe(0);
    }
    expectSameOutputs(single, sharded);

    const killed = join(tmp, "killed");
    const others = [0, 2, 3].map((i) => shardProcess(killed, i, 4));
    for (const r of others) expect((await r.done).code).toBe(0);
    const victim = shardProcess(killed, 1, 4); // shard 1 holds scene control_r2
    const first = join(killed, "segmentation", "control_r2_t00000.h5");
    while (!existsSync(first)) await new Promise((r) => setTimeout(r, 2));
    victim.child.kill("SIGKILL");
    expect((await victim.done).signal).toBe("SIGKILL");
    expect(existsSync(join(killed, "snr.csv"))).toBe(false); // nothing merged yet
    const rerun = shardProcess(killed, 1, 4);
    const x = await rerun.done;
    expect(x.code, x.err).toBe(0);
    expectSameOutputs(single, killed);
  }, 240_000);

  it("reads the release's foreign layout (CXY, no attributes, release names) with identical results", async () => {
    const out = join(tmp, "foreign-out");
    const r = await runCli(["pipeline", foreign, "--out", out, "--workers", "0"]);
    expect(r.code, r.err).toBe(0);
    // every result file is identical; manifests differ only in the recorded input checksums
    expectSameOutputs(single, out, (f) => !f.endsWith(".json") || f.startsWith("tables/"));
  }, 120_000);

  it("segment, track, phases and snr one by one give the pipeline's files; --shard auto/n reads the scheduler", async () => {
    const seg = join(tmp, "steps", "seg");
    for (const i of [0, 1]) {
      const r = await runCli(["segment", frames, "--out", seg, "--workers", "0", "--shard", "auto/2"].map((a) => a));
      expect(r.code).toBe(2); // no SLURM_ARRAY_TASK_ID / JOB_COMPLETION_INDEX yet
      process.env.JOB_COMPLETION_INDEX = String(i);
      const ok = await runCli(["segment", frames, "--out", seg, "--workers", "0", "--shard", "auto/2"]);
      delete process.env.JOB_COMPLETION_INDEX;
      expect(ok.code, ok.err).toBe(0);
    }
    const tracks = join(tmp, "steps", "tracks");
    expect((await runCli(["track", seg, "--out", tracks])).code).toBe(0);
    const phases = join(tmp, "steps", "phases");
    expect((await runCli(["phases", frames, tracks, "--out", phases])).code).toBe(0);
    const snr = await runCli(["snr", frames, seg, "--out", join(tmp, "steps", "snr.csv")]);
    expect(snr.code).toBe(0);
    expect(readFileSync(join(tmp, "steps", "snr.csv"))).toEqual(readFileSync(join(single, "snr.csv")));
    for (const [a, b] of [
      [seg, "segmentation"],
      [tracks, "tracks"],
      [phases, "phases"],
    ] as const)
      expectSameOutputs(join(single, b), a, (f) => !f.endsWith(".json"));
    // merge on an unfinished folder is an error naming it
    expect((await runCli(["merge", frames, "--out", join(tmp, "nothing")])).code).toBe(1);
    expect((await runCli(["pipeline", frames, "--out", join(tmp, "x"), "--shard", "4/4"])).code).toBe(2);
  }, 120_000);
});

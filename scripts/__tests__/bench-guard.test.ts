import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const guard = path.join(root, "scripts/bench-guard.mjs");
// The guard resolves @hyped/core from the bench being run (argv[1]); the file itself need not exist, since the
// guard runs (and may exit) before Node loads it.
const bench = path.join(root, "packages/imaging/bench/dist/absent.bench.mjs");

function run(conditions: string[], env: Record<string, string> = {}) {
  const { BENCH_SOURCE: _, ...rest } = process.env;
  return spawnSync(process.execPath, [...conditions, "--import", guard, bench], { encoding: "utf8", env: { ...rest, ...env } });
}

describe("bench guard", () => {
  it("fails a bench whose @hyped/core resolves to src/ unless BENCH_SOURCE=1", () => {
    const r = run(["--conditions=@hyped/source"]);
    expect(r.stdout).toContain("@hyped/core -> packages/core/src/index.ts (src)");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("BENCH_SOURCE=1");
    const ok = run(["--conditions=@hyped/source"], { BENCH_SOURCE: "1" });
    expect(ok.stdout).toContain("(src)");
    expect(ok.status).not.toBe(2); // it goes on (and Node then fails on the absent bench file)
  });

  it.skipIf(!existsSync(path.join(root, "packages/core/dist/index.js")))("lets a bench on dist/ run, saying so", () => {
    const r = run([]);
    expect(r.stdout).toContain("@hyped/core -> packages/core/dist/index.js (dist)");
    expect(r.status).not.toBe(2);
  });
});

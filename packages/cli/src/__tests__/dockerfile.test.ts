/**
 * The container recipe of docs/cluster.md (`Dockerfile` at the root), checked without a container engine
 * (this machine has none): its base image satisfies the engines we declare, its build steps are the ones CI runs
 * from a fresh clone, and the command it links as `hyped` is the CLI package's `bin`, which runs.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../../../..");
const dockerfile = readFileSync(path.join(root, "Dockerfile"), "utf8");
/** Instructions with their arguments, comments and continuations folded. */
const steps = dockerfile
  .replace(/\\\n/g, " ")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#"))
  .map((l) => {
    const sp = l.indexOf(" ");
    return { op: l.slice(0, sp).toUpperCase(), arg: l.slice(sp + 1).trim() };
  });

describe("Dockerfile", () => {
  it("starts from a Node image whose major satisfies every package's engines floor", () => {
    const froms = steps.filter((s) => s.op === "FROM").map((s) => s.arg);
    expect(froms.length).toBeGreaterThan(0);
    for (const pkg of ["core", "metrics", "imaging", "seq", "cli"]) {
      const json = JSON.parse(readFileSync(path.join(root, "packages", pkg, "package.json"), "utf8"));
      const floor = /^>=\s*(\d+)\.(\d+)/.exec(json.engines?.node ?? "");
      expect(floor, `${pkg} declares engines.node`).not.toBeNull();
      for (const f of froms) {
        const major = /^node:(\d+)/.exec(f);
        expect(major, `FROM ${f} names a node:<major> image`).not.toBeNull();
        // the image tag tracks the newest release of its major, which is past any x.y floor of that major
        expect(Number(major?.[1])).toBeGreaterThanOrEqual(Number(floor?.[1]));
      }
    }
  });

  it("builds with the same commands as CI's fresh-clone install", () => {
    const runs = steps.filter((s) => s.op === "RUN").map((s) => s.arg);
    const ci = readFileSync(path.join(root, ".ci/run"), "utf8");
    expect(runs.some((r) => r.includes("npm i -g pnpm@10"))).toBe(true);
    const build = runs.find((r) => r.includes("pnpm install"));
    expect(build).toBeDefined();
    for (const cmd of (build as string).split("&&").map((c) => c.trim())) expect(ci).toContain(cmd);
  });

  it("links the CLI package's bin as `hyped`, and that file runs", (ctx) => {
    const link = steps.find((s) => s.op === "RUN" && s.arg.includes("/usr/local/bin/hyped"));
    expect(link).toBeDefined();
    const target = /ln -s \/app\/(\S+) \/usr\/local\/bin\/hyped/.exec(link?.arg ?? "")?.[1];
    expect(target).toBeDefined();
    const cli = JSON.parse(readFileSync(path.join(root, "packages/cli/package.json"), "utf8"));
    expect(path.posix.join("packages/cli", cli.bin.hyped)).toBe(target);
    expect(steps.find((s) => s.op === "ENTRYPOINT")?.arg).toBe('["hyped"]');
    const file = path.join(root, target as string);
    if (!existsSync(file)) {
      // dist/ is made by `pnpm build`, which CI runs before the tests
      ctx.skip();
      return;
    }
    expect(readFileSync(file, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    const r = spawnSync(process.execPath, [file, "--help"], { encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("pipeline");
  });
});

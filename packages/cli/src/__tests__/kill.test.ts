/**
 * `kill -9` of the `hyped` the user started must stop all work (issue 24 item 6): on Linux `hyped` restarts
 * itself once for huge pages, and the child must not outlive its parent. Also: a SIGTERM to the parent
 * reaches the child.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../../../..");
const tmp = mkdtempSync(join(tmpdir(), "hyped-kill-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Live (non-zombie) child processes of `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === pid && fields[0] !== "Z") out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

/** Start `hyped demo` (long enough to be killed mid-way) the way a user does, huge-page restart included. */
function startHyped(out: string): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.GLIBC_TUNABLES;
  delete env.HYPED_HUGEPAGES;
  delete env.HYPED_HUGEPAGES_PARENT;
  delete env.VITEST;
  return spawn(
    process.execPath,
    [
      "--conditions=@hyped/source",
      "--import",
      "tsx",
      "packages/cli/src/index.ts",
      "demo",
      "--out",
      out,
      "--scale",
      "tiny",
      "--workers",
      "1",
    ],
    { cwd: root, env, stdio: "ignore" },
  );
}

describe.skipIf(process.platform !== "linux")("hyped's huge-page restart", () => {
  it("kill -9 of hyped stops the restarted child too", async () => {
    const out = join(tmp, "k9");
    const p = startHyped(out);
    const pid = p.pid as number;
    expect(await waitFor(() => childrenOf(pid).length > 0, 30_000)).toBe(true);
    const [child] = childrenOf(pid) as [number];
    // let the child start writing
    await waitFor(() => existsSync(out), 60_000);
    p.kill("SIGKILL");
    expect(await waitFor(() => !alive(child), 5_000)).toBe(true);
  }, 120_000);

  it("SIGTERM to hyped reaches the child, and hyped ends by the same signal", async () => {
    const out = join(tmp, "term");
    const p = startHyped(out);
    const pid = p.pid as number;
    expect(await waitFor(() => childrenOf(pid).length > 0, 30_000)).toBe(true);
    const [child] = childrenOf(pid) as [number];
    await waitFor(() => existsSync(out), 60_000);
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) => p.on("exit", (code, signal) => r({ code, signal })));
    p.kill("SIGTERM");
    expect(await waitFor(() => !alive(child), 5_000)).toBe(true);
    expect(await exited).toEqual({ code: null, signal: "SIGTERM" });
  }, 120_000);
});

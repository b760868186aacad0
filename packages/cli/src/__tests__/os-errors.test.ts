/**
 * Operating-system errors in every command that reads a path: a missing file (ENOENT), a directory where a
 * file is expected (EISDIR), an unreadable file (EACCES, skipped as root), a symlink loop (ELOOP) and a FIFO
 * (which must not hang) all end as `hyped: IO: ...` naming the path, exit code 1, never "internal error".
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromTyped, writeNpy } from "@hyped/core";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "hyped-oserr-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const good = join(dir, "a.npy");
writeFileSync(good, writeNpy(fromTyped(new Float32Array(16), [4, 4])));
const missing = join(dir, "nope.npy");
const folder = join(dir, "folder.npy");
mkdirSync(folder);
const loop = join(dir, "loop.npy");
symlinkSync(loop, loop);
const fifo = join(dir, "fifo.npy");
let haveFifo = true;
try {
  execFileSync("mkfifo", [fifo]);
} catch {
  haveFifo = false;
}
const locked = join(dir, "locked.npy");
writeFileSync(locked, "x");
chmodSync(locked, 0);
const isRoot = process.getuid?.() === 0;

const bad: Array<[string, string]> = [
  ["ENOENT", missing],
  ["EISDIR", folder],
  ["ELOOP", loop],
  ...(haveFifo ? ([["FIFO", fifo]] as Array<[string, string]>) : []),
  ...(isRoot ? [] : ([["EACCES", locked]] as Array<[string, string]>)),
];

/** Each command with the bad path in its file slot. */
const commands: Array<[string, (p: string) => string[]]> = [
  ["metrics ssim", (p) => ["metrics", "ssim", good, p]],
  ["inspect", (p) => ["inspect", p]],
  ["czi plane", (p) => ["czi", "plane", p]],
  ["h5ad rows", (p) => ["h5ad", "rows", p, "0", "1"]],
  ["h5ad convert", (p) => ["h5ad", "convert", p, join(dir, "out.h5ad")]],
  ["evaluate", (p) => ["evaluate", p]],
  ["convert", (p) => ["convert", p, "--out", join(dir, "converted"), "--workers", "0"]],
  ["frames verify", (p) => ["frames", "verify", p]],
  ["denoise-bench", (p) => ["denoise-bench", p]],
  ["assemble", (p) => ["assemble", p, "--hashtags", p, "--out", join(dir, "assembled.h5ad")]],
];

describe("OS errors become IO errors naming the path", () => {
  for (const [name, args] of commands) {
    for (const [what, p] of bad) {
      // these take a folder: an (empty) folder is valid input there
      if (what === "EISDIR" && (name === "frames verify" || name === "denoise-bench")) continue;
      it(`hyped ${name} with ${what}`, async () => {
        const r = await runCli(args(p));
        expect(r.err).not.toContain("internal error");
        expect(r.err).toMatch(/^hyped: IO: /);
        expect(r.err).toContain(p);
        expect(r.code).toBe(1);
      }, 20_000);
    }
  }

  it("hyped metrics ssim a.npy /nope.npy names /nope.npy (the issue's example)", async () => {
    const r = await runCli(["metrics", "ssim", good, "/nope.npy"]);
    expect(r.err).toBe("hyped: IO: cannot open /nope.npy: no such file or directory (ENOENT)\n");
    expect(r.code).toBe(1);
  });
});

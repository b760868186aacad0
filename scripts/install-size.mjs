#!/usr/bin/env node
/**
 * Prints what a downstream user pays to install us (after `pnpm build`), each into a fresh folder with an
 * empty npm cache, so every package comes from the registry as on a first install:
 *
 * - the metrics-only install: `npm install @hyped/metrics` (+ its @hyped/core), size of node_modules and
 *   package count (goal: <= 5 MB);
 * - the first-install time of `npm install @hyped/imaging` (+ @hyped/core, @hyped/metrics), goal < 60 s, and
 *   whether npm printed any warning, error or `gyp` line.
 *
 * Our packages are not on the registry, so their packed tarballs stand in for them. Prints the load average
 * beside the time (the machine is shared). Usage: `node scripts/install-size.mjs`.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "hyped-size-"));

function pack(name) {
  const dir = join(root, "packages", name);
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const r = spawnSync("pnpm", ["pack", "--pack-destination", work], { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`pnpm pack ${name} failed (run pnpm build first):\n${r.stderr}`);
  return join(work, `${pkg.name.replace("@", "").replace("/", "-")}-${pkg.version}.tgz`);
}

/** Bytes of a folder tree (file sizes, as `du --apparent-size` counts them). */
function bytes(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += bytes(p);
    else if (e.isFile()) n += statSync(p).size;
  }
  return n;
}

/** Packages in node_modules (scoped ones counted one by one, .bin and .package-lock.json skipped). */
function count(nm) {
  let n = 0;
  for (const e of readdirSync(nm)) {
    if (e.startsWith(".")) continue;
    n += e.startsWith("@") ? readdirSync(join(nm, e)).length : 1;
  }
  return n;
}

function install(label, tarballs) {
  const dir = join(work, label);
  mkdirSync(dir);
  spawnSync("npm", ["init", "-y"], { cwd: dir, encoding: "utf8" });
  const t0 = performance.now();
  const r = spawnSync(
    "npm",
    ["install", "--engine-strict", "--no-audit", "--no-fund", "--no-update-notifier", "--cache", join(dir, ".npm-cache"), ...tarballs],
    { cwd: dir, encoding: "utf8" },
  );
  const seconds = (performance.now() - t0) / 1000;
  const out = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`npm install failed:\n${out}`);
  const noisy = out.split("\n").filter((l) => /gyp|npm (warn|error|ERR!)|EBADENGINE/i.test(l));
  const nm = join(dir, "node_modules");
  return { seconds, noisy, mb: bytes(nm) / 1e6, packages: count(nm) };
}

try {
  const [core, metrics, imaging] = ["core", "metrics", "imaging"].map(pack);
  const m = install("metrics", [core, metrics]);
  console.log(`metrics-only install (npm install @hyped/metrics): ${m.mb.toFixed(1)} MB in node_modules, ${m.packages} packages`);
  const load = loadavg()[0].toFixed(2);
  const i = install("imaging", [core, metrics, imaging]);
  console.log(
    `first install of @hyped/imaging (empty npm cache): ${i.seconds.toFixed(1)} s, ${i.mb.toFixed(1)} MB, ${i.packages} packages, ` +
      `${i.noisy.length} warning/error lines (load average ${load})`,
  );
  for (const l of i.noisy) console.log(`  ${l}`);
  process.exitCode = m.mb <= 5 && i.seconds < 60 && i.noisy.length === 0 ? 0 : 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}

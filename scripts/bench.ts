/**
 * `pnpm bench [filter]`: runs every `packages/*\/bench/*.bench.ts` in its own Node process (so memory
 * figures are per benchmark), printing each one's output. Benchmarks are never part of `pnpm test`. On
 * Linux they run with `GLIBC_TUNABLES=glibc.malloc.hugetlb=1` (`withHugePages` from `@hyped/cli/hugepages`, the
 * helper the `hyped` command uses).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { withHugePages } from "@hyped/cli/hugepages";

const filter = process.argv[2];
const files: string[] = [];
for (const pkg of readdirSync("packages")) {
  const dir = join("packages", pkg, "bench");
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir)) if (f.endsWith(".bench.ts") && (!filter || join(dir, f).includes(filter))) files.push(join(dir, f));
}
// Node's allocator asks for transparent huge pages only with this glibc tunable (numpy asks by itself):
// the benchmarks run with it, as the `hyped` command does; HYPED_HUGEPAGES=0 measures without.
const env = withHugePages(process.env) ?? process.env;
console.log(`GLIBC_TUNABLES=${env.GLIBC_TUNABLES ?? ""} (transparent huge pages for large buffers; HYPED_HUGEPAGES=0 to measure without)`);
let failed = 0;
for (const f of files.sort()) {
  console.log(`\n=== ${f}`);
  const r = spawnSync(process.execPath, ["--conditions=@hyped/source", "--import", "tsx", "--max-old-space-size=16384", f], {
    stdio: "inherit",
    env,
  });
  if (r.status !== 0) failed++;
}
console.log(`\n${files.length - failed} benchmarks ran, ${failed} failed`);
process.exit(failed ? 1 : 0);

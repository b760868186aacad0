/**
 * The `hyped` command. Importing this module runs the CLI; use `run()` from `./program.js` to embed it.
 * On Linux it first restarts itself once with transparent huge pages enabled for large buffers (see
 * `hugepages.ts`; `HYPED_HUGEPAGES=0` skips that).
 */
import { spawnSync } from "node:child_process";
import { withHugePages } from "./hugepages.js";
import { run } from "./program.js";

const env = withHugePages(process.env);
if (env) {
  const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit", env });
  if (r.error) process.exitCode = await run(process.argv.slice(2));
  else if (r.signal) process.kill(process.pid, r.signal);
  else process.exitCode = r.status ?? 1;
} else {
  process.exitCode = await run(process.argv.slice(2));
}

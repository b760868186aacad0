/**
 * The `hyped` command. Importing this module runs the CLI; use `run()` from `./program.js` to embed it.
 * On Linux it first restarts itself once with transparent huge pages enabled for large buffers (see
 * `hugepages.ts`; `HYPED_HUGEPAGES=0` skips that). The parent forwards termination signals to the child, and
 * the child exits as soon as the parent is gone (even after `kill -9` of the parent), so stopping `hyped`
 * stops all its work.
 */
import { spawn } from "node:child_process";
import { CHILD_MARK, watchParent, withHugePages } from "./hugepages.js";
import { run } from "./program.js";

const env = process.env[CHILD_MARK] === undefined ? withHugePages(process.env) : undefined;
if (env) {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    // the IPC channel is how the child learns that this process died (it closes even on SIGKILL)
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    env: { ...env, [CHILD_MARK]: String(process.pid) },
  });
  const forward = (sig: NodeJS.Signals) => () => {
    child.kill(sig);
  };
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
  for (const sig of signals) process.on(sig, forward(sig));
  child.on("error", async () => {
    // could not start the child: run here, without huge pages
    for (const sig of signals) process.removeAllListeners(sig);
    process.exitCode = await run(process.argv.slice(2));
  });
  child.on("exit", (code, signal) => {
    for (const sig of signals) process.removeAllListeners(sig);
    if (signal) process.kill(process.pid, signal);
    else process.exitCode = code ?? 1;
  });
} else {
  if (process.env[CHILD_MARK] !== undefined) watchParent();
  process.exitCode = await run(process.argv.slice(2));
}

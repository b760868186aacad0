// Build the addon with node-gyp (pnpm and npm put it on PATH for install scripts). A failed build is not an
// install failure: @hyped/core then reads with its JavaScript path, and `load()` says why.
const { spawnSync } = require("node:child_process");
const { existsSync } = require("node:fs");
const { dirname, join } = require("node:path");

if (process.env.HYPED_NATIVE === "0") {
  console.log("@hyped/native: HYPED_NATIVE=0, not building the addon");
  process.exit(0);
}
// Offline machines: build against the running Node's own headers when npm's `nodedir` is not passed down
// (node-gyp would otherwise download them).
const args = ["rebuild"];
const prefix = dirname(dirname(process.execPath));
if (!process.env.npm_config_nodedir && existsSync(join(prefix, "include", "node", "node_api.h"))) args.push(`--nodedir=${prefix}`);
const r = spawnSync("node-gyp", args, { cwd: join(__dirname, ".."), stdio: "inherit", shell: process.platform === "win32" });
if (r.status !== 0) {
  console.warn(
    `@hyped/native: the addon did not build (${r.error ? r.error.message : `node-gyp exit ${r.status}`}); @hyped/core reads with JavaScript instead`,
  );
}
process.exit(0);

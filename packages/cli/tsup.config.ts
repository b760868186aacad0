import { defineConfig } from "tsup";
import { hypedBuild } from "../../scripts/tsup-base.js";

export default defineConfig(
  hypedBuild({
    name: "@hyped/cli",
    entries: { index: "src/index.ts" },
    nodeOnly: ["index"],
    node: { platform: "node", banner: { js: "#!/usr/bin/env node" } },
  }),
);

import { defineConfig } from "tsup";
import { hypedBuild } from "../../scripts/tsup-base.js";

export default defineConfig(
  hypedBuild({
    name: "@hyped/cli",
    entries: { index: "src/index.ts", hugepages: "src/hugepages.ts" },
    nodeOnly: ["index", "hugepages"],
    node: { platform: "node", banner: { js: "#!/usr/bin/env node" } },
  }),
);

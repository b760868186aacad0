import { defineConfig } from "tsup";
import { hypedBuild } from "../../scripts/tsup-base.js";

export default defineConfig(
  hypedBuild({
    name: "@hyped/metrics",
    entries: { index: "src/index.ts", "parallel/index": "src/parallel/index.ts" },
    // `@hyped/metrics/parallel` imports worker_threads: Node only
    nodeOnly: ["parallel/index"],
    // The worker is its own file: `@hyped/metrics/parallel` starts it by URL next to parallel/index.js.
    hidden: { "parallel/worker": "src/parallel/worker.ts" },
  }),
);

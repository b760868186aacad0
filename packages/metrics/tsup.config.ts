import { defineConfig } from "tsup";

export default defineConfig({
  // The worker is its own entry: `@hyped/metrics/parallel` starts it by URL next to parallel/index.js.
  entry: { index: "src/index.ts", "parallel/index": "src/parallel/index.ts", "parallel/worker": "src/parallel/worker.ts" },
  format: ["esm"],
  dts: { entry: { index: "src/index.ts", "parallel/index": "src/parallel/index.ts" } },
  sourcemap: true,
  clean: true,
  target: "node20",
  platform: "neutral",
  external: [/^node:/],
});

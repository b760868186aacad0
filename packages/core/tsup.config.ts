import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/hdf5/index.ts", "src/plot/index.ts"],
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  platform: "neutral",
});

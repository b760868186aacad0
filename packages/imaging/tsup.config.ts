import { defineConfig } from "tsup";
import { hypedBuild } from "../../scripts/tsup-base.js";

const AREAS = ["cellcycle", "czi", "dataset", "denoise", "filters", "frames", "pipeline", "segmentation", "synth", "tracking"];

export default defineConfig(
  hypedBuild({
    name: "@hyped/imaging",
    entries: { index: "src/index.ts", ...Object.fromEntries(AREAS.map((a) => [`${a}/index`, `src/${a}/index.ts`])) },
    // Worker bodies, imported by file URL from the chunk that holds them (see src/workers.ts).
    hidden: { workers: "src/workers.ts" },
    // jpegxr's emscripten build requires fs/path behind an is-Node check: bundled, with those stubbed
    browserBundle: ["jpegxr"],
  }),
);

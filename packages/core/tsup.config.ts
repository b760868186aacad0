import { defineConfig } from "tsup";
import { hypedBuild } from "../../scripts/tsup-base.js";

export default defineConfig(
  hypedBuild({
    name: "@hyped/core",
    entries: {
      index: "src/index.ts",
      "hdf5/index": "src/hdf5/index.ts",
      "plot/index": "src/plot/index.ts",
      "simd/index": "src/simd/index.ts",
    },
    // core's own browser stub reaches HypedError by path (a self-import would pull the Node build)
    errorsFrom: `${import.meta.dirname}/src/errors.ts`,
  }),
);

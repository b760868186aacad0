import { defineConfig } from "tsup";
import { hypedBuild } from "../../scripts/tsup-base.js";

const AREAS = [
  "anndata",
  "cluster",
  "de",
  "demux",
  "embed",
  "figures",
  "geneformer",
  "mex",
  "onnx",
  "perturb",
  "preprocess",
  "safetensors",
  "synth",
];

export default defineConfig(
  hypedBuild({
    name: "@hyped/seq",
    entries: {
      index: "src/index.ts",
      ...Object.fromEntries(AREAS.map((a) => [`${a}/index`, `src/${a}/index.ts`])),
      // `@hyped/seq/geneformer` is the model (loadGeneformer); the tokenizer area is `@hyped/seq/geneformer/tokens`
      "geneformer/model/index": "src/geneformer/model/index.ts",
    },
  }),
);

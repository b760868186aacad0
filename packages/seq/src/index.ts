/**
 * `@hyped/seq`: AnnData `.h5ad` I/O and single-cell analyses for HYPED.
 */
export * from "./anndata/index.js";
export * from "./cluster/index.js";
export * from "./de/index.js";
export * from "./demux/index.js";
export * from "./embed/index.js";
export * from "./figures/index.js";
export * from "./geneformer/index.js";
export * from "./mex/index.js";
export * from "./onnx/index.js";
export * from "./perturb/index.js";
export * from "./preprocess/index.js";
export * from "./safetensors/index.js";
export * from "./synth/index.js";

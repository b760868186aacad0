/** The parts of `@hyped/seq` the docs examples of demux/geneformer/perturbation use (keeps the docs test light). */
export * from "../../anndata/index.js";
export * from "../../demux/index.js";
export * from "../../geneformer/index.js";
export * from "../../onnx/index.js";
export * from "../index.js";

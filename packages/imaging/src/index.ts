/** @hyped/imaging — see README.md. */

export * from "./cellcycle/index.js";
export * from "./czi/index.js";
export * from "./dataset/index.js";
export * from "./denoise/index.js";
export * from "./filters/index.js";
export * from "./frames/index.js";
export * from "./pipeline/index.js";
export * from "./segmentation/index.js";
export * from "./synth/index.js";
export * from "./tracking/index.js";

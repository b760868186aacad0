/**
 * Build-only entry (not in `exports`): the worker bodies that the pools start by importing the module they
 * live in (`import.meta.url`) and calling the function by name. Making them exports of this hidden entry
 * makes the built chunk that holds each body export it, while the public entry points do not. @internal
 */
export { runJxrWorker } from "./czi/codecs/jpegxr.js";
export { runSynthRenderWorker } from "./dataset/render-pool.js";
export { runFramesWorker } from "./frames/worker.js";
export { runSegmentWorker } from "./segmentation/parallel.js";

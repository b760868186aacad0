export { runSynthRenderWorker } from "./render-pool.js";
export * from "./synth.js";

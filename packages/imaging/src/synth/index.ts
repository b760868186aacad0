export * from "./render.js";
export { Rng } from "./rng.js";
export * from "./score.js";
export * from "./simulate.js";

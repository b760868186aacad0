export * from "./render.js";
export { Rng } from "./rng.js";
export * from "./simulate.js";

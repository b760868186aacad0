export * from "./render.js";
export * from "./score.js";
export * from "./simulate.js";

export * from "./assign.js";
export * from "./ctc.js";
export * from "./evaluate.js";
export * from "./kalman.js";
export * from "./track.js";
export * from "./types.js";

export * from "./classify.js";
export * from "./distribution.js";
export * from "./phases.js";
export * from "./snr.js";

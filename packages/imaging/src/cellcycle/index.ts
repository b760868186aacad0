export * from "./phases.js";

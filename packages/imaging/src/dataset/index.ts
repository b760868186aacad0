export * from "./synth.js";

/** @hyped/imaging — see README.md. */
export * from "./czi/index.js";
export * from "./frames/index.js";

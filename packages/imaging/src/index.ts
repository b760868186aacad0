/** @hyped/imaging — see README.md. */
export const PACKAGE_NAME = "@hyped/imaging";
export * from "./frames/index.js";

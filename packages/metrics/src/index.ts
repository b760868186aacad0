/** @hyped/metrics — see README.md. */
export const PACKAGE_NAME = "@hyped/metrics";

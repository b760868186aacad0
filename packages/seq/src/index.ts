/** @hyped/seq — see README.md. */
export const PACKAGE_NAME = "@hyped/seq";

/**
 * Must NOT typecheck. Each line marked `// expect TS2322` assigns a library result to the wrong type; if the
 * published types degrade to `any` (e.g. a missing `ndarray` type package), these compile and the check fails.
 * scripts/consumer-check.mjs asserts that tsc reports exactly these errors and nothing else.
 */
import { fromTyped, readNpy } from "@hyped/core";
import { pearson } from "@hyped/metrics";
import { AnnData } from "@hyped/seq/anndata";

const arr = fromTyped(new Float32Array(4), [2, 2]);
export const s: string = arr; // expect TS2322
export const d: string = arr.data; // expect TS2322
export const n: string = pearson([1, 2, 3], [1, 2, 4]); // expect TS2322
export const x: number = new AnnData({ X: arr }).X; // expect TS2322
export const r: number = readNpy(new Uint8Array(0)); // expect TS2322

// CommonJS consumer: compiled by tsc with `module: nodenext` (TypeScript >= 5.8 types require() of ESM), so
// these imports become require() calls of the ESM packages, which Node >= 20.19 loads. Prints one JSON line.
import { fromTyped, HypedError } from "@hyped/core";
import { H5File } from "@hyped/core/hdf5";
import * as imaging from "@hyped/imaging";
import { openCzi } from "@hyped/imaging/czi";
import { pearson } from "@hyped/metrics";
import * as seq from "@hyped/seq";
import { readH5ad } from "@hyped/seq/anndata";

const a = fromTyped(Float64Array.from([1, 2, 3, 4]), [4]);
console.log(
  JSON.stringify({
    pearson: pearson(a, [2, 4, 6, 8.5]),
    functions: [openCzi, readH5ad, H5File, seq.readH5ad, imaging.openCzi].map((f) => typeof f),
    hypedError: new HypedError("IO", "x", {}) instanceof Error,
  }),
);

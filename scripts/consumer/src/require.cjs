// CommonJS consumer: require() of the ESM packages (Node >= 20.19). Prints one JSON line.
const core = require("@hyped/core");
const metrics = require("@hyped/metrics");
const seq = require("@hyped/seq");
const imaging = require("@hyped/imaging");
const { openCzi } = require("@hyped/imaging/czi");
const { readH5ad } = require("@hyped/seq/anndata");
const { H5File } = require("@hyped/core/hdf5");

const a = core.fromTyped(Float64Array.from([1, 2, 3, 4]), [4]);
console.log(
  JSON.stringify({
    pearson: metrics.pearson(a, [2, 4, 6, 8.5]),
    functions: [openCzi, readH5ad, H5File, seq.readH5ad, imaging.openCzi].map((f) => typeof f),
    hypedError: new core.HypedError("IO", "x", {}) instanceof Error,
  }),
);

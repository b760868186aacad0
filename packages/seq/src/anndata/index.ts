export { AnnData, type AnnDataInit, type Matrix, matrixShape } from "./anndata.js";
export * from "./dataframe.js";
export { subsetMatrix } from "./matrix.js";

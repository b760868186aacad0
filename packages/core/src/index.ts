/**
 * `@hyped/core`: errors, dtypes, ndarray helpers, sparse matrices, progress/cancel, `.npy`, byte sources.
 * The HDF5 layer is at `@hyped/core/hdf5`.
 */
export * from "./dtype.js";
export * from "./errors.js";
export * from "./ndarray.js";
export * from "./npy.js";
export * from "./outbuf.js";
export * from "./pool/index.js";
export * from "./progress.js";
export * from "./random.js";
export * from "./source/index.js";
export * from "./sparse.js";
export * from "./special.js";

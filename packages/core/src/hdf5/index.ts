/**
 * `@hyped/core/hdf5`: the HDF5 layer (h5wasm). A separate entry point because h5wasm is ~4 MB.
 */

export { lookup3, patchBoolEnums } from "./boolenum.js";
export { nativeStatus, setNative } from "./direct/index.js";
export { H5File } from "./file.js";
export {
  BUILTIN_FILTERS,
  type ChunkDecoder,
  FILTER_IDS,
  FILTERS,
  type FilterSpec,
  filterName,
  jsDecoder,
  lzfDecompress,
  unshuffle,
} from "./filters.js";
export { cleanH5Message, type H5Runtime, h5InstanceCount, h5ready, MAX_STAGING_BYTES, WASM_HEAP_LIMIT } from "./module.js";
export { type FilterPluginLoader, filterAvailable, registerFilterLoader, registerFilterPlugin } from "./plugins.js";
export { type BlobIOOptions, blobIO, memoryIO, nodeFileIO, type SyncIO } from "./syncio.js";
export { clearObjectTimes, clearObjectTimesIO } from "./times.js";
export type {
  H5CreateOptions,
  H5Filter,
  H5Info,
  H5Input,
  H5Kind,
  H5OpenOptions,
  H5ReadAsyncOptions,
  H5ReadOptions,
  H5Selection,
  H5TypeClass,
  H5WriteOptions,
} from "./types.js";
export { autoChunks } from "./write.js";

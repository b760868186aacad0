/**
 * `@hyped/core/hdf5`: the HDF5 layer (h5wasm). A separate entry point because h5wasm is ~4 MB.
 */

export { lookup3, patchBoolEnums } from "./boolenum.js";
export { nativeStatus, setNative } from "./direct/index.js";
export {
  autoChunks,
  type FilterPluginLoader,
  filterAvailable,
  type H5CreateOptions,
  H5File,
  type H5Filter,
  type H5Info,
  type H5Input,
  type H5Kind,
  type H5OpenOptions,
  type H5ReadOptions,
  type H5Selection,
  type H5TypeClass,
  type H5WriteOptions,
  registerFilterLoader,
  registerFilterPlugin,
} from "./file.js";
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
export { type BlobIOOptions, blobIO, memoryIO, nodeFileIO, type SyncIO } from "./syncio.js";

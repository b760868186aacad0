/** The HDF5 frame store: frame files, manifests, loading and CZI conversion. See `format.md`. */

export { type ConvertOptions, type ConvertProgressEvent, type ConvertResult, convertCziToFrames } from "./convert.js";
export {
  type ForeignLayoutOptions,
  type FrameMeta,
  readFrameInfo,
  type WriteFrameOptions,
  type WrittenFrame,
  writeFrameFile,
} from "./frame.js";
export { sha256Of } from "./hash.js";
export {
  buildManifest,
  frameFileName,
  type ManifestHeader,
  type MergeOptions,
  manifestToJson,
  mergeManifests,
  parseManifest,
  parseManifestText,
  readManifestFile,
  shardManifestName,
  writeManifestFile,
} from "./manifest.js";
export { inferScenes, lookupScene, parseSceneMap, type SceneAssignment, type SceneMap } from "./scenes.js";
export {
  closeFrameReadWorkers,
  type FrameEntry,
  type FrameRequest,
  type FrameStore,
  type LoadedFrame,
  type OpenFrameStoreOptions,
  openFrameStore,
  parseForeignName,
} from "./store.js";
export * from "./types.js";

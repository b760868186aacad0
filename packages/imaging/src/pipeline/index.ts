/** The imaging pipeline over a frame store: segment, track, phases, SNR; resumable and shardable (Node only). See docs/pipeline.md. */

export {
  isUnfinished,
  mergeStepManifests,
  PIPELINE_FORMAT,
  readStepManifest,
  type StepItem,
  StepLedger,
  type StepManifest,
  type StepName,
  stepManifestJson,
  stepManifestName,
} from "./manifest.js";
export {
  type Columns,
  clearHdf5ObjectTimes,
  columnsToCsv,
  csvToColumns,
  type OutputFile,
  outputIntact,
  parseShardSpec,
  removeStaleTemps,
  writeFileAtomic,
} from "./outputs.js";
export { type CallPhasesOptions, callPhases, DEFAULT_FRAME_INTERVAL_H, finishPhases, sceneHours } from "./phases.js";
export { finishPipeline, PIPELINE_LAYOUT, type PipelineResult, type RunPipelineOptions, releaseNameParser, runPipeline } from "./run.js";
export {
  frameStem,
  LABELS_DATASET,
  type PipelineSegmentParams,
  readLabelFile,
  type SegmentStoreOptions,
  type StepResult,
  sceneStem,
  segmentParams,
  segmentStore,
  storeScenes,
} from "./segment.js";
export { type SnrRow, type StoreSnrOptions, storeSnr } from "./snr.js";
export {
  inputDigest,
  OBJECT_COLUMNS,
  pickScenes,
  readObjectTable,
  type SegmentedScene,
  segmentedScenes,
  type TrackSegmentationOptions,
  trackSegmentation,
} from "./track.js";

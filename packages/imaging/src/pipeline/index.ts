/** The imaging pipeline over a frame store: segment, track, phases, SNR; resumable and shardable (Node only). See docs/pipeline.md. */

export {
  mergeStepManifests,
  PIPELINE_FORMAT,
  readStepManifest,
  type StepItem,
  type StepManifest,
  type StepName,
  stepManifestName,
} from "./manifest.js";
export {
  type Columns,
  clearHdf5ObjectTimes,
  columnsToCsv,
  csvToColumns,
  type OutputFile,
  parseShardSpec,
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
  segmentStore,
  storeScenes,
} from "./segment.js";
export { type SnrRow, type StoreSnrOptions, storeSnr } from "./snr.js";
export {
  readObjectTable,
  type SegmentedScene,
  segmentedScenes,
  type TrackSegmentationOptions,
  trackSegmentation,
} from "./track.js";

/** Per-frame nuclear segmentation (see docs/segmentation.md). */

export {
  openSegmentPool,
  type SegmentFramesOptions,
  type SegmentPool,
  type SegmentPoolOptions,
  segmentFrames,
} from "./parallel.js";
export {
  SEGMENT_DEFAULT_CHANNELS,
  type SegmentFrameOptions,
  type SegmentFrameResult,
  type SegmentObjects,
  segmentFrame,
} from "./segment.js";

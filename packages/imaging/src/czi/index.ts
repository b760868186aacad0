/** Zeiss CZI: a lazy reader ({@link openCzi}) and a writer for test data ({@link writeCzi}). See format.md. */
export { type CziAttachmentInfo, parseTimeStamps } from "./attachments.js";
export * from "./codecs/index.js";
export {
  COMPRESSION,
  COMPRESSION_NAMES,
  CZI_DIMENSIONS,
  type CziDimension,
  type CziPixelType,
  compressionName,
  PIXEL_LAYOUTS,
  PIXEL_TYPE_CODES,
  PIXEL_TYPE_NAMES,
  type PixelLayout,
} from "./constants.js";
export type { CziDimEntry, CziSubblockEntry } from "./directory.js";
export {
  type CziDimRange,
  CziFile,
  type CziFileHeader,
  type CziPlane,
  type CziPlaneCoords,
  type CziQuery,
  type CziRect,
  type CziTile,
  type OpenCziOptions,
  type PlanesOptions,
  type ReadPlaneOptions,
} from "./file.js";
export { type CziChannelInfo, type CziMetadata, parseCziMetadata } from "./metadata.js";
export { openCzi } from "./open.js";
export type { CziLimits } from "./subblock.js";
export { encodePlaneTiff } from "./tiff.js";
export {
  type CziWriteCompression,
  type CziWriteMetadata,
  type CziWriteSubblock,
  cziPyramidTile,
  encodeCzi,
  type WriteCziOptions,
  type WriteCziResult,
  writeCzi,
} from "./writer.js";

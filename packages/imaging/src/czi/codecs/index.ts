/** Subblock codecs and their registry. */
export { unsupportedCompression } from "./errors.js";
export { decodeJpeg, encodeJpeg } from "./jpeg.js";
export { decodeJpegXr, isJpegXr, JXR_FORMAT_OF, type JxrWebWorker, serveJpegXrWorker, setJpegXrWorkers } from "./jpegxr.js";
export {
  BUILTIN_CZI_DECODERS,
  cziDecoderCodes,
  getCziDecoder,
  registerCziDecoder,
  unregisterCziDecoder,
} from "./registry.js";
export type { CziDecodeInfo, CziDecoder } from "./types.js";
export {
  decodeZstd0,
  decodeZstd1,
  encodeZstd1,
  packHiLo,
  parseZstd1Header,
  unpackHiLo,
  type ZstdNativeDecoder,
  zstdBackendName,
  zstdCompress,
  zstdDecompress,
  zstdFrameContentSize,
  zstdNative,
  zstdWasm,
} from "./zstd.js";

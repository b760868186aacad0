export {
  MAX_SAFETENSORS_HEADER,
  openSafetensors,
  SAFETENSORS_DTYPES,
  type SafetensorsDType,
  type SafetensorsEntry,
  type SafetensorsFile,
} from "./read.js";
export { float32ToBfloat16Bits, float32ToHalfBits, type SafetensorsTensor, writeSafetensors } from "./write.js";

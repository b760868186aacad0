import { HypedError } from "@hyped/core";
import { compressionName } from "../constants.js";
import type { CziDecodeInfo } from "./types.js";

/** The UNSUPPORTED error for a subblock whose compression has no decoder. */
export function unsupportedCompression(info: Pick<CziDecodeInfo, "compression" | "subblock" | "filePosition">, detail = ""): HypedError {
  return new HypedError(
    "UNSUPPORTED",
    `subblock ${info.subblock} (at ${info.filePosition}) uses compression ${info.compression} (${compressionName(info.compression)}), which has no decoder${detail ? `: ${detail}` : ""}; register one with registerCziDecoder(${info.compression}, decoder)`,
    { subblock: info.subblock, filePosition: info.filePosition, compression: info.compression },
  );
}

/**
 * CZI constants: segment ids, pixel types, compression codes, dimension letters.
 * Values follow the ZEISS CZI file-format specification as implemented by libCZI.
 */
import type { DType } from "@hyped/core";

/** Segment header size in bytes: 16-byte id, int64 allocated size, int64 used size. */
export const SEGMENT_HEADER_SIZE = 32;

/** Segment ids as they appear in the 16-byte id field (NUL padded). */
export const SEGMENT_IDS = {
  file: "ZISRAWFILE",
  directory: "ZISRAWDIRECTORY",
  subblock: "ZISRAWSUBBLOCK",
  metadata: "ZISRAWMETADATA",
  attachment: "ZISRAWATTACH",
  attachmentDirectory: "ZISRAWATTDIR",
  deleted: "DELETED",
} as const;

/** The dimension letters a directory entry may carry (besides X and Y). */
export const CZI_DIMENSIONS = ["X", "Y", "C", "Z", "T", "R", "S", "I", "H", "V", "B", "M"] as const;
/** One CZI dimension letter. */
export type CziDimension = (typeof CZI_DIMENSIONS)[number];

/** CZI pixel type names, keyed by their numeric code in directory entries. */
export const PIXEL_TYPE_NAMES: Readonly<Record<number, CziPixelType>> = {
  0: "Gray8",
  1: "Gray16",
  2: "Gray32Float",
  3: "Bgr24",
  4: "Bgr48",
  8: "Bgr96Float",
  9: "Bgra32",
  10: "Gray64ComplexFloat",
  11: "Bgr192ComplexFloat",
  12: "Gray32",
  13: "Gray64Float",
};

/** A CZI pixel type name. */
export type CziPixelType =
  | "Gray8"
  | "Gray16"
  | "Gray32Float"
  | "Bgr24"
  | "Bgr48"
  | "Bgr96Float"
  | "Bgra32"
  | "Gray64ComplexFloat"
  | "Bgr192ComplexFloat"
  | "Gray32"
  | "Gray64Float";

/** Numeric code of each pixel type name. */
export const PIXEL_TYPE_CODES: Readonly<Record<CziPixelType, number>> = Object.fromEntries(
  Object.entries(PIXEL_TYPE_NAMES).map(([k, v]) => [v, Number(k)]),
) as Record<CziPixelType, number>;

/** How a pixel type is held in memory: dtype, samples per pixel, and whether the file stores B,G,R(,A). */
export interface PixelLayout {
  dtype: DType;
  /** Samples per pixel (1 grey, 3 RGB, 4 RGBA). */
  samples: number;
  /** Bytes per pixel in the file. */
  bytesPerPixel: number;
  /** True if the file stores the colour samples in B,G,R(,A) order (we return R,G,B(,A)). */
  bgr: boolean;
}

/** In-memory layouts of the supported pixel types (complex types are not supported). */
export const PIXEL_LAYOUTS: Readonly<Partial<Record<CziPixelType, PixelLayout>>> = {
  Gray8: { dtype: "uint8", samples: 1, bytesPerPixel: 1, bgr: false },
  Gray16: { dtype: "uint16", samples: 1, bytesPerPixel: 2, bgr: false },
  Gray32: { dtype: "int32", samples: 1, bytesPerPixel: 4, bgr: false },
  Gray32Float: { dtype: "float32", samples: 1, bytesPerPixel: 4, bgr: false },
  Gray64Float: { dtype: "float64", samples: 1, bytesPerPixel: 8, bgr: false },
  Bgr24: { dtype: "uint8", samples: 3, bytesPerPixel: 3, bgr: true },
  Bgr48: { dtype: "uint16", samples: 3, bytesPerPixel: 6, bgr: true },
  Bgr96Float: { dtype: "float32", samples: 3, bytesPerPixel: 12, bgr: true },
  Bgra32: { dtype: "uint8", samples: 4, bytesPerPixel: 4, bgr: true },
};

/** Compression codes of directory entries (libCZI `CompressionMode`). */
export const COMPRESSION = {
  uncompressed: 0,
  jpeg: 1,
  lzw: 2,
  jpegXr: 4,
  zstd0: 5,
  zstd1: 6,
} as const;

/** Human-readable names of the known compression codes. */
export const COMPRESSION_NAMES: Readonly<Record<number, string>> = {
  0: "Uncompressed",
  1: "JpgFile",
  2: "LZW",
  4: "JpegXrFile",
  5: "Zstd0",
  6: "Zstd1",
};

/** Name of a compression code, `"System<code>"` for 100+ (vendor-specific) or `"Unknown<code>"`. */
export function compressionName(code: number): string {
  return COMPRESSION_NAMES[code] ?? (code >= 100 ? `System${code}` : `Unknown${code}`);
}

/** Pyramid type of a directory entry: 0 none (layer 0), 1 single-subblock, 2 multi-subblock. */
export const PYRAMID_TYPES = { none: 0, singleSubblock: 1, multiSubblock: 2 } as const;

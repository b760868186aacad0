/**
 * The JPEG XR container (ITU-T T.832 annex A, "HD Photo"): a TIFF-like header (`II` 0xBC 0x01, first IFD
 * offset) whose IFD names the pixel format GUID, the image size and where the codestream (and, for planar
 * alpha, the alpha codestream) lies. We read it ourselves, with every offset checked against the payload,
 * so the pixel format and size are verified against the CZI directory before the codec allocates anything.
 */
import type { CziPixelType } from "../constants.js";
import { formatErr } from "../segment.js";

/** True if `b` starts with the JPEG XR (HD Photo) file magic `49 49 BC 01`. */
export function isJpegXr(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x49 && b[1] === 0x49 && b[2] === 0xbc && b[3] === 0x01;
}

/** The first 15 bytes every jxrlib pixel-format GUID shares (24C3DD6F-034E-FE4B-B185-3D77768DC9xx, as stored). */
const GUID_PREFIX = [0x24, 0xc3, 0xdd, 0x6f, 0x03, 0x4e, 0xfe, 0x4b, 0xb1, 0x85, 0x3d, 0x77, 0x76, 0x8d, 0xc9];

/** jxrlib pixel formats by the last byte of their GUID (the ones named in messages; others print as a number). */
const JXR_FORMAT_NAMES: Readonly<Record<number, string>> = {
  5: "BlackWhite",
  8: "8bppGray",
  9: "16bppRGB555",
  10: "16bppRGB565",
  11: "16bppGray",
  12: "24bppBGR",
  13: "24bppRGB",
  14: "32bppBGR",
  15: "32bppBGRA",
  16: "32bppPBGRA",
  17: "32bppGrayFloat",
  19: "16bppGrayFixedPoint",
  21: "48bppRGB",
  22: "64bppRGBA",
  27: "128bppRGBFloat",
  25: "128bppRGBAFloat",
  62: "16bppGrayHalf",
  63: "32bppGrayFixedPoint",
};

/**
 * The jxrlib pixel format each CZI pixel type is stored as (libCZI's mapping; Bgr48 is written as 48bppRGB
 * with the samples in B,G,R order, and Bgra32, which libCZI does not write, as 32bppBGRA with planar alpha).
 */
export const JXR_FORMAT_OF: Readonly<Partial<Record<CziPixelType, number>>> = {
  Gray8: 0x08,
  Gray16: 0x0b,
  Gray32Float: 0x11,
  Bgr24: 0x0c,
  Bgr48: 0x15,
  Bgra32: 0x0f,
};

/** Name of a jxrlib pixel format (by its GUID's last byte). */
export function jxrFormatName(code: number): string {
  return JXR_FORMAT_NAMES[code] ?? `format 0x${code.toString(16).padStart(2, "0")}`;
}

/** What the container says. */
export interface JxrContainer {
  /** Last byte of the pixel-format GUID (see {@link JXR_FORMAT_OF}). */
  format: number;
  width: number;
  height: number;
  /** Offset and length of the image codestream in the payload. */
  imageOffset: number;
  imageLength: number;
  /** Offset and length of the planar alpha codestream, if the image has one. */
  alphaOffset?: number;
  alphaLength?: number;
}

const TAG = {
  pixelFormat: 0xbc01,
  width: 0xbc80,
  height: 0xbc81,
  imageOffset: 0xbcc0,
  imageBytes: 0xbcc1,
  alphaOffset: 0xbcc2,
  alphaBytes: 0xbcc3,
};

/**
 * Parse the container of a JPEG XR payload. Throws FORMAT (naming `what`) for a bad magic, an IFD or a value
 * outside the payload, a GUID that is not a jxrlib pixel format, or a missing size/codestream tag.
 */
export function parseJxrContainer(b: Uint8Array, what: string): JxrContainer {
  if (!isJpegXr(b)) throw formatErr(what, "payload does not start with the JPEG XR magic 49 49 BC 01");
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const need = (pos: number, n: number, field: string) => {
    if (pos < 0 || pos + n > b.length) throw formatErr(what, `JPEG XR ${field} at +${pos} lies outside the ${b.length}-byte payload`);
  };
  need(4, 4, "IFD offset");
  const ifd = v.getUint32(4, true);
  need(ifd, 2, "IFD");
  const count = v.getUint16(ifd, true);
  need(ifd + 2, count * 12, `IFD of ${count} entries`);
  const tags = new Map<number, { type: number; count: number; pos: number }>();
  for (let i = 0; i < count; i++) {
    const p = ifd + 2 + 12 * i;
    tags.set(v.getUint16(p, true), { type: v.getUint16(p + 2, true), count: v.getUint32(p + 4, true), pos: p + 8 });
  }
  const int = (tag: number, name: string, required: boolean): number | undefined => {
    const t = tags.get(tag);
    if (!t) {
      if (required) throw formatErr(what, `JPEG XR container has no ${name} tag (0x${tag.toString(16)})`);
      return undefined;
    }
    if (t.count !== 1 || (t.type !== 3 && t.type !== 4 && t.type !== 1))
      throw formatErr(what, `JPEG XR ${name} tag has type ${t.type} x${t.count}, expected one integer`);
    return t.type === 4 ? v.getUint32(t.pos, true) : t.type === 3 ? v.getUint16(t.pos, true) : (b[t.pos] as number);
  };
  const pf = tags.get(TAG.pixelFormat);
  if (pf?.count !== 16 || pf.type !== 1) throw formatErr(what, "JPEG XR container has no 16-byte pixel-format GUID");
  const gpos = v.getUint32(pf.pos, true);
  need(gpos, 16, "pixel-format GUID");
  for (let i = 0; i < 15; i++) {
    if (b[gpos + i] !== GUID_PREFIX[i]) throw formatErr(what, "JPEG XR pixel-format GUID is not one of jxrlib's pixel formats");
  }
  const width = int(TAG.width, "ImageWidth", true) as number;
  const height = int(TAG.height, "ImageHeight", true) as number;
  const imageOffset = int(TAG.imageOffset, "ImageOffset", true) as number;
  const imageLength = Math.min(int(TAG.imageBytes, "ImageByteCount", false) ?? b.length - imageOffset, b.length - imageOffset);
  need(imageOffset, Math.max(1, imageLength), "image codestream");
  const out: JxrContainer = { format: b[gpos + 15] as number, width, height, imageOffset, imageLength };
  const alphaOffset = int(TAG.alphaOffset, "AlphaOffset", false);
  if (alphaOffset !== undefined && alphaOffset !== 0) {
    // jxrlib writes AlphaByteCount as if counted from the file start; the codestream ends with the payload anyway.
    const alphaLength = b.length - alphaOffset;
    need(alphaOffset, Math.max(1, alphaLength), "alpha codestream");
    out.alphaOffset = alphaOffset;
    out.alphaLength = alphaLength;
  }
  return out;
}

/**
 * A minimal 8bppGray container around `codestream` (e.g. a planar alpha plane, which is a complete grey JPEG XR
 * codestream of its own), so the codec can decode it as an image.
 */
export function wrapGray8Codestream(codestream: Uint8Array, width: number, height: number): Uint8Array {
  const entries = 5;
  const ifdSize = 2 + 12 * entries + 4;
  const guidPos = 8 + ifdSize;
  const dataPos = guidPos + 16;
  const out = new Uint8Array(dataPos + codestream.length);
  const v = new DataView(out.buffer);
  out.set([0x49, 0x49, 0xbc, 0x01], 0);
  v.setUint32(4, 8, true);
  v.setUint16(8, entries, true);
  let p = 10;
  const entry = (tag: number, type: number, count: number, value: number) => {
    v.setUint16(p, tag, true);
    v.setUint16(p + 2, type, true);
    v.setUint32(p + 4, count, true);
    v.setUint32(p + 8, value, true);
    p += 12;
  };
  entry(TAG.pixelFormat, 1, 16, guidPos);
  entry(TAG.width, 4, 1, width);
  entry(TAG.height, 4, 1, height);
  entry(TAG.imageOffset, 4, 1, dataPos);
  entry(TAG.imageBytes, 4, 1, codestream.length);
  v.setUint32(p, 0, true);
  out.set(GUID_PREFIX, guidPos);
  out[guidPos + 15] = 0x08;
  out.set(codestream, dataPos);
  return out;
}

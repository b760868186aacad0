/**
 * `openCzi`: open a CZI file. Opening reads the file header, the subblock directory (or, without one, walks the
 * segment chain), the attachment directory (plus each attachment's 4-byte size) and the metadata XML.
 */
import { type ByteSource, HypedError, openSource, type SourceInput, throwIfAborted } from "@hyped/core";
import { type CziAttachmentInfo, parseAttachmentDirectory } from "./attachments.js";
import { SEGMENT_HEADER_SIZE, SEGMENT_IDS } from "./constants.js";
import { type CziSubblockEntry, DIM_ENTRY_SIZE, DV_FIXED_SIZE, parseDirectory, parseDvEntry } from "./directory.js";
import { CziFile, DEFAULT_LIMITS, finalizer } from "./file.js";
import type { CziFileHeader, OpenCziOptions } from "./file-types.js";
import { type CziMetadata, parseCziMetadata } from "./metadata.js";
import { formatErr, parseSegmentHeader, Reader, readChecked, readSegmentHeader } from "./segment.js";

function parseFileHeader(data: Uint8Array): CziFileHeader {
  const r = new Reader(data, "ZISRAWFILE at 0", SEGMENT_HEADER_SIZE);
  return {
    major: r.i32(0),
    minor: r.i32(4),
    primaryFileGuid: r.guid(16),
    fileGuid: r.guid(32),
    filePart: r.i32(48),
    directoryPosition: r.size64(52, "DirectoryPosition"),
    metadataPosition: r.size64(60, "MetadataPosition"),
    updatePending: r.i32(68) !== 0,
    attachmentDirectoryPosition: r.size64(72, "AttachmentDirectoryPosition"),
  };
}

/** Walk the segment chain (used when the header has no directory): subblock entries, DELETED segments skipped. */
async function scanSubblocks(src: ByteSource, signal?: AbortSignal): Promise<CziSubblockEntry[]> {
  const out: CziSubblockEntry[] = [];
  let pos = 0;
  while (pos + SEGMENT_HEADER_SIZE <= src.size) {
    throwIfAborted(signal, `scanning ${src.name}`);
    const h = parseSegmentHeader(await readChecked(src, pos, SEGMENT_HEADER_SIZE, `segment at ${pos}`, signal), pos, src.size);
    if (h.id === SEGMENT_IDS.subblock) {
      const len = Math.min(h.dataSize, 16 + DV_FIXED_SIZE + 64 * DIM_ENTRY_SIZE);
      const b = await readChecked(src, h.dataOffset, len, `${SEGMENT_IDS.subblock} at ${pos}`, signal);
      const { entry } = parseDvEntry(new Reader(b, `${SEGMENT_IDS.subblock} at ${pos}`, h.dataOffset), 16, out.length);
      entry.filePosition = pos;
      out.push(entry);
    }
    const next = h.dataOffset + Math.max(h.allocatedSize, h.usedSize);
    if (next <= pos) break;
    pos = next;
  }
  return out;
}

/**
 * Open a CZI file. Reads the file header, the subblock directory, the attachment directory and the metadata
 * XML, nothing else. Every size and offset is checked against the source before it is used.
 *
 * @param input a path, URL, Blob/File, bytes or any {@link ByteSource}.
 * @throws HypedError FORMAT (naming the segment) for anything malformed, UNSUPPORTED for features we lack.
 * @example
 * const czi = await openCzi("plate.czi");
 * const plane = await czi.readPlane({ S: 0, T: 0, C: 1 });
 */
export async function openCzi(input: SourceInput, options: OpenCziOptions = {}): Promise<CziFile> {
  const src = await openSource(input);
  const { signal } = options;
  const limits = {
    ...DEFAULT_LIMITS,
    ...(options.maxTileBytes !== undefined ? { maxTileBytes: options.maxTileBytes } : {}),
    ...(options.maxPlaneBytes !== undefined ? { maxPlaneBytes: options.maxPlaneBytes } : {}),
  };
  const fh = await readSegmentHeader(src, 0, SEGMENT_IDS.file, signal);
  const header = parseFileHeader(await readChecked(src, fh.dataOffset, Math.min(fh.dataSize, 80), "ZISRAWFILE at 0", signal));

  let subblocks: CziSubblockEntry[];
  if (header.directoryPosition > 0) {
    const what = `${SEGMENT_IDS.directory} at ${header.directoryPosition}`;
    const dh = await readSegmentHeader(src, header.directoryPosition, SEGMENT_IDS.directory, signal);
    subblocks = parseDirectory(await readChecked(src, dh.dataOffset, dh.dataSize, what, signal), what, dh.dataOffset);
    for (const e of subblocks) {
      if (e.filePosition + SEGMENT_HEADER_SIZE > src.size) {
        throw formatErr(what, `entry ${e.index} points at offset ${e.filePosition}, past the end of the file (${src.size} bytes)`, {
          entry: e.index,
          filePosition: e.filePosition,
        });
      }
    }
  } else {
    subblocks = await scanSubblocks(src, signal);
  }

  let attachments: CziAttachmentInfo[] = [];
  if (header.attachmentDirectoryPosition > 0) {
    const what = `${SEGMENT_IDS.attachmentDirectory} at ${header.attachmentDirectoryPosition}`;
    const ah = await readSegmentHeader(src, header.attachmentDirectoryPosition, SEGMENT_IDS.attachmentDirectory, signal);
    const list = parseAttachmentDirectory(await readChecked(src, ah.dataOffset, ah.dataSize, what, signal), what, ah.dataOffset);
    attachments = await Promise.all(
      list.map(async (a) => {
        const w = `${SEGMENT_IDS.attachment} "${a.name}" at ${a.filePosition}`;
        const seg = await readSegmentHeader(src, a.filePosition, SEGMENT_IDS.attachment, signal);
        const size = new Reader(await readChecked(src, seg.dataOffset, 4, w, signal), w, seg.dataOffset).i32(0);
        if (size < 0 || 256 + size > seg.dataSize) throw formatErr(w, `DataSize ${size} does not fit in the ${seg.dataSize}-byte segment`);
        return { ...a, size };
      }),
    );
  }

  let metadata: CziMetadata = parseCziMetadata("");
  if (header.metadataPosition > 0) {
    const what = `${SEGMENT_IDS.metadata} at ${header.metadataPosition}`;
    const mh = await readSegmentHeader(src, header.metadataPosition, SEGMENT_IDS.metadata, signal);
    const r = new Reader(await readChecked(src, mh.dataOffset, Math.min(8, mh.dataSize), what, signal), what, mh.dataOffset);
    const xmlSize = r.i32(0);
    if (xmlSize < 0 || 256 + xmlSize > mh.dataSize)
      throw formatErr(what, `XmlSize ${xmlSize} does not fit in the ${mh.dataSize}-byte segment`);
    const xmlBytes = await readChecked(src, mh.dataOffset + 256, xmlSize, what, signal);
    let xml: string;
    try {
      xml = new TextDecoder("utf-8", { fatal: true }).decode(xmlBytes);
    } catch (e) {
      throw new HypedError("FORMAT", `${what}: metadata XML is not valid UTF-8`, { segment: what }, { cause: e });
    }
    metadata = parseCziMetadata(xml.replace(/^\uFEFF/, "").replace(/\0+$/, ""), what);
  }
  const czi = new CziFile(src, header, subblocks, metadata, attachments, limits, options.decoders);
  // A source we opened (a path or URL) is closed if the CziFile is garbage-collected unclosed, instead of Node
  // closing the bare file handle with a DEP0137 warning. A source the caller passed stays the caller's.
  if (ownsSource(input)) finalizer?.register(czi, src, czi);
  return czi;
}

function ownsSource(input: SourceInput): boolean {
  return typeof input === "string" || (typeof URL !== "undefined" && input instanceof URL);
}

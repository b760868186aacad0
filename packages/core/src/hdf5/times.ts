/**
 * Reproducible HDF5 files: HDF5 stamps access, modification, change and birth times (seconds since 1970) into
 * every version-2 object header, and h5wasm exposes no `H5Pset_obj_track_times`. Two writes of the same content
 * a second apart therefore differ in a few bytes, and a SHA-256 of a rewritten file (a resumed conversion, a
 * sharded pipeline run) no longer matches the first. These functions zero the times and recompute each header
 * chunk's lookup3 checksum, in place. A candidate `OHDR` is touched only when its stored checksum verifies, so
 * sample bytes that merely look like a header are left alone.
 */
import { HALF_PLACEHOLDER, lookup3, patchBoolEnums } from "./boolenum.js";
import type { SyncIO } from "./syncio.js";

const OHDR = [0x4f, 0x48, 0x44, 0x52]; // "OHDR"

const rd32 = (buf: Uint8Array, p: number) =>
  ((buf[p] as number) | ((buf[p + 1] as number) << 8) | ((buf[p + 2] as number) << 16)) + (buf[p + 3] as number) * 2 ** 24;

function indexOfOhdr(buf: Uint8Array, from: number): number {
  for (let i = buf.indexOf(0x4f, from); i >= 0 && i + 4 <= buf.length; i = buf.indexOf(0x4f, i + 1)) {
    if (buf[i + 1] === OHDR[1] && buf[i + 2] === OHDR[2] && buf[i + 3] === OHDR[3]) return i;
  }
  return -1;
}

/**
 * The byte range of the version-2 object header chunk starting at `s` that stores times, with its checksum at
 * `end`, or undefined when `s` is not such a header (wrong version, no times, checksum does not verify).
 */
function timedHeader(buf: Uint8Array, s: number): { end: number } | undefined {
  if (buf[s + 4] !== 2) return undefined;
  const flags = buf[s + 5] as number;
  if (!(flags & 0x20)) return undefined; // times not stored
  let p = s + 6 + 16;
  if (flags & 0x10) p += 4; // attribute phase-change values
  const w = 1 << (flags & 3);
  if (p + w > buf.length) return undefined;
  let size = 0;
  for (let i = 0; i < w; i++) size += (buf[p + i] as number) * 2 ** (8 * i);
  const end = p + w + size;
  if (end + 4 > buf.length || lookup3(buf.subarray(s, end)) !== rd32(buf, end)) return undefined;
  return { end };
}

function clearAt(buf: Uint8Array, s: number, end: number): void {
  buf.fill(0, s + 6, s + 22);
  const c = lookup3(buf.subarray(s, end));
  buf[end] = c & 0xff;
  buf[end + 1] = (c >>> 8) & 0xff;
  buf[end + 2] = (c >>> 16) & 0xff;
  buf[end + 3] = (c >>> 24) & 0xff;
}

/**
 * Zero the object times of every version-2 object header in a whole file's bytes, in place, and fix the
 * checksums. Returns the number of headers cleared (0 for files without stored times).
 */
export function clearObjectTimes(buf: Uint8Array): number {
  let n = 0;
  for (let s = indexOfOhdr(buf, 0); s >= 0; s = indexOfOhdr(buf, s + 4)) {
    const h = timedHeader(buf, s);
    if (!h) continue;
    clearAt(buf, s, h.end);
    n++;
  }
  return n;
}

/**
 * {@link clearObjectTimes} over a writable {@link SyncIO}, read in pieces of 16 MiB (with an overlap that holds
 * any header chunk, at most 64 KiB plus its prefix) so a large file is never held whole. Only the header chunks
 * it changes are written back.
 */
export function clearObjectTimesIO(io: SyncIO): number {
  const size = io.size();
  const piece = 16 * 2 ** 20;
  const overlap = 70_000;
  let n = 0;
  for (let pos = 0; pos < size; pos += piece) {
    const end = Math.min(size, pos + piece + overlap);
    const buf = new Uint8Array(end - pos);
    io.read(buf, pos);
    for (let s = indexOfOhdr(buf, 0); s >= 0 && s < piece; s = indexOfOhdr(buf, s + 4)) {
      const h = timedHeader(buf, s);
      if (!h) continue;
      clearAt(buf, s, h.end);
      io.write(buf.subarray(s, h.end + 4), pos + s);
      n++;
    }
  }
  return n;
}

/** The patches a finished file written through h5wasm still needs: boolean and float16 types, object times. */
export function finishWrittenFile(io: SyncIO, p: { bools: number; halves: number; reproducible: boolean }): void {
  if (p.bools > 0) patchBoolEnums(io);
  if (p.halves > 0) patchBoolEnums(io, HALF_PLACEHOLDER);
  if (p.reproducible) clearObjectTimesIO(io);
}

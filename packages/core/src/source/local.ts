/**
 * What the two byte-source families share. The async {@link ByteSource}s (`fileSource`, `blobSource`,
 * `memorySource`) and the synchronous HDF5 I/O (`../hdf5/syncio.ts`: `nodeFileIO`, `blobIO`, `memoryIO`)
 * open, validate and name their inputs the same way through these helpers; see the core README ("Two byte
 * source families") for why the families themselves stay two.
 */
import { HypedError, notRegularFile } from "../errors.js";

/** What an open local file is opened for: `r` read, `r+` read/write, `w` create/truncate. */
export type LocalMode = "r" | "r+" | "w";

/**
 * `open(2)` flags for a local file: non-blocking, so a FIFO answers at once (and is refused by
 * {@link regularFileSize}) instead of waiting for a writer.
 */
export function localOpenFlags(
  c: { O_RDONLY: number; O_RDWR: number; O_CREAT: number; O_TRUNC: number; O_NONBLOCK: number },
  mode: LocalMode,
): number {
  return (mode === "r" ? c.O_RDONLY : mode === "r+" ? c.O_RDWR : c.O_RDWR | c.O_CREAT | c.O_TRUNC) | c.O_NONBLOCK;
}

/** The size of an opened local file, or the `IO` error of {@link notRegularFile} for a directory, FIFO, socket or device. */
export function regularFileSize(
  path: string,
  st: { size: number; isFile(): boolean; isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean },
): number {
  if (!st.isFile()) throw notRegularFile(path, st);
  return st.size;
}

/** The name of a `Blob` in messages: a `File`'s name, else `blob`. */
export function blobName(blob: Blob): string {
  return (blob as { name?: string }).name ?? "blob";
}

/** The `IO` error for writing to a read-only source or I/O named `name`. */
export function readOnly(name: string): HypedError {
  return new HypedError("IO", `${name} is read-only`, { name });
}

/**
 * Mounting a {@link SyncIO} as a file in h5wasm's in-memory file system, so HDF5's reads and writes go to
 * our I/O; failures under HDF5 are kept and re-raised as `IO` errors naming the file.
 */
import { fsError } from "../errors.js";
import type { H5Runtime } from "./module.js";
import { MOUNT_DIR } from "./module.js";
import type { SyncIO } from "./syncio.js";

let mountCounter = 0;

/** The serial number the next mount will take (for unique temporary names). */
export function nextMountSerial(): number {
  return mountCounter + 1;
}

/** The errno HDF5 sees for a failed read or write (WASI's EIO). */
const WASI_EIO = 29;
/** The error behind the last failed read or write of each I/O, until reported. */
const ioFailures = new WeakMap<SyncIO, { e: unknown; action: "read" | "write" }>();

/** Throw the `IO` error (naming the file) of a read or write that failed under HDF5, if there was one. */
export function takeIoFailure(io: SyncIO): void {
  const f = ioFailures.get(io);
  if (!f) return;
  ioFailures.delete(io);
  throw fsError(f.e, io.name, f.action);
}

export function mount(rt: H5Runtime, io: SyncIO): string {
  const FS = rt.FS;
  const name = `f${++mountCounter}.h5`;
  const node = FS.createFile(MOUNT_DIR, name, {}, true, true);
  Object.defineProperty(node, "usedBytes", { get: () => io.size(), configurable: true });
  const base = node.stream_ops;
  node.stream_ops = {
    ...base,
    // an I/O failure (ENOSPC, EIO, a closed source) goes back to HDF5 as an errno, so it unwinds cleanly
    // and reports a read/write error; the original is kept for the IO error we raise (see takeIoFailure)
    read: (_s: unknown, buffer: Uint8Array, offset: number, length: number, position: number) => {
      try {
        return io.read(buffer.subarray(offset, offset + length), Number(position));
      } catch (e) {
        ioFailures.set(io, { e, action: "read" });
        throw new FS.ErrnoError(WASI_EIO);
      }
    },
    write: (_s: unknown, buffer: Uint8Array, offset: number, length: number, position: number) => {
      try {
        return io.write(buffer.subarray(offset, offset + length), Number(position));
      } catch (e) {
        ioFailures.set(io, { e, action: "write" });
        throw new FS.ErrnoError(WASI_EIO);
      }
    },
    mmap: () => {
      throw new FS.ErrnoError(19);
    },
  };
  const nops = node.node_ops;
  node.node_ops = {
    ...nops,
    setattr: (n: unknown, attr: { size?: number }) => {
      if (attr.size !== undefined) io.truncate(Number(attr.size));
      const { size: _size, ...rest } = attr;
      return nops.setattr(n, rest);
    },
  };
  return `${MOUNT_DIR}/${name}`;
}

export function unmount(rt: H5Runtime, p: string): void {
  try {
    rt.FS.unlink(p);
  } catch {
    // already gone
  }
}

/** Close an h5wasm file whose contents are being thrown away (a failed or discarded write): errors do not matter. */
export function closeQuietly(f: { close(): void }): void {
  try {
    f.close();
  } catch {
    // the file is being discarded
  }
}

/**
 * Synchronous positional I/O used to back HDF5 files (HDF5 itself is synchronous). The async byte sources
 * (`../source/`) are the other family; they share opening, validation and names (`../source/local.ts`), and
 * the core README says why the two families stay apart.
 *
 * - {@link nodeFileIO}: a local file through `fs.readSync`/`fs.writeSync` on one descriptor (Node).
 * - {@link memoryIO}: bytes in memory; writable ones grow as HDF5 writes.
 * - {@link blobIO}: a `Blob`/`File`; in a Web Worker reads use `FileReaderSync` (lazy); elsewhere the blob
 *   must be read whole first, up to `maxEagerBytes` (default 1 GiB), else `UNSUPPORTED`.
 */
import { fsError, HypedError } from "../errors.js";
import { blobName, type LocalMode, localOpenFlags, readOnly, regularFileSize } from "../source/local.js";
import { Scatter } from "../source/util.js";

/** A synchronous random-access file. */
export interface SyncIO {
  readonly name: string;
  readonly writable: boolean;
  size(): number;
  /** Fill `view` from `position`; returns bytes read (short only at end of file). */
  read(view: Uint8Array, position: number): number;
  /**
   * Optional asynchronous form of {@link SyncIO.read} (Node files: a thread-pool read on the same
   * descriptor), used to overlap several reads of one hyperslab. Same contract as `read`.
   */
  readAsync?(view: Uint8Array, position: number): Promise<number>;
  /**
   * Optional scatter read: fill `views` in order from consecutive file bytes starting at `position` (one
   * `preadv` per 1,024 views in Node). Returns bytes read (short only at end of file).
   */
  readv?(views: readonly Uint8Array[], position: number): number;
  /** Optional asynchronous {@link SyncIO.readv} (on Node's thread pool). */
  readvAsync?(views: readonly Uint8Array[], position: number): Promise<number>;
  /** The operating-system file descriptor, when the I/O is a local file (Node); lets native readers use it. */
  readonly fd?: number;
  write(view: Uint8Array, position: number): number;
  truncate(size: number): void;
  close(): void;
  /** Bytes read through this object so far (for tests and benchmarks). */
  readonly bytesRead: number;
  /** Read calls made so far. */
  readonly reads: number;
}

type NodeFs = typeof import("node:fs");
let nodeFs: NodeFs | undefined;
/** Load `node:fs` once (async, so browser bundles never include it statically). */
export async function loadNodeFs(): Promise<NodeFs> {
  if (!nodeFs) {
    try {
      nodeFs = (await import("node:fs")) as NodeFs;
    } catch (e) {
      throw new HypedError("UNSUPPORTED", "local file paths need Node.js; in a browser pass a File or bytes", {}, { cause: e });
    }
  }
  return nodeFs;
}

/** Open a local file for synchronous positional I/O. `mode`: `r` read, `r+` read/write, `w` create/truncate. */
export async function nodeFileIO(path: string, mode: LocalMode = "r"): Promise<SyncIO> {
  const fs = await loadNodeFs();
  let fd: number;
  try {
    fd = fs.openSync(path, localOpenFlags(fs.constants, mode), 0o666);
  } catch (e) {
    throw fsError(e, path, mode === "w" ? "create" : "open");
  }
  let size: number;
  try {
    size = regularFileSize(path, fs.fstatSync(fd));
  } catch (e) {
    fs.closeSync(fd);
    throw fsError(e, path, "stat");
  }
  const stats = { bytesRead: 0, reads: 0 };
  const file = { fd, size };
  let closed = false;
  return {
    name: path,
    fd,
    writable: mode !== "r",
    size: () => file.size,
    ...positionalReads(fs, file, stats),
    write(view, position) {
      const n = fs.writeSync(fd, view, 0, view.length, position);
      if (position + n > file.size) file.size = position + n;
      return n;
    },
    truncate(n) {
      fs.ftruncateSync(fd, n);
      file.size = n;
    },
    close() {
      if (!closed) {
        closed = true;
        fs.closeSync(fd);
      }
    },
    get bytesRead() {
      return stats.bytesRead;
    },
    get reads() {
      return stats.reads;
    },
  };
}

/** The read methods of {@link nodeFileIO} on descriptor `file.fd` (reads stop at `file.size`, which writes move). */
function positionalReads(
  fs: NodeFs,
  file: { fd: number; size: number },
  stats: { bytesRead: number; reads: number },
): Pick<SyncIO, "read" | "readAsync" | "readv" | "readvAsync"> {
  const { fd } = file;
  return {
    read(view, position) {
      stats.reads++;
      let got = 0;
      while (got < view.length && position + got < file.size) {
        const n = fs.readSync(fd, view, got, view.length - got, position + got);
        if (n === 0) break;
        got += n;
      }
      stats.bytesRead += got;
      return got;
    },
    async readAsync(view, position) {
      stats.reads++;
      let got = 0;
      while (got < view.length && position + got < file.size) {
        const n = await new Promise<number>((resolve, reject) =>
          fs.read(fd, view, got, view.length - got, position + got, (err, k) => (err ? reject(err) : resolve(k))),
        );
        if (n === 0) break;
        got += n;
      }
      stats.bytesRead += got;
      return got;
    },
    readv(views, position) {
      stats.reads++;
      const sc = new Scatter(views);
      let got = 0;
      while (!sc.done) {
        const n = fs.readvSync(fd, sc.batch(), position + got);
        if (n === 0) break;
        got += n;
        sc.advance(n);
      }
      stats.bytesRead += got;
      return got;
    },
    async readvAsync(views, position) {
      stats.reads++;
      const sc = new Scatter(views);
      let got = 0;
      while (!sc.done) {
        const batch = sc.batch();
        const n = await new Promise<number>((resolve, reject) =>
          fs.readv(fd, batch, position + got, (err, k) => (err ? reject(err) : resolve(k))),
        );
        if (n === 0) break;
        got += n;
        sc.advance(n);
      }
      stats.bytesRead += got;
      return got;
    },
  };
}

/** In-memory I/O. With `writable`, the buffer grows (doubling) as data is written; `bytes()` returns the content. */
export function memoryIO(initial: Uint8Array = new Uint8Array(0), writable = false, name = "memory"): SyncIO & { bytes(): Uint8Array } {
  let buf = initial;
  let size = initial.length;
  let bytesRead = 0;
  let reads = 0;
  const ensure = (n: number) => {
    if (n <= buf.length) return;
    let cap = Math.max(4096, buf.length * 2);
    while (cap < n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(buf.subarray(0, size));
    buf = next;
  };
  return {
    name,
    writable,
    size: () => size,
    read(view, position) {
      reads++;
      const n = Math.max(0, Math.min(view.length, size - position));
      view.set(buf.subarray(position, position + n));
      bytesRead += n;
      return n;
    },
    write(view, position) {
      if (!writable) throw readOnly(name);
      ensure(position + view.length);
      buf.set(view, position);
      if (position + view.length > size) size = position + view.length;
      return view.length;
    },
    truncate(n) {
      ensure(n);
      if (n > size) buf.fill(0, size, n);
      size = n;
    },
    close() {},
    bytes: () => buf.subarray(0, size),
    get bytesRead() {
      return bytesRead;
    },
    get reads() {
      return reads;
    },
  };
}

/** Options of {@link blobIO}. */
export interface BlobIOOptions {
  /** Outside a worker, the most bytes read eagerly into memory. Default 1 GiB. */
  maxEagerBytes?: number;
}

/** Synchronous I/O over a `Blob`/`File`: lazy in a worker (`FileReaderSync`), else read whole (bounded). */
export async function blobIO(blob: Blob, options: BlobIOOptions = {}): Promise<SyncIO> {
  const name = blobName(blob);
  const FRS = (globalThis as { FileReaderSync?: new () => { readAsArrayBuffer(b: Blob): ArrayBuffer } }).FileReaderSync;
  if (FRS) {
    const reader = new FRS();
    let bytesRead = 0;
    let reads = 0;
    return {
      name,
      writable: false,
      size: () => blob.size,
      read(view, position) {
        reads++;
        const end = Math.min(blob.size, position + view.length);
        if (end <= position) return 0;
        const part = new Uint8Array(reader.readAsArrayBuffer(blob.slice(position, end)));
        view.set(part);
        bytesRead += part.length;
        return part.length;
      },
      write() {
        throw readOnly(name);
      },
      truncate() {
        throw readOnly(name);
      },
      close() {},
      get bytesRead() {
        return bytesRead;
      },
      get reads() {
        return reads;
      },
    };
  }
  const max = options.maxEagerBytes ?? 2 ** 30;
  if (blob.size > max) {
    throw new HypedError(
      "UNSUPPORTED",
      `${name} is ${blob.size} bytes; outside a Web Worker HDF5 files are read whole, up to ${max} bytes. Open it from a worker for lazy reads.`,
      { name, size: blob.size, max },
    );
  }
  return memoryIO(new Uint8Array(await blob.arrayBuffer()), false, name);
}

/**
 * A file handed to onnxruntime-web as external data without reading it into memory first (Node only).
 *
 * onnxruntime-web copies each external initializer into its WebAssembly heap from the bytes mounted for its file,
 * synchronously, through `subarray(offset, offset + length)` of what it was given. Given the whole
 * `model.safetensors` as a `Uint8Array`, JavaScript holds a full copy of the file beside the heap's copy while the
 * session is created (2.1× the weights at peak for a V2-sized model, measured). {@link LazyFile} is a `Uint8Array`
 * whose `subarray` reads just the requested range from the open file, so JavaScript holds one tensor at a time
 * (1.1×). It relies on how onnxruntime-web reads mounted data, so the caller checks {@link LazyFile.served}
 * afterwards: if the runtime read fewer bytes than the graph references, it read them some other way, and the
 * session must be rebuilt from the real bytes.
 */
import { HypedError } from "@hyped/core";

/** A file of `size` bytes whose `subarray` reads the range from `fd` (see the module comment). */
export class LazyFile extends Uint8Array {
  /** Bytes handed out through {@link subarray} so far. */
  served = 0;
  private constructor(
    /** The file's path. */
    readonly path: string,
    private readonly fd: number,
    private readonly size: number,
    private readonly readSync: (fd: number, buf: Uint8Array, off: number, len: number, pos: number) => number,
  ) {
    super(0);
  }

  /** Open `path` for lazy reads. Close it with {@link close}. */
  static async open(path: string): Promise<LazyFile> {
    const fs = await import("node:fs");
    const fd = fs.openSync(path, "r");
    return new LazyFile(path, fd, fs.fstatSync(fd).size, fs.readSync);
  }

  override get byteLength(): number {
    return this.size;
  }

  override get length(): number {
    return this.size;
  }

  /** A fresh copy of bytes `begin … end` of the file (not a view: nothing else is held). */
  override subarray(begin = 0, end = this.size): Uint8Array<ArrayBuffer> {
    if (!(Number.isSafeInteger(begin) && Number.isSafeInteger(end) && 0 <= begin && begin <= end && end <= this.size)) {
      throw new HypedError("OUT_OF_RANGE", `external data range ${begin}…${end} is outside the ${this.size}-byte file`, { begin, end });
    }
    const out = new Uint8Array(end - begin);
    for (let at = 0; at < out.length; ) {
      const n = this.readSync(this.fd, out, at, out.length - at, begin + at);
      if (n <= 0) throw new HypedError("IO", `the weights file ended at byte ${begin + at} of ${this.size}`, {});
      at += n;
    }
    this.served += out.length;
    return out;
  }

  /** Close the file. */
  async close(): Promise<void> {
    const fs = await import("node:fs");
    fs.closeSync(this.fd);
  }
}

/**
 * Reading the requested channels and region of one frame file into a destination buffer, as (C, Y, X).
 * Shared by the store's in-thread path and its read workers (which write into a SharedArrayBuffer).
 */
import { type DType, dtypeOf, HypedError, isHypedError, throwIfAborted } from "@hyped/core";
import type { H5File, H5Selection } from "@hyped/core/hdf5";
import { type ForeignLayoutOptions, readFrameLayout, transposeInto } from "./frame.js";
import type { FrameAxes, FrameInfo, FrameRegion } from "./types.js";

/** True if `a` is a TypedArray of exactly `dtype` (so a read can land in it directly). */
function sameDType(a: unknown, dtype: DType): boolean {
  if (!ArrayBuffer.isView(a) || a instanceof DataView) return false;
  try {
    return dtypeOf(a) === dtype;
  } catch {
    return false;
  }
}

/** What every frame of a store must look like (plain data: it crosses to worker threads). */
export interface FrameExpectation {
  channels: string[];
  dtype: DType;
  height: number;
  width: number;
  /** The file or manifest the expectation comes from, for messages. */
  ref: string;
  foreign: { channels?: string[]; axes?: FrameAxes };
}

/** One frame read request. */
export interface FrameReadJob {
  /** Local path or Blob. */
  input: string | Blob;
  /** Name for messages (relative path in the store). */
  file: string;
  expect: FrameExpectation;
  /** On-disk channel indices, in output order. */
  channels: number[];
  region: FrameRegion;
  /** Element offset in the destination where this frame's (C, Y, X) block starts. */
  offset: number;
}

/** Throws `SHAPE_MISMATCH` naming `file` unless `info` matches `ref`'s shape, dtype and channels. */
export function checkConsistent(
  file: string,
  info: Pick<FrameInfo, "channels" | "dtype" | "height" | "width">,
  refFile: string,
  ref: Pick<FrameInfo, "channels" | "dtype" | "height" | "width">,
): void {
  if (info.height !== ref.height || info.width !== ref.width || info.channels.length !== ref.channels.length || info.dtype !== ref.dtype) {
    throw new HypedError(
      "SHAPE_MISMATCH",
      `${file}: frame is ${info.channels.length} x ${info.height} x ${info.width} (C, Y, X) ${info.dtype}, but ${refFile} is ${ref.channels.length} x ${ref.height} x ${ref.width} ${ref.dtype}`,
      { file, other: refFile },
    );
  }
  if (info.channels.join("\u0000") !== ref.channels.join("\u0000")) {
    throw new HypedError(
      "SHAPE_MISMATCH",
      `${file}: channels ${info.channels.join(", ")} differ from ${refFile}'s ${ref.channels.join(", ")}`,
      {
        file,
        other: refFile,
      },
    );
  }
}

/**
 * Open `job.input`, check it against the expectation, and read the wanted channels of the region into `dst`
 * at `job.offset`, one hyperslab per run of consecutive channels; `CXY` files are transposed back. Errors
 * name the file.
 */
export async function readFrameRegion(
  job: FrameReadJob,
  dst: ArrayLike<number> & { set(a: ArrayLike<number>, o: number): void },
  signal?: AbortSignal,
): Promise<void> {
  const { H5File } = await import("@hyped/core/hdf5");
  let f: H5File;
  try {
    f = await H5File.open(job.input);
  } catch (err) {
    if (isHypedError(err) && !err.message.includes(job.file))
      throw new HypedError(err.code, `${job.file}: ${err.message}`, { ...err.context, file: job.file }, { cause: err });
    throw err;
  }
  try {
    const info = readFrameLayout(f, job.expect.foreign as ForeignLayoutOptions);
    checkConsistent(job.file, info, job.expect.ref, job.expect);
    const { region, channels: ch, offset } = job;
    const plane = region.height * region.width;
    const cyx = info.axes === "CYX";
    const ys: [number, number] = [region.y, region.y + region.height];
    const xs: [number, number] = [region.x, region.x + region.width];
    for (let k = 0; k < ch.length; ) {
      let m = 1;
      while (k + m < ch.length && ch[k + m] === (ch[k] as number) + m) m++;
      throwIfAborted(signal, `reading ${job.file}`);
      const c0 = ch[k] as number;
      const select: H5Selection = [[c0, c0 + m], cyx ? ys : xs, cyx ? xs : ys];
      const start = offset + k * plane;
      // CYX into a matching typed array: read straight into place (no intermediate buffer, no copy)
      const into = cyx && sameDType(dst, info.dtype) ? (dst as unknown as Uint16Array).subarray(start, start + m * plane) : undefined;
      const a = await f.readAsync(info.dataset, {
        select,
        budgetBytes: Number.MAX_SAFE_INTEGER,
        ...(signal ? { signal } : {}),
        ...(into ? { out: into } : {}),
      });
      const src = a.data as unknown as Uint16Array;
      if (into) {
        // already in place
      } else if (cyx) dst.set(src, start);
      else {
        // stored (X, Y): transpose each (width, height) block back to (height, width)
        for (let j = 0; j < m; j++)
          transposeInto(
            src.subarray(j * plane, (j + 1) * plane),
            region.width,
            region.height,
            dst as unknown as { [i: number]: number },
            offset + (k + j) * plane,
          );
      }
      k += m;
    }
  } finally {
    f.close();
  }
}

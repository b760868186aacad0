/**
 * One conversion task: stitch every channel of one (scene, time) from a CZI and write its frame file. Runs
 * in a worker thread or in the calling thread; the same code either way.
 */
import { HypedError, type NumericTypedArray } from "@hyped/core";
import { type CziFile, openCzi } from "../czi/index.js";
import { type FrameMeta, verifyFrameFile, type WriteFrameOptions, writeFrameFile } from "./frame.js";
import { sha256Of } from "./hash.js";
import type { FrameDType } from "./types.js";

/** Everything a worker needs once. */
export interface TaskInit {
  /** The CZI inputs (paths or Blobs), indexed by {@link FrameTask.input}. */
  inputs: Array<string | Blob>;
  /** Output folder (local path). */
  outDir: string;
  /** How to write frames. */
  write: WriteFrameOptions;
  /** Sample type of the frames. */
  dtype: FrameDType;
}

/** One frame to produce. */
export interface FrameTask {
  id: number;
  /** Index into {@link TaskInit.inputs}. */
  input: number;
  scene: number | undefined;
  t: number;
  z: number;
  /** CZI channel indices to read, in frame order. */
  cziChannels: number[];
  /** Frame file name relative to the output folder. */
  file: string;
  meta: FrameMeta;
  height: number;
  width: number;
  /** When set and the file exists with this SHA-256, skip it. */
  expectSha256?: string;
}

/** What a task produced. */
export interface TaskResult {
  id: number;
  sha256: string;
  bytes: number;
  /** Uncompressed pixel bytes of the frame. */
  rawBytes: number;
  /** The frame was already present with the expected checksum. */
  skipped: boolean;
}

/** Per-thread task runner: keeps the CZI files open across tasks. */
export class TaskRunner {
  private readonly open = new Map<number, Promise<CziFile>>();
  constructor(private readonly init: TaskInit) {}

  private czi(i: number): Promise<CziFile> {
    let p = this.open.get(i);
    if (!p) {
      const input = this.init.inputs[i];
      if (input === undefined) throw new HypedError("INVALID_ARGUMENT", `no CZI input ${i}`, {});
      p = openCzi(input);
      this.open.set(i, p);
    }
    return p;
  }

  /** Run one task (throws typed errors naming the CZI and the frame). */
  async run(task: FrameTask, signal?: AbortSignal): Promise<TaskResult> {
    const { join } = await import("node:path");
    const path = join(this.init.outDir, task.file);
    const rawBytes = task.cziChannels.length * task.height * task.width * (this.init.dtype === "uint16" ? 2 : 4);
    const fs = await import("node:fs/promises");
    const st = await fs.stat(path).catch(() => undefined);
    if (st && task.expectSha256) {
      if ((await sha256Of(path, signal)) === task.expectSha256) {
        return { id: task.id, sha256: task.expectSha256, bytes: st.size, rawBytes, skipped: true };
      }
    } else if (st?.isFile()) {
      // finished before a kill but not yet in the manifest (saved every 2 s): done if it verifies
      const w = this.init.write;
      const expect = {
        meta: task.meta,
        dtype: this.init.dtype,
        axes: w.axes ?? "CYX",
        compression: w.compression ?? "gzip",
        height: task.height,
        width: task.width,
      };
      if (await verifyFrameFile(path, expect)) {
        return { id: task.id, sha256: await sha256Of(path, signal), bytes: st.size, rawBytes, skipped: true };
      }
    }
    const czi = await this.czi(task.input);
    const name = czi.source.name;
    const planes: Array<Uint16Array | Float32Array> = [];
    for (const c of task.cziChannels) {
      const coords: Record<string, number> = { T: task.t, C: c, Z: task.z };
      if (task.scene !== undefined) coords.S = task.scene;
      if (!czi.dims.T) delete coords.T;
      if (!czi.dims.Z) delete coords.Z;
      if (!czi.dims.C) delete coords.C;
      const plane = await czi.readPlane(coords, signal ? { signal } : {});
      if (plane.shape.length !== 2 || plane.shape[0] !== task.height || plane.shape[1] !== task.width) {
        throw new HypedError(
          "SHAPE_MISMATCH",
          `${name}: scene ${task.scene ?? 0} T ${task.t} C ${c} stitches to [${plane.shape}], expected [${task.height}, ${task.width}] like the other frames`,
          { file: name, scene: task.scene, t: task.t, channel: c },
        );
      }
      planes.push(toFrameType(plane.data, this.init.dtype, name, plane.pixelType));
    }
    const w = await writeFrameFile(path, planes, task.height, task.width, task.meta, this.init.write);
    return { id: task.id, sha256: w.sha256, bytes: w.bytes, rawBytes, skipped: false };
  }

  /** Close the CZI files. */
  async close(): Promise<void> {
    for (const p of this.open.values()) await (await p.catch(() => undefined))?.close();
    this.open.clear();
  }
}

/** Convert stitched samples to the frame sample type (uint8 widens to uint16; integers to float32 exactly up to 2^24). */
function toFrameType(data: NumericTypedArray, dtype: FrameDType, file: string, pixelType: string): Uint16Array | Float32Array {
  if (dtype === "uint16") {
    if (data instanceof Uint16Array) return data;
    if (data instanceof Uint8Array) return Uint16Array.from(data);
  } else {
    if (data instanceof Float32Array) return data;
    if (data instanceof Uint16Array || data instanceof Uint8Array) return Float32Array.from(data);
  }
  throw new HypedError(
    "UNSUPPORTED",
    `${file}: ${pixelType} pixels cannot be stored as ${dtype} frames (frames hold Gray8/Gray16 as uint16, or float32)`,
    {
      file,
      pixelType,
      dtype,
    },
  );
}

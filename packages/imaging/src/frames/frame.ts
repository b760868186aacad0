/**
 * One frame file: writing it (dataset + attributes, atomic) and reading what it says about itself, for our
 * own layout and for foreign layouts that only hold a 3-D array. See `format.md`.
 */
import { HypedError, isHypedError } from "@hyped/core";
import type { H5File } from "@hyped/core/hdf5";
import { sha256Of } from "./hash.js";
import {
  DEFAULT_CHANNELS,
  FRAME_DATASET,
  FRAME_FORMAT,
  FRAME_FORMAT_VERSION,
  type FrameAxes,
  type FrameDType,
  type FrameInfo,
} from "./types.js";

/** What describes a frame when writing it (everything in {@link FrameInfo} except what the data implies). */
export type FrameMeta = Omit<FrameInfo, "dtype" | "height" | "width" | "dataset" | "native" | "axes">;

/** Options of {@link writeFrameFile}. */
export interface WriteFrameOptions {
  /** On-disk axis order. Default `"CYX"`; `"CXY"` stores each plane transposed, as the HYPED release does. */
  axes?: FrameAxes;
  /** `gzip` (default) or `none`. */
  compression?: "gzip" | "none";
  /** gzip level 0-9. Default 1 (fast; images of noisy counts gain little from higher levels). */
  level?: number;
  /** Chunk tile `[height, width]` in pixels (one channel per chunk). Default `[512, 512]`, clipped to the image. */
  tile?: [number, number];
}

/** Result of {@link writeFrameFile}. */
export interface WrittenFrame {
  /** Lower-case hex SHA-256 of the file. */
  sha256: string;
  /** File size in bytes. */
  bytes: number;
  /** The file's bytes, when written in memory (`path` null). */
  data?: Uint8Array;
}

/**
 * Write one frame file. `planes` holds one row-major `height x width` plane per channel (in `meta.channels`
 * order), all of the same TypedArray type (`Uint16Array` or `Float32Array`). With a path (Node) the file is
 * written atomically: to `<path>.tmp-…` first, renamed into place only once complete, so an interrupted
 * write never leaves a partial file under the frame's name. With `path` null the file is built in memory
 * and its bytes returned.
 *
 * Throws `SHAPE_MISMATCH` if a plane has the wrong size or the channel count differs from the names,
 * `UNSUPPORTED` for sample types other than uint16/float32.
 */
export async function writeFrameFile(
  path: string | null,
  planes: ArrayLike<Uint16Array | Float32Array>,
  height: number,
  width: number,
  meta: FrameMeta,
  options: WriteFrameOptions = {},
): Promise<WrittenFrame> {
  const { H5File } = await import("@hyped/core/hdf5");
  const c = planes.length;
  if (c !== meta.channels.length || c === 0) {
    throw new HypedError("SHAPE_MISMATCH", `${path ?? "frame"}: ${c} planes for ${meta.channels.length} channel names`, { file: path });
  }
  const p0 = planes[0] as Uint16Array | Float32Array;
  const dtype: FrameDType | undefined = p0 instanceof Uint16Array ? "uint16" : p0 instanceof Float32Array ? "float32" : undefined;
  if (!dtype)
    throw new HypedError("UNSUPPORTED", `${path ?? "frame"}: frames hold uint16 or float32 samples, got ${p0.constructor.name}`, {
      file: path,
    });
  const n = height * width;
  const axes = options.axes ?? "CYX";
  const out = dtype === "uint16" ? new Uint16Array(c * n) : new Float32Array(c * n);
  for (let k = 0; k < c; k++) {
    const p = planes[k] as Uint16Array | Float32Array;
    if (p.length !== n || p.constructor !== p0.constructor) {
      throw new HypedError(
        "SHAPE_MISMATCH",
        `${path ?? "frame"}: channel ${meta.channels[k]} has ${p.length} ${p.constructor.name} samples, expected ${n} ${p0.constructor.name}`,
        {
          file: path,
          channel: meta.channels[k],
        },
      );
    }
    if (axes === "CYX") out.set(p, k * n);
    else transposeInto(p, height, width, out, k * n);
  }
  const pixelsSha = await sha256Of(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
  const [th, tw] = options.tile ?? [512, 512];
  const dims = axes === "CYX" ? [c, height, width] : [c, width, height];
  const chunks = axes === "CYX" ? [1, Math.min(th, height), Math.min(tw, width)] : [1, Math.min(tw, width), Math.min(th, height)];
  // reproducible: a frame rewritten on resume keeps the SHA-256 the manifest recorded for its first write
  const f = await H5File.create(path, { atomic: true, reproducible: true });
  try {
    f.writeDataset(FRAME_DATASET, out, { shape: dims, chunks, compression: options.compression ?? "gzip", level: options.level ?? 1 });
    const d = FRAME_DATASET;
    f.setAttr(d, "hyped_format", FRAME_FORMAT);
    f.setAttr(d, "hyped_format_version", FRAME_FORMAT_VERSION, "int32");
    f.setAttr(d, "axes", axes);
    f.setAttr(d, "channel_names", [...meta.channels]);
    f.setAttr(d, "time_s", meta.timeS);
    f.setAttr(d, "time_index", meta.t, "int32");
    f.setAttr(d, "condition", meta.condition);
    f.setAttr(d, "replicate", meta.replicate, "int32");
    f.setAttr(d, "scene_index", meta.scene, "int32");
    f.setAttr(d, "pixel_size_m", new Float64Array(meta.pixelSizeM));
    f.setAttr(d, "source_czi", meta.source);
    f.setAttr(d, "source_czi_sha256", meta.sourceSha256);
    f.setAttr(d, "pixels_sha256", pixelsSha);
    if (path === null) {
      const data = f.bytes();
      f.close();
      return { sha256: await sha256Of(data), bytes: data.length, data };
    }
    f.close();
  } catch (e) {
    f.discard();
    throw e;
  }
  const { stat } = await import("node:fs/promises");
  return { sha256: await sha256Of(path), bytes: (await stat(path)).size };
}

/** What a finished frame file must say about itself to count as done on resume (see {@link verifyFrameFile}). */
export interface FrameExpect {
  meta: Pick<FrameMeta, "condition" | "replicate" | "t" | "sourceSha256" | "channels">;
  dtype: FrameDType;
  axes: FrameAxes;
  compression: "gzip" | "none";
  height: number;
  width: number;
}

/**
 * True when the frame file at `path` is one this conversion would write: our layout with the expected
 * attributes, shape and sample type, and samples whose SHA-256 equals its `pixels_sha256` attribute (so
 * the file is complete and intact). Any error (unreadable, corrupt, older file without the attribute) is
 * `false`: the frame is converted again.
 */
export async function verifyFrameFile(path: string, expect: FrameExpect): Promise<boolean> {
  const { FILTER_IDS, H5File } = await import("@hyped/core/hdf5");
  let f: H5File;
  try {
    f = await H5File.open(path);
  } catch (e) {
    if (isHypedError(e)) return false;
    throw e;
  }
  try {
    const info = readFrameInfo(f);
    const m = expect.meta;
    const same =
      info.native &&
      info.condition === m.condition &&
      info.replicate === m.replicate &&
      info.t === m.t &&
      info.sourceSha256 === m.sourceSha256 &&
      info.channels.join("\u0000") === m.channels.join("\u0000") &&
      info.dtype === expect.dtype &&
      info.axes === expect.axes &&
      info.height === expect.height &&
      info.width === expect.width;
    const gzip = f.info(info.dataset).filters.some((x) => x.id === FILTER_IDS.deflate);
    const want = f.attr(info.dataset, "pixels_sha256");
    if (!same || gzip !== (expect.compression === "gzip") || typeof want !== "string" || want.length !== 64) return false;
    const data = f.read(info.dataset).data as ArrayBufferView;
    return (await sha256Of(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))) === want;
  } catch (e) {
    if (isHypedError(e)) return false;
    throw e;
  } finally {
    f.close();
  }
}

/** Copy a row-major (h, w) plane into `out` at `offset` as its (w, h) transpose, in cache-friendly blocks. */
export function transposeInto(src: ArrayLike<number>, h: number, w: number, out: { [i: number]: number }, offset: number): void {
  const B = 64;
  for (let y0 = 0; y0 < h; y0 += B) {
    const y1 = Math.min(h, y0 + B);
    for (let x0 = 0; x0 < w; x0 += B) {
      const x1 = Math.min(w, x0 + B);
      for (let x = x0; x < x1; x++) {
        const o = offset + x * h;
        for (let y = y0; y < y1; y++) out[o + y] = src[y * w + x] as number;
      }
    }
  }
}

/** Options for reading frame files that lack our attributes. */
export interface ForeignLayoutOptions {
  /** Channel names in the order of the dataset's channel axis. Default Cy5, mKate, TagGFP, Oblique. */
  channels?: readonly string[];
  /** Axis order of foreign 3-D datasets without an `axes` attribute. Default `"CXY"` (the HYPED release's). */
  axes?: FrameAxes;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined =>
  typeof v === "number"
    ? v
    : typeof v === "bigint"
      ? Number(v)
      : ArrayBuffer.isView(v) && (v as unknown as ArrayLike<number>).length === 1
        ? Number((v as unknown as ArrayLike<number>)[0])
        : undefined;

/** What reading a frame needs: where the array is, its axis order, sample type and size. */
export type FrameLayout = Pick<FrameInfo, "dataset" | "axes" | "dtype" | "height" | "width" | "channels">;

/**
 * {@link readFrameInfo} reduced to what reading needs, for files the caller has seen before: for our own
 * files it reads the format tag, the `axes` and `channel_names` attributes and the dataset's shape and type
 * (5 lookups), not the other descriptive attributes, which cost ~0.5 ms a file through h5wasm. Other files
 * go through {@link readFrameInfo}. Same checks and errors.
 */
export function readFrameLayout(f: H5File, foreign: ForeignLayoutOptions = {}): FrameLayout {
  if (f.kind(FRAME_DATASET) !== "dataset" || f.attr(FRAME_DATASET, "hyped_format") !== FRAME_FORMAT) return readFrameInfo(f, foreign);
  return frameLayout(f, FRAME_DATASET, true, f.attr(FRAME_DATASET, "axes"), f.attr(FRAME_DATASET, "channel_names"), foreign);
}

/**
 * The layout of `dataset` given its `axes` and `channel_names` attribute values (either may be absent): axis
 * order, sample type, plane size and channel names. Throws `UNSUPPORTED` for sample types frames cannot
 * hold and `SHAPE_MISMATCH` when the channel axis does not match the names.
 */
function frameLayout(
  f: H5File,
  dataset: string,
  native: boolean,
  axesAttr: unknown,
  namesAttr: unknown,
  foreign: ForeignLayoutOptions,
): FrameLayout {
  const info = f.info(dataset);
  const shape = info.shape as number[];
  const ax = str(axesAttr);
  const axes: FrameAxes = ax === "CYX" || ax === "CXY" ? ax : native ? "CYX" : (foreign.axes ?? "CXY");
  if (!info.dtype || info.dtype === "bool" || info.dtype === "int64" || info.dtype === "uint64") {
    throw new HypedError(
      "UNSUPPORTED",
      `${f.name}: ${dataset} holds ${info.dtype ?? info.typeClass} samples; frames must be 8-32 bit numbers`,
      {
        file: f.name,
        element: dataset,
      },
    );
  }
  const channels: string[] =
    Array.isArray(namesAttr) && namesAttr.every((x) => typeof x === "string")
      ? (namesAttr as string[])
      : [...(foreign.channels ?? DEFAULT_CHANNELS)];
  if (channels.length !== shape[0]) {
    throw new HypedError(
      "SHAPE_MISMATCH",
      `${f.name}: ${dataset} has ${shape[0]} channels along its first axis (shape [${shape}]) but ${channels.length} channel names are given (${channels.join(", ")})`,
      { file: f.name, element: dataset, shape, channels },
    );
  }
  return {
    dataset,
    channels,
    dtype: info.dtype,
    axes,
    height: (axes === "CYX" ? shape[1] : shape[2]) as number,
    width: (axes === "CYX" ? shape[2] : shape[1]) as number,
  };
}

/**
 * What an open frame file says about itself. For our files, the attributes of `/frame`; otherwise the single
 * 3-D numeric dataset anywhere in the file, with channel names and axis order from `foreign` (condition,
 * replicate and time are left as `""`, 1 and -1 for the caller to fill from the file name).
 *
 * Throws `FORMAT` naming the file when there is no 3-D dataset or several; `SHAPE_MISMATCH` when the
 * channel axis does not match the number of channel names.
 */
export function readFrameInfo(f: H5File, foreign: ForeignLayoutOptions = {}): FrameInfo {
  const native = f.kind(FRAME_DATASET) === "dataset" && f.attr(FRAME_DATASET, "hyped_format") === FRAME_FORMAT;
  let dataset = FRAME_DATASET;
  if (!native) {
    const found: string[] = [];
    for (const o of f.walk("/")) {
      if (o.kind !== "dataset") continue;
      try {
        const i = f.info(o.path);
        if (i.shape?.length === 3 && i.dtype) found.push(o.path);
      } catch (e) {
        if (!isHypedError(e)) throw e;
      }
    }
    if (found.length !== 1) {
      throw new HypedError(
        "FORMAT",
        found.length === 0
          ? `${f.name}: no 3-D numeric dataset found; a frame file holds one (C, Y, X) or (C, X, Y) array`
          : `${f.name}: ${found.length} 3-D datasets (${found.join(", ")}); a foreign frame file must hold exactly one`,
        { file: f.name, datasets: found },
      );
    }
    dataset = found[0] as string;
  }
  const a = f.attrs(dataset);
  const layout = frameLayout(f, dataset, native, a.axes, a.channel_names, foreign);
  const px = a.pixel_size_m;
  const pxa = ArrayBuffer.isView(px) ? Array.from(px as unknown as ArrayLike<number>, Number) : [];
  return {
    ...layout,
    condition: str(a.condition) ?? "",
    replicate: num(a.replicate) ?? 1,
    t: num(a.time_index) ?? -1,
    timeS: num(a.time_s) ?? Number.NaN,
    scene: num(a.scene_index) ?? -1,
    pixelSizeM: [pxa[0] ?? Number.NaN, pxa[1] ?? Number.NaN],
    source: str(a.source_czi) ?? "",
    sourceSha256: str(a.source_czi_sha256) ?? "",
    native,
  };
}

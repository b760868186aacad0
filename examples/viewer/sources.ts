/**
 * Image inputs of the viewer as one shape, {@link ImageSeries}: a frame store (a folder of frame `.h5` files
 * with or without `dataset.json`, or one frame file) and a CZI read directly and lazily (`openCzi` over the
 * `File`: only the planes shown are read; large planes come from the CZI's pyramid through `readPlane`'s zoom).
 * Channel names, colours, pixel size and times come from the file.
 */
import type { AnyNdArray } from "@hyped/core";
import type { FrameEntry, FrameStore } from "@hyped/imaging";
import type { Rect } from "./detail.js";
import { channelColour } from "./util.js";

/** One loaded plane set: a (C, Y, X) array and its channels as flat views. */
export interface LoadedPlanes {
  stack: AnyNdArray;
  channels: ArrayLike<number>[];
}

/** What the image view needs from an input. */
export interface ImageSeries {
  title: string;
  channels: Array<{ name: string; colour: [number, number, number] }>;
  /** Size of the loaded planes, px. */
  width: number;
  height: number;
  /** Size at full resolution, px (larger than width/height when an overview level is loaded). */
  fullWidth: number;
  fullHeight: number;
  /** Micrometres per full-resolution pixel, when the file records it. */
  pixelUm: number | undefined;
  /** Time points, with hours since the first when known. */
  times: Array<{ index: number; hours: number | undefined }>;
  /** Number of Z planes (1 for frames). */
  zCount: number;
  /** Read the planes of time point `ti` (index into `times`) and Z plane `z`. */
  load(ti: number, z: number): Promise<LoadedPlanes>;
  /**
   * Present when the loaded planes are an overview of a larger image (a CZI above {@link FULL_RES_PIXELS}):
   * its scale, the file's pyramid scales, and a lazy read of one region (full-resolution px) at a scale, which
   * reads only the subblocks that intersect it and stops when `signal` aborts.
   */
  pyramid?: {
    overviewZoom: number;
    layers: readonly number[];
    loadRegion(ti: number, z: number, rect: Rect, zoom: number, signal: AbortSignal): Promise<RegionPlanes>;
  };
}

/** Planes of a region: their size in px and how many subblocks were read for them. */
export interface RegionPlanes extends LoadedPlanes {
  width: number;
  height: number;
  subblocks: number;
}

/** Largest plane (pixels) read at full resolution; larger CZI planes are read at a zoom from the pyramid. */
export const FULL_RES_PIXELS = 16_000_000;

/** A frame store from frame files (and an optional `dataset.json`): the first condition and replicate. */
export async function frameSeries(files: File[], condition?: string): Promise<ImageSeries & { conditions: string[] }> {
  const { openFrameStore } = await import("@hyped/imaging");
  const store = await openFrameStore(files);
  const cond = condition ?? (store.conditions[0] as string);
  const replicate = store.replicates[cond]?.[0] ?? 1;
  const entries = store.entries.filter((e) => e.condition === cond && e.replicate === replicate);
  const t0 = entries.find((e) => Number.isFinite(e.timeS))?.timeS;
  const n = store.width * store.height;
  return {
    title: `${cond} (replicate ${replicate})`,
    conditions: store.conditions,
    channels: store.channels.map((name, i) => ({ name, colour: channelColour(name, i) })),
    width: store.width,
    height: store.height,
    fullWidth: store.width,
    fullHeight: store.height,
    pixelUm: await framePixelUm(store, entries[0]),
    times: entries.map((e) => ({ index: e.t, hours: Number.isFinite(e.timeS) && t0 !== undefined ? (e.timeS - t0) / 3600 : undefined })),
    zCount: 1,
    async load(ti) {
      const t = (entries[ti] ?? entries[0])?.t as number;
      const arr = await store.loadFrames({ condition: cond, replicate, t: [t, t + 1] });
      const stack = arr.pick(0, null, null, null);
      const data = stack.data as unknown as { subarray(a: number, b: number): ArrayLike<number> };
      const channels = store.channels.map((_, c) => {
        const off = stack.offset + c * (stack.stride[0] as number);
        return data.subarray(off, off + n);
      });
      return { stack, channels };
    },
  };
}

/**
 * Micrometres per pixel of a frame store: the manifest's `pixelSizeM`, else the `pixel_size_m` attribute that our
 * converter writes into every frame file (a lone `.h5` opened without its folder's `dataset.json`); undefined
 * when neither records a finite positive size (the view then says "pixel size unknown" instead of a bar).
 */
async function framePixelUm(store: FrameStore, entry: FrameEntry | undefined): Promise<number | undefined> {
  const ok = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v > 0;
  const fromManifest = store.manifest?.pixelSizeM?.[0];
  if (ok(fromManifest)) return fromManifest * 1e6;
  if (!entry?.input) return undefined;
  const [{ H5File }, { readFrameInfo }] = await Promise.all([import("@hyped/core/hdf5"), import("@hyped/imaging")]);
  const f = await H5File.open(entry.input);
  try {
    const px = readFrameInfo(f).pixelSizeM[0];
    return ok(px) ? px * 1e6 : undefined;
  } finally {
    f.close();
  }
}

/** A CZI opened lazily: scene 0 (or the file's first scene), every channel, a time and Z slider. */
export async function cziSeries(file: File): Promise<ImageSeries> {
  const [{ openCzi }, { fromTyped }] = await Promise.all([import("@hyped/imaging"), import("@hyped/core")]);
  const czi = await openCzi(file);
  const md = czi.metadata;
  const scene = czi.scenes[0];
  const box = (scene !== undefined ? czi.sceneBoundingBoxes.get(scene) : czi.boundingBox) ?? { x: 0, y: 0, w: 0, h: 0 };
  const full = box.w * box.h;
  // overview: the largest pyramid level within FULL_RES_PIXELS (read from that level's subblocks only), else a
  // nearest-neighbour zoom of finer tiles; zoomed-in views read the visible region again (`pyramid.loadRegion`)
  const fit = full > FULL_RES_PIXELS ? Math.sqrt(FULL_RES_PIXELS / full) : 1;
  const zoom = fit < 1 ? czi.pyramidLayers.filter((l) => l <= fit).reduce((a, b) => Math.max(a, b), 0) || fit : 1;
  const nC = czi.dims.C?.size ?? 1;
  const nT = czi.dims.T?.size ?? 1;
  const nZ = czi.dims.Z?.size ?? 1;
  const c0 = czi.dims.C?.start ?? 0;
  const t0 = czi.dims.T?.start ?? 0;
  const z0 = czi.dims.Z?.start ?? 0;
  const stamps = await czi.readTimestamps().catch(() => undefined);
  const hoursAt = (t: number): number | undefined => {
    if (stamps && stamps.length === nT) return ((stamps[t] as number) - (stamps[0] as number)) / 3600;
    return md.timeIncrementS !== undefined ? (t * md.timeIncrementS) / 3600 : undefined;
  };
  const rgb = Object.keys(czi.pixelTypes).some((p) => /^Bgr/.test(p));
  const names = rgb ? ["R", "G", "B"] : Array.from({ length: nC }, (_, c) => md.channels[c]?.name ?? md.channels[c]?.fluor ?? `C${c}`);
  const colours = rgb
    ? ([
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ] as Array<[number, number, number]>)
    : names.map((n, c) => channelColour(n, c, md.channels[c]?.color));
  const pxM = md.scaling.X;
  const w = Math.max(1, Math.round(box.w * zoom));
  const h = Math.max(1, Math.round(box.h * zoom));
  return {
    title: `${file.name}${scene !== undefined ? `, scene ${scene}` : ""}${zoom < 1 ? ` (overview at ${Math.round(zoom * 100)} %)` : ""}`,
    channels: names.map((name, i) => ({ name, colour: colours[i] as [number, number, number] })),
    width: w,
    height: h,
    fullWidth: box.w,
    fullHeight: box.h,
    pixelUm: pxM ? pxM * 1e6 : undefined,
    times: Array.from({ length: nT }, (_, t) => ({ index: t0 + t, hours: hoursAt(t) })),
    zCount: nZ,
    async load(ti, z) {
      return readPlanes(ti, z, zoom);
    },
    pyramid:
      zoom < 1
        ? {
            overviewZoom: zoom,
            layers: czi.pyramidLayers,
            loadRegion: (ti, z, rect, rz, signal) => readPlanes(ti, z, rz, rect, signal),
          }
        : undefined,
  };

  /** Every channel of (T, Z) over `region` (scene px; default the whole scene) at `rz`, as a (C, Y, X) stack. */
  async function readPlanes(ti: number, z: number, rz: number, region?: Rect, signal?: AbortSignal): Promise<RegionPlanes> {
    const planes = [];
    for (let c = 0; c < (rgb ? 1 : nC); c++) {
      const coords: Record<string, number> = { C: c0 + c, T: t0 + ti, Z: z0 + z };
      if (scene !== undefined) coords.S = scene;
      planes.push(await czi.readPlane(coords, { zoom: rz, ...(region ? { region } : {}), ...(signal ? { signal } : {}) }));
    }
    const first = planes[0] as (typeof planes)[number];
    const [ph, pw] = first.shape as [number, number];
    const Ctor = first.data.constructor as new (n: number) => Uint16Array;
    const samples = rgb ? 3 : 1;
    const stack = new Ctor(names.length * ph * pw);
    const n = ph * pw;
    planes.forEach((p, c) => {
      if (samples === 1) stack.set(p.data as unknown as ArrayLike<number>, c * n);
      // BGR/RGB planes are channels-last R,G,B: split them
      else for (let i = 0; i < n; i++) for (let s = 0; s < 3; s++) stack[s * n + i] = p.data[i * 3 + s] as number;
    });
    return {
      stack: fromTyped(stack, [names.length, ph, pw]) as unknown as AnyNdArray,
      channels: names.map((_, c) => stack.subarray(c * n, (c + 1) * n)),
      width: pw,
      height: ph,
      subblocks: planes.reduce((a, p) => a + p.subblocks.length, 0),
    };
  }
}

/**
 * Pixels for the synthetic FUCCI time-lapse: nuclei drawn as anti-aliased ellipses, an oblique-illumination
 * relief channel, optical blur, then Poisson–Gaussian camera noise quantised to 14 bits.
 *
 * Every frame (and every window of a frame) is a pure function of the simulation, the frame index and the
 * options: the noise is drawn from a stream seeded per (frame, channel, pixel), so a window rendered on its
 * own equals the same window cut from the full frame (mosaic tiles can be made either way).
 */
import { HypedError, type LongTaskOptions, type NdArray, ndarray, progressReporter, Random, throwIfAborted } from "@hyped/core";
import { type FucciSimOptions, type FucciSimulation, simulateFucci } from "./simulate.js";

/** The channels the generator can draw. */
export type FucciChannel = "mKate" | "TagGFP" | "Oblique" | "Cy5";

/** The default channel order of rendered frames: the HYPED (Incucyte export) order that `segmentFrame` expects. */
export const FUCCI_CHANNELS: readonly FucciChannel[] = ["Cy5", "mKate", "TagGFP", "Oblique"];

/** Options of {@link renderFucciFrame}. Intensities are in ADU (camera counts). */
export interface FucciRenderOptions {
  /** Channels to draw, in this order. Default {@link FUCCI_CHANNELS}. */
  channels?: readonly FucciChannel[];
  /**
   * ADU above background for a reporter level of 1. Defaults: mKate 3000, TagGFP 2500, Oblique 6000
   * (scale of the relief), Cy5 500 (a dim far-red nuclear signal).
   */
  brightness?: Partial<Record<FucciChannel, number>>;
  /** Background level in ADU (before offset). Defaults: mKate 300, TagGFP 250, Oblique 4000, Cy5 200. */
  background?: Partial<Record<FucciChannel, number>>;
  /** Standard deviation of the Gaussian point-spread function, px. Default 1.2. */
  psfSigma?: number;
  /** Camera gain, ADU per photo-electron (Poisson part of the noise). Default 2. */
  gain?: number;
  /** Read noise, ADU RMS (Gaussian part of the noise). Default 4. */
  readNoise?: number;
  /** Camera offset added to every pixel, ADU. Default 100. */
  offset?: number;
  /** Bit depth; values are clipped to [0, 2^bitDepth − 1]. Default 14. */
  bitDepth?: number;
  /** Add noise (false gives the blurred, quantised expectation). Default true. */
  noise?: boolean;
  /** Seed of the noise; default the simulation's seed. */
  noiseSeed?: number;
  /** A window of the field to draw, px (default the whole field). */
  region?: { x: number; y: number; width: number; height: number };
}

/** One rendered frame. */
export interface FucciFrame {
  /** Pixels, shape [C, Y, X], uint16. */
  image: NdArray<"uint16">;
  /** Truth label mask, shape [Y, X], uint16: 0 background, else the track id of the nucleus. */
  labels: NdArray<"uint16">;
  /** Channel names in the order of `image`. */
  channels: FucciChannel[];
}

const BRIGHTNESS: Record<FucciChannel, number> = { mKate: 3000, TagGFP: 2500, Oblique: 6000, Cy5: 500 };
const BACKGROUND: Record<FucciChannel, number> = { mKate: 300, TagGFP: 250, Oblique: 4000, Cy5: 200 };
const BODY_SCALE = 2.2;

function gaussianKernel(sigma: number): Float64Array {
  if (!(sigma > 0)) return Float64Array.of(1);
  const r = Math.ceil(3 * sigma);
  const k = new Float64Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) {
    const v = Math.exp((-0.5 * i * i) / (sigma * sigma));
    k[i + r] = v;
    s += v;
  }
  for (let i = 0; i < k.length; i++) k[i] = (k[i] as number) / s;
  return k;
}

/**
 * Separable blur with zeros outside the buffer (the buffer is the field, or a window padded by the radius).
 * Each output is the same ordered sum as a per-pixel loop (taps from the lowest in-range offset up, in
 * float64, stored as float32); the vertical pass runs along rows for cache locality.
 */
function blur(buf: Float32Array, h: number, w: number, k: Float64Array): void {
  const r = (k.length - 1) / 2;
  if (r === 0) return;
  const tmp = new Float32Array(w);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let s = 0;
      const lo = Math.max(-r, -x);
      const hi = Math.min(r, w - 1 - x);
      for (let i = lo; i <= hi; i++) s += (k[i + r] as number) * (buf[row + x + i] as number);
      tmp[x] = s;
    }
    buf.set(tmp, row);
  }
  // vertical: output rows need input rows y-r..y+r, so keep the last r+1 input rows in a ring before overwriting
  const acc = new Float64Array(w);
  const ring = new Float32Array((r + 1) * w);
  for (let y = 0; y < h; y++) {
    const lo = Math.max(-r, -y);
    const hi = Math.min(r, h - 1 - y);
    acc.fill(0);
    for (let i = lo; i <= hi; i++) {
      const kv = k[i + r] as number;
      const yy = y + i;
      // rows above y were overwritten: read them from the ring (slot yy mod (r+1))
      if (i < 0) {
        const src = (yy % (r + 1)) * w;
        for (let x = 0; x < w; x++) acc[x] = (acc[x] as number) + kv * (ring[src + x] as number);
      } else {
        const src = yy * w;
        for (let x = 0; x < w; x++) acc[x] = (acc[x] as number) + kv * (buf[src + x] as number);
      }
    }
    const dst = y * w;
    ring.set(buf.subarray(dst, dst + w), (y % (r + 1)) * w);
    for (let x = 0; x < w; x++) buf[dst + x] = acc[x] as number;
  }
}

/**
 * Draw frame `t` of a simulation (or a window of it). Returns the uint16 image [C, Y, X] and the truth label
 * mask [Y, X] whose values are the track ids of `sim.lineage` (the Cell Tracking Challenge convention).
 * A pixel belongs to the nucleus whose ellipse contains its centre (the nearest in elliptical radius where
 * two overlap). Throws `OUT_OF_RANGE` for a bad frame or window, or if a track id exceeds 65535.
 */
export function renderFucciFrame(sim: FucciSimulation, t: number, options: FucciRenderOptions = {}): FucciFrame {
  if (!Number.isInteger(t) || t < 0 || t >= sim.frames) {
    throw new HypedError("OUT_OF_RANGE", `frame ${t} is outside 0..${sim.frames - 1}`, { frame: t, frames: sim.frames });
  }
  const channels = [...(options.channels ?? FUCCI_CHANNELS)];
  for (const c of channels) {
    if (!(c in BRIGHTNESS))
      throw new HypedError("INVALID_ARGUMENT", `unknown synthetic channel "${c}"`, { channel: c, known: FUCCI_CHANNELS });
  }
  const bright = { ...BRIGHTNESS, ...(options.brightness ?? {}) };
  const bg = { ...BACKGROUND, ...(options.background ?? {}) };
  const psf = options.psfSigma ?? 1.2;
  const gain = options.gain ?? 2;
  const readNoise = options.readNoise ?? 4;
  const offset = options.offset ?? 100;
  const maxValue = 2 ** (options.bitDepth ?? 14) - 1;
  const noise = options.noise ?? true;
  const noiseSeed = options.noiseSeed ?? sim.options.seed;
  const reg = options.region ?? { x: 0, y: 0, width: sim.width, height: sim.height };
  checkRegion(sim, reg);
  const kernel = gaussianKernel(psf);
  const pad = (kernel.length - 1) / 2 + 1;
  // expanded window: the crop plus the blur radius, clipped to the field (outside the field the signal is 0)
  const ex0 = Math.max(0, reg.x - pad);
  const ey0 = Math.max(0, reg.y - pad);
  const ex1 = Math.min(sim.width, reg.x + reg.width + pad);
  const ey1 = Math.min(sim.height, reg.y + reg.height + pad);
  const ew = ex1 - ex0;
  const eh = ey1 - ey0;
  const needOblique = channels.includes("Oblique");
  const { red, green, far, body, lab } = drawNuclei(sim, t, { ex0, ey0, ex1, ey1 }, needOblique);

  const ox = reg.x - ex0;
  const oy = reg.y - ey0;
  const W = reg.width;
  const H = reg.height;
  const image = new Uint16Array(channels.length * W * H);
  const labels = new Uint16Array(W * H);
  for (let y = 0; y < H; y++) labels.set(lab.subarray((y + oy) * ew + ox, (y + oy) * ew + ox + W), y * W);

  channels.forEach((ch, ci) => {
    let sig: Float32Array;
    if (ch === "mKate") sig = red;
    else if (ch === "TagGFP") sig = green;
    else if (ch === "Cy5") sig = far;
    else {
      sig = obliqueRelief(body, red, green, ew, eh);
    }
    const work = ch === "Oblique" ? sig : new Float32Array(sig);
    blur(work, eh, ew, kernel);
    const scale = bright[ch];
    const base = bg[ch];
    const plane = ci * W * H;
    const rng = new Random(0);
    const stream = Random.mix(noiseSeed, t, ci, 0x0b5e);
    for (let y = 0; y < H; y++) {
      const gy = reg.y + y;
      const srcRow = (y + oy) * ew + ox;
      for (let x = 0; x < W; x++) {
        const mean = Math.max(0, base + scale * (work[srcRow + x] as number));
        let v = offset + mean;
        if (noise) {
          // one stream per pixel of the field, so any window agrees with the full frame
          rng.reset(stream, gy * sim.width + reg.x + x);
          const photons = rng.poisson(mean / gain);
          v = offset + gain * photons + (readNoise > 0 ? rng.normal(0, readNoise) : 0);
        }
        image[plane + y * W + x] = Math.min(maxValue, Math.max(0, Math.round(v)));
      }
    }
  });
  return {
    image: ndarray(image, [channels.length, H, W]) as NdArray<"uint16">,
    labels: ndarray(labels, [H, W]) as NdArray<"uint16">,
    channels,
  };
}

/** Options of {@link generateFucciTimelapse}: the simulation's and the renderer's, plus cancel/progress. */
export type FucciTimelapseOptions = FucciSimOptions & Omit<FucciRenderOptions, "region"> & LongTaskOptions;

/** A whole synthetic time-lapse with its truth. */
export interface FucciTimelapse {
  /** Pixels, shape [T, C, Y, X], uint16 (14-bit by default). */
  frames: NdArray<"uint16">;
  /** Truth label masks, shape [T, Y, X], uint16 (value = track id, 0 = background). */
  labels: NdArray<"uint16">;
  /** Channel names in the order of axis C. */
  channels: FucciChannel[];
  /** The cell-level truth: lineage (tracks with parents) and per-frame states (positions, phases). */
  simulation: FucciSimulation;
}

/**
 * Simulate and render a whole synthetic FUCCI time-lapse with known truth (see `simulateFucci` for the cell
 * model and {@link renderFucciFrame} for the image model). Defaults: 20 frames of 256x256, 24 cells,
 * channels Cy5, mKate, TagGFP, Oblique (the order `segmentFrame` expects), 14-bit. Cancellable between frames; reports progress in frames.
 */
export function generateFucciTimelapse(options: FucciTimelapseOptions = {}): FucciTimelapse {
  const { signal, onProgress, ...rest } = options;
  const sim = simulateFucci(rest);
  const channels = [...(rest.channels ?? FUCCI_CHANNELS)];
  const plane = sim.height * sim.width;
  const frames = new Uint16Array(sim.frames * channels.length * plane);
  const labels = new Uint16Array(sim.frames * plane);
  const progress = progressReporter(onProgress, "frames", sim.frames, "rendering synthetic frames");
  for (let t = 0; t < sim.frames; t++) {
    throwIfAborted(signal, "generateFucciTimelapse");
    const f = renderFucciFrame(sim, t, rest);
    frames.set(f.image.data, t * channels.length * plane);
    labels.set(f.labels.data, t * plane);
    progress.tick();
  }
  progress.finish();
  return {
    frames: ndarray(frames, [sim.frames, channels.length, sim.height, sim.width]) as NdArray<"uint16">,
    labels: ndarray(labels, [sim.frames, sim.height, sim.width]) as NdArray<"uint16">,
    channels,
    simulation: sim,
  };
}

/** Throws `OUT_OF_RANGE` unless `reg` is an integer window inside the field. */
function checkRegion(sim: FucciSimulation, reg: { x: number; y: number; width: number; height: number }): void {
  if (
    !Number.isInteger(reg.x) ||
    !Number.isInteger(reg.y) ||
    !Number.isInteger(reg.width) ||
    !Number.isInteger(reg.height) ||
    reg.x < 0 ||
    reg.y < 0 ||
    reg.width < 1 ||
    reg.height < 1 ||
    reg.x + reg.width > sim.width ||
    reg.y + reg.height > sim.height
  ) {
    throw new HypedError("OUT_OF_RANGE", `region ${JSON.stringify(reg)} is not inside the ${sim.height}x${sim.width} field`, {
      region: reg,
    });
  }
}

/**
 * Draw the nuclei of frame `t` into the window [ex0, ex1) × [ey0, ey1): the red, green and far-red reporter maps
 * (anti-aliased ellipses), the cell-body height map (for the oblique channel) and the truth labels.
 */
function drawNuclei(
  sim: FucciSimulation,
  t: number,
  win: { ex0: number; ey0: number; ex1: number; ey1: number },
  needOblique: boolean,
): { red: Float32Array; green: Float32Array; far: Float32Array; body: Float32Array; lab: Uint16Array } {
  const { ex0, ey0, ex1, ey1 } = win;
  const ew = ex1 - ex0;
  const n = ew * (ey1 - ey0);
  const red = new Float32Array(n);
  const green = new Float32Array(n);
  const far = new Float32Array(n);
  const body = new Float32Array(n);
  const lab = new Uint16Array(n);
  const best = new Float32Array(n).fill(Number.POSITIVE_INFINITY);

  const c = sim.cells;
  for (let i = sim.frameOffsets[t] as number; i < (sim.frameOffsets[t + 1] as number); i++) {
    const id = c.trackId[i] as number;
    if (id > 65535) throw new HypedError("OUT_OF_RANGE", `track id ${id} does not fit a uint16 label mask`, { trackId: id });
    const cx = c.x[i] as number;
    const cy = c.y[i] as number;
    const a = c.major[i] as number;
    const b = c.minor[i] as number;
    const cos = Math.cos(c.angle[i] as number);
    const sin = Math.sin(c.angle[i] as number);
    const reach = (needOblique ? BODY_SCALE : 1) * a + 2;
    const reach2 = (needOblique ? BODY_SCALE * BODY_SCALE : 2.25) * (1 + 1e-9);
    const x0 = Math.max(ex0, Math.floor(cx - reach));
    const x1 = Math.min(ex1 - 1, Math.ceil(cx + reach));
    const y0 = Math.max(ey0, Math.floor(cy - reach));
    const y1 = Math.min(ey1 - 1, Math.ceil(cy + reach));
    if (x0 > x1 || y0 > y1) continue;
    const lr = c.red[i] as number;
    const lg = c.green[i] as number;
    const lf = c.farRed[i] as number;
    for (let y = y0; y <= y1; y++) {
      const dy = y - cy;
      for (let x = x0; x <= x1; x++) {
        const dx = x - cx;
        const u = (dx * cos + dy * sin) / a;
        const v = (-dx * sin + dy * cos) / b;
        const rho2 = u * u + v * v;
        // nothing to draw beyond BODY_SCALE (relief) or 1.5 (nucleus): skip the square root (margin for rounding)
        if (rho2 > reach2) continue;
        const rho = Math.sqrt(rho2);
        const p = (y - ey0) * ew + (x - ex0);
        if (needOblique && rho < BODY_SCALE) {
          const q = 1 - (rho / BODY_SCALE) ** 2;
          body[p] = (body[p] as number) + q * Math.sqrt(q);
        }
        if (rho > 1.5) continue;
        // distance to the outline in px along this direction, for an anti-aliased edge
        const along = rho > 1e-9 ? Math.hypot(dx, dy) / rho : b;
        const cover = Math.min(1, Math.max(0, (1 - rho) * along + 0.5));
        if (cover <= 0) continue;
        const prof = cover * (1 - 0.1 * Math.min(1, rho) ** 2);
        red[p] = (red[p] as number) + lr * prof;
        green[p] = (green[p] as number) + lg * prof;
        far[p] = (far[p] as number) + lf * prof;
        if (rho < 1 && rho < (best[p] as number)) {
          best[p] = rho;
          lab[p] = id;
        }
      }
    }
  }

  return { red, green, far, body, lab };
}

/** Oblique illumination: the x-derivative of the cell-body height map (a relief), nuclei slightly darker. */
function obliqueRelief(body: Float32Array, red: Float32Array, green: Float32Array, ew: number, eh: number): Float32Array {
  const sig = new Float32Array(ew * eh);
  for (let y = 0; y < eh; y++) {
    const row = y * ew;
    for (let x = 0; x < ew; x++) {
      const l = x > 0 ? (body[row + x - 1] as number) : 0;
      const r = x < ew - 1 ? (body[row + x + 1] as number) : 0;
      sig[row + x] = (r - l) / 2 - 0.05 * (red[row + x] as number) - 0.05 * (green[row + x] as number);
    }
  }
  return sig;
}

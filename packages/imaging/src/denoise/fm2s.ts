/**
 * FM2S (Liu, Teng, Ma & Jiang 2025, "Towards spatially-correlated noise modeling in zero-shot fluorescence
 * microscopy image denoising"), written in TypeScript with plain typed arrays.
 *
 * What matches the authors' code (FM2S.py of the reference implementation):
 * - the network: three 3×3 convolutions (amp→24→12→amp, zero padding 1) with LeakyReLU(0.001) between them,
 *   3,278 parameters for the default amplification 2, PyTorch's default (Kaiming-uniform) initialisation;
 * - the target: a 3×3 median filter of the input (`scipy.ndimage.median_filter`, reflect border);
 * - the noise model: per 75×75 region, with `k = clamp(mean(region), 0.01, 0.20)`, Poisson noise at level
 *   `30/k` plus Gaussian noise of standard deviation `200·k/255`, clipped to [0, 1]; then Poisson noise at
 *   level 60 over the whole image, clipped;
 * - the schedule: `samples` re-noised copies of the filtered image (default 25), each trained for
 *   `stepsPerSample` Adam steps (default 150; learning rate 1e-3 multiplied by 0.25 every 1,500 steps) on the
 *   MSE to the filtered image; `warmupSteps` extra steps before them (default 0; the authors' two-stage variant);
 * - inference on the raw image with `amp` identical channels, clamped to [0, 1] and averaged over channels.
 *
 * Where we differ, and why:
 * - **Input scaling.** The authors read 8-bit images and divide by 255. Our input may be 14-bit: we divide by
 *   the data range `2^bitDepth − 1` (`bitDepth` defaults to 8 for uint8, 16 for uint16, or what you pass: HYPED
 *   frames are 14-bit), or by a high percentile with `scaling: 'percentile'` (useful for dim fluorescence,
 *   where a full-range scale leaves the noise model at its 0.01 floor). The output is scaled back and, for
 *   integer input, truncated to the input dtype as the authors' `.int()` does.
 * - **Patches.** Each Adam step of the authors' code runs the network on the whole image. To meet a 60 s budget
 *   on a 512×512 crop on two CPU cores, each step here uses one random `patchSize`² window (default 28) of the
 *   same noisy/clean pair; `patchSize: null` trains on the whole image exactly as the authors do (slower).
 * - Poisson variates with a large mean use a normal approximation (`Random.poisson`).
 */
import {
  type AnyNdArray,
  allocate,
  fromTyped,
  HypedError,
  type LongTaskOptions,
  progressReporter,
  Random,
  throwIfAborted,
} from "@hyped/core";
import { checkNumber, flat2D, type Image2D, integerRange } from "../filters/image.js";
import { medianFilter } from "./median.js";
import type { Denoiser } from "./types.js";

/** Options of {@link fm2s}. */
export interface Fm2sOptions extends LongTaskOptions {
  /** Re-noised copies of the target (the authors' `SS`). Default 25. */
  samples?: number;
  /** Adam steps per copy (the authors' `EPI`). Default 150. */
  stepsPerSample?: number;
  /** Steps on the first copy before the schedule (two-stage variant). Default 0. */
  warmupSteps?: number;
  /** Channel amplification (the authors' `amp`/λ). Default 2. */
  amplification?: number;
  /** Side of the random training window; `null` = whole image (the authors' exact procedure). Default 28. */
  patchSize?: number | null;
  /** Region side of the regional noise (`stride`). Default 75. */
  stride?: number;
  /** Gaussian noise factor `k_g`. Default 200. */
  gaussianFactor?: number;
  /** Regional Poisson factor `k_p`. Default 30. */
  poissonFactor?: number;
  /** Global Poisson level `λ_p`. Default 60. */
  globalPoisson?: number;
  /** Median filter size for the target. Default 3. */
  medianSize?: number;
  /** Adam learning rate. Default 1e-3. */
  learningRate?: number;
  /** How integers map to [0, 1]: by `bitDepth` (default) or by the `percentile`-th percentile. */
  scaling?: "bitDepth" | "percentile";
  /** Valid bits of integer input. Default: the dtype's (8 or 16). */
  bitDepth?: number;
  /** Percentile for `scaling: 'percentile'`. Default 99.9. */
  percentile?: number;
  /** Seed of initialisation, noise and windows. Default 3407 (the authors' torch seed). */
  seed?: number;
}

/** The tiny CNN: weights in PyTorch's layout `[out][in][3][3]`. */
export interface Fm2sNetwork {
  amp: number;
  w: [Float32Array, Float32Array, Float32Array];
  b: [Float32Array, Float32Array, Float32Array];
}

const WIDTHS = (amp: number) => [amp, 24, 12, amp] as const;

/** A new network with PyTorch's default Conv2d initialisation (uniform ±1/√fan_in for weights and biases). */
export function createFm2sNetwork(amp: number, rng: Random): Fm2sNetwork {
  const c = WIDTHS(amp);
  const w: Float32Array[] = [];
  const b: Float32Array[] = [];
  for (let l = 0; l < 3; l++) {
    const cin = c[l] as number;
    const cout = c[l + 1] as number;
    const bound = 1 / Math.sqrt(cin * 9);
    w.push(Float32Array.from({ length: cout * cin * 9 }, () => rng.uniform(-bound, bound)));
    b.push(Float32Array.from({ length: cout }, () => rng.uniform(-bound, bound)));
  }
  return { amp, w: w as Fm2sNetwork["w"], b: b as Fm2sNetwork["b"] };
}

/** Number of trainable parameters. */
export function fm2sParameterCount(net: Fm2sNetwork): number {
  return net.w.reduce((s, a) => s + a.length, 0) + net.b.reduce((s, a) => s + a.length, 0);
}

/** 3×3 convolution with zero padding: `out[co] = b[co] + Σ w[co,ci] ⋆ in[ci]` over `H×W` planes. */
function conv3x3(
  input: Float32Array,
  cin: number,
  H: number,
  W: number,
  w: Float32Array,
  b: Float32Array,
  cout: number,
  out: Float32Array,
): void {
  const hw = H * W;
  for (let co = 0; co < cout; co++) {
    const o = co * hw;
    out.fill(b[co] as number, o, o + hw);
    for (let ci = 0; ci < cin; ci++) {
      const inp = ci * hw;
      for (let ky = 0; ky < 3; ky++) {
        const dy = ky - 1;
        const y0 = Math.max(0, -dy);
        const y1 = Math.min(H, H - dy);
        for (let kx = 0; kx < 3; kx++) {
          const dx = kx - 1;
          const wt = w[((co * cin + ci) * 3 + ky) * 3 + kx] as number;
          const x0 = Math.max(0, -dx);
          const x1 = Math.min(W, W - dx);
          for (let y = y0; y < y1; y++) {
            const orow = o + y * W;
            const irow = inp + (y + dy) * W + dx;
            for (let x = x0; x < x1; x++) out[orow + x] = (out[orow + x] as number) + wt * (input[irow + x] as number);
          }
        }
      }
    }
  }
}

/** Backward of {@link conv3x3}: accumulates `dw`, `db` and (when given) `din` from `dout`. */
function conv3x3Backward(
  input: Float32Array,
  cin: number,
  H: number,
  W: number,
  w: Float32Array,
  cout: number,
  dout: Float32Array,
  dw: Float32Array,
  db: Float32Array,
  din: Float32Array | null,
): void {
  const hw = H * W;
  if (din) din.fill(0);
  for (let co = 0; co < cout; co++) {
    const o = co * hw;
    let s = 0;
    for (let k = 0; k < hw; k++) s += dout[o + k] as number;
    db[co] = (db[co] as number) + s;
    for (let ci = 0; ci < cin; ci++) {
      const inp = ci * hw;
      for (let ky = 0; ky < 3; ky++) {
        const dy = ky - 1;
        const y0 = Math.max(0, -dy);
        const y1 = Math.min(H, H - dy);
        for (let kx = 0; kx < 3; kx++) {
          const dx = kx - 1;
          const x0 = Math.max(0, -dx);
          const x1 = Math.min(W, W - dx);
          const wi = ((co * cin + ci) * 3 + ky) * 3 + kx;
          const wt = w[wi] as number;
          let g = 0;
          for (let y = y0; y < y1; y++) {
            const orow = o + y * W;
            const irow = inp + (y + dy) * W + dx;
            if (din) {
              for (let x = x0; x < x1; x++) {
                const go = dout[orow + x] as number;
                g += go * (input[irow + x] as number);
                din[irow + x] = (din[irow + x] as number) + wt * go;
              }
            } else {
              for (let x = x0; x < x1; x++) g += (dout[orow + x] as number) * (input[irow + x] as number);
            }
          }
          dw[wi] = (dw[wi] as number) + g;
        }
      }
    }
  }
}

const SLOPE = 1e-3;

/** Forward pass on `amp` planes of `H×W`; returns the output planes. */
export function fm2sForward(net: Fm2sNetwork, x: Float32Array, H: number, W: number): Float32Array {
  const [c0, c1, c2, c3] = WIDTHS(net.amp);
  const hw = H * W;
  const a1 = new Float32Array(c1 * hw);
  conv3x3(x, c0, H, W, net.w[0], net.b[0], c1, a1);
  for (let i = 0; i < a1.length; i++) if ((a1[i] as number) < 0) a1[i] = (a1[i] as number) * SLOPE;
  const a2 = new Float32Array(c2 * hw);
  conv3x3(a1, c1, H, W, net.w[1], net.b[1], c2, a2);
  for (let i = 0; i < a2.length; i++) if ((a2[i] as number) < 0) a2[i] = (a2[i] as number) * SLOPE;
  const y = new Float32Array(c3 * hw);
  conv3x3(a2, c2, H, W, net.w[2], net.b[2], c3, y);
  return y;
}

/** One training step's loss and gradients (MSE over all output values). */
function lossAndGrad(
  net: Fm2sNetwork,
  x: Float32Array,
  t: Float32Array,
  H: number,
  W: number,
  grads: { w: Float32Array[]; b: Float32Array[] },
  buf: Float32Array[],
): number {
  const [c0, c1, c2, c3] = WIDTHS(net.amp);
  const hw = H * W;
  const [z1, a1, z2, a2, y, dy, da2, da1] = buf as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  conv3x3(x, c0, H, W, net.w[0], net.b[0], c1, z1);
  for (let i = 0; i < c1 * hw; i++) a1[i] = (z1[i] as number) < 0 ? (z1[i] as number) * SLOPE : (z1[i] as number);
  conv3x3(a1, c1, H, W, net.w[1], net.b[1], c2, z2);
  for (let i = 0; i < c2 * hw; i++) a2[i] = (z2[i] as number) < 0 ? (z2[i] as number) * SLOPE : (z2[i] as number);
  conv3x3(a2, c2, H, W, net.w[2], net.b[2], c3, y);
  const n = c3 * hw;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const e = (y[i] as number) - (t[i] as number);
    loss += e * e;
    dy[i] = (2 * e) / n;
  }
  for (const g of [...grads.w, ...grads.b]) g.fill(0);
  conv3x3Backward(a2, c2, H, W, net.w[2], c3, dy, grads.w[2] as Float32Array, grads.b[2] as Float32Array, da2);
  for (let i = 0; i < c2 * hw; i++) if ((z2[i] as number) < 0) da2[i] = (da2[i] as number) * SLOPE;
  conv3x3Backward(a1, c1, H, W, net.w[1], c2, da2, grads.w[1] as Float32Array, grads.b[1] as Float32Array, da1);
  for (let i = 0; i < c1 * hw; i++) if ((z1[i] as number) < 0) da1[i] = (da1[i] as number) * SLOPE;
  conv3x3Backward(x, c0, H, W, net.w[0], c1, da1, grads.w[0] as Float32Array, grads.b[0] as Float32Array, null);
  return loss / n;
}

/** FM2S's regional Poisson–Gaussian noise, then global Poisson noise (values in [0, 1]; `amp` planes). */
export function fm2sNoise(
  clean: Float32Array,
  amp: number,
  H: number,
  W: number,
  rng: Random,
  o: { stride: number; gaussianFactor: number; poissonFactor: number; globalPoisson: number },
): Float32Array {
  const hw = H * W;
  const out = new Float32Array(amp * hw);
  for (let r0 = 0; r0 < H; r0 += o.stride) {
    for (let c0 = 0; c0 < W; c0 += o.stride) {
      const r1 = Math.min(H, r0 + o.stride);
      const c1 = Math.min(W, c0 + o.stride);
      let s = 0;
      for (let a = 0; a < amp; a++) for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) s += clean[a * hw + r * W + c] as number;
      const k = Math.min(0.2, Math.max(0.01, s / (amp * (r1 - r0) * (c1 - c0))));
      const pl = o.poissonFactor / k;
      const gs = (o.gaussianFactor * k) / 255;
      for (let a = 0; a < amp; a++) {
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) {
            const i = a * hw + r * W + c;
            const v = rng.poisson((clean[i] as number) * pl) / pl + rng.normal(0, gs);
            out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
          }
        }
      }
    }
  }
  const g = o.globalPoisson;
  for (let i = 0; i < out.length; i++) {
    const v = rng.poisson((out[i] as number) * g) / g;
    out[i] = v > 1 ? 1 : v;
  }
  return out;
}

/** Scale an image to [0, 1] (by its dtype's maximum, `2^bitDepth − 1`, or a percentile), clipped. */
function scaleToUnit(
  f: ReturnType<typeof flat2D>,
  options: Fm2sOptions,
): { raw: Float32Array; scale: number; range: [number, number] | undefined } {
  const { rows: H, cols: W } = f;
  const range = integerRange(f.dtype);
  let scale: number;
  if (options.scaling === "percentile") {
    const sorted = Float64Array.from(f.data).sort();
    scale = sorted[Math.min(sorted.length - 1, Math.floor(((options.percentile ?? 99.9) / 100) * (sorted.length - 1)))] as number;
  } else if (range) {
    scale = options.bitDepth ? 2 ** options.bitDepth - 1 : range[1];
  } else {
    scale = 1;
  }
  if (!(scale > 0)) throw new HypedError("INVALID_ARGUMENT", "fm2s: the image has no positive range to scale by", { scale });
  const hw = H * W;
  const raw = new Float32Array(hw);
  for (let i = 0; i < hw; i++) raw[i] = Math.min(1, Math.max(0, (f.data[i] as number) / scale));
  return { raw, scale, range };
}

/**
 * Denoise one 2-D image with FM2S (zero-shot: a new network is trained on the image itself). Returns the
 * input dtype for integer input (truncated, as the authors' `.int()`), float32 for float input.
 */
export async function fm2s(image: Image2D, options: Fm2sOptions = {}): Promise<AnyNdArray> {
  const f = flat2D(image);
  const { rows: H, cols: W } = f;
  const amp = checkNumber(options.amplification ?? 2, "amplification", { min: 1, integer: true });
  const samples = checkNumber(options.samples ?? 25, "samples", { min: 0, integer: true });
  const epi = checkNumber(options.stepsPerSample ?? 150, "stepsPerSample", { min: 0, integer: true });
  const warm = checkNumber(options.warmupSteps ?? 0, "warmupSteps", { min: 0, integer: true });
  const lr0 = options.learningRate ?? 1e-3;
  const P = options.patchSize === null ? null : checkNumber(options.patchSize ?? 28, "patchSize", { min: 4, integer: true });
  const noise = {
    stride: options.stride ?? 75,
    gaussianFactor: options.gaussianFactor ?? 200,
    poissonFactor: options.poissonFactor ?? 30,
    globalPoisson: options.globalPoisson ?? 60,
  };
  const rng = new Random(options.seed ?? 3407);
  const { raw, scale, range } = scaleToUnit(f, options);
  const hw = H * W;
  const med = medianFilter(fromTyped(raw, [H, W]) as unknown as AnyNdArray, { size: options.medianSize ?? 3 }).data as Float32Array;
  const repeat = (src: Float32Array) => {
    const o = new Float32Array(amp * hw);
    for (let a = 0; a < amp; a++) o.set(src, a * hw);
    return o;
  };
  const clean = repeat(med);
  const net = createFm2sNetwork(amp, rng);
  const grads = { w: net.w.map((a) => new Float32Array(a.length)), b: net.b.map((a) => new Float32Array(a.length)) };
  const params = [...net.w, ...net.b];
  const gl = [...grads.w, ...grads.b];
  const m = params.map((p) => new Float32Array(p.length));
  const v = params.map((p) => new Float32Array(p.length));
  const ph = P === null ? H : Math.min(P, H);
  const pw = P === null ? W : Math.min(P, W);
  const [, c1, c2, c3] = WIDTHS(amp);
  const phw = ph * pw;
  const buf = [c1, c1, c2, c2, c3, c3, c2, c1].map((c) => new Float32Array(c * phw));
  const xs = new Float32Array(amp * phw);
  const ts = new Float32Array(amp * phw);
  const total = warm + samples * epi;
  const prog = progressReporter(options.onProgress, "steps", total, "FM2S training");
  let step = 0;
  const b1 = 0.9;
  const b2 = 0.999;
  const train = async (noisy: Float32Array, steps: number) => {
    for (let s = 0; s < steps; s++) {
      if ((step & 31) === 0) {
        throwIfAborted(options.signal, "FM2S");
        await Promise.resolve();
      }
      const r0 = rng.int(H - ph + 1);
      const c0 = rng.int(W - pw + 1);
      for (let a = 0; a < amp; a++) {
        for (let r = 0; r < ph; r++) {
          const src = a * hw + (r0 + r) * W + c0;
          xs.set(noisy.subarray(src, src + pw), a * phw + r * pw);
          ts.set(clean.subarray(src, src + pw), a * phw + r * pw);
        }
      }
      lossAndGrad(net, xs, ts, ph, pw, grads, buf);
      step++;
      const lr = lr0 * 0.25 ** Math.floor((step - 1) / 1500);
      const bc1 = 1 - b1 ** step;
      const bc2 = 1 - b2 ** step;
      for (let k = 0; k < params.length; k++) {
        const p = params[k] as Float32Array;
        const g = gl[k] as Float32Array;
        const mk = m[k] as Float32Array;
        const vk = v[k] as Float32Array;
        for (let i = 0; i < p.length; i++) {
          const gi = g[i] as number;
          mk[i] = b1 * (mk[i] as number) + (1 - b1) * gi;
          vk[i] = b2 * (vk[i] as number) + (1 - b2) * gi * gi;
          p[i] = (p[i] as number) - (lr * ((mk[i] as number) / bc1)) / (Math.sqrt((vk[i] as number) / bc2) + 1e-8);
        }
      }
      prog.tick();
    }
  };
  if (warm > 0) await train(fm2sNoise(clean, amp, H, W, rng, noise), warm);
  for (let s = 0; s < samples; s++) await train(fm2sNoise(clean, amp, H, W, rng, noise), epi);
  prog.finish();
  const y = fm2sForward(net, repeat(raw), H, W);
  const outF = new Float32Array(hw);
  for (let i = 0; i < hw; i++) {
    let s = 0;
    for (let a = 0; a < amp; a++) {
      const val = y[a * hw + i] as number;
      s += val < 0 ? 0 : val > 1 ? 1 : val;
    }
    outF[i] = s / amp;
  }
  if (!range) return fromTyped(outF, [H, W]) as unknown as AnyNdArray;
  const out = allocate(f.dtype, hw) as unknown as { [i: number]: number };
  for (let i = 0; i < hw; i++) out[i] = Math.min(range[1], Math.trunc((outF[i] as number) * scale));
  return fromTyped(out as never, [H, W]) as unknown as AnyNdArray;
}

/** FM2S behind the {@link Denoiser} interface. */
export function fm2sDenoiser(options: Omit<Fm2sOptions, "signal"> = {}): Denoiser {
  return { name: "fm2s", denoise: (image, signal) => fm2s(image, { ...options, ...(signal ? { signal } : {}) }) };
}

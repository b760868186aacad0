import { type AnyNdArray, fromTyped, Random as Rng } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { gaussianFilter } from "../../filters/gaussian.js";
import { createFm2sNetwork, fm2s, fm2sParameterCount } from "../fm2s.js";
import { medianFilter } from "../median.js";
import { nlMeans } from "../nlm.js";
import { tvChambolle } from "../tv.js";

/** A smooth 14-bit fluorescence-like image and a Poisson–Gaussian noisy copy. */
function pair(H: number, W: number, seed: number) {
  const rng = new Rng(seed);
  const clean = new Float64Array(H * W);
  for (let k = 0; k < 14; k++) {
    const y = rng.uniform(0, H);
    const x = rng.uniform(0, W);
    const s = rng.uniform(3, 7);
    const a = rng.uniform(3000, 9000);
    for (let r = 0; r < H; r++)
      for (let c = 0; c < W; c++)
        clean[r * W + c] = (clean[r * W + c] as number) + a * Math.exp(-((r - y) ** 2 + (c - x) ** 2) / (2 * s * s));
  }
  const noisy = new Uint16Array(H * W);
  const cleanU = new Uint16Array(H * W);
  for (let i = 0; i < H * W; i++) {
    const v = (clean[i] as number) + 400;
    cleanU[i] = Math.min(16383, Math.round(v));
    noisy[i] = Math.max(0, Math.min(16383, Math.round(rng.poisson(v / 8) * 8 + rng.normal(0, 500))));
  }
  return { clean: fromTyped(cleanU, [H, W]) as unknown as AnyNdArray, noisy: fromTyped(noisy, [H, W]) as unknown as AnyNdArray };
}

/** PSNR against the clean image in 14-bit units. */
function psnr14(a: AnyNdArray, ref: AnyNdArray, scale = 1): number {
  const x = a.data as ArrayLike<number>;
  const y = ref.data as ArrayLike<number>;
  let s = 0;
  for (let i = 0; i < y.length; i++) s += ((x[i] as number) * scale - (y[i] as number)) ** 2;
  return 10 * Math.log10(16383 ** 2 / (s / y.length));
}

describe("FM2S", () => {
  it("has the authors' network size (3,278 parameters for amp 2)", () => {
    expect(fm2sParameterCount(createFm2sNetwork(2, new Rng(1)))).toBe(3278);
  });
  it("is deterministic for a seed", async () => {
    const { noisy } = pair(40, 48, 5);
    const o = { samples: 2, stepsPerSample: 10, bitDepth: 14, seed: 9 };
    const a = await fm2s(noisy, o);
    const b = await fm2s(noisy, o);
    expect(Array.from(a.data as Uint16Array)).toEqual(Array.from(b.data as Uint16Array));
    const c = await fm2s(noisy, { ...o, seed: 10 });
    expect(Array.from(c.data as Uint16Array)).not.toEqual(Array.from(a.data as Uint16Array));
  });
  it("every denoiser improves PSNR against the truth by at least 3 dB, and FM2S beats median", async () => {
    const { clean, noisy } = pair(96, 96, 3);
    const base = psnr14(noisy, clean);
    const med = psnr14(medianFilter(noisy, { size: 3 }), clean);
    const toU = 65535; // float denoisers return img_as_float units
    const gau = psnr14(gaussianFilter(noisy, 1.5) as unknown as AnyNdArray, clean, toU);
    const nlm = psnr14(nlMeans(noisy, { h: 0.012, sigma: 0.006 }), clean, toU);
    const tv = psnr14(tvChambolle(noisy, { weight: 0.02 }), clean, toU);
    // noise-model factors suited to this image's noise level (the paper tunes k_g, k_p, λ_p per dataset)
    const fm = psnr14(
      await fm2s(noisy, {
        bitDepth: 14,
        samples: 8,
        stepsPerSample: 60,
        gaussianFactor: 50,
        poissonFactor: 50,
        globalPoisson: 2000,
        seed: 3,
      }),
      clean,
    );
    console.log(
      `PSNR vs truth (dB): noisy ${base.toFixed(2)}, median ${med.toFixed(2)}, gaussian ${gau.toFixed(2)}, nlm ${nlm.toFixed(2)}, tv ${tv.toFixed(2)}, fm2s ${fm.toFixed(2)}`,
    );
    for (const v of [med, gau, nlm, tv, fm]) expect(v - base).toBeGreaterThanOrEqual(3);
    expect(fm).toBeGreaterThan(med);
  }, 120_000);
  it("is cancellable", async () => {
    const { noisy } = pair(32, 32, 1);
    const ac = new AbortController();
    ac.abort();
    await expect(fm2s(noisy, { signal: ac.signal, samples: 1, stepsPerSample: 50 })).rejects.toMatchObject({ code: "ABORTED" });
  });
});

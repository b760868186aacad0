import { type AnyNdArray, fromTyped, Random as Rng } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { benchmarkSvg, denoisingBenchmark } from "../benchmark.js";
import { gaussianDenoiser, medianDenoiser, tvDenoiser } from "../denoisers.js";

function frame(t: number) {
  const rng = new Rng(100 + t);
  const H = 48;
  const W = 56;
  const clean = new Uint16Array(2 * H * W);
  const noisy = new Uint16Array(2 * H * W);
  for (let c = 0; c < 2; c++) {
    for (let r = 0; r < H; r++) {
      for (let x = 0; x < W; x++) {
        const v = 500 + 8000 * Math.exp(-((r - 24) ** 2 + (x - 20 - 10 * c) ** 2) / 60);
        clean[c * H * W + r * W + x] = Math.round(v);
        noisy[c * H * W + r * W + x] = Math.max(0, Math.round(v + rng.normal(0, 400)));
      }
    }
  }
  return { t, image: fromTyped(noisy, [2, H, W]) as unknown as AnyNdArray, clean: fromTyped(clean, [2, H, W]) as unknown as AnyNdArray };
}

describe("denoisingBenchmark", () => {
  it("reports Table 4's columns per denoiser, averaged over frames and channels, plus clean-reference metrics", async () => {
    const progress: number[] = [];
    const { rows, perFrame } = await denoisingBenchmark(
      [frame(0), frame(1), frame(2)],
      [gaussianDenoiser(), medianDenoiser(), tvDenoiser({ weight: 0.02 })],
      {
        onProgress: (e) => progress.push(e.done),
      },
    );
    expect(rows.map((r) => r.denoiser)).toEqual(["gaussian", "median", "tv"]);
    expect(perFrame).toHaveLength(3 * 2 * 3);
    expect(progress).toEqual([1, 2, 3]);
    for (const r of rows) {
      expect(r.n).toBe(6);
      expect(r.mse).toBeGreaterThan(0);
      expect(r.ssim).toBeLessThan(1);
      expect(Number.isFinite(r.psnr)).toBe(true);
      expect(r.snr_denoised).toBeGreaterThan(r.snr_input); // smoothing lowers the background std
      expect(r.psnr_clean as number).toBeGreaterThan(r.psnr_clean_input as number);
    }
    const svg = await benchmarkSvg(rows);
    expect(svg).toContain("<svg");
    expect(svg).toContain("median");
    // one panel per metric, each axis titled with its unit, none with the generic "value"
    for (const title of ["PSNR (dB)", "SSIM (index, 1 = identical)", "denoised SNR (dB)"]) expect(svg).toContain(title);
    expect(svg).not.toContain(">value<");
  });
  it("uses a given mask and channel subset", async () => {
    const mask = fromTyped(
      Uint8Array.from({ length: 48 * 56 }, (_, i) => (i % 56 < 28 ? 1 : 0)),
      [48, 56],
    ) as unknown as AnyNdArray;
    const { rows } = await denoisingBenchmark([frame(0)], [medianDenoiser()], { channels: [1], mask });
    expect(rows[0]?.n).toBe(1);
    await expect(denoisingBenchmark([frame(0)], [medianDenoiser()], { channels: [5] })).rejects.toMatchObject({ code: "OUT_OF_RANGE" });
  });
});

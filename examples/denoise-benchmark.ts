/**
 * The paper's Table 4: run the denoisers on frames of a frame store and report MSE / PSNR / SSIM (denoised vs
 * input) and the SNR inside the nuclei before and after. A crop keeps it quick; `--full` uses whole frames and
 * FM2S's published training schedule (25 copies x 150 steps) instead of a short one (2 x 25).
 *
 *   node --conditions=@hyped/source --import tsx examples/denoise-benchmark.ts frames/ [table4.csv] [--full]
 */
import { writeFileSync } from "node:fs";
import { type BenchmarkFrame, DENOISER_NAMES, denoiserByName, denoisingBenchmark, openFrameStore, segmentFrame } from "@hyped/imaging";

const args = process.argv.slice(2);
const full = args.includes("--full");
const [dir, csvPath] = args.filter((a) => !a.startsWith("--"));
if (!dir) throw new Error("usage: denoise-benchmark.ts <frames-dir> [table4.csv] [--full]");

const store = await openFrameStore(dir);
const condition = store.conditions[0] as string;
const side = Math.min(96, store.width, store.height);
const region = full ? undefined : { x: 0, y: 0, width: side, height: side };
const times = full ? store.times : store.times.slice(0, 1);

// Frames to denoise: the reporter channels; the SNR foreground is the segmentation's nuclei mask.
const frames: BenchmarkFrame[] = [];
for (const t of times) {
  const all = await store.loadFrames({ condition, t: [t, t + 1], ...(region ? { region } : {}) });
  const frame = all.pick(0, null, null, null);
  const mask = segmentFrame(frame, { channelNames: store.channels }).mask;
  const reporters = await store.loadFrames({ condition, t: [t, t + 1], channels: ["mKate", "TagGFP"], ...(region ? { region } : {}) });
  frames.push({ image: reporters.pick(0, null, null, null), t, mask });
}

// Every denoiser by name; the float ones see img_as_float values, FM2S knows the frames are 14-bit.
const denoisers = DENOISER_NAMES.map((name) =>
  name === "fm2s" ? denoiserByName(name, { bitDepth: 14, ...(full ? {} : { samples: 2, stepsPerSample: 25 }) }) : denoiserByName(name),
);
const { rows } = await denoisingBenchmark(frames, denoisers, { snrUnit: "dB" });

console.log(`Table 4: ${condition}, ${frames.length} frames x 2 channels, ${region ? `${side}x${side} crop` : "whole frames"}`);
console.log(
  ["denoiser", "MSE", "PSNR (dB)", "SSIM", "SNR in (dB)", "SNR out (dB)", "ms/image"]
    .map((h, i) => (i ? h.padStart(13) : h.padEnd(10)))
    .join(""),
);
for (const r of rows) {
  const cells = [
    r.mse.toExponential(2),
    r.psnr.toFixed(2),
    r.ssim.toFixed(4),
    r.snr_input.toFixed(2),
    r.snr_denoised.toFixed(2),
    r.ms.toFixed(0),
  ];
  console.log(`${r.denoiser.padEnd(10)}${cells.map((c) => c.padStart(13)).join("")}`);
}
if (csvPath) {
  const cols = ["denoiser", "n", "mse", "psnr", "ssim", "snr_input", "snr_denoised", "ms"] as const;
  writeFileSync(csvPath, `${cols.join(",")}\n${rows.map((r) => cols.map((c) => r[c]).join(",")).join("\n")}\n`);
  console.log(`wrote ${csvPath}`);
}

/**
 * `@hyped/metrics` depends on `@hyped/core` alone and takes plain arrays, typed arrays or ndarrays, so it
 * serves any benchmark. Here, two made-up ones that have nothing to do with cells:
 *
 * 1. Forecasting: three models predict a week of hourly temperatures; score them with the vector metrics,
 *    per day with the row-wise ones, and over a stream with an accumulator.
 * 2. Image compression: quantise an 8-bit test card at several bit depths and score PSNR / SSIM.
 *
 *   node --conditions=@hyped/source --import tsx examples/metrics-anywhere.ts
 */
import { fromTyped } from "@hyped/core";
import { cosineSimilarity, createRmseAccumulator, mae, mseRows, pearson, psnr, r2, rmse, spearman, ssim } from "@hyped/metrics";

// A deterministic "observed" series: daily cycle + a warm front + weather noise from an integer LCG.
let state = 12345;
const noise = () => {
  state = (Math.imul(state, 1103515245) + 12345) >>> 0;
  return state / 2 ** 32 - 0.5;
};
const hours = 24 * 7;
const observed = Array.from(
  { length: hours },
  (_, h) => 12 + 6 * Math.sin(((h % 24) - 9) * (Math.PI / 12)) + (h > 96 ? 4 : 0) + 2 * noise(),
);
const models: Record<string, number[]> = {
  persistence: observed.map((_, h) => observed[Math.max(0, h - 24)] as number), // "same as yesterday"
  climatology: observed.map((_, h) => 12 + 6 * Math.sin(((h % 24) - 9) * (Math.PI / 12))),
  "good-model": observed.map((v) => v + 0.8 * noise()),
};

console.log("Forecast benchmark (plain number[] inputs)");
console.log(
  ["model", "RMSE", "MAE", "R2", "Pearson", "Spearman", "cosine", "worst day RMSE"]
    .map((h, i) => (i ? h.padStart(Math.max(10, h.length + 2)) : h.padEnd(12)))
    .join(""),
);
for (const [name, pred] of Object.entries(models)) {
  // Row-wise metrics take (rows, cols) ndarrays: one row per day.
  const daily = mseRows(fromTyped(Float64Array.from(observed), [7, 24]), fromTyped(Float64Array.from(pred), [7, 24]));
  const cells = [
    rmse(observed, pred),
    mae(observed, pred),
    r2(observed, pred),
    pearson(observed, pred),
    spearman(observed, pred),
    cosineSimilarity(observed, pred),
    Math.sqrt(Math.max(...daily)),
  ];
  const widths = [10, 10, 10, 10, 10, 10, 16];
  console.log(`${name.padEnd(12)}${cells.map((v, i) => v.toFixed(3).padStart(widths[i] as number)).join("")}`);
}

// Streaming: the same RMSE over data that arrives in chunks (e.g. read from a file), without keeping it.
const acc = createRmseAccumulator();
const good = models["good-model"] as number[];
for (let h = 0; h < hours; h += 24) acc.update(observed.slice(h, h + 24), good.slice(h, h + 24));
console.log(`streamed RMSE of good-model: ${acc.value().toFixed(3)} (one-shot ${rmse(observed, good).toFixed(3)})`);

// Image compression: an 8-bit test card (rings + gradient), requantised to fewer grey levels.
const n = 96;
const card = new Uint8Array(n * n);
for (let y = 0; y < n; y++)
  for (let x = 0; x < n; x++)
    card[y * n + x] = Math.round(127.5 + 60 * Math.cos(Math.hypot(x - n / 2, y - n / 2) / 3) + 60 * (x / n - 0.5));
const reference = fromTyped(card, [n, n]);
console.log("\nCompression benchmark (uint8 images)");
console.log(["bits", "PSNR (dB)", "SSIM"].map((h, i) => (i ? h.padStart(11) : h.padEnd(6))).join(""));
for (const bits of [6, 4, 2]) {
  const step = 2 ** (8 - bits);
  const q = card.map((v) => Math.min(255, Math.floor(v / step) * step + step / 2));
  const test = fromTyped(q, [n, n]);
  // uint8 inputs: scikit-image's data range rule gives 255.
  console.log(`${String(bits).padEnd(6)}${psnr(reference, test).toFixed(2).padStart(11)}${ssim(reference, test).toFixed(4).padStart(11)}`);
}

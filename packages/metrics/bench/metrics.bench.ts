/**
 * `pnpm bench metrics`: SSIM, PSNR, MSE on 2826x3245 uint16 and float32 frames and row-wise Pearson/cosine on
 * 20,000 x 2,000 float32, against scikit-image / numpy in the same run. Targets (issue 3): SSIM ≤ 0.5x
 * scikit-image's time, PSNR/MSE ≥ 1 GB/s of input, row-wise Pearson/cosine < 1 s.
 */
import { availableParallelism } from "node:os";
import { fromTyped } from "@hyped/core";
import { mse, psnr, rowwise, ssim } from "@hyped/metrics";
import { closeMetricsWorkers, rowwiseParallel, ssimParallel } from "@hyped/metrics/parallel";
import { peakRssMiB, pythonWith, report, runPython, timeIt } from "../../../scripts/bench-utils.js";
import { syntheticPair } from "../src/internal/lcg.js";

const H = 2826;
const W = 3245;
const py = pythonWith("numpy", "skimage", "scipy");
console.log(
  `metrics bench: ${H}x${W} frames, ${availableParallelism()} cores; peer: ${py ? "Debian python3 (numpy, scikit-image)" : "absent"}`,
);

const { clean, noisy } = syntheticPair(H, W, 42);
const u16a = fromTyped(clean, [H, W]);
const u16b = fromTyped(noisy, [H, W]);
const f32a = fromTyped(
  Float32Array.from(clean, (v) => v / 16383),
  [H, W],
);
const f32b = fromTyped(
  Float32Array.from(noisy, (v) => v / 16383),
  [H, W],
);

/** Fastest of `n` runs in ms: on a shared machine the minimum is the least disturbed figure. */
async function bestOf(fn: () => unknown, n: number): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await fn();
    best = Math.min(best, performance.now() - s);
  }
  return best;
}

type PeerTimes = Record<string, number>;
let peer: PeerTimes | undefined;
if (py) {
  const scripts = new URL("../scripts/", import.meta.url).pathname;
  peer = runPython<PeerTimes>(
    `
import sys, time, json, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, ${JSON.stringify(scripts)})
import numpy as np
from make_image_reference import synthetic_pair
from skimage.metrics import structural_similarity as ssim, peak_signal_noise_ratio as psnr
c, n = synthetic_pair(${H}, ${W}, 42)
fc = (c / 16383.0).astype(np.float32); fn = (n / 16383.0).astype(np.float32)
def t(f, rep=1):
    best = []
    for _ in range(rep):
        s = time.perf_counter(); f(); best.append(time.perf_counter() - s)
    best.sort(); return best[len(best)//2] * 1000
def tmin(f, rep=7):
    best = []
    for _ in range(rep):
        s = time.perf_counter(); f(); best.append(time.perf_counter() - s)
    return min(best) * 1000
out = {}
out["ssim_box_u16"] = t(lambda: ssim(c, n, data_range=16383))
out["ssim_gauss_u16"] = t(lambda: ssim(c, n, data_range=16383, gaussian_weights=True, use_sample_covariance=False))
out["ssim_box_f32"] = t(lambda: ssim(fc, fn, data_range=1.0))
out["ssim_gauss_f32"] = t(lambda: ssim(fc, fn, data_range=1.0, gaussian_weights=True, use_sample_covariance=False))
out["psnr_u16"] = t(lambda: psnr(c, n, data_range=16383), 3)
out["psnr_f32"] = t(lambda: psnr(fc, fn, data_range=1.0), 3)
out["mse_u16"] = t(lambda: np.mean((c.astype(np.float64) - n) ** 2), 3)
out["mse_f32"] = t(lambda: np.mean((fc - fn) ** 2, dtype=np.float64), 3)
for k, f in [("psnr_u16", lambda: psnr(c, n, data_range=16383)), ("psnr_f32", lambda: psnr(fc, fn, data_range=1.0)), ("mse_u16", lambda: np.mean((c.astype(np.float64) - n) ** 2)), ("mse_f32", lambda: np.mean((fc - fn) ** 2, dtype=np.float64))]:
    out[k + "_best"] = tmin(f)
rng = np.random.default_rng(0)
A = rng.random((20000, 2000), dtype=np.float32); B = rng.random((20000, 2000), dtype=np.float32)
def rows_pearson():
    a = A.astype(np.float64); b = B.astype(np.float64)
    a -= a.mean(1, keepdims=True); b -= b.mean(1, keepdims=True)
    return np.einsum("ij,ij->i", a, b) / np.sqrt(np.einsum("ij,ij->i", a, a) * np.einsum("ij,ij->i", b, b))
def rows_cosine():
    a = A.astype(np.float64); b = B.astype(np.float64)
    return np.einsum("ij,ij->i", a, b) / np.sqrt(np.einsum("ij,ij->i", a, a) * np.einsum("ij,ij->i", b, b))
out["rows_pearson"] = t(rows_pearson)
out["rows_cosine"] = t(rows_cosine)
print(json.dumps(out))
`,
    py,
  );
}

console.log("\n-- SSIM (ratio = our time / scikit-image's; target <= 0.5)");
const variants = [
  ["box u16", "ssim_box_u16", u16a, u16b, { dataRange: 16383 }],
  ["gauss u16", "ssim_gauss_u16", u16a, u16b, { dataRange: 16383, gaussianWeights: true, useSampleCovariance: false }],
  ["box f32", "ssim_box_f32", f32a, f32b, { dataRange: 1 }],
  ["gauss f32", "ssim_gauss_f32", f32a, f32b, { dataRange: 1, gaussianWeights: true, useSampleCovariance: false }],
] as const;
for (const [name, key, a, b, o] of variants) {
  const one = await timeIt(() => ssim(a, b, o), 2);
  report(`SSIM ${name}, 1 thread`, one, peer?.[key], "skimage");
  const par = await timeIt(() => ssimParallel(a, b, o), 3);
  report(`SSIM ${name}, ${availableParallelism()} workers`, par, peer?.[key], "skimage");
}

console.log("\n-- PSNR / MSE (throughput of input bytes; target >= 1 GB/s)");
for (const [name, a, b, L] of [
  ["u16", u16a, u16b, 16383],
  ["f32", f32a, f32b, 1],
] as const) {
  const bytes = 2 * a.size * (name === "u16" ? 2 : 4);
  const tp = await timeIt(() => psnr(a, b, { dataRange: L }), 5);
  report(`PSNR ${name}`, tp, peer?.[`psnr_${name}`], "skimage");
  const bp = await bestOf(() => psnr(a, b, { dataRange: L }), 7);
  const pp = peer?.[`psnr_${name}_best`];
  console.log(`  PSNR ${name}: ${(bytes / bp / 1e6).toFixed(2)} GB/s best of 7 (skimage ${pp ? (bytes / pp / 1e6).toFixed(2) : "-"} GB/s)`);
  const tm = await timeIt(() => mse(a, b), 5);
  report(`MSE ${name}`, tm, peer?.[`mse_${name}`], "numpy");
  const bm = await bestOf(() => mse(a, b), 7);
  const pm = peer?.[`mse_${name}_best`];
  console.log(`  MSE ${name}: ${(bytes / bm / 1e6).toFixed(2)} GB/s best of 7 (numpy ${pm ? (bytes / pm / 1e6).toFixed(2) : "-"} GB/s)`);
}

console.log("\n-- row-wise on 20,000 x 2,000 float32 (target < 1000 ms)");
const n = 20_000;
const g = 2_000;
const A = new Float32Array(n * g);
const B = new Float32Array(n * g);
let s = 1;
for (let i = 0; i < A.length; i++) {
  s = (Math.imul(1664525, s) + 1013904223) >>> 0;
  A[i] = s / 4294967296;
  s = (Math.imul(1664525, s) + 1013904223) >>> 0;
  B[i] = 0.5 * (A[i] as number) + s / 8589934592;
}
const RA = fromTyped(A, [n, g]);
const RB = fromTyped(B, [n, g]);
for (const m of ["pearson", "cosine"] as const) {
  const one = await timeIt(() => rowwise(m, RA, RB), 3);
  report(`row-wise ${m}, 1 thread`, one, peer?.[`rows_${m}`], "numpy");
  console.log(`  row-wise ${m}, 1 thread: best of 3 ${(await bestOf(() => rowwise(m, RA, RB), 3)).toFixed(0)} ms (target < 1000 ms)`);
  const par = await timeIt(() => rowwiseParallel(m, RA, RB), 3);
  report(`row-wise ${m}, ${availableParallelism()} workers`, par, peer?.[`rows_${m}`], "numpy");
}
await closeMetricsWorkers();
console.log(`\npeak RSS ${peakRssMiB().toFixed(0)} MiB`);

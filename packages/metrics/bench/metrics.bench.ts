/**
 * `pnpm bench metrics`: SSIM, PSNR, MSE on 2826x3245 uint16 and float32 frames and row-wise Pearson/cosine on
 * 20,000 x 2,000 float32, against scikit-image / numpy in the same run: a long-lived Python peer takes turns
 * with ours (one call each, alternating; medians of >= 3 rounds, wall and CPU), ratio ours/peer. Goals (issue
 * #25): SSIM <= 0.5x scikit-image, PSNR/MSE/row-wise <= 1.0x their peer; a verdict table closes the run.
 */
import { availableParallelism, loadavg } from "node:os";
import { fromTyped } from "@hyped/core";
import { mse, psnr, rowwise, ssim } from "@hyped/metrics";
import { closeMetricsWorkers, rowwiseParallel, ssimParallel } from "@hyped/metrics/parallel";
import { inTurns, median, PythonPeer, peakRssMiB, type TurnRow, verdictTable } from "../../../scripts/bench-utils.js";
import { syntheticPair } from "../src/internal/lcg.js";

const H = 2826;
const W = 3245;
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

const scripts = new URL("../scripts/", import.meta.url).pathname;
const n = 20_000;
const g = 2_000;
const pySetup = `
import sys, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, ${JSON.stringify(scripts)})
import numpy as np
from make_image_reference import synthetic_pair
from skimage.metrics import structural_similarity as ssim, peak_signal_noise_ratio as psnr
# names apart from the peer server's own globals (a, c, fn, ms, cpu, expr, line)
u16a, u16b = synthetic_pair(${H}, ${W}, 42)
f32a = (u16a / 16383.0).astype(np.float32); f32b = (u16b / 16383.0).astype(np.float32)
rng = np.random.default_rng(0)
RA = rng.random((${n}, ${g}), dtype=np.float32); RB = rng.random((${n}, ${g}), dtype=np.float32)
def rows_pearson():
    x = RA.astype(np.float64); y = RB.astype(np.float64)
    x -= x.mean(1, keepdims=True); y -= y.mean(1, keepdims=True)
    return np.einsum("ij,ij->i", x, y) / np.sqrt(np.einsum("ij,ij->i", x, x) * np.einsum("ij,ij->i", y, y))
def rows_cosine():
    x = RA.astype(np.float64); y = RB.astype(np.float64)
    return np.einsum("ij,ij->i", x, y) / np.sqrt(np.einsum("ij,ij->i", x, x) * np.einsum("ij,ij->i", y, y))
`;
const peer = await PythonPeer.start(pySetup, "numpy", "skimage", "scipy");
console.log(
  `metrics bench: ${H}x${W} frames, ${availableParallelism()} cores; peer: ${peer ? "Debian python3 (numpy, scikit-image), long-lived, in turns" : "absent"}`,
);

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

const workers = `${availableParallelism()} workers`;
const boxU16 = { dataRange: 16383 };
const gaussF32 = { dataRange: 1, gaussianWeights: true, useSampleCovariance: false };
const ssimPeer = {
  boxU16: "ssim(u16a, u16b, data_range=16383)",
  gaussF32: "ssim(f32a, f32b, data_range=1.0, gaussian_weights=True, use_sample_covariance=False)",
};
// issue #25: SSIM stays <= 0.5x scikit-image; everything else <= 1.0x its peer
const rows: TurnRow[] = [
  {
    name: "SSIM box u16, 1 thread",
    ours: () => ssim(u16a, u16b, boxU16),
    peer: ssimPeer.boxU16,
    peerName: "skimage",
    goal: 0.5,
    rounds: 5,
  },
  {
    name: `SSIM box u16, ${workers}`,
    ours: () => ssimParallel(u16a, u16b, boxU16),
    peer: ssimPeer.boxU16,
    peerName: "skimage",
    goal: 0.5,
    rounds: 5,
  },
  {
    name: "SSIM gauss f32, 1 thread",
    ours: () => ssim(f32a, f32b, gaussF32),
    peer: ssimPeer.gaussF32,
    peerName: "skimage",
    goal: 0.5,
    rounds: 5,
  },
  {
    name: `SSIM gauss f32, ${workers}`,
    ours: () => ssimParallel(f32a, f32b, gaussF32),
    peer: ssimPeer.gaussF32,
    peerName: "skimage",
    goal: 0.5,
    rounds: 5,
  },
  {
    name: "PSNR u16",
    ours: () => psnr(u16a, u16b, { dataRange: 16383 }),
    peer: "psnr(u16a, u16b, data_range=16383)",
    peerName: "skimage",
    rounds: 7,
  },
  {
    name: "PSNR f32",
    ours: () => psnr(f32a, f32b, { dataRange: 1 }),
    peer: "psnr(f32a, f32b, data_range=1.0)",
    peerName: "skimage",
    rounds: 7,
  },
  { name: "MSE u16", ours: () => mse(u16a, u16b), peer: "np.mean((u16a.astype(np.float64) - u16b) ** 2)", peerName: "numpy", rounds: 7 },
  { name: "MSE f32", ours: () => mse(f32a, f32b), peer: "np.mean((f32a - f32b) ** 2, dtype=np.float64)", peerName: "numpy", rounds: 7 },
];
for (const m of ["pearson", "cosine"] as const) {
  rows.push(
    { name: `row-wise ${m} ${n}x${g} f32, 1 thread`, ours: () => rowwise(m, RA, RB), peer: `rows_${m}()`, peerName: "numpy", rounds: 3 },
    {
      name: `row-wise ${m} ${n}x${g} f32, ${workers}`,
      ours: () => rowwiseParallel(m, RA, RB),
      peer: `rows_${m}()`,
      peerName: "numpy",
      rounds: 3,
    },
  );
}
const only = process.env.BENCH_ROWS?.split(",");
const results = await inTurns(only ? rows.filter((r) => only.some((o) => r.name.includes(o))) : rows, peer);
await closeMetricsWorkers();
peer?.close();

// PSNR/MSE as throughput of input bytes (issue 3 target >= 1 GB/s), from the wall medians above
for (const r of results) {
  if (!/^(PSNR|MSE) /.test(r.name)) continue;
  const bytes = 2 * H * W * (r.name.endsWith("u16") ? 2 : 4);
  const gbs = (ms: number) => (bytes / ms / 1e6).toFixed(2);
  console.log(
    `${r.name}: ${gbs(median(r.ours))} GB/s ours, ${r.peer.length ? `${gbs(median(r.peer))} GB/s ${r.peerName}` : "no peer"} (wall medians)`,
  );
}
verdictTable(results);
console.log(`\npeak RSS ${peakRssMiB().toFixed(0)} MiB (this process: frames, 2 x ${n}x${g} f32 and the worker pool)`);
console.log(
  `load average ${loadavg()
    .map((v) => v.toFixed(1))
    .join(" ")} on ${availableParallelism()} cores`,
);

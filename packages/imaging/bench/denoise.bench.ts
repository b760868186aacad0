/**
 * Denoising benchmark: FM2S on a 512×512 crop (target < 60 s on 2 cores), and the classical denoisers on the
 * same crop against scikit-image / scipy in the same run (Debian python3-skimage), in turns with a long-lived
 * Python peer; medians, min–max and the time ratio ours/peer, then a verdict per row (goal <= 1.0x).
 * `BENCH_ROWS=nlm,tv` keeps the rows whose name contains one of the words (case-insensitive);
 * `BENCH_ROUNDS=n` sets every row's rounds.
 */
import { availableParallelism, loadavg } from "node:os";
import { type AnyNdArray, fromTyped } from "@hyped/core";
import { fm2s, medianFilter, nlMeans, tvChambolle } from "@hyped/imaging/denoise";
import { gaussianFilter } from "@hyped/imaging/filters";
import { inTurns, PythonPeer, type TurnRow, verdictTable } from "../../../scripts/bench-utils.js";

const H = 512;
const W = 512;
// deterministic 14-bit test image: formula shared with the Python side
const img = new Uint16Array(H * W);
for (let r = 0; r < H; r++)
  for (let c = 0; c < W; c++)
    img[r * W + c] = (500 + 6000 * (0.5 + 0.5 * Math.sin(r / 9) * Math.cos(c / 13)) + ((r * 7919 + c * 104729) % 997)) | 0;
const a = fromTyped(img, [H, W]) as unknown as AnyNdArray;

// BENCH_FM2S=0 skips the long FM2S run (the classical denoisers against their peers only)
if (process.env.BENCH_FM2S !== "0") {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await fm2s(a, { bitDepth: 14, seed: 1 });
  const fmS = (performance.now() - t0) / 1000;
  const c1 = process.cpuUsage(c0);
  console.log(
    `FM2S 512x512 (25 x 150 steps, patch 28): ${fmS.toFixed(1)} s wall, ${((c1.user + c1.system) / 1e6).toFixed(1)} s CPU (target < 60 s; load average ${loadavg()[0]?.toFixed(1)})`,
  );
}

const peer = await PythonPeer.start(
  `
import numpy as np
from scipy import ndimage as ndi
from skimage import filters, restoration
H=W=512
r,c=np.mgrid[0:H,0:W]
img=(500+6000*(0.5+0.5*np.sin(r/9)*np.cos(c/13))+((r*7919+c*104729)%997)).astype(np.int64).astype(np.uint16)
`,
  "skimage",
  "scipy",
);
const rows: TurnRow[] = [
  {
    name: "median 3x3 512x512",
    ours: () => medianFilter(a, { size: 3 }),
    peer: "ndi.median_filter(img, size=3)",
    peerName: "scipy",
    rounds: 9,
  },
  {
    name: "gaussian sigma 1 512x512",
    ours: () => gaussianFilter(a, 1),
    peer: "filters.gaussian(img, sigma=1)",
    peerName: "skimage",
    rounds: 9,
  },
  {
    name: "NLM (fast mode) 512x512",
    ours: () => nlMeans(a),
    peer: "restoration.denoise_nl_means(img, fast_mode=True)",
    peerName: "skimage",
    rounds: 5,
  },
  {
    name: "TV Chambolle 512x512",
    ours: () => tvChambolle(a),
    peer: "restoration.denoise_tv_chambolle(img)",
    peerName: "skimage",
    rounds: 3,
  },
];
const only = process.env.BENCH_ROWS?.toLowerCase().split(",");
const rounds = process.env.BENCH_ROUNDS ? Number(process.env.BENCH_ROUNDS) : undefined;
const results = await inTurns(
  rows.filter((r) => !only || only.some((o) => r.name.toLowerCase().includes(o))).map((r) => (rounds ? { ...r, rounds } : r)),
  peer,
);
peer?.close();
verdictTable(results);
console.log(
  `load average ${loadavg()
    .map((v) => v.toFixed(1))
    .join(" ")} on ${availableParallelism()} cores`,
);

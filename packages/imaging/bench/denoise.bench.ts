/**
 * Denoising benchmark: FM2S on a 512×512 crop (target < 60 s on 2 cores), and the classical denoisers on the
 * same crop against scikit-image / scipy in the same run (Debian python3-skimage).
 */
import { type AnyNdArray, fromTyped } from "@hyped/core";
import { pythonWith, report, runPython, timeIt } from "../../../scripts/bench-utils.js";
import { fm2s, medianFilter, nlMeans, tvChambolle } from "../src/denoise/index.js";
import { gaussianFilter } from "../src/filters/gaussian.js";

const H = 512;
const W = 512;
// deterministic 14-bit test image: formula shared with the Python side
const img = new Uint16Array(H * W);
for (let r = 0; r < H; r++)
  for (let c = 0; c < W; c++)
    img[r * W + c] = (500 + 6000 * (0.5 + 0.5 * Math.sin(r / 9) * Math.cos(c / 13)) + ((r * 7919 + c * 104729) % 997)) | 0;
const a = fromTyped(img, [H, W]) as unknown as AnyNdArray;

const t0 = performance.now();
const c0 = process.cpuUsage();
await fm2s(a, { bitDepth: 14, seed: 1 });
const fmS = (performance.now() - t0) / 1000;
const c1 = process.cpuUsage(c0);
console.log(
  `FM2S 512x512 (25 x 150 steps, patch 28): ${fmS.toFixed(1)} s wall, ${((c1.user + c1.system) / 1e6).toFixed(1)} s CPU (target < 60 s; load average ${(await import("node:os")).loadavg()[0]?.toFixed(1)})`,
);

const ours = {
  median3: await timeIt(() => medianFilter(a, { size: 3 })),
  gaussian1: await timeIt(() => gaussianFilter(a, 1)),
  nlm: await timeIt(() => nlMeans(a), 1),
  tv: await timeIt(() => tvChambolle(a), 1),
};
const py = pythonWith("skimage", "scipy");
let peer: Record<string, number> | undefined;
if (py) {
  peer = runPython(`
import time, json, numpy as np
from scipy import ndimage as ndi
from skimage import filters, restoration
H=W=512
r,c=np.mgrid[0:H,0:W]
img=(500+6000*(0.5+0.5*np.sin(r/9)*np.cos(c/13))+((r*7919+c*104729)%997)).astype(np.int64).astype(np.uint16)
def t(f, n=3):
    f(); ts=[]
    for _ in range(n):
        s=time.perf_counter(); f(); ts.append((time.perf_counter()-s)*1000)
    return sorted(ts)[len(ts)//2]
print(json.dumps({"median3": t(lambda: ndi.median_filter(img, size=3)), "gaussian1": t(lambda: filters.gaussian(img, sigma=1)),
  "nlm": t(lambda: restoration.denoise_nl_means(img, fast_mode=True), 1), "tv": t(lambda: restoration.denoise_tv_chambolle(img), 1)}))`);
}
for (const k of Object.keys(ours) as Array<keyof typeof ours>) report(`denoise ${k} 512x512`, ours[k], peer?.[k], "scikit-image/scipy");

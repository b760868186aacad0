/**
 * `pnpm bench segment`: each filter primitive and the whole segmentFrame on a 2826x3245 frame, against
 * scikit-image 0.19.3 running the same steps on the same pixels in the same run.
 */
import { fromTyped, zeros } from "@hyped/core";
import { pythonWith, report, runPython, timeIt } from "../../../scripts/bench-utils.js";
import {
  distanceTransformEdt,
  gaussianFilter,
  label,
  peakLocalMax,
  percentiles,
  regionProps,
  segmentFrame,
  segmentFrames,
  thresholdOtsu,
  watershed,
} from "../src/index.js";

const H = 2826;
const W = 3245;
const N = H * W;
// deterministic 4-channel 14-bit frame: ~2000 nuclei (discs) + LCG noise; same formula in Python below
function makeFrame() {
  const f = zeros("uint16", [4, H, W]);
  const d = f.data as Uint16Array;
  let s = 4242;
  const next = () => (s = (s * 48271) % 2147483647);
  for (let c = 0; c < 4; c++) for (let i = 0; i < N; i++) d[c * N + i] = 300 + (next() % 200);
  for (let k = 0; k < 2000; k++) {
    const cy = next() % H;
    const cx = next() % W;
    const r = 6 + (next() % 8);
    const a1 = 2000 + (next() % 8000);
    const a2 = 2000 + (next() % 8000);
    for (let y = Math.max(cy - r, 0); y < Math.min(cy + r + 1, H); y++)
      for (let x = Math.max(cx - r, 0); x < Math.min(cx + r + 1, W); x++)
        if ((y - cy) ** 2 + (x - cx) ** 2 <= r * r) {
          d[N + y * W + x] = Math.min(16383, d[N + y * W + x]! + a1);
          d[2 * N + y * W + x] = Math.min(16383, d[2 * N + y * W + x]! + a2);
        }
  }
  return f;
}
const frame = makeFrame();
const mk = frame.pick(1, null, null);
const py = pythonWith("skimage", "scipy", "numpy");
const pyCode = `
import time, json, numpy as np, scipy.ndimage as ndi
from skimage.filters import gaussian, threshold_otsu
from skimage.feature import peak_local_max
from skimage.segmentation import watershed
from skimage.measure import label, regionprops_table
H, W, N = ${H}, ${W}, ${N}
M = 2147483647
s = 4242
f = np.empty((4, N), np.int64)
# same LCG stream as the TypeScript side, vectorised by jumping: generate sequentially in chunks
vals = np.empty(4 * N + 2000 * 6, np.int64)
x = s
for i in range(vals.size):
    x = (x * 48271) % M
    vals[i] = x
f[:] = (300 + vals[:4 * N] % 200).reshape(4, N)
f = f.reshape(4, H, W)
o = 4 * N
for k in range(2000):
    cy, cx, r, a1, a2 = vals[o] % H, vals[o+1] % W, 6 + vals[o+2] % 8, 2000 + vals[o+3] % 8000, 2000 + vals[o+4] % 8000
    o += 5
    y0, y1, x0, x1 = max(cy - r, 0), min(cy + r + 1, H), max(cx - r, 0), min(cx + r + 1, W)
    yy, xx = np.mgrid[y0:y1, x0:x1]
    d = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
    f[1, y0:y1, x0:x1] = np.where(d, np.minimum(16383, f[1, y0:y1, x0:x1] + a1), f[1, y0:y1, x0:x1])
    f[2, y0:y1, x0:x1] = np.where(d, np.minimum(16383, f[2, y0:y1, x0:x1] + a2), f[2, y0:y1, x0:x1])
frame = f.astype(np.uint16)
mk = frame[1]
def t(fn, rep=3):
    fn(); ts = []
    for _ in range(rep):
        a = time.perf_counter(); fn(); ts.append(time.perf_counter() - a)
    return sorted(ts)[len(ts)//2] * 1000
g = gaussian(mk, 2); thr = threshold_otsu(g); mask = g > thr; edt = ndi.distance_transform_edt(mask); lab = label(mask)
pk = peak_local_max(edt, min_distance=5, labels=lab, exclude_border=False)
pm = np.zeros(mask.shape, bool); pm[tuple(pk.T)] = True; markers, _ = ndi.label(pm)
ws = watershed(-edt, markers, mask=mask)
def segment(frame):
    chans = []
    for c in (1, 2):
        x = frame[c].astype(np.float64); p = np.percentile(x, 98)
        chans.append(gaussian(np.minimum(x, p) / p, 1))
    st = np.stack(chans); t_ = threshold_otsu(st); m = (st > t_).any(axis=0)
    e = ndi.distance_transform_edt(m); l = label(m)
    p_ = peak_local_max(e, min_distance=5, labels=l, exclude_border=False)
    q = np.zeros(m.shape, bool); q[tuple(p_.T)] = True; mk_, _ = ndi.label(q)
    w = watershed(-e, mk_, mask=m)
    tab = regionprops_table(w, intensity_image=np.moveaxis(frame, 0, -1), properties=("label", "centroid", "area", "mean_intensity"))
    return w
r = {
  "percentile": t(lambda: np.percentile(mk, 98)),
  "gaussian": t(lambda: gaussian(mk, 2)),
  "otsu": t(lambda: threshold_otsu(g)),
  "edt": t(lambda: ndi.distance_transform_edt(mask)),
  "label": t(lambda: label(mask)),
  "peaks": t(lambda: peak_local_max(edt, min_distance=5, labels=lab, exclude_border=False), 1),
  "watershed": t(lambda: watershed(-edt, markers, mask=mask), 1),
  "regionprops": t(lambda: regionprops_table(ws, intensity_image=mk, properties=("label","area","centroid","bbox","mean_intensity","eccentricity","perimeter","solidity")), 1),
  "segment": t(lambda: segment(frame), 1),
  "objects": int(ws.max()),
}
print(json.dumps(r))
`;
const peer = py ? runPython<Record<string, number>>(pyCode, py) : undefined;
const g = gaussianFilter(mk, 2);
const thr = thresholdOtsu(g);
const gd = g.data as Float64Array;
const m8 = new Uint8Array(N);
for (let i = 0; i < N; i++) m8[i] = gd[i]! > thr ? 1 : 0;
const mask = fromTyped(m8, [H, W]);
const edt = distanceTransformEdt(mask);
const lab = label(mask);
const pk = peakLocalMax(edt, { minDistance: 5, labels: lab, excludeBorder: false });
const pm = new Uint8Array(N);
const pd = pk.data as Int32Array;
for (let k = 0; k < pd.length; k += 2) pm[pd[k]! * W + pd[k + 1]!] = 1;
const markers = label(fromTyped(pm, [H, W]), { connectivity: 1 });
const neg = fromTyped(
  Float64Array.from(edt.data as Float64Array, (v) => -v),
  [H, W],
);
const ws = watershed(neg, markers, { mask });
console.log(`frame ${H}x${W} uint16, ${pk.shape[0]} seeds${peer ? `, scikit-image found ${peer.objects}` : ""}`);
report("percentile 98", await timeIt(() => percentiles(mk, [98])), peer?.percentile, "numpy");
report("gaussianFilter sigma 2", await timeIt(() => gaussianFilter(mk, 2)), peer?.gaussian, "skimage");
report("thresholdOtsu", await timeIt(() => thresholdOtsu(g)), peer?.otsu, "skimage");
report("distanceTransformEdt", await timeIt(() => distanceTransformEdt(mask)), peer?.edt, "scipy");
report("label", await timeIt(() => label(mask)), peer?.label, "skimage");
report(
  "peakLocalMax (labels)",
  await timeIt(() => peakLocalMax(edt, { minDistance: 5, labels: lab, excludeBorder: false }), 1),
  peer?.peaks,
  "skimage",
);
report("watershed", await timeIt(() => watershed(neg, markers, { mask }), 1), peer?.watershed, "skimage");
report("regionProps (all columns)", await timeIt(() => regionProps(ws, mk), 1), peer?.regionprops, "skimage");
report("segmentFrame (steps 1-5)", await timeIt(() => segmentFrame(frame), 1), peer?.segment, "skimage");
// many frames: the same frame 4 times on worker threads (default: one per core), time per frame
const frames4 = [frame, frame, frame, frame];
const tMany = await timeIt(() => segmentFrames(frames4), 1);
report(
  `segmentFrames, 4 frames on ${(await import("node:os")).availableParallelism()} workers, per frame`,
  tMany / frames4.length,
  peer?.segment,
  "skimage (one frame)",
);
console.log(
  `load average ${(await import("node:os"))
    .loadavg()
    .map((v) => v.toFixed(1))
    .join(" ")} on ${(await import("node:os")).availableParallelism()} cores`,
);

/**
 * `pnpm bench segment`: each filter primitive and the whole segmentFrame on a 2826x3245 frame, against
 * scikit-image 0.19.3 / scipy / numpy running the same steps on the same pixels in the same run. A long-lived
 * Python peer takes turns with ours (one call each, alternating), every row prints medians and min–max and
 * the time ratio ours/peer; a verdict table against each row's goal closes the run.
 */
import { availableParallelism, loadavg } from "node:os";
import { fromTyped, zeros } from "@hyped/core";
import {
  clipPercentile,
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
} from "@hyped/imaging";
import { histogramOf, maskAbove, maskBackend, otsuFromHistogram } from "@hyped/imaging/filters";
import { inTurns, PythonPeer, type TurnRow, verdictTable } from "../../../scripts/bench-utils.js";

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
const pySetup = `
import numpy as np, scipy.ndimage as ndi
from skimage.filters import gaussian, threshold_otsu
from skimage.feature import peak_local_max
from skimage.segmentation import watershed
from skimage.measure import label, regionprops_table
H, W, N = ${H}, ${W}, ${N}
M, A = 2147483647, 48271
def lcg(seed, count):
    # the TypeScript side's LCG stream, vectorised: x_(i+k) = x_i * A^k mod M in blocks of 2^16
    B = 1 << 16
    P = np.empty(B, np.int64); P[0] = A; n = 1
    while n < B:
        m = min(n, B - n); P[n:n + m] = (P[:m] * P[n - 1]) % M; n += m
    out = np.empty(count, np.int64); x = seed; i = 0
    while i < count:
        m = min(B, count - i); out[i:i + m] = (x * P[:m]) % M; x = int(out[i + m - 1]); i += m
    return out
vals = lcg(4242, 4 * N + 2000 * 5)
f = (300 + vals[:4 * N] % 200).reshape(4, H, W)
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
def clip_scale(x):
    p = np.percentile(x, 98)
    return np.minimum(x, p) / p
g = gaussian(mk, 2); thr = threshold_otsu(g); mask = g > thr; edt = ndi.distance_transform_edt(mask); lab = label(mask)
s1 = gaussian(clip_scale(mk), 1); s2 = gaussian(clip_scale(frame[2]), 1); st = np.stack([s1, s2]); tst = threshold_otsu(st)
pk = peak_local_max(edt, min_distance=5, labels=lab, exclude_border=False)
def markers_of(pk):
    pm = np.zeros(mask.shape, bool); pm[tuple(pk.T)] = True
    mk_, _ = ndi.label(pm)
    return mk_, -edt
markers, neg = markers_of(pk)
seedmask = np.zeros(mask.shape, bool); seedmask[tuple(pk.T)] = True
ws = watershed(neg, markers, mask=mask)
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
`;
const peer = await PythonPeer.start(pySetup, "skimage", "scipy", "numpy");
const g = gaussianFilter(mk, 2);
const thr = thresholdOtsu(g);
const mask = fromTyped(maskAbove([g.data as Float64Array], thr, N), [H, W]);
const edt = distanceTransformEdt(mask);
const lab = label(mask);
const pk = peakLocalMax(edt, { minDistance: 5, labels: lab, excludeBorder: false });
const s1 = gaussianFilter(clipPercentile(mk, { high: 98 }).image, 1).data as Float64Array;
const s2 = gaussianFilter(clipPercentile(frame.pick(2, null, null), { high: 98 }).image, 1).data as Float64Array;
const hst = histogramOf([s1, s2], "float64");
const tst = otsuFromHistogram(hst.counts, hst.centers); // Otsu over the stack, as threshold_otsu(st)
/** The seed mask a user builds from the peaks (1 at each peak). */
function seedMaskOf(peaks: typeof pk) {
  const pm = new Uint8Array(N);
  const pd = peaks.data as Int32Array;
  for (let k = 0; k < pd.length; k += 2) pm[pd[k]! * W + pd[k + 1]!] = 1;
  return fromTyped(pm, [H, W]);
}
/** Watershed markers as a user prepares them: a seed mask from the peaks, labelled 4-connected, and -distance. */
function markersOf(peaks: typeof pk) {
  const m = label(seedMaskOf(peaks), { connectivity: 1 });
  const e = edt.data as Float64Array;
  const neg = new Float64Array(N);
  for (let i = 0; i < N; i++) neg[i] = -e[i]!;
  return { markers: m, neg: fromTyped(neg, [H, W]) };
}
/** The same markers without the negated copy: `watershed(edt, markers, { negate: true })` floods -edt itself. */
const markersOnly = (peaks: typeof pk) => label(seedMaskOf(peaks), { connectivity: 1 });
const seedMask = seedMaskOf(pk);
const { markers, neg } = markersOf(pk);
const ws = watershed(neg, markers, { mask });
console.log(
  `frame ${H}x${W} uint16, ${pk.shape[0]} seeds, ${ws.data.reduce((a, b) => Math.max(a, b as number), 0)} objects; stack threshold ${tst.toFixed(6)}`,
);
{
  // which kernel the foreground-mask row (and segmentFrame's step 3) runs: native (@hyped/native), wasm or js
  const mb = maskBackend(2, N);
  console.log(`foreground mask backend: ${mb.backend}${mb.reason ? ` (${mb.reason})` : ""}`);
}
const rows: TurnRow[] = [
  { name: "percentile 98", ours: () => percentiles(mk, [98]), peer: "np.percentile(mk, 98)", peerName: "numpy", rounds: 9 },
  { name: "percentile clip + scale", ours: () => clipPercentile(mk, { high: 98 }), peer: "clip_scale(mk)", peerName: "numpy", rounds: 9 },
  { name: "gaussianFilter sigma 2", ours: () => gaussianFilter(mk, 2), peer: "gaussian(mk, 2)", peerName: "skimage", rounds: 7 },
  { name: "thresholdOtsu", ours: () => thresholdOtsu(g), peer: "threshold_otsu(g)", peerName: "skimage", rounds: 9 },
  {
    name: "foreground mask (2-channel stack > t)",
    ours: () => maskAbove([s1, s2], tst, N),
    peer: "(st > tst).any(axis=0)",
    peerName: "numpy",
    rounds: 15,
  },
  {
    name: "distanceTransformEdt",
    ours: () => distanceTransformEdt(mask),
    peer: "ndi.distance_transform_edt(mask)",
    peerName: "scipy",
    rounds: 3,
  },
  { name: "label", ours: () => label(mask), peer: "label(mask)", peerName: "skimage", rounds: 9 },
  {
    name: "peakLocalMax (labels)",
    ours: () => peakLocalMax(edt, { minDistance: 5, labels: lab, excludeBorder: false }),
    peer: "peak_local_max(edt, min_distance=5, labels=lab, exclude_border=False)",
    peerName: "skimage",
    rounds: 3,
  },
  { name: "watershed marker preparation", ours: () => markersOf(pk), peer: "markers_of(pk)", peerName: "scipy/numpy", rounds: 9 },
  {
    name: "watershed marker preparation: label of the seed mask alone",
    ours: () => label(seedMask, { connectivity: 1 }),
    peer: "ndi.label(seedmask)",
    peerName: "scipy",
    rounds: 9,
  },
  {
    name: "watershed marker preparation, our API (no -edt copy: watershed negate option)",
    ours: () => markersOnly(pk),
    peer: "markers_of(pk)",
    peerName: "scipy/numpy",
    rounds: 9,
  },
  {
    name: "watershed",
    ours: () => watershed(neg, markers, { mask }),
    peer: "watershed(neg, markers, mask=mask)",
    peerName: "skimage",
    rounds: 3,
  },
  {
    name: "regionProps (all columns)",
    ours: () => regionProps(ws, mk),
    peer: 'regionprops_table(ws, intensity_image=mk, properties=("label","area","centroid","bbox","mean_intensity","eccentricity","perimeter","solidity"))',
    peerName: "skimage",
    rounds: 3,
  },
  { name: "segmentFrame (steps 1-5)", ours: () => segmentFrame(frame), peer: "segment(frame)", peerName: "skimage", rounds: 3 },
];
const only = process.env.BENCH_ROWS?.split(",");
const results = await inTurns(only ? rows.filter((r) => only.some((o) => r.name.includes(o))) : rows, peer);
if (!only) {
  // many frames: the same frame 4 times on worker threads (default: one per core), time per frame
  const frames4 = [frame, frame, frame, frame];
  results.push(
    ...(await inTurns(
      [
        {
          name: `segmentFrames, 4 frames on ${availableParallelism()} workers, per frame`,
          ours: async () => {
            await segmentFrames(frames4);
          },
          peer: "segment(frame)",
          peerName: "skimage (one frame)",
          rounds: 1,
          perCall: frames4.length,
        },
      ],
      peer,
    )),
  );
}
peer?.close();
verdictTable(results);
console.log(
  `load average ${loadavg()
    .map((v) => v.toFixed(1))
    .join(" ")} on ${availableParallelism()} cores`,
);

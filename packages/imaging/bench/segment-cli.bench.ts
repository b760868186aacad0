/**
 * `pnpm bench segment`: `hyped segment` (the CLI, as a user runs it) on full-size 4 x 2826 x 3245 frames
 * against scikit-image doing the same steps in Python (read the frame with h5py; clip at the 98th percentile,
 * Gaussian, Otsu over the stack, EDT, peak_local_max seeds, watershed, regionprops_table; write a uint32
 * gzip label file and a CSV table per frame), in turns (alternating which side goes first), medians of
 * `BENCH_ROUNDS` (default 3) rounds, wall and CPU: 1 frame (one thread on both sides), and 20 frames with 2
 * workers (a multiprocessing pool of 2 on the Python side). Both sides read the same frame files and are timed
 * as whole commands with {@link commandPeer} (wall, and user + system CPU of the process and its children;
 * ours is the built `hyped` bin, or its sources under `BENCH_SOURCE=1`). Goal (issue #25) ours/peer <= 1.0x; a
 * verdict table closes the run. Prints peak RSS: ours for the whole process (all worker threads), Python's for
 * the largest of its processes. `BENCH_CASES=1` or `=20` runs one case.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { buildManifest, type ManifestFrame, sha256Of, writeFrameFile, writeManifestFile } from "@hyped/imaging/frames";
import {
  commandPeer,
  hypedCliArgs,
  median,
  type PeerTime,
  pythonWith,
  type TurnResult,
  verdictTable,
} from "../../../scripts/bench-utils.js";

const H = 2826;
const W = 3245;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Which cases to run: `BENCH_CASES=1,20` (default both). */
const CASES = (process.env.BENCH_CASES ?? "1,20").split(",");
const tmp = mkdtempSync(join(tmpdir(), "hyped-bench-segment-"));

/** A deterministic 4-channel 14-bit frame with ~2,000 nuclei (discs) on LCG noise. */
function makePlanes(): Uint16Array[] {
  const planes = Array.from({ length: 4 }, () => new Uint16Array(H * W));
  let s = 4242;
  const next = () => (s = (s * 48271) % 2147483647);
  for (const p of planes) for (let i = 0; i < p.length; i++) p[i] = 300 + (next() % 200);
  for (let k = 0; k < 2000; k++) {
    const cy = next() % H;
    const cx = next() % W;
    const r = 6 + (next() % 8);
    const a = [2000 + (next() % 8000), 2000 + (next() % 8000)];
    for (let y = Math.max(cy - r, 0); y < Math.min(cy + r + 1, H); y++)
      for (let x = Math.max(cx - r, 0); x < Math.min(cx + r + 1, W); x++)
        if ((y - cy) ** 2 + (x - cx) ** 2 <= r * r)
          for (const c of [1, 2]) {
            const p = planes[c] as Uint16Array;
            p[y * W + x] = Math.min(16383, (p[y * W + x] as number) + (a[c - 1] as number));
          }
  }
  return planes;
}

/** A frame store of `n` copies of the frame (one condition, one replicate). */
async function makeStore(dir: string, n: number, template?: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const frames: ManifestFrame[] = [];
  let first = template;
  let sha = template ? await sha256Of(template) : "";
  for (let t = 0; t < n; t++) {
    const file = `bench_r1_t${String(t).padStart(5, "0")}.h5`;
    const meta = {
      channels: ["Cy5", "mKate", "TagGFP", "Oblique"],
      condition: "bench",
      replicate: 1,
      t,
      timeS: t * 1200,
      scene: 0,
      pixelSizeM: [6.5e-7, 6.5e-7] as [number, number],
      source: "",
      sourceSha256: "",
    };
    if (!first) {
      sha = (await writeFrameFile(join(dir, file), makePlanes(), H, W, meta)).sha256;
      first = join(dir, file);
    } else copyFileSync(first, join(dir, file));
    frames.push({
      file,
      condition: "bench",
      replicate: 1,
      t,
      timeS: t * 1200,
      scene: 0,
      sha256: sha,
      bytes: -1,
      source: "",
      sourceSha256: "",
    });
  }
  const header = {
    channels: ["Cy5", "mKate", "TagGFP", "Oblique"],
    dtype: "uint16" as const,
    axes: "CYX" as const,
    shape: [4, H, W] as [number, number, number],
    pixelSizeM: [6.5e-7, 6.5e-7] as [number, number],
    compression: "gzip" as const,
  };
  await writeManifestFile(join(dir, "dataset.json"), buildManifest(header, frames));
  return first as string;
}

const PY = `
import sys, os, glob, time, json, resource, csv
import numpy as np, h5py, scipy.ndimage as ndi
from multiprocessing import Pool
from skimage.filters import gaussian, threshold_otsu
from skimage.feature import peak_local_max
from skimage.segmentation import watershed
from skimage.measure import label, regionprops_table
src, out, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(out, exist_ok=True)
def one(path):
    with h5py.File(path, "r") as f:
        frame = f["frame"][()]
    chans = []
    for c in (1, 2):
        x = frame[c].astype(np.float64); p = np.percentile(x, 98)
        chans.append(gaussian(np.minimum(x, p) / p, 1))
    st = np.stack(chans); t_ = threshold_otsu(st); m = (st > t_).any(axis=0)
    e = ndi.distance_transform_edt(m); l = label(m)
    pk = peak_local_max(e, min_distance=5, labels=l, exclude_border=False)
    q = np.zeros(m.shape, bool); q[tuple(pk.T)] = True; mk, _ = ndi.label(q)
    w = watershed(-e, mk, mask=m).astype(np.uint32)
    tab = regionprops_table(w, intensity_image=np.moveaxis(frame, 0, -1), properties=("label", "centroid", "area", "mean_intensity"))
    stem = os.path.join(out, os.path.basename(path)[:-3])
    with h5py.File(stem + ".h5", "w") as g:
        g.create_dataset("labels", data=w, chunks=(512, 512), compression="gzip", compression_opts=1)
    with open(stem + ".csv", "w", newline="") as fh:
        cols = list(tab.keys()); wr = csv.writer(fh); wr.writerow(cols)
        wr.writerows(zip(*[tab[k] for k in cols]))
    return int(w.max())
files = sorted(glob.glob(os.path.join(src, "*.h5")))
if workers > 1:
    with Pool(workers) as p: n = p.map(one, files)
else:
    n = [one(f) for f in files]
rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
print(json.dumps({"objects": n[0], "peakRssMiB": rss}))
`;

/**
 * One timed run of a command that writes its outputs to `out` (cleared first, so no run resumes another's
 * work) and its JSON summary (with `peakRssMiB`) on stdout, kept in `json`: wall and CPU from {@link commandPeer}.
 */
function segmentRun(cmd: string, args: readonly string[], out: string, json: string): () => Promise<PeerTime & { rss: number }> {
  const run = commandPeer("sh", ["-c", 'o=$0; j=$1; shift; rm -rf "$o" && exec "$@" > "$j"', out, json, cmd, ...args]);
  return async () => {
    const t = await run();
    // ours prints one JSON document, Python's script its summary on the last line
    const text = readFileSync(json, "utf8").trim();
    const last = text.slice(text.lastIndexOf("\n") + 1);
    return { ...t, rss: (JSON.parse(text.startsWith("{") && !last.startsWith("{") ? text : last) as { peakRssMiB: number }).peakRssMiB };
  };
}

const py = pythonWith("skimage", "scipy", "numpy", "h5py");
try {
  const one = join(tmp, "one");
  const first = await makeStore(one, 1);
  const twenty = join(tmp, "twenty");
  await makeStore(twenty, 20, first);
  console.log(
    `frames: 4 x ${H} x ${W} uint16 (gzip 1), ${ROUNDS} rounds in turns; load average ${loadavg()
      .map((v) => v.toFixed(1))
      .join(" ")}`,
  );
  const results: TurnResult[] = [];
  for (const [name, dir, workers] of [
    ["hyped segment, 1 frame (no worker threads)", one, 0],
    ["hyped segment, 20 frames, 2 workers", twenty, 2],
  ] as const) {
    if (!CASES.includes(name.includes("20 frames") ? "20" : "1")) continue;
    const oursOut = join(tmp, "out-ours");
    const pyOut = join(tmp, "out-py");
    const runOurs = segmentRun(
      process.execPath,
      [...hypedCliArgs(), "segment", dir, "--out", oursOut, "--workers", String(workers), "--json"],
      oursOut,
      join(tmp, "ours.json"),
    );
    const runPy = py ? segmentRun(py, ["-c", PY, dir, pyOut, String(workers)], pyOut, join(tmp, "py.json")) : undefined;
    const r: TurnResult = {
      name,
      peerName: "skimage",
      ours: [],
      peer: [],
      oursCpu: [],
      peerCpu: [],
      ratio: undefined,
      cpuRatio: undefined,
      goal: 1,
    };
    const rss = { ours: 0, peer: 0 };
    const ours = async () => {
      const t = await runOurs();
      r.ours.push(t.wall);
      r.oursCpu.push(t.cpu);
      rss.ours = Math.max(rss.ours, t.rss);
    };
    const peer = async () => {
      if (!runPy) return;
      const t = await runPy();
      r.peer.push(t.wall);
      r.peerCpu.push(t.cpu);
      rss.peer = Math.max(rss.peer, t.rss);
    };
    // whole processes, each run from a cold start: no warm-up round; the first side alternates
    for (let k = 0; k < ROUNDS; k++) {
      if (k % 2 === 0) await ours();
      await peer();
      if (k % 2 === 1) await ours();
    }
    if (r.peer.length) {
      r.ratio = median(r.ours) / median(r.peer);
      r.cpuRatio = median(r.oursCpu) / median(r.peerCpu);
    }
    const sec = (xs: number[]) => xs.map((v) => (v / 1000).toFixed(1)).join(", ");
    console.log(
      `${name}: wall ours ${sec(r.ours)} s, skimage ${sec(r.peer) || "absent"} s; CPU ours ${sec(r.oursCpu)} s, skimage ${sec(r.peerCpu) || "-"} s; peak RSS ours ${rss.ours.toFixed(0)} MiB, skimage ${rss.peer.toFixed(0)} MiB`,
    );
    results.push(r);
  }
  verdictTable(results);
  console.log(
    `load average after: ${loadavg()
      .map((v) => v.toFixed(1))
      .join(" ")} on ${availableParallelism()} cores`,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

/**
 * Frame store benchmark (`pnpm bench frames`), on a generated HYPED-scale CZI: one scene of 6 x 5 overlapping
 * Gray16 tiles (600 x 642 px) stitching to 2826 x 3245 px, 4 channels, 10 time points.
 *
 * - conversion throughput (frames/s) with 1 and 2 worker threads (gzip level 1, the default);
 * - `loadFrames` of 10 frames x 4 channels in MB/s, against h5py (Debian python3-h5py) reading the same files
 *   into one numpy array, for gzip and for uncompressed frames, with a fresh result array per call and with
 *   one reused destination (`loadFrames({ into })` / `read_direct` into the same array). Ratio > 1 means we
 *   are faster. Fresh arrays cost both sides the kernel's page faults; numpy asks for transparent huge pages
 *   (madvise), which Node cannot, so on kernels in `madvise` THP mode fresh memory costs us more.
 *   `FRAMES_READ_WORKERS=2 pnpm bench frames` measures the opt-in parallel read path instead.
 *   Uncompressed tile chunks are copied by the optional `@hyped/native` addon when it is built (the first line
 *   says whether); `HYPED_NATIVE=0 pnpm bench frames` measures the JavaScript path.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nativeStatus } from "@hyped/core/hdf5";
import { convertCziToFrames, openFrameStore } from "@hyped/imaging";
import { median, peakRssMiB, pythonWith, runPython } from "../../../scripts/bench-utils.js";
import { type MakeCziOptions, makeCzi } from "../src/frames/__tests__/make-czi.js";

const native = nativeStatus();
console.log(`native box reader (@hyped/native): ${native.active ? "in use" : `not used: ${native.reason}`}`);
const dir = mkdtempSync(join(tmpdir(), "hyped-frames-bench-"));
try {
  const T = 10;
  const opts: MakeCziOptions = {
    scenes: ["hyped_1"],
    T,
    channels: ["Cy5", "mKate", "TagGFP", "Oblique"],
    cols: 6,
    rows: 5,
    tileW: 600,
    tileH: 642,
    stepX: 529,
    stepY: 546,
  };
  const czi = join(dir, "hyped.czi");
  let t0 = performance.now();
  await makeCzi(czi, opts);
  console.log(`generated ${czi}: 6x5 tiles, 4 channels, ${T} time points in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const frameMB = (4 * 2826 * 3245 * 2) / 1e6;
  const outs: Record<string, string> = {};
  for (const workers of [1, 2]) {
    const out = join(dir, `frames-w${workers}`);
    t0 = performance.now();
    const r = await convertCziToFrames([czi], out, { workers, sourceChecksum: false });
    const s = (performance.now() - t0) / 1000;
    outs[workers] = out;
    console.log(
      `convert (gzip 1), ${workers} worker${workers > 1 ? "s" : ""}: ${r.converted} frames of ${frameMB.toFixed(1)} MB in ${s.toFixed(2)} s = ${(r.converted / s).toFixed(3)} frames/s (${((r.converted * frameMB) / s).toFixed(1)} MB/s, incl. worker start-up)`,
    );
  }
  const plain = join(dir, "frames-none");
  t0 = performance.now();
  await convertCziToFrames([czi], plain, { workers: 2, compression: "none", sourceChecksum: false });
  console.log(`convert (no compression), 2 workers: ${(T / ((performance.now() - t0) / 1000)).toFixed(3)} frames/s`);

  const py = pythonWith("h5py", "numpy");
  for (const [name, out] of [
    ["gzip", outs[1] as string],
    ["none", plain],
  ] as const) {
    const store = await openFrameStore(out, { readWorkers: Number(process.env.FRAMES_READ_WORKERS ?? 0) });
    const bytes = T * store.channels.length * store.height * store.width * 2; // uint16 frames
    const reuse = new Uint16Array(bytes / 2);
    // fresh: a new result array per call (what a one-off load does); reused: one destination buffer across
    // calls (what a training loop's loader does), both sides alike. This machine's memory speed drifts by
    // ±20% over a minute, so the two sides take turns: 3 rounds of (ours x3, h5py x3), medians of all 9.
    const samples = { fresh: [] as number[], reused: [] as number[], peerFresh: [] as number[], peerReused: [] as number[] };
    const round = async () => {
      const time = async (fn: () => Promise<unknown>) => {
        const t0 = performance.now();
        await fn();
        return performance.now() - t0;
      };
      await store.loadFrames({ t: [0, T] }); // warm-up
      for (let k = 0; k < 3; k++) samples.fresh.push(await time(() => store.loadFrames({ t: [0, T] })));
      await store.loadFrames({ t: [0, T], into: reuse }); // warm-up (touches the buffer, as h5py's first load does)
      for (let k = 0; k < 3; k++) samples.reused.push(await time(() => store.loadFrames({ t: [0, T], into: reuse })));
      if (!py) return;
      const peer = runPython<{ fresh: number[]; reused: number[] }>(
        `
import h5py, numpy as np, time, json, glob
files = sorted(glob.glob(${JSON.stringify(`${out}/*.h5`)}))[:${T}]
def load(out=None):
    for i, f in enumerate(files):
        with h5py.File(f, "r") as h:
            d = h["frame"]
            if out is None:
                out = np.empty((len(files),) + d.shape, d.dtype)
            d.read_direct(out, dest_sel=np.s_[i])
    return out
a = load()
def times(fn):
    ts = []
    for _ in range(3):
        t = time.perf_counter(); fn(); ts.append((time.perf_counter() - t) * 1000)
    return ts
print(json.dumps({"fresh": times(load), "reused": times(lambda: load(a))}))
`,
        py,
      );
      samples.peerFresh.push(...peer.fresh);
      samples.peerReused.push(...peer.reused);
    };
    for (let r = 0; r < 3; r++) await round();
    const ours = median(samples.fresh);
    const oursReused = median(samples.reused);
    const mb = bytes / 1e6;
    const rate = (ms: number) => mb / (ms / 1000);
    if (!py) {
      console.log(
        `loadFrames ${T}x4 (${name}): ${mb.toFixed(0)} MB; fresh ${ours.toFixed(0)} ms = ${rate(ours).toFixed(0)} MB/s, reused buffer ${oursReused.toFixed(0)} ms = ${rate(oursReused).toFixed(0)} MB/s; h5py absent on this machine, no ratio`,
      );
      continue;
    }
    const peerFresh = median(samples.peerFresh);
    const peerReused = median(samples.peerReused);
    console.log(
      `loadFrames ${T}x4 (${name}), fresh result: ours ${ours.toFixed(0)} ms = ${rate(ours).toFixed(0)} MB/s, h5py ${peerFresh.toFixed(0)} ms = ${rate(peerFresh).toFixed(0)} MB/s; time ratio ours/h5py = ${(ours / peerFresh).toFixed(2)}x (goal <= 1.0x)`,
    );
    console.log(
      `loadFrames ${T}x4 (${name}), reused buffer (loadFrames into / read_direct into the same array): ours ${oursReused.toFixed(0)} ms = ${rate(oursReused).toFixed(0)} MB/s, h5py ${peerReused.toFixed(0)} ms = ${rate(peerReused).toFixed(0)} MB/s; time ratio ours/h5py = ${(oursReused / peerReused).toFixed(2)}x`,
    );
    console.log(
      `  samples (ms): ours fresh ${samples.fresh.map((x) => x.toFixed(0)).join(" ")} | h5py fresh ${samples.peerFresh.map((x) => x.toFixed(0)).join(" ")} | ours reused ${samples.reused.map((x) => x.toFixed(0)).join(" ")} | h5py reused ${samples.peerReused.map((x) => x.toFixed(0)).join(" ")}`,
    );
  }
  console.log(`peak RSS ${peakRssMiB().toFixed(0)} MiB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

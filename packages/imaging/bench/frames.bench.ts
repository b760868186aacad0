/**
 * Frame store benchmark (`pnpm bench frames`), on a generated HYPED-scale CZI: one scene of 6 x 5 overlapping
 * Gray16 tiles (600 x 642 px) stitching to 2826 x 3245 px, 4 channels, 10 time points.
 *
 * - conversion throughput (frames/s) with 1 and 2 worker threads (gzip level 1, the default);
 * - `loadFrames` of 10 frames x 4 channels in MB/s, against h5py (Debian python3-h5py) reading the same files
 *   into one numpy array, for gzip and for uncompressed frames, with a fresh result array per call and with
 *   one reused destination (`loadFrames({ into })` / `read_direct` into the same array), in turns (9 rounds):
 *   time ratio ours/h5py (< 1 means we are faster), goal <= 1.0x, in the run's verdict table. Fresh arrays
 *   cost both sides the kernel's page faults; numpy asks for transparent huge pages
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
import { inTurns, median, PythonPeer, peakRssMiB, type TurnRow, verdictTable } from "../../../scripts/bench-utils.js";
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

  // loadFrames of all T frames x 4 channels against h5py reading the same files into one numpy array, in turns
  // (one warm-up each, then rounds alternating who goes first: this machine's memory speed drifts by ±20% over
  // a minute). fresh: a new result array per call (a one-off load); reused: one destination buffer across calls
  // (a training loop's loader: `loadFrames({ into })` / `read_direct` into the same array), both sides alike.
  const variants = [
    ["gzip", outs[1] as string],
    ["none", plain],
  ] as const;
  const pySetup = `
import h5py, numpy as np, glob
FILES = {k: sorted(glob.glob(d + "/*.h5"))[:${T}] for k, d in ${JSON.stringify(Object.fromEntries(variants))}.items()}
def load(k, out=None):
    files = FILES[k]
    for i, f in enumerate(files):
        with h5py.File(f, "r") as h:
            d = h["frame"]
            if out is None:
                out = np.empty((len(files),) + d.shape, d.dtype)
            d.read_direct(out, dest_sel=np.s_[i])
    return out
A = {k: load(k) for k in FILES}
`;
  const peer = await PythonPeer.start(pySetup, "h5py", "numpy");
  if (!peer) console.log("h5py absent on this machine: our figures without ratios");
  const rows: TurnRow[] = [];
  let mb = 0;
  for (const [name, out] of variants) {
    const store = await openFrameStore(out, { readWorkers: Number(process.env.FRAMES_READ_WORKERS ?? 0) });
    const bytes = T * store.channels.length * store.height * store.width * 2; // uint16 frames
    mb = bytes / 1e6;
    const reuse = new Uint16Array(bytes / 2);
    const common = { peerName: "h5py", goal: 1, rounds: 9 };
    rows.push(
      {
        name: `loadFrames ${T}x4 (${name}), fresh result`,
        ours: () => store.loadFrames({ t: [0, T] }),
        peer: `load("${name}")`,
        ...common,
      },
      {
        name: `loadFrames ${T}x4 (${name}), reused buffer`,
        ours: () => store.loadFrames({ t: [0, T], into: reuse }),
        peer: `load("${name}", A["${name}"])`,
        ...common,
      },
    );
  }
  const results = await inTurns(rows, peer);
  peer?.close();
  verdictTable(results);
  const rate = (ms: number) => (mb / (ms / 1000)).toFixed(0);
  for (const r of results)
    console.log(
      `  ${r.name}: ours ${rate(median(r.ours))} MB/s${r.peer.length ? `, h5py ${rate(median(r.peer))} MB/s` : ""} (${mb.toFixed(0)} MB)`,
    );
  console.log(`peak RSS ${peakRssMiB().toFixed(0)} MiB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

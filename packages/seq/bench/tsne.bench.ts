/**
 * t-SNE benchmark (issue 25): `tsneEmbed` with the FFT-interpolated repulsion (`method: "fft"`, the default
 * from 50,000 cells) and with Barnes–Hut, against scikit-learn's Barnes–Hut `TSNE` on the same data, in turns, at 5,000 and 20,000
 * cells × 50 dimensions. Same settings on both sides, our defaults: perplexity 30, early exaggeration 12 for 250
 * iterations, learning rate 1000 (scanpy's), 1,000 iterations, PCA initialisation, θ = 0.5. openTSNE (the
 * FFT method's reference) is not installed on this machine (not packaged for Debian), so it is not a peer here.
 * Besides the times (wall and CPU, all threads), it prints each embedding's trustworthiness (k = 10; exact at
 * 5,000 cells, over 2,000 evenly spaced query cells at 20,000).
 * The data: a 50-D Gaussian mixture of 16 clusters × 3 sub-clusters with unequal spreads (a stand-in for 50 PCs
 * of a clustered scRNA-seq data set), made by an integer LCG.
 * Env: HYPED_TSNE_SIZES (default "5000,20000"), HYPED_BENCH_ROUNDS (default 3; one warm-up of each side comes
 * first; 0 = one timed call of each side and no warm-up, for a 20,000-cell run on a loaded machine, where one
 * call takes minutes and the warm-up of a minute-long call measures nothing), HYPED_TSNE_METHODS (default
 * "fft,barnes_hut"), HYPED_TSNE_PEER=0 to skip scikit-learn.
 * HYPED_TSNE_SEEDS="0,1,2" switches to the trustworthiness-over-seeds mode: no peer and no turns; each method
 * embeds each size once per seed from a seeded random start (`init: "random"`; the PCA start has no seed), on
 * the same kNN graph, and the mode prints each run's CPU and wall time and trustworthiness, then per size and
 * method the mean, standard deviation and min–max of the trustworthiness. HYPED_TSNE_FFT_GRID="p,w" (seeds mode)
 * gives `method: "fft"` p interpolation nodes per box and boxes of w units (`nInterpolationPoints`,
 * `intsInInterval`; default "3,1", openTSNE's) (at least 50 boxes per axis, as by default).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fromTyped, readNpy, writeNpy } from "@hyped/core";
import { knn, tsneEmbed } from "@hyped/seq";
import { inTurns, PythonPeer, peakRssMiB, type TurnResult, verdictTable } from "../../../scripts/bench-utils.js";
import { trustworthiness } from "../src/embed/trustworthiness.js";
import { mixture, TSNE_DIM } from "./tsne-data.js";

const sizes = (process.env.HYPED_TSNE_SIZES ?? "5000,20000").split(",").map(Number);
const methods = (process.env.HYPED_TSNE_METHODS ?? "fft,barnes_hut").split(",") as ("fft" | "barnes_hut")[];
const rounds = Number(process.env.HYPED_BENCH_ROUNDS ?? 3);
const dim = TSNE_DIM;

const all = mixture(Math.max(...sizes));
const dir = mkdtempSync(join(tmpdir(), "hyped-tsne-bench-"));
for (const n of sizes) writeFileSync(join(dir, `x${n}.npy`), writeNpy(fromTyped(all.slice(0, n * dim), [n, dim]) as never));
const peer =
  process.env.HYPED_TSNE_PEER === "0" || process.env.HYPED_TSNE_SEEDS
    ? undefined
    : await PythonPeer.start(
        `
import numpy as np
from sklearn.manifold import TSNE
d = ${JSON.stringify(dir)}
X = {n: np.load(f"{d}/x{n}.npy") for n in ${JSON.stringify(sizes)}}
def run(n):
    Y = TSNE(n_components=2, perplexity=30, early_exaggeration=12, learning_rate=1000, n_iter=1000, init="pca",
             method="barnes_hut", angle=0.5, random_state=0).fit_transform(X[n])
    np.save(f"{d}/y{n}.npy", Y)
`,
        "numpy",
        "sklearn",
      );

/** One timed call of ours, then of the peer (`HYPED_BENCH_ROUNDS=0`), as a one-sample {@link TurnResult}. */
async function once(name: string, ours: () => void, expr: string): Promise<TurnResult> {
  const c = process.cpuUsage();
  const s = performance.now();
  ours();
  const wall = performance.now() - s;
  const u = process.cpuUsage(c);
  const cpu = (u.user + u.system) / 1000;
  const p = peer ? await peer.timeCpu(expr) : undefined;
  const ratio = p ? wall / p.wall : undefined;
  const cpuRatio = p ? cpu / p.cpu : undefined;
  console.log(
    `${name}: one call, ours ${wall.toFixed(0)} ms wall / ${cpu.toFixed(0)} ms CPU${p ? `, sklearn TSNE ${p.wall.toFixed(0)} ms wall / ${p.cpu.toFixed(0)} ms CPU` : ", no peer"}`,
  );
  return {
    name,
    peerName: "sklearn TSNE",
    ours: [wall],
    peer: p ? [p.wall] : [],
    oursCpu: [cpu],
    peerCpu: p ? [p.cpu] : [],
    ratio,
    cpuRatio,
    goal: 1,
  };
}

const [gridP, gridW] = (process.env.HYPED_TSNE_FFT_GRID ?? "3,1").split(",").map(Number) as [number, number];
const fftGrid = { nInterpolationPoints: gridP, intsInInterval: gridW };

/** Trustworthiness over seeded random starts, per size and method (HYPED_TSNE_SEEDS). */
function seedsMode(seeds: number[]): void {
  const rows: string[] = [];
  for (const n of sizes) {
    const X = all.subarray(0, n * dim);
    const queries = n <= 5000 ? undefined : Int32Array.from({ length: 2000 }, (_, t) => Math.floor((t * n) / 2000));
    const nn = knn(X, n, dim, 91);
    for (const method of methods) {
      const tws: number[] = [];
      for (const seed of seeds) {
        const c = process.cpuUsage();
        const s = performance.now();
        const Y = tsneEmbed(X, n, dim, { method, init: "random", seed, knn: nn, ...fftGrid });
        const wall = performance.now() - s;
        const u = process.cpuUsage(c);
        const t = trustworthiness(X, Y, n, dim, 2, 10, queries);
        tws.push(t);
        console.log(
          `${n} cells, ${method}, seed ${seed}: ${((u.user + u.system) / 1e6).toFixed(1)} s CPU, ${(wall / 1000).toFixed(1)} s wall, trustworthiness ${t.toFixed(4)}, load ${loadavg()[0]!.toFixed(1)}`,
        );
      }
      const mean = tws.reduce((a, b) => a + b, 0) / tws.length;
      const sd = Math.sqrt(tws.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, tws.length - 1));
      rows.push(
        `| ${n} | ${method} | ${seeds.length} | ${mean.toFixed(4)} | ${sd.toFixed(4)} | ${Math.min(...tws).toFixed(4)}–${Math.max(...tws).toFixed(4)} |`,
      );
    }
  }
  console.log(`\n| cells | method | seeds | trustworthiness mean | sd | min–max |\n|---|---|---|---|---|---|\n${rows.join("\n")}`);
}

if (process.env.HYPED_TSNE_SEEDS) {
  try {
    seedsMode(process.env.HYPED_TSNE_SEEDS.split(",").map(Number));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

const results: TurnResult[] = [];
const trust: string[] = [];
try {
  for (const n of sizes) {
    const X = all.subarray(0, n * dim);
    const queries = n <= 5000 ? undefined : Int32Array.from({ length: 2000 }, (_, t) => Math.floor((t * n) / 2000));
    const tw = (Y: Float64Array) => trustworthiness(X, Y, n, dim, 2, 10, queries);
    for (const method of methods) {
      let last: Float64Array | undefined;
      const row = {
        name: `t-SNE ${n} cells, ${method}`,
        ours: () => {
          last = tsneEmbed(X, n, dim, { method });
        },
        peer: `run(${n})`,
        peerName: "sklearn TSNE",
        rounds,
      };
      results.push(rounds > 0 ? ((await inTurns([row], peer))[0] as TurnResult) : await once(row.name, row.ours, row.peer));
      trust.push(`| ${n} | ours ${method} | ${tw(last as Float64Array).toFixed(4)} |`);
    }
    if (peer) {
      const Y = readNpy(readFileSync(join(dir, `y${n}.npy`))).data as Float64Array;
      trust.push(`| ${n} | sklearn TSNE (barnes_hut) | ${tw(Float64Array.from(Y)).toFixed(4)} |`);
    }
  }
} finally {
  peer?.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  `\nload average ${loadavg()
    .map((v) => v.toFixed(1))
    .join(" ")} on ${cpus().length} cores; peak RSS ${peakRssMiB().toFixed(0)} MiB`,
);
verdictTable(results);
console.log(`\n| cells | embedding | trustworthiness (k = 10) |\n|---|---|---|\n${trust.join("\n")}`);

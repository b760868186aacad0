/**
 * One-off diagnostic (issue 25, not a `*.bench.ts`): trustworthiness (k = 10, exact) of t-SNE with exact
 * gradients (`theta: 0`), Barnes–Hut (θ = 0.5) and FFT at a small n (N, default 2,500) of the bench's mixture, from
 * seeded random starts 0, 1, 2 on one kNN graph, with the CPU time per run. RUNS picks the methods.
 * `N=2500 node --conditions=@hyped/source --import tsx packages/seq/bench/tsne-exact.ts`; results in
 * packages/seq/docs/scanpy.md ("Why FFT loses trustworthiness").
 */
import { loadavg } from "node:os";
import { trustworthiness } from "../src/embed/trustworthiness.js";
import { knn, tsneEmbed } from "../src/index.js";
import { mixture, TSNE_DIM } from "./tsne-data.js";

const dim = TSNE_DIM;
const n = Number(process.env.N ?? 2500);
const X = mixture(20000).subarray(0, n * dim);
const nn = knn(X, n, dim, 91);
const runs = (process.env.RUNS ?? "exact,bh,fft").split(",");
for (const name of runs) {
  const tw: number[] = [];
  const cpu: number[] = [];
  for (const seed of [0, 1, 2]) {
    const c = process.cpuUsage();
    const opts =
      name === "exact"
        ? { method: "barnes_hut" as const, theta: 0 }
        : name === "bh"
          ? { method: "barnes_hut" as const }
          : { method: "fft" as const };
    const Y = tsneEmbed(X, n, dim, { ...opts, init: "random", seed, knn: nn });
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1e6);
    tw.push(trustworthiness(X, Y, n, dim, 2, 10));
  }
  const mean = tw.reduce((a, b) => a + b, 0) / 3;
  console.log(
    `${n} ${name}: trustworthiness ${tw.map((t) => t.toFixed(5)).join(", ")} mean ${mean.toFixed(5)}; CPU s ${cpu.map((t) => t.toFixed(1)).join(", ")}; load ${loadavg()[0]!.toFixed(1)}`,
  );
}

/**
 * One-off diagnostic (issue 25, not a `*.bench.ts`): per-point relative error of the repulsive forces and of Z
 * of Barnes–Hut (θ = 0.5) and of FFT grid variants against the exact O(n²) sums, on the final layout of a t-SNE
 * run of the bench's mixture (N cells, default 20,000; SRC = "fft" or "barnes_hut" makes it, seed 0, random start,
 * cached in /tmp/hyped-tsne-forces-*.bin), plus the interpolated self-interaction that Z subtracts.
 * `N=20000 node --conditions=@hyped/source --import tsx packages/seq/bench/tsne-forces.ts`; results in
 * packages/seq/docs/scanpy.md ("Why FFT loses trustworthiness").
 */

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { repulsion } from "../src/embed/tsne.js";
import { FftRepulsion } from "../src/embed/tsne-fft.js";
import { knn, tsneEmbed } from "../src/index.js";
import { mixture, TSNE_DIM } from "./tsne-data.js";

const dim = TSNE_DIM;
const n = Number(process.env.N ?? 20000);
const src = process.env.SRC ?? "fft";
const file = join(tmpdir(), `hyped-tsne-forces-${n}-${src}.bin`);
let Y: Float64Array;
if (existsSync(file)) Y = new Float64Array(readFileSync(file).buffer.slice(0));
else {
  const X = mixture(20000).subarray(0, n * dim);
  const nn = knn(X, n, dim, 91);
  Y = tsneEmbed(X, n, dim, { method: src as "fft", init: "random", seed: 0, knn: nn });
  writeFileSync(file, Buffer.from(Y.buffer));
}
let lo = Infinity,
  hi = -Infinity;
for (const v of Y) {
  lo = Math.min(lo, v);
  hi = Math.max(hi, v);
}
console.log(`n ${n}, embedding from ${src}, span ${(hi - lo).toFixed(1)}, load ${loadavg()[0]!.toFixed(1)}`);
// exact
const fe = new Float64Array(2 * n);
let ze = 0;
for (let i = 0; i < n; i++) {
  const xi = Y[2 * i]!,
    yi = Y[2 * i + 1]!;
  let fx = 0,
    fy = 0,
    zz = 0;
  for (let j = 0; j < n; j++) {
    if (j === i) continue;
    const dx = xi - Y[2 * j]!,
      dy = yi - Y[2 * j + 1]!;
    const q = 1 / (1 + dx * dx + dy * dy);
    zz += q;
    fx += q * q * dx;
    fy += q * q * dy;
  }
  fe[2 * i] = fx;
  fe[2 * i + 1] = fy;
  ze += zz;
}
// gradient-relevant: force / Z; report error of F/Z per point relative to |F_exact/Z_exact|
function report(name: string, f: Float64Array, z: number, ms: number) {
  const rel: number[] = [];
  const relN: number[] = [];
  for (let i = 0; i < n; i++) {
    const ex = fe[2 * i]!,
      ey = fe[2 * i + 1]!;
    const m = Math.hypot(ex, ey);
    rel.push(Math.hypot(f[2 * i]! - ex, f[2 * i + 1]! - ey) / m);
    relN.push((Math.hypot(f[2 * i]! / z - ex / ze, f[2 * i + 1]! / z - ey / ze) / m) * ze);
  }
  rel.sort((a, b) => a - b);
  relN.sort((a, b) => a - b);
  const q = (a: number[], p: number) => a[Math.min(a.length - 1, Math.floor(p * a.length))]!;
  console.log(
    `| ${name} | ${(q(rel, 0.5) * 100).toFixed(2)}% | ${(q(rel, 0.99) * 100).toFixed(2)}% | ${(q(relN, 0.5) * 100).toFixed(2)}% | ${(q(relN, 0.99) * 100).toFixed(2)}% | ${((z / ze - 1) * 100).toFixed(4)}% | ${ms.toFixed(0)} ms |`,
  );
}
console.log("| method | force err median | p99 | F/Z err median | p99 | Z err | time/call |\n|---|---|---|---|---|---|---|");
const out = new Float64Array(2 * n);
{
  const r = repulsion("barnes_hut", n, 0.5, {});
  let z = r(Y, out);
  const s = performance.now();
  z = r(Y, out);
  report("BH θ=0.5", out, z, performance.now() - s);
}
const variants: [string, number, number][] = [
  ["FFT p3 box 1 (default)", 3, 1],
  ["FFT p4 box 4/3 (same nodes)", 4, 4 / 3],
  ["FFT p5 box 5/3 (same nodes)", 5, 5 / 3],
  ["FFT p3 box 0.75", 3, 0.75],
  ["FFT p3 box 0.5", 3, 0.5],
  ["FFT p4 box 1", 4, 1],
  ["FFT p5 box 1", 5, 1],
];
for (const [name, p, unit] of variants) {
  const fr = new FftRepulsion(n, { nInterpolationPoints: p, intsInInterval: unit });
  let z = fr.repulse(Y, n, out);
  const s = performance.now();
  z = fr.repulse(Y, n, out);
  const ms = performance.now() - s;
  report(`${name}, M ${fr.lastFftSize}`, out, z, ms);
  // interpolated self-interaction Σᵢ Σ_ab w_a w_b K1(node_a − node_b) against the n that Z subtracts
  const a = fr as unknown as { wx: Float64Array; wy: Float64Array };
  const h = (fr as unknown as { kH: number }).kH;
  let self = 0;
  for (let i = 0; i < n; i++)
    for (let r = 0; r < p; r++)
      for (let c = 0; c < p; c++)
        for (let r2 = 0; r2 < p; r2++)
          for (let c2 = 0; c2 < p; c2++)
            self +=
              (a.wy[i * p + r]! * a.wx[i * p + c]! * a.wy[i * p + r2]! * a.wx[i * p + c2]!) / (1 + h * h * ((r - r2) ** 2 + (c - c2) ** 2));
  console.log(
    `|   self-term Σ/n − 1 = ${((self / n - 1) * 100).toFixed(3)}%, as share of Z ${(((self - n) / ze) * 100).toFixed(4)}% (Z exact ${ze.toExponential(4)}) |`,
  );
}

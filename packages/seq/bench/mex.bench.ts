/**
 * MEX read benchmark: a 20,000-cell x 36,000-gene gzip MEX with ~60M nonzeros (made once into
 * .cache/bench/mex-20k), read by `readMex` and by scipy's `mmread` (Debian python3-scipy) in the same run.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { SparseMatrix } from "@hyped/core";
import { readMex, writeMex } from "@hyped/seq/mex";
import { peakRssMiB, pythonWith, report, runPython } from "../../../scripts/bench-utils.js";

const dir = join(".cache", "bench", "mex-20k");
const nCells = 20_000;
const nGenes = 36_000;
let generated = false;
if (!existsSync(join(dir, "matrix.mtx.gz"))) {
  generated = true;
  console.log("generating the 20,000 x 36,000 MEX (once) ...");
  // ~8.3% density: each cell gets 3,000 genes from a deterministic LCG walk
  const perCell = 3000;
  const indptr = new Int32Array(nCells + 1);
  const indices = new Int32Array(nCells * perCell);
  const data = new Float32Array(nCells * perCell);
  let s = 12345;
  for (let i = 0; i < nCells; i++) {
    let j = 0;
    for (let k = 0; k < perCell; k++) {
      s = (s * 1103515245 + 12345) >>> 0;
      j += 1 + (s % 23);
      if (j >= nGenes) j = nGenes - perCell + k;
      indices[i * perCell + k] = j;
      data[i * perCell + k] = 1 + ((s >>> 24) % 9);
    }
    indptr[i + 1] = (i + 1) * perCell;
  }
  const X: SparseMatrix = { format: "csr", shape: [nCells, nGenes], data, indices, indptr };
  await writeMex(dir, {
    X,
    barcodes: Array.from({ length: nCells }, (_, i) => `CELL${i}-1`),
    featureIds: Array.from({ length: nGenes }, (_, j) => `ENSG${String(j).padStart(11, "0")}`),
    featureNames: Array.from({ length: nGenes }, (_, j) => `G${j}`),
  });
}
// the floor: inflating the gzip alone with node:zlib (what readMex overlaps its parsing with)
{
  const { createReadStream } = await import("node:fs");
  const { createGunzip } = await import("node:zlib");
  const t = performance.now();
  const c = process.cpuUsage();
  let bytes = 0;
  for await (const ch of createReadStream(join(dir, "matrix.mtx.gz"), { highWaterMark: 1 << 20 }).pipe(
    createGunzip({ chunkSize: 1 << 20 }),
  ))
    bytes += (ch as Buffer).length;
  const cpu = process.cpuUsage(c);
  console.log(
    `gunzip alone (node:zlib): ${(bytes / 2 ** 20).toFixed(0)} MiB of text in ${((performance.now() - t) / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU`,
  );
}
const rssBefore = peakRssMiB();
const c0 = process.cpuUsage();
const t0 = performance.now();
const a = await readMex(dir);
const ours = performance.now() - t0;
const cpu = process.cpuUsage(c0);
const X = a.X as SparseMatrix;
const nnz = X.data.length;
const csrMiB = (X.data.byteLength + X.indices.byteLength + X.indptr.byteLength) / 2 ** 20;
console.log(
  `readMex: ${a.nObs} x ${a.nVars}, ${nnz} nonzeros in ${(ours / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU (user+system, all threads); target < 30 s`,
);
console.log(
  `  peak RSS ${peakRssMiB().toFixed(0)} MiB (before the read ${rssBefore.toFixed(0)} MiB${generated ? ", includes generating the data" : ""}); the CSR itself ${csrMiB.toFixed(0)} MiB`,
);
let total = 0;
for (let k = 0; k < nnz; k++) total += X.data[k] as number;
const py = pythonWith("scipy.io");
let peer: number | undefined;
if (py) {
  const r = runPython<{ ms: number; cpu: number; nnz: number; sum: number; rss: number }>(`
import time, json, resource, scipy.io
t=time.perf_counter(); c=time.process_time()
m=scipy.io.mmread(${JSON.stringify(join(dir, "matrix.mtx.gz"))}).T.tocsr()
dt=time.perf_counter()-t; dc=time.process_time()-c
print(json.dumps({"ms": dt*1000, "cpu": dc*1000, "nnz": int(m.nnz), "sum": float(m.data.sum(dtype="float64")), "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024}))`);
  peer = r.ms;
  console.log(
    `scipy mmread(...).T.tocsr(): ${r.nnz} nonzeros in ${(r.ms / 1000).toFixed(1)} s wall, ${(r.cpu / 1000).toFixed(1)} s CPU; peak RSS ${r.rss.toFixed(0)} MiB`,
  );
  console.log(
    r.nnz === nnz && r.sum === total
      ? `  same matrix: ${nnz} nonzeros summing to ${total} in both`
      : `  NOTE: results differ (ours ${nnz} nonzeros, sum ${total}; scipy ${r.nnz}, sum ${r.sum})`,
  );
}
report("MEX 20k x 36k read (wall)", ours, peer, "scipy.io.mmread");

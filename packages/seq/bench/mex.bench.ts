/**
 * MEX read benchmark: a 20,000-cell x 36,000-gene gzip MEX with ~60M nonzeros (made once into
 * .cache/bench/mex-20k), read by `readMex` and by scipy's `mmread` (Debian python3-scipy) in the same run.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { SparseMatrix } from "@hyped/core";
import { peakRssMiB, pythonWith, report, runPython } from "../../../scripts/bench-utils.js";
import { readMex, writeMex } from "../src/mex/index.js";

const dir = join(".cache", "bench", "mex-20k");
const nCells = 20_000;
const nGenes = 36_000;
if (!existsSync(join(dir, "matrix.mtx.gz"))) {
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
const t0 = performance.now();
const a = await readMex(dir);
const ours = performance.now() - t0;
const nnz = (a.X as SparseMatrix).data.length;
console.log(
  `readMex: ${a.nObs} x ${a.nVars}, ${nnz} nonzeros in ${(ours / 1000).toFixed(1)} s; peak RSS ${peakRssMiB().toFixed(0)} MiB (CSR in memory ${((nnz * 8 + (a.nObs + 1) * 4) / 2 ** 20).toFixed(0)} MiB); target < 30 s`,
);
const py = pythonWith("scipy.io");
let peer: number | undefined;
if (py) {
  const r = runPython(`
import time, json, scipy.io
t=time.perf_counter(); m=scipy.io.mmread(${JSON.stringify(join(dir, "matrix.mtx.gz"))}).T.tocsr(); dt=time.perf_counter()-t
print(json.dumps({"ms": dt*1000, "nnz": int(m.nnz)}))`);
  peer = r.ms;
}
report("MEX 20k x 36k read", ours, peer, "scipy.io.mmread");

/**
 * MEX read benchmark: a 20,000-cell x 36,000-gene gzip MEX with ~60M nonzeros (made once into
 * .cache/bench/mex-20k), read by `readMex` and by scipy's `mmread(...).T.tocsr()` (Debian python3-scipy) in
 * the same run: a long-lived Python peer takes turns with ours (medians of 3 rounds, wall and CPU). Target < 30 s;
 * goal (issue #25) ours/peer <= 1.0x; a verdict table closes the run.
 */
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import type { SparseMatrix } from "@hyped/core";
import { readMex, writeMex } from "@hyped/seq/mex";
import { inTurns, median, PythonPeer, peakRssMiB, verdictTable } from "../../../scripts/bench-utils.js";

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
// one read first: its matrix is checked by the peer's setup (nonzeros and their sum)
const a = await readMex(dir);
const X = a.X as SparseMatrix;
const nnz = X.data.length;
const csrMiB = (X.data.byteLength + X.indices.byteLength + X.indptr.byteLength) / 2 ** 20;
console.log(`readMex: ${a.nObs} x ${a.nVars}, ${nnz} nonzeros`);
console.log(
  `  peak RSS ${peakRssMiB().toFixed(0)} MiB after one read (before the read ${rssBefore.toFixed(0)} MiB${generated ? ", includes generating the data" : ""}); the CSR itself ${csrMiB.toFixed(0)} MiB`,
);
let total = 0;
for (let k = 0; k < nnz; k++) total += X.data[k] as number;
const mtx = join(dir, "matrix.mtx.gz");
const pySetup = `
import sys, scipy.io
def read():
    return scipy.io.mmread(${JSON.stringify(mtx)}).T.tocsr()
m = read()
nnz, total = int(m.nnz), float(m.data.sum(dtype="float64"))
del m
sys.stderr.write(("  same matrix: %d nonzeros summing to %r in both\\n" % (nnz, total)) if (nnz, total) == (${nnz}, ${total}) else ("  NOTE: results differ (ours ${nnz} nonzeros, sum ${total}; scipy %d, sum %r)\\n" % (nnz, total)))
`;
const peer = await PythonPeer.start(pySetup, "scipy.io");
const results = await inTurns(
  [
    {
      name: `readMex ${nCells / 1000}k x ${nGenes / 1000}k gzip, ${(nnz / 1e6).toFixed(0)}M nonzeros`,
      ours: () => readMex(dir),
      peer: "read()",
      peerName: "scipy.io.mmread(...).T.tocsr()",
      rounds: 3,
    },
  ],
  peer,
);
peer?.close();
const r = results[0];
if (r)
  console.log(
    `target < 30 s: wall ${median(r.ours) < 30_000 ? "PASS" : "FAIL"} (${(median(r.ours) / 1000).toFixed(1)} s), CPU ${median(r.oursCpu) < 30_000 ? "PASS" : "FAIL"} (${(median(r.oursCpu) / 1000).toFixed(1)} s, user+system, all threads)`,
  );
verdictTable(results);
console.log(`\npeak RSS ${peakRssMiB().toFixed(0)} MiB (this process)`);
console.log(
  `load average ${loadavg()
    .map((v) => v.toFixed(1))
    .join(" ")} on ${availableParallelism()} cores`,
);

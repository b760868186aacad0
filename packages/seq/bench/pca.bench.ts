/**
 * PCA of 20,000 cells × 2,000 highly variable genes, 50 components (issue #25's row), in turns with a long-lived
 * Python peer doing what scanpy ≥ 1.9 does for sparse input with its default `svd_solver="arpack"`
 * (`_pca_with_sparse`): scipy's `svds` (ARPACK, tol=0) on the implicitly centred `LinearOperator`, `svd_flip`,
 * scores U·S, variances S²/(n − 1) and their ratio. scanpy itself is not packaged for Debian, so the peer is that
 * method written with numpy/scipy.
 *
 * The input is the preprocessing bench's matrix (normalizeTotal + log1p of generated 20,000 × 36,000 counts),
 * restricted to its 2,000 seurat highly variable genes; preparing it is not timed. Both sides get the same CSR.
 * Rows: `pca` (our default, Lanczos), and with HYPED_BENCH_PCA_EXACT=1 also the exact covariance solver
 * (`solver: "gram"`, the previous default) for a before/after figure.
 * HYPED_BENCH_CELLS / HYPED_BENCH_GENES change the size, HYPED_BENCH_ROUNDS the rounds (default 5).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fromTyped, readNpy, type SparseMatrix, writeNpy } from "@hyped/core";
import { AnnData, highlyVariableGenes, log1p, normalizeTotal, pcaMatrix } from "@hyped/seq";
import { inTurns, PythonPeer, peakRssMiB, type TurnRow, verdictTable } from "../../../scripts/bench-utils.js";
import { lcgCounts } from "../src/preprocess/synthetic.js";

const nCells = Number(process.env.HYPED_BENCH_CELLS ?? 20000);
const nGenes = Number(process.env.HYPED_BENCH_GENES ?? 36000);
const rounds = Number(process.env.HYPED_BENCH_ROUNDS ?? 5);
const nComps = 50;

console.log(`preparing ${nCells} × ${nGenes} counts → normalizeTotal + log1p → 2,000 HVG (not timed)…`);
const { X: counts } = lcgCounts({ nCells, nGenes, nGroups: 4, seed: 1, dropoutBase: 75 });
const adata = new AnnData({ X: counts });
normalizeTotal(adata);
log1p(adata);
highlyVariableGenes(adata, { flavor: "seurat", nTopGenes: 2000 });
const hv = adata.var.get("highly_variable").toFloat64();
const genes = Int32Array.from(hv.keys()).filter((j) => hv[j] === 1);
const X = adata.varSubset(genes).X as SparseMatrix;
const nnz = X.data.length;
console.log(`  ${X.shape[0]} × ${X.shape[1]}, ${nnz} stored values (${((100 * nnz) / (X.shape[0] * X.shape[1])).toFixed(1)}% dense)`);

const dir = mkdtempSync(join(tmpdir(), "hyped-pca-bench-"));
const save = (name: string, a: Float64Array | Int32Array) => writeFileSync(join(dir, name), writeNpy(fromTyped(a) as never));
save("data.npy", Float64Array.from(X.data as ArrayLike<number>));
save("indices.npy", Int32Array.from(X.indices as ArrayLike<number>));
save("indptr.npy", Float64Array.from(X.indptr as ArrayLike<number>));

const peer = await PythonPeer.start(
  `
import numpy as np, scipy.sparse as sp
from scipy.sparse.linalg import svds, LinearOperator
d = ${JSON.stringify(dir)}
X = sp.csr_matrix((np.load(d + "/data.npy"), np.load(d + "/indices.npy"), np.load(d + "/indptr.npy").astype(np.int64)), shape=(${X.shape[0]}, ${X.shape[1]}))
out = {}
def pca_arpack(X=X, k=${nComps}):
    # scanpy's _pca_with_sparse (1.9+): implicit centring, ARPACK via svds, svd_flip, scores U·S
    n = X.shape[0]
    mu = np.asarray(X.mean(0)).ravel()
    ones = np.ones(n, dtype=X.dtype)
    mdot = mu.dot
    op = LinearOperator(X.shape, matvec=lambda v: X.dot(v) - ones * mdot(v), rmatvec=lambda v: X.T.dot(v) - mu * v.sum(),
                        matmat=lambda V: X.dot(V) - ones[:, None] * mdot(V)[None, :], rmatmat=lambda V: X.T.dot(V) - mu[:, None] * V.sum(0)[None, :],
                        dtype=X.dtype)
    u, s, vt = svds(op, k=k, solver="arpack", random_state=np.random.RandomState(0), tol=0)
    max_abs = np.argmax(np.abs(vt), axis=1); signs = np.sign(vt[np.arange(vt.shape[0]), max_abs]); u *= signs; vt *= signs[:, None]
    idx = np.argsort(-s)
    scores = (u * s)[:, idx]
    ev = s[idx] ** 2 / (n - 1)
    Xsq = X.multiply(X); total = (np.asarray(Xsq.mean(0)).ravel() - mu ** 2).sum() * n / (n - 1)
    out["s"] = s[idx]; out["vt"] = vt[idx]; out["ev"] = ev; out["ratio"] = ev / total
    return scores
def save_result():
    np.save(d + "/peer_vt.npy", out["vt"]); np.save(d + "/peer_ev.npy", out["ev"])
`,
  "numpy",
  "scipy",
);

let last = pcaMatrix(X, { nComps });
const rows: TurnRow[] = [
  {
    name: `pca ${X.shape[0]} × ${X.shape[1]}, ${nComps} comps`,
    ours: () => {
      last = pcaMatrix(X, { nComps });
    },
    peer: "pca_arpack()",
    peerName: "scipy svds (ARPACK) as scanpy",
    rounds,
  },
];
if (process.env.HYPED_BENCH_PCA_EXACT === "1")
  rows.push({
    name: "pca, exact covariance solver (previous default)",
    ours: () => pcaMatrix(X, { nComps, solver: "gram" }),
    peer: "pca_arpack()",
    peerName: "scipy svds (ARPACK) as scanpy",
    rounds: 3,
  });
const results = await inTurns(rows, peer);

if (peer) {
  // accuracy against the peer: per-component |cos| (signs are both svd_flip's) and explained variance
  await peer.time("save_result()");
  const vt = (readNpy(new Uint8Array(readFileSync(join(dir, "peer_vt.npy")))) as { data: Float64Array }).data;
  const ev = (readNpy(new Uint8Array(readFileSync(join(dir, "peer_ev.npy")))) as { data: Float64Array }).data;
  const d = X.shape[1];
  let worstCos = 0;
  let worstVar = 0;
  let worstLoad = 0;
  for (let c = 0; c < nComps; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      s += (last.components[c * d + j] as number) * (vt[c * d + j] as number);
      worstLoad = Math.max(worstLoad, Math.abs((last.components[c * d + j] as number) - (vt[c * d + j] as number)));
    }
    worstCos = Math.max(worstCos, 1 - Math.abs(s));
    worstVar = Math.max(worstVar, Math.abs((last.variance[c] as number) - (ev[c] as number)) / (ev[c] as number));
  }
  console.log(
    `accuracy vs the peer: max 1 − |cos| ${worstCos.toExponential(2)}, max |loading difference| ${worstLoad.toExponential(2)}, max relative variance difference ${worstVar.toExponential(2)}`,
  );
}
peer?.close();
rmSync(dir, { recursive: true, force: true });
verdictTable(results);
console.log(
  `peak RSS ${peakRssMiB().toFixed(0)} MiB; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ")} on ${cpus().length} cores; ${new Date().toISOString()}`,
);

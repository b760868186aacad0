/**
 * Table 3 evaluation benchmark: 20,000 cells × 36,000 genes (CSR, 2,500 nonzeros per cell), conditions
 * control / MYOD1 / PRRX1 / MYOD1+PRRX1 × phases G1 / S / G2M. Ours: fit the linear baseline on the singles and
 * `evaluatePerturbation` (all genes + top-20 DE, every metric) per condition × phase. Peer, same data in the same run:
 * numpy/scipy computing the same pseudobulks and the cosine / MSE / MAE / Pearson / Pearson-delta per row
 * (the core of GEARS's and cell-eval's evaluation). The two take turns (a long-lived Python peer), medians
 * with min–max and the time ratio ours/peer are printed, then a verdict against the goal (<= 1.0x).
 */
import { cpus, loadavg } from "node:os";
import type { SparseMatrix } from "@hyped/core";
import { AnnData, categoricalFrom, DataFrame, evaluatePerturbation, LinearModel, trainingDataFromAnnData } from "@hyped/seq";
import { inTurns, PythonPeer, peakRssMiB, verdictTable } from "../../../scripts/bench-utils.js";

const nCells = 20_000;
const nGenes = 36_000;
const perCell = 2_500;
const conds = ["control", "MYOD1", "PRRX1", "MYOD1+PRRX1"];
const phases = ["G1", "S", "G2M"];
const genes = Array.from({ length: nGenes }, (_, j) => (j === 0 ? "MYOD1" : j === 1 ? "PRRX1" : `G${j}`));
const indptr = new Int32Array(nCells + 1);
const indices = new Int32Array(nCells * perCell);
const data = new Float32Array(nCells * perCell);
for (let i = 0; i < nCells; i++) {
  const cols = new Int32Array(perCell);
  for (let t = 0; t < perCell; t++) cols[t] = (i * 7919 + t * 104729) % nGenes;
  cols.sort();
  for (let t = 0; t < perCell; t++) {
    const j = cols[t] as number;
    indices[i * perCell + t] = j;
    data[i * perCell + t] =
      ((i * 31 + j * 17) % 50) / 10 + (j < 200 && i % 4 === 1 ? 1 : 0) + (j >= 100 && j < 300 && i % 4 === 2 ? -0.5 : 0);
  }
  indptr[i + 1] = (i + 1) * perCell;
}
const X: SparseMatrix = { format: "csr", shape: [nCells, nGenes], data, indices, indptr };
const cond = Array.from({ length: nCells }, (_, i) => conds[i % 4] as string);
const phase = Array.from({ length: nCells }, (_, i) => phases[Math.floor(i / 4) % 3] as string);
const adata = new AnnData({
  X,
  obs: new DataFrame(
    cond.map((_, i) => `c${i}`),
    { assigned_condition: categoricalFrom(cond), phase: categoricalFrom(phase) },
  ),
  varNames: genes,
});
async function runOurs() {
  const model = new LinearModel();
  model.fit(trainingDataFromAnnData(adata, { conditionColumn: "assigned_condition", control: "control", train: ["MYOD1", "PRRX1"] }));
  return evaluatePerturbation(adata, model, { conditionColumn: "assigned_condition", control: "control", groupBy: "phase" });
}
const c0 = process.cpuUsage();
const rows = await runOurs();
const cpu = process.cpuUsage(c0).user / 1000;
const r0 = rows.find((r) => r.condition === "MYOD1+PRRX1" && r.group === "all");
console.log(
  `linear fit + evaluatePerturbation: ${rows.length} rows over ${nCells} × ${nGenes}, first run ${(cpu / 1000).toFixed(2)} s CPU (load ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores); MYOD1+PRRX1/all cosine ${r0?.cosine.toFixed(6)} pearsonDelta ${r0?.pearsonDelta.toFixed(6)}`,
);
const peer = await PythonPeer.start(
  `
import numpy as np, scipy.sparse as sp
from scipy.stats import pearsonr
nC, nG, per = ${nCells}, ${nGenes}, ${perCell}
i = np.repeat(np.arange(nC, dtype=np.int64), per)
t = np.tile(np.arange(per, dtype=np.int64), nC)
j = (i * 7919 + t * 104729) % nG
v = ((i * 31 + j * 17) % 50) / 10 + np.where((j < 200) & (i % 4 == 1), 1, 0) + np.where((j >= 100) & (j < 300) & (i % 4 == 2), -0.5, 0)
X = sp.csr_matrix((v.astype(np.float32), (i, j)), shape=(nC, nG))
del i, t, j, v
conds = np.array(["control", "MYOD1", "PRRX1", "MYOD1+PRRX1"])[np.arange(nC) % 4]
phase = np.array(["G1", "S", "G2M"])[(np.arange(nC) // 4) % 3]
def evaluate():
    mean = lambda m: np.asarray(X[m].mean(axis=0), dtype=np.float64).ravel()
    Y = np.stack([mean(conds == "MYOD1"), mean(conds == "PRRX1")], axis=1)
    b = Y.mean(axis=1); Z = Y - Y.mean(axis=0)
    U, S, Vt = np.linalg.svd(Z, full_matrices=False); G = Z @ Vt.T
    P = G[[0, 1]]; I = np.eye(G.shape[1]) * 0.1
    W = np.linalg.solve(G.T @ G + I, G.T) @ (Y - b[:, None]) @ P @ np.linalg.inv(P.T @ P + I)
    res = {}
    for grp in ["G1", "S", "G2M", "all"]:
        sel = np.ones(nC, bool) if grp == "all" else phase == grp
        ctrl = mean(sel & (conds == "control"))
        for c in ["MYOD1", "PRRX1", "MYOD1+PRRX1"]:
            obs = mean(sel & (conds == c))
            p = G @ W @ sum(G[{"MYOD1": 0, "PRRX1": 1}[g]] for g in c.split("+")) + b
            res[c + "|" + grp] = [float(p @ obs / np.linalg.norm(p) / np.linalg.norm(obs)), float(((p - obs) ** 2).mean()), float(np.abs(p - obs).mean()), float(pearsonr(p, obs)[0]), float(pearsonr(p - ctrl, obs - ctrl)[0])]
    return res
chk = evaluate()["MYOD1+PRRX1|all"]
print("numpy/scipy peer: MYOD1+PRRX1/all cosine %.6f pearsonDelta %.6f" % (chk[0], chk[4]), file=__import__("sys").stderr)
`,
  "numpy",
  "scipy.sparse",
  "scipy.stats",
);
const results = await inTurns(
  [
    {
      name: "Table 3 evaluation, 20k cells (linear fit + every metric)",
      ours: runOurs,
      peer: "evaluate()",
      peerName: "numpy/scipy",
      rounds: 3,
    },
  ],
  peer,
);
peer?.close();
verdictTable(results);
console.log(
  `peak RSS ${peakRssMiB().toFixed(0)} MiB; load average ${loadavg()
    .map((v) => v.toFixed(1))
    .join(" ")}`,
);

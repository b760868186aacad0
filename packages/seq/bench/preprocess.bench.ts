/**
 * Sparse preprocessing chain on a generated 20,000 × 36,000 CSR count matrix (integer LCG, 4 groups, 42.8 M
 * stored values), issue 25's row "normalize_total + log1p + HVG": each step alone and the chain
 * normalizeTotal → log1p → highlyVariableGenes(seurat, 2,000 genes), for float32 counts (what h5ad files
 * usually hold; scanpy keeps float32) and float64 counts.
 *
 * Ours goes through the public API (`@hyped/seq`), in place as scanpy (`copy=False`). The peer is a long-lived
 * Python process doing scanpy 1.11's method with numpy/scipy/pandas (scanpy itself is not packaged for
 * Debian): `normalize_total` = row totals accumulated in float64 and stored in X's dtype, median target,
 * `X.data = X.data / np.repeat(factor, nnz per row)`; `log1p` = `np.log1p(X.data, out=X.data)`; HVG seurat =
 * `X.expm1()`, column sums of the values and their squares (scipy's `sum(0)`), `Σx²/n − mean²` (ddof 1),
 * `pandas.cut` into 20 bins, per-bin mean/std, the n-top cut. Before each timed call both sides restore their
 * input from an untimed pristine copy, so every round does the same work.
 *
 * Rounds in turns (`HYPED_BENCH_ROUNDS`, default 5), medians with min–max of wall and CPU time, ours/peer,
 * and a closing verdict table (goal <= 1.0x). Set HYPED_BENCH_CELLS / HYPED_BENCH_GENES to change the size,
 * HYPED_BENCH_DTYPES=float32 (or float64) for one dtype. PCA has its own bench (pca.bench.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fromTyped, type SparseMatrix, writeNpy } from "@hyped/core";
import { AnnData, highlyVariableGenes, log1p, normalizeTotal } from "@hyped/seq";
import { median, PythonPeer, peakRssMiB, type TurnResult, verdictTable } from "../../../scripts/bench-utils.js";
import { lcgCounts } from "../src/preprocess/synthetic.js";

const nCells = Number(process.env.HYPED_BENCH_CELLS ?? 20000);
const nGenes = Number(process.env.HYPED_BENCH_GENES ?? 36000);
const rounds = Number(process.env.HYPED_BENCH_ROUNDS ?? 5);
const dtypes = (process.env.HYPED_BENCH_DTYPES ?? "float32,float64").split(",") as Array<"float32" | "float64">;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

console.log(`generating ${nCells} × ${nGenes} sparse counts (integer LCG, 4 groups)…`);
const t0 = performance.now();
const { X } = lcgCounts({ nCells, nGenes, nGroups: 4, seed: 1, dropoutBase: 75 });
const nnz = X.data.length;
console.log(
  `  ${nnz} stored values (${((100 * nnz) / (nCells * nGenes)).toFixed(2)}% dense), ${((performance.now() - t0) / 1000).toFixed(1)} s; load average ${load()} on ${availableParallelism()} cores`,
);

const dir = mkdtempSync(join(tmpdir(), "hyped-bench-"));
writeFileSync(join(dir, "data.npy"), writeNpy(fromTyped(X.data) as never));
writeFileSync(join(dir, "indices.npy"), writeNpy(fromTyped(X.indices as Int32Array) as never));
writeFileSync(join(dir, "indptr.npy"), writeNpy(fromTyped(Float64Array.from(X.indptr as ArrayLike<number>)) as never));

const peer = await PythonPeer.start(
  `
import numpy as np, pandas as pd, scipy.sparse as sp
d = ${JSON.stringify(dir)}
counts64 = np.load(d + "/data.npy"); indices = np.load(d + "/indices.npy"); indptr = np.load(d + "/indptr.npy").astype(np.int64)
shape = (${nCells}, ${nGenes})

def normalize_total(X):
    # scanpy 1.11 (_normalize_csr + axis_mul_or_truediv): float64 row sums stored in X's dtype, median target
    nz = np.diff(X.indptr) > 0
    tot = np.zeros(X.shape[0])
    tot[nz] = np.add.reduceat(X.data, X.indptr[:-1][nz], dtype=np.float64)
    tot = tot.astype(X.dtype)
    factor = tot / np.median(tot[tot > 0])
    factor = factor + (factor == 0)
    X.data = X.data / np.repeat(factor, np.diff(X.indptr))

def log1p(X):
    np.log1p(X.data, out=X.data)

def hvg(X, n_top=2000, n_bins=20):
    # scanpy 1.11 _highly_variable_genes_single_batch, flavor seurat (skipping its extra X.copy())
    E = X.expm1()
    n = E.shape[0]
    s = np.asarray(E.sum(0)).ravel().astype(np.float64)
    sq = np.asarray(E._with_data(E.data * E.data, copy=False).sum(0)).ravel().astype(np.float64)
    mean = s / n
    var = (sq / n - mean ** 2) * (n / (n - 1))
    mean[mean == 0] = 1e-12
    disp = var / mean
    disp[disp == 0] = np.nan
    disp = np.log(disp)
    mean = np.log1p(mean)
    df = pd.DataFrame({"means": mean, "dispersions": disp})
    df["mean_bin"] = pd.cut(df["means"], bins=n_bins)
    st = df.groupby("mean_bin", observed=True)["dispersions"].agg(avg="mean", dev="std")
    one = st["dev"].isnull()
    st.loc[one, "dev"] = st.loc[one, "avg"]
    st.loc[one, "avg"] = 0
    st = st.loc[df["mean_bin"]]
    dn = (df["dispersions"].to_numpy() - st["avg"].to_numpy()) / st["dev"].to_numpy()
    x = dn[~np.isnan(dn)]
    x[::-1].sort()
    df["highly_variable"] = np.nan_to_num(dn, nan=-np.inf) >= x[min(n_top, x.size) - 1]
    df["dispersions_norm"] = dn
    return df

P = {}
def prepare(dt):
    P.clear()
    X = sp.csr_matrix((counts64.astype(dt), indices, indptr), shape=shape)
    P["counts"] = X.data.copy(); normalize_total(X)
    P["norm"] = X.data.copy(); log1p(X)
    P["log"] = X.data.copy()

X = None
def reset(stage):
    global X
    X = sp.csr_matrix((P[stage].copy(), indices, indptr), shape=shape)

def chain():
    normalize_total(X); log1p(X); hvg(X)
`,
  "numpy",
  "scipy",
  "pandas",
);

/** One row in turns, each side restoring its input (untimed) before every timed call. */
async function row(
  name: string,
  peerName: string,
  ours: { setup: () => void; run: () => unknown },
  peerSetup: string,
  peerExpr: string,
): Promise<TurnResult> {
  const r: TurnResult = { name, peerName, ours: [], peer: [], oursCpu: [], peerCpu: [], ratio: undefined, cpuRatio: undefined, goal: 1 };
  const runOurs = (keep: boolean) => {
    ours.setup();
    const c = process.cpuUsage();
    const s = performance.now();
    ours.run();
    const w = performance.now() - s;
    const u = process.cpuUsage(c);
    if (keep) {
      r.ours.push(w);
      r.oursCpu.push((u.user + u.system) / 1000);
    }
  };
  const runPeer = async (keep: boolean) => {
    if (!peer) return;
    await peer.time(peerSetup);
    const t = await peer.timeCpu(peerExpr);
    if (keep) {
      r.peer.push(t.wall);
      r.peerCpu.push(t.cpu);
    }
  };
  runOurs(false);
  await runPeer(false);
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) runOurs(true);
    await runPeer(true);
    if (i % 2 === 1) runOurs(true);
  }
  const span = (xs: number[]) => `${median(xs).toFixed(1)} ms (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
  if (peer) {
    r.ratio = median(r.ours) / median(r.peer);
    r.cpuRatio = median(r.oursCpu) / median(r.peerCpu);
    console.log(
      `${name}: wall ours ${span(r.ours)}, ${peerName} ${span(r.peer)}; CPU ours ${span(r.oursCpu)}, ${peerName} ${span(r.peerCpu)}; ours/${peerName} = ${r.ratio.toFixed(2)}x wall, ${r.cpuRatio.toFixed(2)}x CPU (${rounds} rounds in turns, load ${load()})`,
    );
  } else console.log(`${name}: wall ${span(r.ours)}, CPU ${span(r.oursCpu)}; peer absent on this machine, no ratio`);
  return r;
}

const results: TurnResult[] = [];
const peerName = "numpy/scipy";
const hvgOpts = { flavor: "seurat", nTopGenes: 2000 } as const;
try {
  for (const dt of dtypes) {
    // our inputs of each step, made by our own functions (the peer makes its own the same way)
    const ad = new AnnData({ X: { ...X, data: dt === "float32" ? Float32Array.from(X.data) : X.data.slice() } });
    const counts = (ad.X as SparseMatrix).data.slice() as Float32Array | Float64Array;
    normalizeTotal(ad);
    const norm = (ad.X as SparseMatrix).data.slice() as Float32Array | Float64Array;
    log1p(ad);
    const logged = (ad.X as SparseMatrix).data.slice() as Float32Array | Float64Array;
    const work = (ad.X as SparseMatrix).data as Float32Array | Float64Array;
    const reset = (from: Float32Array | Float64Array) => () => {
      work.set(from);
      ad.X = { ...X, data: work };
      delete ad.uns.log1p;
    };
    if (peer) await peer.time(`prepare(np.${dt})`);
    results.push(
      await row(
        `normalize_total, ${dt}`,
        peerName,
        { setup: reset(counts), run: () => normalizeTotal(ad) },
        `reset("counts")`,
        "normalize_total(X)",
      ),
      await row(`log1p, ${dt}`, peerName, { setup: reset(norm), run: () => log1p(ad) }, `reset("norm")`, "log1p(X)"),
      await row(
        `HVG seurat 2,000, ${dt}`,
        peerName,
        {
          setup: () => {
            reset(logged)();
            ad.uns.log1p = { base: null };
          },
          run: () => highlyVariableGenes(ad, hvgOpts),
        },
        `reset("log")`,
        "hvg(X)",
      ),
      await row(
        `chain normalize_total + log1p + HVG, ${dt}`,
        peerName,
        {
          setup: reset(counts),
          run: () => {
            normalizeTotal(ad);
            log1p(ad);
            highlyVariableGenes(ad, hvgOpts);
          },
        },
        `reset("counts")`,
        "chain()",
      ),
    );
  }
} finally {
  peer?.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\n${nCells} × ${nGenes}, ${nnz} stored values; load average ${load()}; peak RSS ${peakRssMiB().toFixed(0)} MiB`);
verdictTable(results);

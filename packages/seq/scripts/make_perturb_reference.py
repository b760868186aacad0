"""Reference numbers for packages/seq/src/perturb/__tests__/perturb.test.ts.

A small dataset made by a 32-bit LCG (regenerated in the test): 12 genes g0..g11, 60 cells with conditions
ctrl / g1 / g2 / g1+g2 and phases G1 / S / G2M. Computes with numpy/scipy:
- the linear model of Ahlmann-Eltze, Huber & Anders (2025) (PCA gene embedding, ridge lambda = 0.1) trained on
  the single perturbations g1, g2, and a larger one on 40 genes x 8 perturbations;
- the additive baseline;
- evaluatePerturbation's metrics per condition x phase for the additive predictions (top-4 DE genes by |delta|).
Run: /usr/bin/python3 packages/seq/scripts/make_perturb_reference.py
"""
import json
import os

import numpy as np
from scipy.stats import pearsonr

OUT = os.path.join(os.path.dirname(__file__), "..", "reference", "perturb", "perturb_reference.json")


class LCG:
    def __init__(self, seed):
        self.s = seed & 0xFFFFFFFF

    def next(self):
        self.s = (1664525 * self.s + 1013904223) & 0xFFFFFFFF
        return self.s


def make_data():
    rng = LCG(7)
    conds = ["ctrl", "g1", "g2", "g1+g2"]
    phases = ["G1", "S", "G2M"]
    n, g = 60, 12
    X = np.zeros((n, g))
    cond = [conds[i % 4] for i in range(n)]
    phase = [phases[(i // 4) % 3] for i in range(n)]
    for i in range(n):
        for j in range(g):
            v = (rng.next() % 1000) / 100.0
            parts = cond[i].split("+")
            if "g1" in parts and j in (3, 4):
                v += 2.0 + (0.5 if phase[i] == "S" else 0.0)
            if "g2" in parts and j in (5, 6, 7):
                v -= 1.0
            X[i, j] = v
    return X, cond, phase


def linear_fit_predict(Y, genes, train, test, K, lam):
    b = Y.mean(axis=1)
    Yc = Y - b[:, None]
    Z = Y - Y.mean(axis=0)[None, :]
    U, S, Vt = np.linalg.svd(Z, full_matrices=False)
    K = min(K, Y.shape[1])
    G = Z @ Vt[:K].T
    idx = {g: i for i, g in enumerate(genes)}

    def emb(c):
        return sum(G[idx[p]] for p in c.split("+"))

    P = np.stack([emb(c) for c in train])
    I = np.eye(K) * lam
    W = np.linalg.solve(G.T @ G + I, G.T) @ Yc @ P @ np.linalg.inv(P.T @ P + I)
    return {c: (G @ W @ emb(c) + b).tolist() for c in test}


X, cond, phase = make_data()
genes = [f"g{j}" for j in range(12)]
cond_a = np.array(cond)
means = {c: X[cond_a == c].mean(axis=0) for c in ["ctrl", "g1", "g2", "g1+g2"]}
Y = np.stack([means["g1"], means["g2"]], axis=1)
linear_small = linear_fit_predict(Y, genes, ["g1", "g2"], ["g1", "g2", "g1+g2"], 10, 0.1)

# larger: 40 genes, 8 single perturbations p0..p7 targeting genes g0..g7, K = 3
rng = LCG(11)
genes40 = [f"g{j}" for j in range(40)]
train = [f"g{k}" for k in range(8)]
Y40 = np.array([[(rng.next() % 10000) / 1000.0 for _ in train] for _ in genes40])
linear_large = linear_fit_predict(Y40, genes40, train, ["g0", "g3+g5", "g7"], 3, 0.1)

additive = {c: (means["ctrl"] + sum(means[p] - means["ctrl"] for p in c.split("+"))).tolist() for c in ["g1", "g2", "g1+g2"]}

rows = []
topN = 4
de = {}
for c in ["g1", "g2", "g1+g2"]:
    d = means[c] - means["ctrl"]
    de[c] = sorted(range(12), key=lambda j: (-abs(d[j]), j))[:topN]
for grp in ["G1", "S", "G2M", "all"]:
    sel = np.ones(60, bool) if grp == "all" else np.array(phase) == grp
    ctrl = X[sel & (cond_a == "ctrl")].mean(axis=0)
    ents = []
    for c in ["g1", "g2", "g1+g2"]:
        obs = X[sel & (cond_a == c)].mean(axis=0)
        pred = np.array(additive[c])
        ents.append((c, obs, pred, X[sel & (cond_a == c)]))
    real_eff = [o - ctrl for _, o, _, _ in ents]
    pred_eff = [p - ctrl for _, _, p, _ in ents]
    for k, (c, obs, pred, cells) in enumerate(ents):
        dd = de[c]
        targets = [int(t[1:]) for t in c.split("+")]
        keep = [j for j in range(12) if j not in targets]
        dist = [np.abs(r[keep] - pred_eff[k][keep]).sum() for r in real_eff]
        rank = list(np.argsort(dist, kind="stable")).index(k)
        # E-distance (sqeuclidean, means over all pairs incl. diagonal) of the observed cells vs themselves shifted
        pc = cells + 0.25
        def pw(a, b):
            return ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1).mean()
        ed = 2 * pw(pc, cells) - pw(pc, pc) - pw(cells, cells)
        rows.append({
            "condition": c, "group": grp, "nCells": int(len(cells)),
            "cosine": float(pred @ obs / np.linalg.norm(pred) / np.linalg.norm(obs)),
            "mse": float(((obs - pred) ** 2).mean()), "mae": float(np.abs(obs - pred).mean()),
            "pearson": float(pearsonr(pred, obs)[0]),
            "pearsonDe": float(pearsonr(pred[dd], obs[dd])[0]),
            "pearsonDelta": float(pearsonr(pred - ctrl, obs - ctrl)[0]),
            "pearsonDeltaDe": float(pearsonr((pred - ctrl)[dd], (obs - ctrl)[dd])[0]),
            "directionFraction": float(np.mean(np.sign((pred - ctrl)[dd]) == np.sign((obs - ctrl)[dd]))),
            "discrimination": float(1 - rank / 3),
            "eDistanceShift025": float(ed),
        })

json.dump({"linear_small": linear_small, "linear_large": linear_large, "additive": additive, "de": de, "rows": rows}, open(OUT, "w"), indent=1)
print("wrote", OUT)

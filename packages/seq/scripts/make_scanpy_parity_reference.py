#!/usr/bin/env python3
"""Reference numbers for issue #18: scanpy's current results and defaults, and the pipeline steps added then.

Run with Debian's python3 (numpy 1.24, scipy 1.10, pandas 1.5, scikit-learn 1.2.1, scikit-misc, python3-igraph):

    /usr/bin/python3 packages/seq/scripts/make_scanpy_parity_reference.py

scanpy is not installed, so each scanpy step is written out here with numpy/pandas following scanpy's current
source (1.11): `pp.pca` (sign rule of scikit-learn >= 1.5, `TruncatedSVD` variances when `zero_center=False`),
`pp.normalize_total(key_added)`, `tl.rank_genes_groups(use_raw=None)`, `tl.score_genes`,
`tl.score_genes_cell_cycle`, `pp.filter_cells` / `pp.filter_genes`, `pp.highly_variable_genes(batch_key)` and
`flavor="seurat_v3_paper"`, `tl.rank_genes_groups(method="logreg")`; Geneformer's tokenizer gene selection and
cell-eval's `discrimination_score(exclude_target_gene=True)`. Clustering references use python3-igraph's
`community_leiden` / `community_multilevel` (what scanpy's `flavor="igraph"` calls).
Output: packages/seq/reference/scanpy/parity.json.
"""
import json
import os

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.linear_model import LogisticRegression
from statsmodels.robust import mad

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "reference", "scanpy")
os.makedirs(OUT, exist_ok=True)
REF = {}


def conv(o):
    if isinstance(o, np.ndarray):
        return conv(o.tolist())
    if isinstance(o, float) and (np.isnan(o) or np.isinf(o)):
        return None
    if isinstance(o, dict):
        return {k: conv(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [conv(v) for v in o]
    if isinstance(o, np.floating):
        return conv(float(o))
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.bool_):
        return bool(o)
    return o


def lcg_counts(n_cells, n_genes, n_groups=3, seed=1, dropout_base=30):
    """Same matrix as lcgCounts in src/preprocess/synthetic.ts."""
    s = seed & 0xFFFFFFFF
    X = np.zeros((n_cells, n_genes))
    groups = np.zeros(n_cells, dtype=int)
    for i in range(n_cells):
        gi = i % n_groups
        groups[i] = gi
        for j in range(n_genes):
            s = (1664525 * s + 1013904223) & 0xFFFFFFFF
            r1 = s >> 8
            s = (1664525 * s + 1013904223) & 0xFFFFFFFF
            r2 = s >> 8
            if r1 % 100 < dropout_base + (j % 6) * 10:
                continue
            hi = 2 + (j % 9) + ((3 + (j % 4)) if gi == j % n_groups else 0)
            X[i, j] = r2 % hi
    return X, groups


def lognorm(X, target=1e4):
    tot = X.sum(1)
    tot[tot == 0] = 1
    return np.log1p(X / tot[:, None] * target)


# ---------------------------------------------------------------- PCA signs and TruncatedSVD variances
def flip_by_loading(comps, scores):
    """scikit-learn >= 1.5 svd_flip(u_based_decision=False): largest |loading| of each component positive."""
    comps = comps.copy()
    scores = scores.copy()
    for c in range(comps.shape[0]):
        j = np.argmax(np.abs(comps[c]))
        if comps[c, j] < 0:
            comps[c] *= -1
            scores[:, c] *= -1
    return comps, scores


def pca_ref():
    X = lognorm(lcg_counts(120, 60, seed=5)[0])
    k = 12
    p = PCA(n_components=k, svd_solver="full").fit(X)
    comps, scores = flip_by_loading(p.components_, p.transform(X))
    # how many components the old (score-based) rule would have flipped the other way
    old = sum(1 for c in range(k) if np.sign(scores[np.argmax(np.abs(scores[:, c])), c]) < 0)
    # zero_center=False: TruncatedSVD semantics (exact SVD here; scanpy's arpack/randomized agree to precision)
    U, S, Vt = np.linalg.svd(X, full_matrices=False)
    tc, ts = flip_by_loading(Vt[:k], U[:, :k] * S[:k])
    tvar = np.var(ts, axis=0)
    tratio = tvar / np.var(X, axis=0).sum()
    t = TruncatedSVD(n_components=k, algorithm="arpack").fit(X)
    np.testing.assert_allclose(np.sort(t.explained_variance_)[::-1], np.sort(tvar)[::-1], rtol=1e-8)
    REF["pca"] = {
        "input": {"nCells": 120, "nGenes": 60, "seed": 5, "targetSum": 1e4, "nComps": k},
        "scores": scores, "components": comps, "variance": p.explained_variance_, "variance_ratio": p.explained_variance_ratio_,
        "n_flipped_vs_score_rule": old,
        "uncentered": {"scores": ts, "components": tc, "variance": tvar, "variance_ratio": tratio},
    }


# ---------------------------------------------------------------- defaults that have no arithmetic
REF["defaults"] = {"tsne_learning_rate": 1000, "knn_exact_max_cells": 8192, "score_genes": {"ctrl_size": 50, "n_bins": 25, "random_state": 0}}


# ---------------------------------------------------------------- normalize_total(key_added): total / target_sum
def normalize_ref():
    X = lcg_counts(30, 20, seed=3)[0]
    X[4] = 0
    tot = X.sum(1)
    REF["normalize_total"] = {"input": {"nCells": 30, "nGenes": 20, "seed": 3, "zeroRow": 4},
                              "norm_factor_target_1e4": tot / 1e4,
                              "norm_factor_median": tot / np.median(tot[tot > 0])}


# ---------------------------------------------------------------- rank_genes_groups on .raw (use_raw=None)
def welch(X, groups, g):
    a = X[groups == g]
    b = X[groups != g]
    ma, mb = a.mean(0), b.mean(0)
    va, vb = a.var(0, ddof=1), b.var(0, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = (ma - mb) / np.sqrt(va / len(a) + vb / len(b))
    s[np.isnan(s)] = 0
    lfc = np.log2((np.expm1(ma) + 1e-9) / (np.expm1(mb) + 1e-9))
    return s, lfc


def rank_raw_ref():
    C, groups = lcg_counts(60, 25, seed=8)
    L = lognorm(C)
    sd = L.std(0, ddof=1)
    sd[sd == 0] = 1
    Z = np.clip((L - L.mean(0)) / sd, None, 10)  # what X holds after pp.scale
    out = {"input": {"nCells": 60, "nGenes": 25, "seed": 8}}
    for g in range(3):
        s, lfc = welch(L, groups, g)
        s2, _ = welch(Z, groups, g)
        out[str(g)] = {"scores_raw": s, "lfc_raw": lfc, "scores_X": s2}
    REF["rank_genes_groups_raw"] = out


# ---------------------------------------------------------------- Geneformer: genes without a median are skipped
def lcg_matrix(n_obs, n_var, seed):
    s = seed & 0xFFFFFFFF
    x = np.zeros(n_obs * n_var)
    for k in range(x.size):
        s = (1664525 * s + 1013904223) & 0xFFFFFFFF
        if s % 100 >= 70:
            x[k] = ((s >> 8) % 50) + 1
    return x.reshape(n_obs, n_var)


def tokenize_ref():
    X = lcg_matrix(6, 8, 7)
    ids = [f"E{j}" for j in range(8)]
    token = {i: j + 2 for j, i in enumerate(ids)}
    median = {i: 0.5 + 0.25 * j for j, i in enumerate(ids) if j not in (3, 5)}
    keep = [j for j, i in enumerate(ids) if i in median and i in token]  # the tokenizer's gene selection
    n_counts = X.sum(1)
    cells = []
    for r in range(X.shape[0]):
        v = X[r, keep] / n_counts[r] * 10_000 / np.array([median[ids[j]] for j in keep])
        nz = np.flatnonzero(v)
        order = nz[np.argsort(-v[nz], kind="stable")]
        cells.append([token[ids[keep[q]]] for q in order])
    REF["tokenize"] = {"input": {"nObs": 6, "nVar": 8, "seed": 7}, "token": token, "median": median, "tokens": cells}


# ---------------------------------------------------------------- cell-eval discrimination_score
def discrimination_ref():
    perts = ["G1", "G2", "G1+G2", "X"]
    genes = ["G0", "G1", "G2", "G3", "G4", "G5"]
    s = 17
    def r():
        nonlocal s
        s = (1664525 * s + 1013904223) & 0xFFFFFFFF
        return ((s >> 8) % 1000) / 100 - 5
    real = np.array([[r() for _ in genes] for _ in perts])
    pred = np.array([[r() for _ in genes] for _ in perts])
    # make G1+G2's prediction closest to the truth on the target genes only: excluding them changes its rank
    pred[2] = real[2] + np.array([0, 0, 0, 3, -3, 3])
    pred[2, 1] = real[2, 1]
    pred[2, 2] = real[2, 2]
    scores = {}
    names = np.array(genes)
    for p, pert in enumerate(perts):
        mask = names != pert  # cell-eval: only a gene named like the whole perturbation
        d = np.abs(real[:, mask] - pred[p, mask]).sum(1)
        order = np.argsort(d, kind="stable")
        scores[pert] = 1 - int(np.flatnonzero(order == p)[0]) / len(perts)
    REF["discrimination"] = {"perts": perts, "genes": genes, "real": real, "pred": pred, "scores": scores}


# ---------------------------------------------------------------- score_genes / score_genes_cell_cycle
def score_bins(X, pool_idx, gene_idx, n_bins, ctrl_as_ref):
    """Control genes of scanpy's _score_genes_bins when every bin is taken whole (ctrl_size >= bin size)."""
    avg = pd.Series(X[:, pool_idx].mean(0), index=pool_idx)
    avg = avg[np.isfinite(avg)]
    n_items = int(np.round(len(avg) / (n_bins - 1)))
    cut = avg.rank(method="min") // n_items
    keep = np.zeros(len(cut), bool) if ctrl_as_ref else cut.index.isin(gene_idx)
    ctrl = set()
    bins = {}
    for c in np.unique(cut.loc[[g for g in gene_idx if g in cut.index]]):
        r = cut[(cut == c) & ~keep].index
        bins[int(c)] = len(r)
        ctrl |= set(r) - set(gene_idx)
    return sorted(ctrl), cut, bins


def score_genes_ref():
    C, _ = lcg_counts(80, 200, seed=9)
    X = lognorm(C)
    names = [f"g{j}" for j in range(200)]
    glist = ["g3", "g17", "g40", "g41", "g99", "g150", "g151", "nope"]
    gi = [names.index(g) for g in glist if g in names]
    out = {"input": {"nCells": 80, "nGenes": 200, "seed": 9}, "gene_list": glist}
    for ref in (True, False):
        ctrl, cut, bins = score_bins(X, list(range(200)), gi, 25, ref)
        assert max(bins.values()) <= 50  # default ctrl_size takes every bin whole
        score = X[:, gi].mean(1) - X[:, ctrl].mean(1)
        out["ctrl_as_ref" if ref else "no_ctrl_as_ref"] = {"score": score, "control": ctrl}
    out["cut"] = cut.to_numpy()
    # cell cycle: ctrl_size = min(len(s_genes), len(g2m_genes)) of the lists as given
    s_genes = ["g%d" % j for j in range(0, 200, 19)] + ["missingS"]
    g2m_genes = ["g%d" % j for j in range(5, 200, 17)]
    ctrl_size = min(len(s_genes), len(g2m_genes))
    sc = {}
    for lst, key in ((s_genes, "S_score"), (g2m_genes, "G2M_score")):
        idx = [names.index(g) for g in lst if g in names]
        ctrl, _, bins = score_bins(X, list(range(200)), idx, 25, True)
        assert max(bins.values()) <= ctrl_size, (bins, ctrl_size)
        sc[key] = X[:, idx].mean(1) - X[:, ctrl].mean(1)
    phase = np.where(sc["G2M_score"] > sc["S_score"], "G2M", "S")
    phase[(sc["S_score"] < 0) & (sc["G2M_score"] < 0)] = "G1"
    out["cell_cycle"] = {"s_genes": s_genes, "g2m_genes": g2m_genes, **sc, "phase": phase.tolist()}
    REF["score_genes"] = out


# ---------------------------------------------------------------- filter_cells / filter_genes
def filter_ref():
    X = lcg_counts(40, 30, seed=12)[0]
    X[7] = 0
    X[:, 11] = 0
    n_counts = X.sum(1)
    n_genes = (X > 0).sum(1)
    g_counts = X.sum(0)
    g_cells = (X > 0).sum(0)
    REF["filter"] = {
        "input": {"nCells": 40, "nGenes": 30, "seed": 12, "zeroRow": 7, "zeroCol": 11},
        "cells": {"min_counts_60": np.flatnonzero(n_counts >= 60), "max_counts_80": np.flatnonzero(n_counts <= 80),
                  "min_genes_14": np.flatnonzero(n_genes >= 14), "max_genes_16": np.flatnonzero(n_genes <= 16),
                  "n_counts": n_counts, "n_genes": n_genes},
        "genes": {"min_counts_90": np.flatnonzero(g_counts >= 90), "max_counts_100": np.flatnonzero(g_counts <= 100),
                  "min_cells_22": np.flatnonzero(g_cells >= 22), "max_cells_24": np.flatnonzero(g_cells <= 24),
                  "n_counts": g_counts, "n_cells": g_cells},
    }


# ---------------------------------------------------------------- highly_variable_genes(batch_key), seurat_v3_paper
def hvg_single(X, flavor, n_top=None, n_bins=20, min_mean=0.0125, max_mean=3, min_disp=0.5, max_disp=np.inf):
    """scanpy's _highly_variable_genes_single_batch (natural log data for seurat)."""
    if flavor == "seurat":
        X = np.expm1(X)
    mean = X.mean(0)
    var = X.var(0, ddof=1)
    mean[mean == 0] = 1e-12
    disp = var / mean
    if flavor == "seurat":
        disp[disp == 0] = np.nan
        disp = np.log(disp)
        mean = np.log1p(mean)
    df = pd.DataFrame({"means": mean, "dispersions": disp})
    if flavor == "seurat":
        df["mean_bin"] = pd.cut(df["means"], bins=n_bins)
        st = df.groupby("mean_bin")["dispersions"].agg(avg="mean", dev="std")
        one = st["dev"].isnull()
        st.loc[one, "dev"] = st.loc[one, "avg"]
        st.loc[one, "avg"] = 0
    else:
        bins = np.r_[-np.inf, np.percentile(df["means"], np.arange(10, 105, 5)), np.inf]
        df["mean_bin"] = pd.cut(df["means"], bins=bins)
        st = df.groupby("mean_bin")["dispersions"].agg(avg="median", dev=mad)
    st = st.loc[df["mean_bin"]].set_index(df.index)
    df["dispersions_norm"] = (df["dispersions"] - st["avg"]) / st["dev"]
    dn = df["dispersions_norm"].to_numpy()
    if n_top is None:
        d = np.nan_to_num(dn)
        hv = (df["means"] > min_mean) & (df["means"] < max_mean) & (d > min_disp) & (d < max_disp)
    else:
        n = min(n_top, X.shape[1])
        x = dn[~np.isnan(dn)]
        x[::-1].sort()
        hv = np.nan_to_num(dn, nan=-np.inf) >= x[min(n, x.size) - 1]
    df["highly_variable"] = np.asarray(hv)
    return df.drop(columns="mean_bin")


def hvg_batched(X, batch, names, flavor, n_top=None):
    """scanpy's _highly_variable_genes_batched."""
    dfs = []
    for b in np.unique(batch):
        Xb = X[batch == b]
        filt = (Xb > 0).sum(0) >= 1  # filter_genes(min_cells=1)
        hvg = hvg_single(Xb[:, filt], flavor, n_top=n_top)
        hvg.index = np.array(names)[filt]
        hvg = hvg.reset_index(names="gene")
        if (~filt).sum() > 0:
            missing = pd.DataFrame(np.zeros(((~filt).sum(), len(hvg.columns) - 1)), columns=hvg.columns[1:])
            missing["highly_variable"] = missing["highly_variable"].astype(bool)
            missing["gene"] = np.array(names)[~filt]
            hvg = pd.concat([hvg, missing], ignore_index=True)
        dfs.append(hvg)
    df = pd.concat(dfs, axis=0)
    df["highly_variable"] = df["highly_variable"].astype(int)
    df = df.groupby("gene").agg(dict(means="mean", dispersions="mean", dispersions_norm="mean", highly_variable="sum"))
    df["highly_variable_nbatches"] = df["highly_variable"]
    df["highly_variable_intersection"] = df["highly_variable_nbatches"] == len(np.unique(batch))
    if n_top is not None:
        order = df.sort_values(["highly_variable_nbatches", "dispersions_norm"], ascending=False, na_position="last").index
        df["highly_variable"] = False
        df.loc[order[:n_top], "highly_variable"] = True
    else:
        df["dispersions_norm"] = df["dispersions_norm"].fillna(0)
        df["highly_variable"] = (df["means"] > 0.0125) & (df["means"] < 3) & (df["dispersions_norm"] > 0.5) & (df["dispersions_norm"] < np.inf)
    df = df.loc[names]
    return {c: df[c].to_numpy() for c in ["means", "dispersions", "dispersions_norm", "highly_variable", "highly_variable_nbatches", "highly_variable_intersection"]}


def hvg_v3_batched(X, batch, flavor, n_top, span=0.3):
    """scanpy's _highly_variable_genes_seurat_v3 with a batch key (loess surface 'interpolate', skmisc's default)."""
    from skmisc.loess import loess
    nv = []
    for b in np.unique(batch):
        Xb = X[batch == b]
        mean, var = Xb.mean(0), Xb.var(0, ddof=1)
        nc = var > 0
        est = np.zeros(X.shape[1])
        m = loess(np.log10(mean[nc]), np.log10(var[nc]), span=span, degree=2)
        m.fit()
        est[nc] = m.outputs.fitted_values
        reg = np.sqrt(10**est)
        N = Xb.shape[0]
        clip = reg * np.sqrt(N) + mean
        Xc = np.minimum(Xb, clip[None, :])
        nv.append((1 / ((N - 1) * reg**2)) * (N * mean**2 + (Xc**2).sum(0) - 2 * Xc.sum(0) * mean))
    nv = np.vstack(nv)
    ranked = np.argsort(np.argsort(-nv, axis=1, kind="stable"), axis=1, kind="stable").astype(np.float32)
    nb = (ranked < n_top).sum(0)
    ranked[ranked >= n_top] = np.nan
    med = np.ma.median(np.ma.masked_invalid(ranked), axis=0).filled(np.nan)
    df = pd.DataFrame({"rank": med, "nb": nb})
    cols, asc = (["rank", "nb"], [True, False]) if flavor == "seurat_v3" else (["nb", "rank"], [False, True])
    order = df.sort_values(cols, ascending=asc, na_position="last", kind="mergesort").index
    hv = np.zeros(X.shape[1], bool)
    hv[order[:n_top]] = True
    return {"highly_variable_rank": med, "highly_variable_nbatches": nb, "variances_norm": nv.mean(0), "highly_variable": hv,
            "means": X.mean(0), "variances": X.var(0, ddof=1)}


def hvg_batch_ref():
    C, _ = lcg_counts(120, 80, seed=21)
    batch = np.arange(120) // 40
    C[batch == 1, 5] = 0  # a gene absent from one batch (scanpy fills its statistics with zeros there)
    names = [f"g{j:02d}" for j in range(80)]
    L = lognorm(C)
    out = {"input": {"nCells": 120, "nGenes": 80, "seed": 21, "batch": "floor(i / 40)", "zeroGeneInBatch1": 5}}
    for flavor, X in (("seurat", L), ("cell_ranger", L)):
        out[flavor] = {"top20": hvg_batched(X, batch, names, flavor, n_top=20), "cutoffs": hvg_batched(X, batch, names, flavor)}
    for flavor in ("seurat_v3", "seurat_v3_paper"):
        out[flavor] = {"batched": hvg_v3_batched(C, batch, flavor, 20), "single": hvg_v3_batched(C, np.zeros(120, int), flavor, 20)}
    REF["hvg_batch"] = out


# ---------------------------------------------------------------- rank_genes_groups(method="logreg"), mask_var
def logreg_optimum(X, y, k, C=1.0):
    """The exact optimum of scikit-learn's LogisticRegression objective (sum of log-losses + ||W||^2 / 2C, intercept
    unpenalised; binary for k = 2, multinomial above), by scipy's L-BFGS-B with tolerances far below scikit-learn's
    (whose lbfgs run stops on scipy's default ftol even with tol=1e-12). Checked against scikit-learn below."""
    from scipy.optimize import minimize
    n, d = X.shape
    R = 1 if k == 2 else k
    Y = np.eye(k)[y]

    def obj(x):
        W = x[: R * d].reshape(R, d)
        b = x[R * d:]
        Z = X @ W.T + b
        if R == 1:
            t = Z[:, 0]
            loss = np.logaddexp(0, t) - y * t
            E = (1 / (1 + np.exp(-t)) - y)[:, None]
        else:
            zm = Z.max(1, keepdims=True)
            lse = zm[:, 0] + np.log(np.exp(Z - zm).sum(1))
            loss = lse - Z[np.arange(n), y]
            E = np.exp(Z - lse[:, None]) - Y
        return loss.sum() + (W**2).sum() / (2 * C), np.concatenate([(E.T @ X + W / C).ravel(), E.sum(0)])

    o = minimize(obj, np.zeros(R * (d + 1)), jac=True, method="L-BFGS-B", options=dict(gtol=1e-13, ftol=1e-16, maxiter=100000, maxcor=20))
    sk = LogisticRegression(C=C, tol=1e-12, max_iter=100000).fit(X, y)
    f_sk = obj(np.concatenate([sk.coef_.ravel(), sk.intercept_]))[0]
    assert o.fun <= f_sk + 1e-9, (o.fun, f_sk)
    np.testing.assert_allclose(o.x[: R * d], sk.coef_.ravel(), atol=1e-3)
    return o.x[: R * d].reshape(R, d), o.x[R * d:], np.abs(o.jac).max()


def logreg_ref():
    C, groups = lcg_counts(90, 30, seed=14)
    X = lognorm(C)
    out = {"input": {"nCells": 90, "nGenes": 30, "seed": 14, "groups": "i % 3"}}
    coef, icpt, gmax = logreg_optimum(X, groups, 3)
    out["multinomial"] = {"coef": coef, "intercept": icpt, "max_abs_gradient": gmax,
                          "coef_sklearn_default": LogisticRegression().fit(X, groups).coef_}
    # groups=["0", "1"] vs rest: only those cells, binary; scanpy reports group "0" with coef_[0] (class "1")
    sel = groups < 2
    out["binary_0_1"] = {"coef": logreg_optimum(X[sel], groups[sel], 2)[0][0]}
    # groups=["0"], reference="2": cells of "0" and "2", binary, reported for "0"
    sel = groups != 1
    out["ref_2"] = {"coef": logreg_optimum(X[sel], (groups[sel] == 2).astype(int), 2)[0][0]}
    # mask_var: a t-test over the masked genes only
    mask = np.arange(30) % 4 == 0
    s_, _ = welch(X[:, mask], groups, 0)
    out["mask_var"] = {"mask": mask, "scores_group0": s_}
    REF["logreg"] = out


# ---------------------------------------------------------------- neighbors: UMAP connectivities (umap-learn's rules)
def connectivities_ref():
    """umap-learn's smooth_knn_dist + compute_membership_strengths + fuzzy union (scanpy's method="umap"), on
    scikit-learn's exact kNN of the PCA input above; written out because umap-learn is not installed."""
    from sklearn.neighbors import NearestNeighbors
    X = lognorm(lcg_counts(120, 60, seed=5)[0])
    k = 10
    _, ind = NearestNeighbors(n_neighbors=k).fit(X).kneighbors(X)
    n = X.shape[0]
    # exact distances of the chosen neighbours (scikit-learn's brute force leaves ~1e-7 on the diagonal, which
    # would become rho); the point itself is at 0, as in our kNN table
    dist = np.sqrt(((X[:, None, :] - X[ind]) ** 2).sum(-1))
    target = np.log2(k)
    mean_all = dist.mean()
    rows, cols, vals = [], [], []
    for i in range(n):
        nz = dist[i][dist[i] > 0]
        rho = nz[0] if nz.size else 0.0
        lo, hi, mid = 0.0, np.inf, 1.0
        for _ in range(64):
            d = dist[i, 1:] - rho
            psum = np.where(d > 0, np.exp(-(d / mid)), 1.0).sum()
            if abs(psum - target) < 1e-5:
                break
            if psum > target:
                hi = mid
                mid = (lo + hi) / 2
            else:
                lo = mid
                mid = mid * 2 if hi == np.inf else (lo + hi) / 2
        sigma = mid
        if rho > 0:
            sigma = max(sigma, 1e-3 * dist[i].mean())
        else:
            sigma = max(sigma, 1e-3 * mean_all)
        for c in range(k):
            j = ind[i, c]
            if j == i:
                continue
            d = dist[i, c] - rho
            rows.append(i)
            cols.append(j)
            vals.append(1.0 if d <= 0 or sigma == 0 else np.exp(-(d / sigma)))
    import scipy.sparse as sp
    W = sp.csr_matrix((vals, (rows, cols)), shape=(n, n))
    C = (W + W.T - W.multiply(W.T)).tocsr()
    C.sort_indices()
    D = sp.csr_matrix((dist[:, 1:].ravel(), (np.repeat(np.arange(n), k - 1), ind[:, 1:].ravel())), shape=(n, n))
    D.sort_indices()
    REF["connectivities"] = {"input": {"nCells": 120, "nGenes": 60, "seed": 5, "k": k},
                             "indptr": C.indptr, "indices": C.indices, "data": C.data,
                             "dist_indptr": D.indptr, "dist_indices": D.indices, "dist_data": D.data}


# ---------------------------------------------------------------- leiden / louvain (python3-igraph)
def planted(sizes, p_in, p_out, seed, weighted):
    s = seed
    def u():
        nonlocal s
        s = (1664525 * s + 1013904223) & 0xFFFFFFFF
        return (s >> 8) / 2**24
    truth = np.concatenate([[b] * n for b, n in enumerate(sizes)])
    n = len(truth)
    edges = []
    for i in range(n):
        for j in range(i + 1, n):
            r = u()
            w = 0.2 + 0.8 * u() if weighted else 1.0
            if r < (p_in if truth[i] == truth[j] else p_out):
                edges.append((i, j, w))
    return truth, edges


def modularity_np(n, edges, membership, res, weighted=True):
    """Q = (1/2m) sum_ij (A_ij - res k_i k_j / 2m) delta(c_i, c_j), A symmetric."""
    A = np.zeros((n, n))
    for i, j, w in edges:
        A[i, j] += w if weighted else 1.0
        A[j, i] += w if weighted else 1.0
    k = A.sum(1)
    two_m = k.sum()
    c = np.asarray(membership)
    same = c[:, None] == c[None, :]
    return float(((A - res * np.outer(k, k) / two_m) * same).sum() / two_m)


def cluster_ref():
    import igraph as ig
    cases = []
    for name, sizes, p_in, p_out, seed, weighted in [
        ("four_equal", [30, 30, 30, 30], 0.3, 0.02, 3, False),
        ("six_unequal_weighted", [20, 35, 50, 25, 60, 40], 0.25, 0.015, 5, True),
        ("noisy_weighted", [40, 40, 40], 0.15, 0.04, 11, True),
    ]:
        truth, edges = planted(sizes, p_in, p_out, seed, weighted)
        g = ig.Graph(n=len(truth), edges=[(i, j) for i, j, _ in edges])
        g.es["weight"] = [w for _, _, w in edges]
        case = {"name": name, "n": len(truth), "truth": truth, "edges": [[i, j, w] for i, j, w in edges],
                "by_resolution": {}}
        for res in (0.5, 1.0, 2.0):
            best = None
            for sd in range(5):
                ig.set_random_number_generator(__import__("random").Random(sd))
                part = g.community_leiden(objective_function="modularity", weights="weight", resolution_parameter=res, beta=0.01, n_iterations=-1)
                q = modularity_np(len(truth), edges, part.membership, res)
                # python3-igraph 0.10.2's Graph.modularity drops `resolution`; its C core agrees with the formula
                assert abs(q - ig.GraphBase.modularity(g, part.membership, g.es["weight"], res)) < 1e-12
                if best is None or q > best[0]:
                    best = (q, part.membership)
            ml = g.community_multilevel(weights="weight", resolution=res)
            case["by_resolution"][str(res)] = {
                "leiden_modularity": best[0], "leiden_membership": best[1], "leiden_k": len(set(best[1])),
                "multilevel_modularity": modularity_np(len(truth), edges, ml.membership, res),
                "truth_modularity": modularity_np(len(truth), edges, truth, res),
            }
        # unweighted modularity of the truth (use_weights=False)
        case["truth_modularity_unweighted"] = modularity_np(len(truth), edges, truth, 1.0, weighted=False)
        cases.append(case)
    REF["cluster"] = cases


if __name__ == "__main__":
    connectivities_ref()
    logreg_ref()
    hvg_batch_ref()
    cluster_ref()
    pca_ref()
    normalize_ref()
    rank_raw_ref()
    tokenize_ref()
    discrimination_ref()
    score_genes_ref()
    filter_ref()
    with open(os.path.join(OUT, "parity.json"), "w") as f:
        json.dump(conv(REF), f, separators=(",", ":"))
    print("wrote parity.json", {k: (v.get("n_flipped_vs_score_rule") if isinstance(v, dict) else None) for k, v in REF.items()})

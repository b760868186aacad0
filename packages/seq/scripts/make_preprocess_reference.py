#!/usr/bin/env python3
"""Reference numbers for @hyped/seq preprocessing, PCA, kNN and rank_genes_groups.

Run with Debian's python3 (numpy 1.24, scipy 1.10, pandas 1.5, scikit-learn 1.2.1, statsmodels 0.13,
scikit-misc 0.1.4, h5py):

    /usr/bin/python3 packages/seq/scripts/make_preprocess_reference.py

scanpy is not packaged for Debian, so the scanpy formulas are written out here with numpy/pandas (following
scanpy 1.10's source); the statistical pieces come from the libraries scanpy itself calls (scipy.stats,
statsmodels' fdr_bh and mad, skmisc.loess, sklearn PCA). Outputs go to packages/seq/reference/preprocess/.

Inputs:
- `lcg_counts` (below) builds the same integer matrices as `lcgCounts` in src/preprocess/synthetic.ts.
- The HVG seurat / cell_ranger references use `raw.X` of scanpy's pbmc68k_reduced from
  ../shared/fixtures/h5ad/scanpy/10x_pbmc68k_reduced.h5ad (the input of scanpy's own test
  `test_compare_to_upstream`); the file is read, never copied. scanpy's Seurat-derived CSV
  (tests/_scripts/seurat_hvg.csv) is checked against our numbers here, on the rows committed in
  seurat_hvg_head.csv.
"""
import json
import os

import h5py
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats
from skmisc.loess import loess
from sklearn.decomposition import PCA
from sklearn.neighbors import NearestNeighbors
from statsmodels.robust import mad
from statsmodels.stats.multitest import multipletests

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "reference", "preprocess")
FIXTURE = os.path.join(HERE, "..", "..", "..", "..", "shared", "fixtures", "h5ad", "scanpy", "10x_pbmc68k_reduced.h5ad")
os.makedirs(OUT, exist_ok=True)


def dump(name, obj):
    def conv(o):
        if isinstance(o, np.ndarray):
            return [conv(v) for v in o.tolist()] if o.ndim > 1 else [None if (isinstance(v, float) and np.isnan(v)) else v for v in o.tolist()]
        if isinstance(o, float) and np.isnan(o):
            return None
        if isinstance(o, dict):
            return {k: conv(v) for k, v in o.items()}
        if isinstance(o, list):
            return [conv(v) for v in o]
        if isinstance(o, (np.floating,)):
            return float(o)
        if isinstance(o, (np.integer,)):
            return int(o)
        if isinstance(o, (np.bool_,)):
            return bool(o)
        return o

    with open(os.path.join(OUT, name), "w") as f:
        json.dump(conv(obj), f, separators=(",", ":"))
    print("wrote", name)


def lcg_counts(n_cells, n_genes, n_groups=3, seed=1, dropout_base=30):
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


def mean_var(X):
    mean = X.mean(0)
    var = X.var(0, ddof=1)
    return mean, var


# ---------------------------------------------------------------- HVG seurat / cell_ranger (pbmc68k)
def hvg_dispersion(X, flavor, n_bins=20, n_top=None, min_mean=0.0125, max_mean=3, min_disp=0.5, max_disp=np.inf):
    if flavor == "seurat":
        X = np.expm1(X)
    mean, var = mean_var(X)
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
        x = dn[~np.isnan(dn)]
        x[::-1].sort()
        hv = np.nan_to_num(dn, nan=-np.inf) >= x[min(n_top, x.size) - 1]
    df["highly_variable"] = np.asarray(hv)
    return df


def pbmc68k_raw():
    with h5py.File(FIXTURE, "r") as f:
        g = f["raw/X"]
        X = sp.csr_matrix((g["data"][:], g["indices"][:], g["indptr"][:]), shape=tuple(g.attrs["shape"]))
        names = [s.decode() for s in f["raw/var/index"][:]]
    return X, names


def hvg_pbmc():
    Xs, names = pbmc68k_raw()
    X = Xs.toarray().astype(np.float64)
    X = X[X.sum(1) >= 1]  # filter_cells(min_counts=1)
    tot = X.sum(1)
    X = np.log1p(X / tot[:, None] * 1e4)  # normalize_total(1e4) + log1p
    out = {"genes": names}
    for flavor, kw in [("seurat", {}), ("cell_ranger", {"n_top": 100})]:
        df = hvg_dispersion(X.copy(), flavor, **kw)
        out[flavor] = {c: df[c].to_numpy() for c in ["means", "dispersions", "dispersions_norm", "highly_variable"]}
    # cross-check against the committed head of scanpy's Seurat-derived CSV
    head = pd.read_csv(os.path.join(OUT, "seurat_hvg_head.csv"), index_col=0)
    idx = [names.index(g) for g in head.index]
    s = out["seurat"]
    assert np.array_equal(head["highly_variable"].to_numpy(), s["highly_variable"][idx])
    for c in ["means", "dispersions", "dispersions_norm"]:
        np.testing.assert_allclose(head[c].to_numpy(), s[c][idx], rtol=2e-5, atol=2e-5)
    dump("hvg_pbmc68k.json", out)


# ---------------------------------------------------------------- HVG seurat_v3 (LCG counts)
def hvg_v3(X, n_top, span=0.3, surface="direct"):
    n = X.shape[0]
    mean, var = mean_var(X)
    nc = var > 0
    est = np.zeros(X.shape[1])
    m = loess(np.log10(mean[nc]), np.log10(var[nc]), span=span, degree=2, surface=surface)
    m.fit()
    est[nc] = m.outputs.fitted_values
    reg_std = np.sqrt(10**est)
    clip = reg_std * np.sqrt(n) + mean
    Xc = np.minimum(X, clip[None, :])
    nv = (1 / ((n - 1) * reg_std**2)) * (n * mean**2 + (Xc**2).sum(0) - 2 * Xc.sum(0) * mean)
    ranks = np.argsort(np.argsort(-nv, kind="stable"), kind="stable").astype(float)
    hv = ranks < n_top
    ranks[~hv] = np.nan
    return {"means": mean, "variances": var, "variances_norm": nv, "highly_variable_rank": ranks, "highly_variable": hv}


def hvg_v3_ref():
    X, _ = lcg_counts(300, 400, seed=11)
    dump(
        "hvg_v3.json",
        {
            "input": {"nCells": 300, "nGenes": 400, "seed": 11},
            "nTopGenes": 100,
            "direct": hvg_v3(X, 100, surface="direct"),
            "interpolate": hvg_v3(X, 100, surface="interpolate"),
        },
    )


def loess_ref():
    # x is drawn from an integer LCG (exact in JSON); a run of tied x values exercises the k-d tree's tie rule
    cases = []
    for seed, n, span in [(1, 200, 0.3), (2, 1000, 0.3), (3, 57, 0.5), (4, 400, 0.75)]:
        s = seed
        xs = []
        for _ in range(n):
            s = (1664525 * s + 1013904223) & 0xFFFFFFFF
            xs.append((s >> 8) / 2**24 * 3)
        x = np.array(xs)
        x[:5] = x[5]
        y = np.sin(3 * x) + 0.1 * np.cos(17 * x * x)
        c = {"x": x, "y": y, "span": span}
        for surface in ["direct", "interpolate"]:
            m = loess(x, y, span=span, degree=2, surface=surface)
            m.fit()
            c[surface] = m.outputs.fitted_values
        cases.append(c)
    dump("loess.json", {"cases": cases})


# ---------------------------------------------------------------- normalize_total / log1p / qc / scale
def basic_ref():
    X, _ = lcg_counts(40, 30, seed=3)
    X[5] = 0  # a zero-total cell
    tot = X.sum(1)
    target = np.median(tot[tot > 0])
    c = tot.copy()
    c[c == 0] = 1
    c = c / target
    Xn = X / c[:, None]
    Xl = np.log1p(Xn)
    Xl2 = np.log1p(Xn) / np.log(2)
    mean, var = mean_var(Xl)
    std = np.sqrt(var)
    std[std == 0] = 1
    Xs = np.clip((Xl - mean) / std, -2.5, 2.5)
    # QC (percent_top 5, 10, 20; gene set = genes j % 7 == 0)
    mt = np.arange(30) % 7 == 0
    ngenes = (X > 0).sum(1)
    srt = -np.sort(-X, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct_top = {n: srt[:, :n].sum(1) / tot * 100 for n in (5, 10, 20)}
        pct_mt = X[:, mt].sum(1) / tot * 100
    dump(
        "basic.json",
        {
            "input": {"nCells": 40, "nGenes": 30, "seed": 3, "zeroRow": 5},
            "targetSum": target,
            "normalized": Xn,
            "log1p": Xl,
            "log1p_base2": Xl2,
            "scaled_max2_5": Xs,
            "scale_mean": mean,
            "scale_std": std,
            "qc": {
                "n_genes_by_counts": ngenes,
                "total_counts": tot,
                "pct_counts_in_top_5_genes": pct_top[5],
                "pct_counts_in_top_10_genes": pct_top[10],
                "pct_counts_in_top_20_genes": pct_top[20],
                "total_counts_mt": X[:, mt].sum(1),
                "pct_counts_mt": pct_mt,
                "n_cells_by_counts": (X > 0).sum(0),
                "mean_counts": X.mean(0),
                "pct_dropout_by_counts": (1 - (X > 0).sum(0) / 40) * 100,
                "var_total_counts": X.sum(0),
            },
        },
    )


# ---------------------------------------------------------------- PCA and kNN
def pca_ref():
    X, _ = lcg_counts(200, 60, seed=5)
    tot = X.sum(1)
    Xl = np.log1p(X / tot[:, None] * 1e4)
    p = PCA(n_components=20, svd_solver="full")
    scores = p.fit_transform(Xl)
    # scikit-learn >= 1.5 (what current scanpy gets) flips each component so that its largest |loading| is
    # positive (svd_flip(u_based_decision=False)); Debian's 1.2 used the scores, so the rule is applied here.
    for k in range(scores.shape[1]):
        s = np.sign(p.components_[k, np.argmax(np.abs(p.components_[k]))])
        scores[:, k] *= s
        p.components_[k] *= s
    nn = NearestNeighbors(n_neighbors=15).fit(scores)
    dist, ind = nn.kneighbors(scores)
    dump(
        "pca.json",
        {
            "input": {"nCells": 200, "nGenes": 60, "seed": 5, "targetSum": 1e4},
            "scores": scores,
            "components": p.components_,
            "explained_variance": p.explained_variance_,
            "explained_variance_ratio": p.explained_variance_ratio_,
            "knn_indices": ind,
            "knn_distances": dist,
        },
    )


# ---------------------------------------------------------------- rank_genes_groups
def bh(p):
    return multipletests(p, alpha=0.05, method="fdr_bh")[1]


def de_ref():
    X, groups = lcg_counts(90, 40, seed=7)
    X = np.log1p(X)
    names = [f"g{g}" for g in groups]
    labels = np.array(names)
    cats = ["g0", "g1", "g2"]
    res = {"input": {"nCells": 90, "nGenes": 40, "seed": 7, "transform": "log1p"}, "cases": {}}

    def lfc(a, b):
        return np.log2((np.expm1(a.mean(0)) + 1e-9) / (np.expm1(b.mean(0)) + 1e-9))

    for reference in ["rest", "g0"]:
        for method in ["t-test", "t-test_overestim_var", "wilcoxon", "wilcoxon_tie"]:
            case = {}
            for g in cats:
                if g == reference:
                    continue
                a = X[labels == g]
                b = X[labels != g] if reference == "rest" else X[labels == reference]
                n1, n2 = a.shape[0], b.shape[0]
                if method.startswith("t-test"):
                    nobs2 = n2 if method == "t-test" else n1
                    with np.errstate(invalid="ignore", divide="ignore"):
                        t, p = stats.ttest_ind_from_stats(
                            a.mean(0), a.std(0, ddof=1), n1, b.mean(0), b.std(0, ddof=1), nobs2, equal_var=False
                        )
                    if method == "t-test":  # the same numbers straight from ttest_ind on the samples
                        with np.errstate(invalid="ignore", divide="ignore"):
                            t2, p2 = stats.ttest_ind(a, b, equal_var=False)
                        ok = ~np.isnan(t)
                        np.testing.assert_allclose(t[ok], t2[ok], rtol=1e-12)
                        np.testing.assert_allclose(p[ok], p2[ok], rtol=1e-10)
                    t[np.isnan(t)] = 0
                    p[np.isnan(p)] = 1
                else:
                    both = np.vstack([a, b])
                    N = n1 + n2
                    z = np.zeros(X.shape[1])
                    p = np.ones(X.shape[1])
                    for j in range(X.shape[1]):
                        r = stats.rankdata(both[:, j])
                        T = stats.tiecorrect(r) if method == "wilcoxon_tie" else 1.0
                        sd = np.sqrt(T * n1 * n2 * (N + 1) / 12.0)
                        with np.errstate(invalid="ignore", divide="ignore"):
                            zz = (r[:n1].sum() - n1 * (N + 1) / 2.0) / sd
                        z[j] = 0 if np.isnan(zz) else zz
                        if method == "wilcoxon_tie" and T > 0:
                            u = stats.mannwhitneyu(a[:, j], b[:, j], use_continuity=False, alternative="two-sided", method="asymptotic")
                            p[j] = u.pvalue
                            np.testing.assert_allclose(p[j], 2 * stats.norm.sf(abs(z[j])), rtol=1e-12)
                        else:
                            p[j] = 2 * stats.norm.sf(abs(z[j]))
                    t = z
                case[g] = {"scores": t, "pvals": p, "pvals_adj": bh(p), "logfoldchanges": lfc(a, b)}
            res["cases"][f"{method}|{reference}"] = case
    dump("rank_genes_groups.json", res)


if __name__ == "__main__":
    basic_ref()
    loess_ref()
    hvg_pbmc()
    hvg_v3_ref()
    pca_ref()
    de_ref()

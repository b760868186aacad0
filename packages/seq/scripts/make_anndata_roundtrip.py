#!/usr/bin/python3
"""The round-trip corpus: small, varied objects written by anndata 0.8 (and, for what anndata 0.8 cannot
write, by h5py following anndata's on-disk specification), with the fingerprint of each as anndata reads it.

Run with Debian's python (numpy 1.24, h5py 3.7, anndata 0.8):

    /usr/bin/python3 packages/seq/scripts/make_anndata_roundtrip.py

Writes packages/seq/reference/anndata/roundtrip/NN-name.h5ad (a few KB each), one MuData file
(mudata.h5mu, built with anndata's write_elem in the layout mudata writes), and fingerprints.json. Tests
read them (never this script): src/anndata/__tests__/roundtrip-corpus.test.ts checks that we read each file
exactly (same fingerprint) and that our rewrite reads back the same; `pnpm check:anndata` has anndata read
our rewrites (check_anndata_roundtrip.py).
"""
import json
import os
import shutil
import sys

import anndata as ad
import h5py
import numpy as np
import pandas as pd
import scipy.sparse as sp
from anndata.experimental import write_elem

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from anndata_fingerprint import fingerprint  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference", "anndata", "roundtrip")
shutil.rmtree(OUT, ignore_errors=True)
os.makedirs(OUT)
rng = np.random.default_rng(17)
cases = {}


def AD(X=None, **kw):
    """anndata 0.8's AnnData casts X to float32 unless told its dtype: keep the dtype we mean."""
    return ad.AnnData(X=X, dtype=None if X is None else X.dtype, **kw)


def names(prefix, n):
    return [f"{prefix}{i}" for i in range(n)]


def obs_frame(n):
    return pd.DataFrame(
        {
            "cond": pd.Categorical((["ctrl", "siMYOD1", "siPRRX1"] * n)[:n]),
            "n_counts": np.arange(n, dtype=np.float32) * 1.5,
            "flag": np.arange(n) % 2 == 0,
        },
        index=names("c", n),
    )


def sparse(n, m, fmt="csr", dtype=np.float32, density=0.3, seed=1):
    x = sp.random(n, m, density=density, format=fmt, dtype=np.float64, random_state=seed)
    x.data[:] = np.round(x.data * 10) + 1
    return x.astype(dtype)


def write(name, a, note, **kw):
    path = os.path.join(OUT, f"{len(cases) + 1:02d}-{name}.h5ad")
    a.write_h5ad(path, **kw)
    cases[os.path.basename(path)] = {"note": note}
    return path


def add_awkward(path, where, key, n):
    """An awkward-array element (a ragged list of int64, `n` lists) written with h5py per anndata's spec."""
    counts = np.arange(n) % 3
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    content = np.arange(offsets[-1], dtype=np.int64) * 7
    form = {
        "class": "ListOffsetArray",
        "offsets": "i64",
        "content": {"class": "NumpyArray", "primitive": "int64", "form_key": "node1"},
        "form_key": "node0",
    }
    with h5py.File(path, "a") as f:
        g = f[where].create_group(key)
        g.attrs["encoding-type"] = "awkward-array"
        g.attrs["encoding-version"] = "0.1.0"
        g.attrs["form"] = json.dumps(form)
        g.attrs["length"] = np.int64(n)
        c = g.create_group("container")
        c.create_dataset("node0-offsets", data=offsets)
        c.create_dataset("node1-data", data=content)


n, m = 12, 7
var = pd.DataFrame({"hv": np.arange(m) < 3}, index=names("G", m))

# ---------------------------------------------------------------- X layouts and dtypes
write("dense-f32", AD(rng.normal(size=(n, m)).astype(np.float32), obs=obs_frame(n), var=var), "dense float32 X")
write("dense-f64", AD(rng.normal(size=(n, m)), obs=obs_frame(n), var=var), "dense float64 X")
write("dense-int64", AD(rng.integers(0, 50, size=(n, m)).astype(np.int64), obs=obs_frame(n), var=var), "dense int64 X")
write("dense-bool", AD(rng.random((n, m)) > 0.5, obs=obs_frame(n), var=var), "dense bool X")
write("csr-f32", AD(sparse(n, m), obs=obs_frame(n), var=var), "CSR float32 X")
write("csc-f64", AD(sparse(n, m, "csc", np.float64), obs=obs_frame(n), var=var), "CSC float64 X")
write("csr-int32", AD(sparse(n, m, dtype=np.int32), obs=obs_frame(n), var=var), "CSR int32 X")
write("no-X", AD(obs=obs_frame(n), var=var), "X absent")

# ---------------------------------------------------------------- item 1: float16
write("float16-X", AD(rng.normal(size=(n, m)).astype(np.float16), obs=obs_frame(n), var=var), "dense float16 X")
write(
    "float16-elsewhere",
    ad.AnnData(
        X=sparse(n, m),
        obs=obs_frame(n),
        var=var,
        layers={"half": rng.normal(size=(n, m)).astype(np.float16)},
        obsm={"X_half": rng.normal(size=(n, 3)).astype(np.float16)},
        uns={"half": np.array([0.1, 1.5, 65504, -2.25], dtype=np.float16)},
    ),
    "float16 in layers, obsm and uns",
)

# ---------------------------------------------------------------- item 7: zero-size objects
for shape, fmt in [((0, m), "dense"), ((n, 0), "dense"), ((0, 0), "dense"), ((0, m), "csr"), ((n, 0), "csr"), ((0, 0), "csc")]:
    r, c = shape
    X = np.zeros(shape, dtype=np.float32) if fmt == "dense" else (sp.csr_matrix if fmt == "csr" else sp.csc_matrix)(shape, dtype=np.float32)
    obs = obs_frame(r)
    write(f"zero-{r}x{c}-{fmt}", AD(X, obs=obs, var=pd.DataFrame(index=names("G", c))), f"{r} x {c} {fmt} X")

# ---------------------------------------------------------------- item 3: empty string arrays
obs = obs_frame(n)
obs["nothing"] = pd.Categorical([None] * n, categories=[])
write(
    "empty-strings",
    AD(sparse(n, m), obs=obs, var=var, uns={"no_names": np.array([], dtype=object), "one": np.array(["x"], dtype=object)}),
    "categorical without categories, empty string list in uns",
)

# ---------------------------------------------------------------- obs/var columns and indexes
obs = pd.DataFrame(
    {
        "level": pd.Categorical((["low", "mid", "high"] * n)[:n], categories=["low", "mid", "high"], ordered=True),
        "icat": pd.Categorical(([3, 1, 2] * n)[:n]),
        "fcat": pd.Categorical(([0.5, 1.5] * n)[:n]),
        "nint": pd.array([None if i % 4 == 0 else i for i in range(n)], dtype="Int32"),
        "nbool": pd.array([None if i % 5 == 0 else i % 2 == 0 for i in range(n)], dtype="boolean"),
        "u8": np.arange(n, dtype=np.uint8),
        "i16": -np.arange(n, dtype=np.int16),
        "i64": np.arange(n, dtype=np.int64) * 10**12,
        "f32": np.linspace(0, 1, n, dtype=np.float32),
        "f16": np.linspace(-1, 1, n).astype(np.float16),
        "label": [f"L{i % 4}" for i in range(n)],
    },
    index=pd.Index(names("cell-", n), name="cell_id"),
)
write(
    "columns",
    AD(sparse(n, m), obs=obs, var=var.rename_axis("gene_symbol")),
    "every column kind; named indexes",
)
uni = pd.DataFrame({"état": pd.Categorical((["α", "β", "ünï"] * n)[:n])}, index=[f"zelle-{i}-ä" for i in range(n)])
write("unicode", AD(sparse(n, m), obs=uni, var=pd.DataFrame(index=[f"gén{j}" for j in range(m)])), "non-ASCII names and categories")
write("one-row", AD(np.ones((1, m), dtype=np.float32), obs=obs_frame(1), var=var), "a single observation")

# ---------------------------------------------------------------- mappings, raw, uns
a = ad.AnnData(
    X=sparse(n, m),
    obs=obs_frame(n),
    var=var,
    layers={"counts": sparse(n, m, seed=3), "dense": rng.normal(size=(n, m))},
    obsm={"X_pca": rng.normal(size=(n, 4)).astype(np.float32), "X_sparse": sparse(n, 5, seed=4), "df": pd.DataFrame({"z": np.arange(n)}, index=names("c", n))},
    varm={"PCs": rng.normal(size=(m, 4))},
    obsp={"distances": sparse(n, n, seed=5, dtype=np.float64), "dense_p": rng.random((n, n))},
    varp={"corr": rng.random((m, m)).astype(np.float32)},
)
write("mappings", a, "layers, obsm (dense, sparse, dataframe), varm, obsp, varp")
r = AD(sparse(n, m + 3, seed=6), obs=obs_frame(n), var=pd.DataFrame({"mean": np.arange(m + 3, dtype=np.float64)}, index=names("G", m + 3)), varm={"loadings": np.ones((m + 3, 2))})
a = r[:, :m].copy()
a.raw = r
write("raw", a, "raw with more variables than X, and raw.varm")
write(
    "uns-tree",
    ad.AnnData(
        X=sparse(n, m),
        obs=obs_frame(n),
        var=var,
        uns={
            "title": "HYPED",
            "n_int": 42,
            "big": np.int64(2**60),
            "res": 0.5,
            "flag": False,
            "i32": np.int32(7),
            "f32": np.float32(0.25),
            "colors": np.array(["#ff0000", "#00ff00", "#0000ff"], dtype=object),
            "grid": np.arange(12, dtype=np.int32).reshape(3, 4),
            "mask": np.array([True, False, True]),
            "nested": {"deeper": {"arr": np.array([1.5, 2.5]), "name": "x"}, "empty": {}},
            "sparse": sparse(4, 3, seed=7),
            "table": pd.DataFrame({"v": np.arange(3, dtype=np.int64)}, index=["a", "b", "c"]),
        },
    ),
    "nested uns: scalars of each dtype, strings, arrays, a sparse matrix, a dataframe",
)

# ---------------------------------------------------------------- compression (item 6: LZF)
big_n, big_m = 300, 40
big = AD(sparse(big_n, big_m, density=0.2, seed=8), obs=obs_frame(big_n), var=pd.DataFrame(index=names("G", big_m)))
big.layers["dense"] = np.round(rng.normal(size=(big_n, big_m)), 1).astype(np.float32)
write("gzip", big, "gzip-compressed datasets", compression="gzip")
write("lzf", big, "LZF-compressed datasets (Debian's h5py omits the chunk size from the filter parameters)", compression="lzf")

# ---------------------------------------------------------------- item 2: awkward arrays in mappings and uns
a = AD(sparse(n, m), obs=obs_frame(n), var=var, obsm={"X_pca": rng.normal(size=(n, 2))})
p = write("awkward", a, "awkward arrays in obsm, layers-free varm and uns (added with h5py)")
add_awkward(p, "obsm", "ragged", n)
add_awkward(p, "varm", "ragged_var", m)
add_awkward(p, "uns", "ragged_uns", 5)

# ---------------------------------------------------------------- item 4: MuData (refused by readH5ad, read by readH5mu)
mu = os.path.join(OUT, "mudata.h5mu")
rna = AD(sparse(n, m), obs=obs_frame(n), var=var)
prot = AD(rng.random((n, 3)).astype(np.float32), obs=obs_frame(n), var=pd.DataFrame(index=["CD3", "CD4", "CD8"]))
with h5py.File(mu, "w", userblock_size=512) as f:
    write_elem(f, "obs", pd.DataFrame({"total": np.arange(n, dtype=np.float64)}, index=names("c", n)))
    write_elem(f, "var", pd.DataFrame(index=names("G", m) + ["CD3", "CD4", "CD8"]))
    write_elem(f, "obsm", {"X_mofa": rng.normal(size=(n, 2))})
    write_elem(f, "varm", {})
    write_elem(f, "obsp", {})
    write_elem(f, "varp", {})
    write_elem(f, "uns", {"study": "HYPED"})
    write_elem(f, "obsmap", {"rna": np.arange(1, n + 1, dtype=np.int64), "prot": np.arange(1, n + 1, dtype=np.int64)})
    write_elem(f, "varmap", {"rna": np.concatenate([np.arange(1, m + 1), np.zeros(3)]).astype(np.int64), "prot": np.concatenate([np.zeros(m), np.arange(1, 4)]).astype(np.int64)})
    f.attrs["axis"] = 0
    mod = f.create_group("mod")
    for k, x in (("rna", rna), ("prot", prot)):
        g = mod.create_group(k)
        for elem in ("X", "obs", "var", "obsm", "varm", "obsp", "varp", "layers", "uns"):
            val = getattr(x, elem)
            write_elem(g, elem, val if elem in ("X", "obs", "var") else dict(val))
        g.attrs["encoding-type"] = "anndata"
        g.attrs["encoding-version"] = "0.1.0"
        g.attrs["encoder"] = "mudata"
    mod.attrs["mod-order"] = np.array(["rna", "prot"], dtype=object)
    f.attrs["encoding-type"] = "MuData"
    f.attrs["encoding-version"] = "0.1.0"
    f.attrs["encoder"] = "mudata"
with open(mu, "r+b") as fh:
    head = b"MuData (format-version=0.1.0;creator=muon;creator-version=0.1.0)"
    fh.write(head + b"\0" * (512 - len(head)))

# ---------------------------------------------------------------- fingerprints
out = {}
for name in sorted(cases):
    out[name] = {**cases[name], "fingerprint": fingerprint(os.path.join(OUT, name))}
    if not any("awkward" in json.dumps(v) for v in [out[name]["fingerprint"]]):
        ad.read_h5ad(os.path.join(OUT, name))  # anndata itself opens every file it can
out["mudata.h5mu"] = {"note": "a MuData container with two modalities", "fingerprint": fingerprint(mu)}
with open(os.path.join(OUT, "fingerprints.json"), "w") as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(f"wrote {len(cases)} .h5ad files and 1 .h5mu to {OUT}")

#!/usr/bin/python3
"""Small .h5ad files for every encoding, written by anndata 0.8 and by h5py directly, plus expected values.

Run with Debian's python (numpy 1.24, h5py 3.7, anndata 0.8):

    /usr/bin/python3 packages/seq/scripts/make_anndata_reference.py

Writes packages/seq/reference/anndata/*.h5ad and expected.json. The files are a few KB each; tests read
them (never this script). Elements anndata 0.8 cannot write (2-D string arrays, nullable-string-array,
awkward-array, null, legacy h5sparse groups, unknown encodings) are written with h5py following the
anndata on-disk specification.
"""
import json
import os

import anndata as ad
import h5py
import numpy as np
import pandas as pd
import scipy.sparse as sp

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference", "anndata")
os.makedirs(OUT, exist_ok=True)
expected = {}

STR = h5py.string_dtype("utf-8")


def enc(obj, t, v):
    obj.attrs["encoding-type"] = t
    obj.attrs["encoding-version"] = v


# --------------------------------------------------------------------------- written by anndata 0.8
rng = np.random.default_rng(0)
n, m = 40, 15
X = sp.random(n, m, density=0.3, format="csr", dtype=np.float32, random_state=1)
X.data[:] = np.round(X.data * 10)
obs = pd.DataFrame(
    {
        "cond": pd.Categorical(["ctrl", "siPRRX1", None, "siMYOD1"] * 10),
        "level": pd.Categorical(["low", "mid", "high", "low"] * 10, categories=["low", "mid", "high"], ordered=True),
        "ncat": pd.Categorical([1, 5, 1, 5] * 10),
        "count": np.arange(n, dtype=np.int64) * 3,
        "u16": np.arange(n, dtype=np.uint16),
        "frac": np.linspace(0, 1, n),
        "flag": np.arange(n) % 2 == 0,
        "label": [f"L{i}" for i in range(n)],
        "nint": pd.array([None if i == 3 else i for i in range(n)], dtype="Int32"),
        "nbool": pd.array([None if i == 5 else i % 3 == 0 for i in range(n)], dtype="boolean"),
    },
    index=[f"cell{i}" for i in range(n)],
)
var = pd.DataFrame({"hv": np.arange(m) < 5, "mean": np.arange(m, dtype=np.float32)}, index=[f"G{j}" for j in range(m)])
a = ad.AnnData(
    X=X,
    obs=obs,
    var=var,
    layers={"dense": X.toarray().astype(np.float64), "csc": sp.csc_matrix(X)},
    obsm={"X_pca": rng.normal(size=(n, 3)).astype(np.float32), "df": pd.DataFrame({"z": np.arange(n)}, index=obs.index)},
    varm={"PCs": np.ones((m, 2))},
    obsp={"distances": sp.identity(n, format="csr", dtype=np.float64)},
    uns={
        "title": "HYPED",
        "n": 15,
        "res": 1.0,
        "flag": True,
        "colors": np.array(["#ff0000", "#00ff00"], dtype=object),
        "nested": {"deeper": {"arr": np.array([1.5, 2.5], dtype=np.float32)}},
        "bools": np.array([True, False, True]),
    },
)
a.raw = a
a.write_h5ad(os.path.join(OUT, "anndata08_all.h5ad"), compression="gzip")
expected["anndata08_all.h5ad"] = {
    "shape": [n, m],
    "X_sum": float(X.sum()),
    "X_nnz": int(X.nnz),
    "obs_columns": list(obs.columns),
    "cond_categories": list(obs["cond"].cat.categories),
    "cond_codes": obs["cond"].cat.codes.tolist(),
    "level_ordered": True,
    "ncat_categories": [1, 5],
    "nint_masked": [3],
    "nbool_masked": [5],
    "flag_true": int(obs["flag"].sum()),
    "uns_keys": sorted(a.uns.keys()),
    "layers": ["csc", "dense"],
    "obsm": ["X_pca", "df"],
}

# the same content with LZF (anndata 0.7 default). Debian's h5py stores the LZF filter without its
# cd_values (the chunk size), which the h5wasm LZF plugin needs; our direct path decodes LZF itself and reads it.
# LZF files from pip's h5py (like the anndata 0.7.8 fixture) carry them and read fine.
a.write_h5ad(os.path.join(OUT, "anndata08_lzf.h5ad"), compression="lzf")
expected["anndata08_lzf.h5ad"] = expected["anndata08_all.h5ad"]

# --------------------------------------------------------------------------- hand-written elements
path = os.path.join(OUT, "h5py_elements.h5ad")
with h5py.File(path, "w") as f:
    enc(f, "anndata", "0.1.0")
    k = 6
    # obs: dataframe 0.2.0 whose _index is a nullable-string group, empty float64 column-order on var
    g = f.create_group("obs")
    enc(g, "dataframe", "0.2.0")
    g.attrs["_index"] = "names"
    g.attrs["column-order"] = np.array(["nstr", "cat_nstr", "u8idx"], dtype=object)
    ix = g.create_group("names")
    enc(ix, "nullable-string-array", "0.1.0")
    ix.create_dataset("values", data=np.array([f"o{i}" for i in range(k)], dtype=object), dtype=STR)
    ix.create_dataset("mask", data=np.zeros(k, dtype=bool))
    ns = g.create_group("nstr")
    enc(ns, "nullable-string-array", "0.1.0")
    ns.attrs["na-value"] = "NA"
    ns.create_dataset("values", data=np.array(["a", "", "c", "d", "", "f"], dtype=object), dtype=STR)
    ns.create_dataset("mask", data=np.array([0, 1, 0, 0, 1, 0], dtype=bool))
    cn = g.create_group("cat_nstr")
    enc(cn, "categorical", "0.2.0")
    cn.attrs["ordered"] = False
    cn.create_dataset("codes", data=np.array([0, 1, -1, 0, 1, 1], dtype=np.int8))
    cc = cn.create_group("categories")
    enc(cc, "nullable-string-array", "0.1.0")
    cc.create_dataset("values", data=np.array(["x", "y"], dtype=object), dtype=STR)
    cc.create_dataset("mask", data=np.zeros(2, dtype=bool))
    u8 = g.create_dataset("u8idx", data=np.arange(k, dtype=np.uint8))
    enc(u8, "array", "0.2.0")
    v = f.create_group("var")
    enc(v, "dataframe", "0.2.0")
    v.attrs["_index"] = "_index"
    v.attrs["column-order"] = np.array([], dtype=np.float64)
    vi = v.create_dataset("_index", data=np.array(["g0", "g1", "g2", "g3"], dtype=object), dtype=STR)
    enc(vi, "string-array", "0.2.0")
    # X: csr with uint16 indices and int64 indptr
    xg = f.create_group("X")
    enc(xg, "csr_matrix", "0.1.0")
    xg.attrs["shape"] = np.array([k, 4], dtype=np.int64)
    xg.create_dataset("data", data=np.array([1, 2, 3, 4, 5], dtype=np.float64))
    xg.create_dataset("indices", data=np.array([0, 3, 1, 2, 3], dtype=np.uint16))
    xg.create_dataset("indptr", data=np.array([0, 2, 2, 3, 3, 5, 5], dtype=np.int64))
    for name in ("layers", "obsm", "varm", "obsp", "varp"):
        enc(f.create_group(name), "dict", "0.1.0")
    u = f.create_group("uns")
    enc(u, "dict", "0.1.0")
    s2 = u.create_dataset("s2d", data=np.array([["a", "b", "c"], ["d", "e", "f"]], dtype=object), dtype=STR)
    enc(s2, "string-array", "0.2.0")
    nul = u.create_dataset("none", data=h5py.Empty("f"))
    enc(nul, "null", "0.1.0")
    rec = np.rec.fromarrays([np.arange(3, dtype=np.int32), np.array([0.5, 1.5, 2.5])], names="i,x")
    rd = u.create_dataset("rec", data=rec)
    enc(rd, "rec-array", "0.2.0")
    aw = u.create_group("awk")
    enc(aw, "awkward-array", "0.1.0")
    aw.attrs["form"] = json.dumps({"class": "ListOffsetArray", "offsets": "i64", "content": {"class": "NumpyArray", "primitive": "int64", "form_key": "node1"}, "form_key": "node0"})
    aw.attrs["length"] = 2
    ct = aw.create_group("container")
    ct.create_dataset("node0-offsets", data=np.array([0, 2, 3], dtype=np.int64))
    ct.create_dataset("node1-data", data=np.array([7, 8, 9], dtype=np.int64))
    sc = u.create_dataset("scalar_bool", data=np.bool_(True))
    enc(sc, "numeric-scalar", "0.2.0")
    st = u.create_dataset("str", data="hello", dtype=STR)
    enc(st, "string", "0.2.0")
    unk = u.create_group("future")
    enc(unk, "future-thing", "9.9.9")
    unk.create_dataset("payload", data=np.arange(3))
    legacy = u.create_group("h5sparse")
    legacy.attrs["h5sparse_format"] = "csc"
    legacy.attrs["h5sparse_shape"] = np.array([2, 3])
    legacy.create_dataset("data", data=np.array([1.0, 2.0]))
    legacy.create_dataset("indices", data=np.array([1, 0], dtype=np.int32))
    legacy.create_dataset("indptr", data=np.array([0, 1, 1, 2], dtype=np.int32))
expected["h5py_elements.h5ad"] = {
    "shape": [6, 4],
    "obs_names": [f"o{i}" for i in range(6)],
    "nstr_mask": [0, 1, 0, 0, 1, 0],
    "cat_nstr_categories": ["x", "y"],
    "X_dense": sp.csr_matrix((np.array([1, 2, 3, 4, 5.0]), np.array([0, 3, 1, 2, 3]), np.array([0, 2, 2, 3, 3, 5, 5])), shape=(6, 4)).toarray().tolist(),
    "s2d_shape": [2, 3],
    "rec_x": [0.5, 1.5, 2.5],
    "awk_length": 2,
}

with open(os.path.join(OUT, "expected.json"), "w") as fh:
    json.dump(expected, fh, indent=1, sort_keys=True)
print("wrote", sorted(os.listdir(OUT)))

"""The content fingerprint of an .h5ad file as anndata reads it, shared by make_anndata_roundtrip.py (which
commits the fingerprints) and check_anndata_roundtrip.py (which compares our rewrites with them).

The TypeScript side (src/anndata/__tests__/fingerprint.ts) computes the same JSON from our AnnData, so a test
can say "we read this file exactly as anndata does" by comparing the two.

Every array becomes {dtype, shape, sha} where sha is the first 16 hex digits of the SHA-256 of its C-order
little-endian bytes (booleans as 0/1 bytes; sparse index arrays as int64; categorical codes as int64; strings
as the UTF-8 of their compact JSON list). Dicts keep sorted keys. A dataframe is its index name (None for
anndata's default "_index"), index, and columns in order.
"""
import hashlib
import json

import h5py
import numpy as np
import pandas as pd
import scipy.sparse as sp
from anndata.experimental import read_elem


def sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()[:16]


def strings(values) -> dict:
    vals = [str(v) for v in np.asarray(values, dtype=object).ravel().tolist()]
    text = json.dumps(vals, ensure_ascii=False, separators=(",", ":"))
    return {"dtype": "str", "shape": list(np.shape(values)), "sha": sha(text.encode("utf-8"))}


def array(a) -> dict:
    a = np.asarray(a)
    if a.dtype.kind in "OSU":
        return strings(a)
    if a.dtype.kind == "b":
        return {"dtype": "bool", "shape": list(a.shape), "sha": sha(np.ascontiguousarray(a, dtype=np.uint8).tobytes())}
    le = a.dtype.newbyteorder("<") if a.dtype.byteorder == ">" else a.dtype
    return {"dtype": str(a.dtype), "shape": list(a.shape), "sha": sha(np.ascontiguousarray(a, dtype=le).tobytes())}


def ints(a) -> str:
    return sha(np.ascontiguousarray(np.asarray(a), dtype="<i8").tobytes())


def matrix(m) -> dict:
    if sp.issparse(m):
        fmt = "csr" if sp.isspmatrix_csr(m) else "csc"
        return {
            "kind": fmt,
            "shape": list(m.shape),
            "data": array(m.data),
            "indices": ints(m.indices),
            "indptr": ints(m.indptr),
        }
    if isinstance(m, pd.DataFrame):
        return {"kind": "dataframe", **frame(m)}
    return {"kind": "dense", **array(m)}


def column(c: pd.Series) -> dict:
    dt = c.dtype
    if isinstance(dt, pd.CategoricalDtype):
        cats = c.cat.categories
        return {
            "kind": "categorical",
            "ordered": bool(c.cat.ordered),
            "categories": array(np.asarray(cats)),
            "codes": ints(c.cat.codes.to_numpy()),
        }
    if str(dt) in ("Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "boolean"):
        arr = c.array
        values = np.array(arr._data, copy=True)
        mask = np.asarray(arr._mask, dtype=bool)
        values[mask] = 0
        kind = "nullable-boolean" if str(dt) == "boolean" else "nullable-integer"
        return {"kind": kind, "values": array(values), "mask": array(mask)}
    if dt == object:
        return {"kind": "string", "values": strings(c.to_numpy())}
    if dt.kind == "b":
        return {"kind": "boolean", "values": array(c.to_numpy())}
    return {"kind": "numeric", "values": array(c.to_numpy())}


def frame(df: pd.DataFrame) -> dict:
    name = df.index.name
    return {
        "index_name": None if name in (None, "_index") else str(name),
        "index": strings(np.asarray(df.index, dtype=object)),
        "columns": [[str(k), column(df[k])] for k in df.columns],
    }


def element(v):
    """An uns value."""
    if isinstance(v, dict):
        return {"dict": {str(k): element(v[k]) for k in sorted(v)}}
    if isinstance(v, str):
        return {"string": v}
    if isinstance(v, (np.bool_, bool)):
        return {"scalar": "bool", "value": bool(v)}
    # integers as decimal strings (exact beyond 2^53 on both sides), floats as numbers
    if isinstance(v, np.integer):
        return {"scalar": str(np.asarray(v).dtype), "value": str(v.item())}
    if isinstance(v, np.floating):
        x = v.item()
        return {"scalar": str(np.asarray(v).dtype), "value": x if np.isfinite(x) else str(x)}
    if isinstance(v, int):
        return {"scalar": "int64", "value": str(v)}
    if isinstance(v, float):
        return {"scalar": "float64", "value": v}
    if isinstance(v, pd.DataFrame):
        return {"dataframe": frame(v)}
    if sp.issparse(v):
        return {"sparse": matrix(v)}
    if isinstance(v, np.ndarray):
        return {"array": array(v)}
    if isinstance(v, AwkwardPart):
        return {"awkward": v.fp}
    raise TypeError(f"no fingerprint for {type(v)}")


class AwkwardPart:
    """An awkward-array element, fingerprinted from its HDF5 group (anndata 0.8 cannot read it)."""

    def __init__(self, g: h5py.Group):
        c = g["container"]
        self.fp = {
            "form": json.loads(g.attrs["form"]),
            "length": int(g.attrs["length"]),
            "buffers": {k: array(c[k][()]) for k in sorted(c.keys())},
        }


def read_any(g):
    enc = g.attrs.get("encoding-type", "")
    if isinstance(enc, bytes):
        enc = enc.decode()
    if enc == "awkward-array":
        return AwkwardPart(g)
    if enc == "dict" and isinstance(g, h5py.Group):
        return {k: read_any(g[k]) for k in g.keys()}
    return read_elem(g)


def mapping(group) -> dict:
    out = {}
    for k in sorted(group.keys()) if group is not None else []:
        v = read_any(group[k])
        out[k] = {"awkward": v.fp} if isinstance(v, AwkwardPart) else matrix(v)
    return out


def anndata_at(g: h5py.Group) -> dict:
    """The fingerprint of the AnnData group `g` (a file root or a MuData modality)."""
    get = lambda k: g[k] if k in g else None  # noqa: E731
    fp = {
        "X": None if get("X") is None else matrix(read_elem(g["X"])),
        "obs": frame(read_elem(g["obs"])),
        "var": frame(read_elem(g["var"])),
    }
    for k in ("layers", "obsm", "varm", "obsp", "varp"):
        fp[k] = mapping(get(k))
    fp["uns"] = element(read_any(g["uns"])) if "uns" in g else {"dict": {}}
    if "raw" in g:
        r = g["raw"]
        fp["raw"] = {
            "X": None if "X" not in r else matrix(read_elem(r["X"])),
            "var": frame(read_elem(r["var"])),
            "varm": mapping(r["varm"] if "varm" in r else None),
        }
    else:
        fp["raw"] = None
    return fp


def fingerprint(path: str) -> dict:
    with h5py.File(path, "r") as f:
        if "mod" in f:
            return {
                "obs": frame(read_elem(f["obs"])),
                "var": frame(read_elem(f["var"])),
                "mod": {k: anndata_at(f["mod"][k]) for k in f["mod"].keys()},
            }
        return anndata_at(f)

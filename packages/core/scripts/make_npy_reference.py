#!/usr/bin/env python3
"""Write small .npy files with numpy for the .npy conformance tests.

Run with Debian's python3 (numpy 1.24):  /usr/bin/python3 packages/core/scripts/make_npy_reference.py
Outputs packages/core/reference/npy/*.npy and index.json (dtype, shape, order, values as a flat C-order list).
"""
import json, os
import numpy as np

out = os.path.join(os.path.dirname(__file__), "..", "reference", "npy")
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
index = []
dtypes = ["float32", "float64", "int8", "int16", "int32", "uint8", "uint16", "uint32", "int64", "uint64", "bool"]
for dt in dtypes:
    for order in ("C", "F"):
        for endian in ("<", ">"):
            if np.dtype(dt).itemsize == 1 and endian == ">":
                continue
            shape = (3, 5) if order == "C" else (4, 3)
            if dt == "bool":
                a = rng.integers(0, 2, size=shape).astype(bool)
            elif dt.startswith("float"):
                a = (rng.standard_normal(shape) * 1000).astype(dt)
            else:
                info = np.iinfo(dt)
                a = rng.integers(info.min, info.max, size=shape, dtype=dt, endpoint=True)
            a = np.asarray(a, order=order)
            if endian == ">":
                a = a.astype(a.dtype.newbyteorder(">"))
            name = f"{dt}_{order}_{'be' if endian == '>' else 'le'}.npy"
            np.save(os.path.join(out, name), a)
            vals = a.ravel(order="C").tolist()
            if dt in ("int64", "uint64"):
                vals = [str(v) for v in vals]
            index.append({"file": name, "dtype": dt, "shape": list(a.shape), "order": order, "bigEndian": endian == ">", "values": vals})
# 0-d, 1-d, 3-d, empty, float16, version 2.0 and 3.0 headers
extra = {
    "scalar_f8.npy": np.array(3.25),
    "vector_i4.npy": np.arange(7, dtype="int32"),
    "cube_u2.npy": np.arange(24, dtype="uint16").reshape(2, 3, 4),
    "empty_f4.npy": np.zeros((0, 3), dtype="float32"),
    "half_f2.npy": np.array([0.5, -2.0, 65504.0, 1e-4], dtype="float16"),
}
for name, a in extra.items():
    np.save(os.path.join(out, name), a)
    index.append({"file": name, "dtype": str(a.dtype), "shape": list(a.shape), "order": "C", "bigEndian": False, "values": a.ravel().astype("float64").tolist()})
a = np.arange(6, dtype="float64").reshape(2, 3)
for ver in ((2, 0), (3, 0)):
    name = f"version{ver[0]}_f8.npy"
    with open(os.path.join(out, name), "wb") as f:
        np.lib.format.write_array(f, a, version=ver)
    index.append({"file": name, "dtype": "float64", "shape": [2, 3], "order": "C", "bigEndian": False, "values": a.ravel().tolist(), "version": list(ver)})
with open(os.path.join(out, "index.json"), "w") as f:
    json.dump(index, f)
print(len(index), "files")

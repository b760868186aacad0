#!/usr/bin/python3
"""Check that Debian's anndata 0.8 reads the .h5ad files our writer made, with the same content.

Not run by CI. Usage (see write_check_files.ts):

    /usr/bin/python3 packages/seq/scripts/check_h5ad_with_anndata.py /tmp/h5ad-check

Prints one line per file and exits non-zero on any mismatch.
"""
import glob
import json
import math
import os
import sys

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

folder = sys.argv[1] if len(sys.argv) > 1 else "/tmp/h5ad-check"
failures = 0
for path in sorted(glob.glob(os.path.join(folder, "*.h5ad"))):
    facts = json.load(open(path[:-5] + ".json"))
    problems = []
    known_gap = "KNOWN-GAP" in path
    try:
        a = ad.read_h5ad(path)
    except Exception as e:  # noqa: BLE001
        if known_gap:
            print(f"gap  {os.path.basename(path)}: as documented, anndata {ad.__version__} fails: {type(e).__name__}: {str(e)[:90]}")
            continue
        print(f"FAIL {os.path.basename(path)}: anndata cannot read it: {type(e).__name__}: {e}")
        failures += 1
        continue

    def check(cond, msg):
        if not cond:
            problems.append(msg)

    check(list(a.shape) == facts["shape"], f"shape {a.shape} vs {facts['shape']}")
    check(list(a.obs_names) == facts["obs_names"], "obs_names differ")
    check(list(a.var_names) == facts["var_names"], "var_names differ")
    if facts["X_sum"] is None:
        check(a.X is None, "X should be absent")
    else:
        s = float(a.X.sum()) if a.X is not None else float("nan")
        check(math.isclose(s, facts["X_sum"], rel_tol=1e-6, abs_tol=1e-6), f"X sum {s} vs {facts['X_sum']}")
        kind = "csr" if sp.isspmatrix_csr(a.X) else "csc" if sp.isspmatrix_csc(a.X) else "dense"
        check(kind == facts["X_kind"], f"X kind {kind} vs {facts['X_kind']}")
    for axis in ("obs", "var"):
        df = getattr(a, axis)
        check(list(df.columns) == [c["name"] for c in facts[axis]], f"{axis} columns {list(df.columns)}")
        for c in facts[axis]:
            if c["name"] not in df:
                continue
            col = df[c["name"]]
            if c["kind"] == "categorical":
                ok = isinstance(col.dtype, pd.CategoricalDtype)
                check(ok, f"{axis}.{c['name']} is {col.dtype}, expected category")
                if ok:
                    check([x.item() if hasattr(x, "item") else x for x in col.cat.categories] == c["categories"], f"{axis}.{c['name']} categories")
                    check(bool(col.cat.ordered) == c["ordered"], f"{axis}.{c['name']} ordered")
                    check(col.cat.codes.tolist() == c["codes"], f"{axis}.{c['name']} codes")
            elif c["kind"] == "boolean":
                check(col.dtype == np.bool_, f"{axis}.{c['name']} is {col.dtype}, expected bool")
            elif c["kind"] == "nullable-boolean":
                check(str(col.dtype) == "boolean", f"{axis}.{c['name']} is {col.dtype}, expected boolean")
                check(col.isna().astype(int).tolist() == c["mask"], f"{axis}.{c['name']} mask")
            elif c["kind"] == "nullable-integer":
                check(str(col.dtype).startswith(("Int", "UInt")), f"{axis}.{c['name']} is {col.dtype}, expected a nullable integer")
                check(col.isna().astype(int).tolist() == c["mask"], f"{axis}.{c['name']} mask")
            elif c["kind"] == "string":
                check(col.dtype == object, f"{axis}.{c['name']} is {col.dtype}, expected strings")
    check(sorted(a.layers.keys()) == facts["layers"], f"layers {sorted(a.layers.keys())}")
    check(sorted(a.obsm.keys()) == facts["obsm"], f"obsm {sorted(a.obsm.keys())}")
    check(sorted(a.obsp.keys()) == facts["obsp"], f"obsp {sorted(a.obsp.keys())}")
    check(sorted(a.uns.keys()) == facts["uns_keys"], f"uns {sorted(a.uns.keys())}")
    if facts["raw_shape"] is not None:
        check(a.raw is not None and list(a.raw.shape) == facts["raw_shape"], "raw shape")
    status = "ok  " if not problems else "FAIL"
    failures += bool(problems)
    print(f"{status} {os.path.basename(path)}" + ("" if not problems else ": " + "; ".join(problems)))
print(f"{failures} file(s) with problems")
sys.exit(1 if failures else 0)

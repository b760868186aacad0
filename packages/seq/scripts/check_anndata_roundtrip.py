#!/usr/bin/python3
"""Have anndata 0.8 read our rewrites of the round-trip corpus (see check_anndata.ts; not run by CI).

    /usr/bin/python3 packages/seq/scripts/check_anndata_roundtrip.py <corpus folder> <rewrites folder>

For each source file NN-name.h5ad in the corpus and each rewrite (NN-name.h5ad, NN-name.gzip.h5ad):
- anndata.read_h5ad opens the rewrite (files with awkward arrays, which anndata 0.8 cannot read, are opened
  element by element with anndata's read_elem instead);
- the rewrite's fingerprint as anndata reads it equals the source's (fingerprints.json);
- X, obs and var are equal to the source's by anndata's and pandas' own comparisons.
Prints one line per rewrite and a total; exits 1 on any problem.
"""
import glob
import json
import os
import sys
import warnings

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from anndata_fingerprint import fingerprint  # noqa: E402

warnings.filterwarnings("ignore")
corpus, rewrites = sys.argv[1], sys.argv[2]
expected = json.load(open(os.path.join(corpus, "fingerprints.json")))


def diff(a, b, where=""):
    """The first path where two fingerprints differ, or None."""
    if type(a) is not type(b):
        return f"{where}: {json.dumps(a)[:80]} vs {json.dumps(b)[:80]}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{where}/{k}: present on one side only"
            d = diff(a[k], b[k], f"{where}/{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} vs {len(b)} entries"
        for i, (x, y) in enumerate(zip(a, b)):
            d = diff(x, y, f"{where}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{where}: {a!r} vs {b!r}"


def same_matrix(x, y):
    if x is None or y is None:
        return x is None and y is None
    if sp.issparse(x) != sp.issparse(y) or x.shape != y.shape or x.dtype != y.dtype:
        return False
    if sp.issparse(x):
        return x.format == y.format and (x != y).nnz == 0
    return np.array_equal(x, y)


failures = 0
total = 0
for path in sorted(glob.glob(os.path.join(rewrites, "*.h5ad"))):
    name = os.path.basename(path)
    source = name.replace(".gzip.h5ad", ".h5ad")
    total += 1
    problems = []
    try:
        fp = fingerprint(path)
        d = diff(expected[source]["fingerprint"], fp)
        if d:
            problems.append(f"fingerprint differs at {d}")
        if "awkward" not in json.dumps(expected[source]["fingerprint"]):
            ours = ad.read_h5ad(path)
            theirs = ad.read_h5ad(os.path.join(corpus, source))
            if not same_matrix(ours.X, theirs.X):
                problems.append("X differs")
            for axis in ("obs", "var"):
                try:
                    pd.testing.assert_frame_equal(getattr(ours, axis), getattr(theirs, axis))
                except AssertionError as e:
                    problems.append(f"{axis}: {str(e).splitlines()[0]}")
    except Exception as e:  # noqa: BLE001
        problems.append(f"anndata cannot read it: {type(e).__name__}: {e}")
    failures += bool(problems)
    print(("ok   " if not problems else "FAIL ") + name + ("" if not problems else ": " + "; ".join(problems)))
print(f"{total - failures} of {total} rewrites readable by anndata {ad.__version__} and equal to their source")
sys.exit(1 if failures else 0)

#!/usr/bin/python3
"""The benchmark's files: an N x 36,000 CSR matrix at ~8% density (2,880 stored float32 counts per cell;
N = 20,000 by default: 57.6 M values), written by anndata 0.8 twice (gzip, uncompressed) as
`csr_{N}x36000_{gzip,none}.h5ad`. Not committed; `pnpm bench anndata` runs this for each missing size
(5,000, 20,000 and 80,000 cells).

    /usr/bin/python3 packages/seq/scripts/make_anndata_bench.py /tmp/hyped-bench [N]

Deterministic: each row holds 2,880 distinct sorted columns drawn by numpy's generator with seed 20; the
values are 1 + (k mod 23).
"""
import os
import sys

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/hyped-bench"
os.makedirs(out, exist_ok=True)
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
cols, density = 36000, 0.08
per_row = int(cols * density)
rng = np.random.default_rng(20)
indptr = np.arange(rows + 1, dtype=np.int64) * per_row
indices = np.empty(rows * per_row, dtype=np.int32)
for i in range(rows):
    indices[i * per_row:(i + 1) * per_row] = np.sort(rng.choice(cols, per_row, replace=False))
data = (1 + np.arange(rows * per_row) % 23).astype(np.float32)
X = sp.csr_matrix((data, indices, indptr.astype(np.int32)), shape=(rows, cols))
a = ad.AnnData(
    X=X,
    obs=pd.DataFrame(index=[f"cell{i}" for i in range(rows)]),
    var=pd.DataFrame(index=[f"gene{j}" for j in range(cols)]),
)
a.write_h5ad(os.path.join(out, f"csr_{rows}x36000_none.h5ad"))
a.write_h5ad(os.path.join(out, f"csr_{rows}x36000_gzip.h5ad"), compression="gzip")
print("wrote", out, X.nnz, "stored values")

"""Reference negative-binomial fits and quantiles for packages/seq/src/demux/__tests__/nbinom.test.ts.

Counts come from a 32-bit LCG (regenerated in the test); the MLE is found with scipy.optimize on the full
log-likelihood (what fitdistrplus::fitdist(x, "nbinom") maximises), quantiles with scipy.stats.nbinom.ppf
(R's qnbinom). Run: /usr/bin/python3 packages/seq/scripts/make_demux_reference.py
"""
import json
import os

import numpy as np
from scipy import optimize, special, stats

OUT = os.path.join(os.path.dirname(__file__), "..", "reference", "perturb", "demux_nbinom.json")


def lcg_counts(seed, n, spread):
    s = seed & 0xFFFFFFFF
    out = []
    for _ in range(n):
        s = (1664525 * s + 1013904223) & 0xFFFFFFFF
        a = s % spread
        s = (1664525 * s + 1013904223) & 0xFFFFFFFF
        b = s % spread
        out.append((a * b) // spread)  # a product: over-dispersed
    return out


cases = []
for seed, n, spread in [(1, 200, 10), (2, 500, 30), (3, 300, 60)]:
    x = np.array(lcg_counts(seed, n, spread), dtype=float)

    def nll(logr):
        r = np.exp(logr[0])
        mu = x.mean()
        return -np.sum(stats.nbinom.logpmf(x, r, r / (r + mu)))

    res = optimize.minimize(nll, [0.0], method="Nelder-Mead", options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 10000})
    r = float(np.exp(res.x[0]))
    mu = float(x.mean())
    q = {str(p): int(stats.nbinom.ppf(p, r, r / (r + mu))) for p in (0.5, 0.9, 0.99, 0.999)}
    cases.append({"seed": seed, "n": n, "spread": spread, "mu": mu, "size": r, "quantiles": q})

json.dump({"cases": cases, "gammaln": {str(v): float(special.gammaln(v)) for v in (0.1, 0.5, 1, 2.5, 10, 123.4, 1e5)}}, open(OUT, "w"), indent=1)
print("wrote", OUT)

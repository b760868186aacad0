#!/usr/bin/env python3
"""Reference values of scipy.special.gammaln for the log-gamma test (packages/core/src/special.ts).

Run with Debian's python3 (scipy):  /usr/bin/python3 packages/core/scripts/make_special_reference.py
Outputs packages/core/reference/special/gammaln.json: {"scipy": version, "gammaln": [[x, gammaln(x)], ...]}.
The points span small arguments (reflection region), the Lanczos range, the Stirling range and large counts,
plus the integer and half-integer arguments the negative-binomial and Poisson code evaluate.
"""
import json, os
import numpy as np
import scipy
from scipy import special

xs = sorted(set(
    [0.001, 0.01, 0.1, 0.25, 0.3, 0.5, 0.75, 0.9, 0.999, 1.0, 1.001, 1.5, 1.999, 2.0, 2.5, 3.0, 3.5, 4.0, 5.5, 7.0, 9.75,
     10.0, 12.5, 19.5, 19.999, 20.0, 20.001, 20.5, 25.0, 33.3, 50.0, 100.0, 123.4, 1000.5, 1e4, 1e5, 1e6, 1e8, 1e12]
    + [float(k) for k in range(1, 41)]
    + list(np.round(np.linspace(0.05, 60, 97), 6))
))
out = os.path.join(os.path.dirname(__file__), "..", "reference", "special")
os.makedirs(out, exist_ok=True)
rows = [[float(x), float(special.gammaln(x))] for x in xs]
with open(os.path.join(out, "gammaln.json"), "w") as f:
    f.write(json.dumps({"scipy": scipy.__version__, "gammaln": rows}).replace("], [", "],\n [") + "\n")
print(len(rows), "points")

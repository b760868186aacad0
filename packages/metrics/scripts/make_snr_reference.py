#!/usr/bin/python3
"""Reference SNR values (numpy 1.24) on the synthetic 14-bit frames of make_image_reference.py.

mask = clean > 7000 (foreground). For the noisy frame, and the noisy frame min-max scaled to [0, 1] as the
paper's preprocessing does (clip at the 98th percentile, scale), both definitions, ratio and dB, ddof 0 and 1.
Writes reference/snr/cases.json. Run: /usr/bin/python3 packages/metrics/scripts/make_snr_reference.py
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from make_image_reference import synthetic_pair  # noqa: E402  (runs that module's main guard-free code? no: guarded below)

OUT = os.path.join(os.path.dirname(__file__), "..", "reference", "snr", "cases.json")
cases = []
for rows, cols, seed in [(60, 70, 1), (128, 96, 9)]:
    clean, noisy = synthetic_pair(rows, cols, seed)
    m = clean > 7000
    for name, img in [("noisy", noisy.astype(np.float64)), ("clean", clean.astype(np.float64))]:
        for ddof in (0, 1):
            fg = img[m].mean()
            bg = img[~m].mean()
            sd = img[~m].std(ddof=ddof)
            r1 = fg / sd
            r2 = (fg - bg) / sd
            cases.append({
                "rows": rows, "cols": cols, "seed": seed, "image": name, "ddof": ddof,
                "mean_fg": fg, "mean_bg": bg, "std_bg": sd,
                "mean-fg/std-bg": r1, "(mean-fg - mean-bg)/std-bg": r2,
                "mean-fg/std-bg dB": 20 * np.log10(r1), "(mean-fg - mean-bg)/std-bg dB": 20 * np.log10(r2),
            })
with open(OUT, "w") as f:
    json.dump({"meta": {"generator": "packages/metrics/scripts/make_snr_reference.py", "numpy": np.__version__, "mask": "clean > 7000"}, "cases": cases}, f, indent=1)
print(f"wrote {len(cases)} SNR cases")

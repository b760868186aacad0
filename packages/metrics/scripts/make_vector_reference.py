#!/usr/bin/python3
"""Reference values for @hyped/metrics vector metrics (Debian numpy 1.24, scipy 1.10, scikit-learn 1.2.1).

Writes reference/vector/cases.json. Each case holds its inputs (inline, or an LCG recipe that the TS tests
replay for the 1e6-element cases), and for each metric either the reference value or the error the reference
raises. Values are the reference library's own output; where the library is measurably wrong (overflow,
underflow, cancellation: it disagrees with a 60-digit mpmath evaluation by more than 1e-13 relative) the
expected value is the mpmath one and the library's value is kept beside it as `library` with a note.

Run: /usr/bin/python3 packages/metrics/scripts/make_vector_reference.py
"""
import json
import math
import os
import warnings

import mpmath as mp
import numpy as np
import scipy
import scipy.spatial.distance as ssd
import scipy.stats as st
import sklearn
import sklearn.metrics as skm

mp.mp.dps = 60
warnings.simplefilter("ignore")
OUT = os.path.join(os.path.dirname(__file__), "..", "reference", "vector", "cases.json")


def lcg(seed, n):
    """Numerical Recipes LCG: s = (1664525 s + 1013904223) mod 2^32, u = s / 2^32 (float64)."""
    out = np.empty(n, dtype=np.float64)
    s = seed & 0xFFFFFFFF
    # vectorised by blocks: jump-ahead is overkill; a plain loop over 2e6 values takes ~1 s.
    for i in range(n):
        s = (1664525 * s + 1013904223) & 0xFFFFFFFF
        out[i] = s / 4294967296.0
    return out


def enc(v):
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


# ---- exact (mpmath) versions -------------------------------------------------------------------------
def mpv(x):
    return [mp.mpf(float(v)) for v in x]


def ex_mse(a, b):
    return mp.fsum([(x - y) ** 2 for x, y in zip(mpv(a), mpv(b))]) / len(a)


def ex_mae(a, b):
    return mp.fsum([abs(x - y) for x, y in zip(mpv(a), mpv(b))]) / len(a)


def ex_l1(a, b):
    return mp.fsum([abs(x - y) for x, y in zip(mpv(a), mpv(b))])


def ex_euc(a, b):
    return mp.sqrt(mp.fsum([(x - y) ** 2 for x, y in zip(mpv(a), mpv(b))]))


def ex_cos(a, b):
    A, B = mpv(a), mpv(b)
    return mp.fsum([x * y for x, y in zip(A, B)]) / mp.sqrt(mp.fsum([x * x for x in A]) * mp.fsum([y * y for y in B]))


def ex_pearson(a, b):
    A, B = mpv(a), mpv(b)
    ma, mb = mp.fsum(A) / len(A), mp.fsum(B) / len(B)
    xa = [x - ma for x in A]
    xb = [y - mb for y in B]
    return mp.fsum([x * y for x, y in zip(xa, xb)]) / mp.sqrt(mp.fsum([x * x for x in xa]) * mp.fsum([y * y for y in xb]))


def ex_spearman(a, b):
    return ex_pearson(st.rankdata(a), st.rankdata(b))


def ex_r2(a, b):
    A, B = mpv(a), mpv(b)
    m = mp.fsum(A) / len(A)
    num = mp.fsum([(x - y) ** 2 for x, y in zip(A, B)])
    den = mp.fsum([(x - m) ** 2 for x in A])
    if den == 0:
        return mp.mpf(1) if num == 0 else mp.mpf(0)
    return 1 - num / den


LIB = {
    "mse": (lambda a, b: skm.mean_squared_error(a, b), ex_mse, "sklearn.metrics.mean_squared_error"),
    "rmse": (lambda a, b: skm.mean_squared_error(a, b, squared=False), lambda a, b: mp.sqrt(ex_mse(a, b)), "sklearn.metrics.mean_squared_error(squared=False)"),
    "mae": (lambda a, b: skm.mean_absolute_error(a, b), ex_mae, "sklearn.metrics.mean_absolute_error"),
    "r2": (lambda a, b: skm.r2_score(a, b), ex_r2, "sklearn.metrics.r2_score"),
    "cosine": (lambda a, b: 1.0 - ssd.cosine(a, b), ex_cos, "1 - scipy.spatial.distance.cosine"),
    "pearson": (lambda a, b: st.pearsonr(a, b)[0], ex_pearson, "scipy.stats.pearsonr"),
    "spearman": (lambda a, b: st.spearmanr(a, b)[0], ex_spearman, "scipy.stats.spearmanr"),
    "euclidean": (lambda a, b: ssd.euclidean(a, b), ex_euc, "scipy.spatial.distance.euclidean"),
    "l1": (lambda a, b: ssd.cityblock(a, b), ex_l1, "scipy.spatial.distance.cityblock"),
}

# Inputs where a metric is expected to throw in our API, and why (the reference raises or warns + NaN).
def expected_error(metric, a, b):
    finite = np.all(np.isfinite(a)) and np.all(np.isfinite(b))
    if metric in ("mse", "rmse", "mae", "r2") and not finite:
        return "INVALID_ARGUMENT"  # sklearn check_array raises ValueError
    if metric in ("pearson", "spearman", "r2") and len(a) < 2:
        return "INVALID_ARGUMENT"  # scipy raises (pearsonr) / returns NaN with a warning (spearmanr, r2_score)
    return None


rng = np.random.default_rng(20240601)
cases = []


def add(name, a, b, dtype="float64", note=None, recipe=None, exact=True):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    case = {"name": name, "dtype": dtype, "n": int(a.size)}
    if recipe is None:
        case["a"] = [enc(v) for v in a]
        case["b"] = [enc(v) for v in b]
    else:
        case["recipe"] = recipe
    if note:
        case["note"] = note
    res = {}
    for metric, (lib, exf, ref) in LIB.items():
        err = expected_error(metric, a, b)
        if err:
            res[metric] = {"error": err}
            continue
        try:
            v = float(lib(a, b))
        except Exception as e:  # noqa: BLE001
            res[metric] = {"error": "INVALID_ARGUMENT", "library_error": str(e)[:120]}
            continue
        entry = {"value": enc(v), "reference": ref}
        finite = np.all(np.isfinite(a)) and np.all(np.isfinite(b))
        if exact and finite and not math.isnan(v) or (exact and finite and metric in ("pearson", "cosine", "spearman", "r2")):
            try:
                e = exf(a, b)
                ev = float(e)
            except (ZeroDivisionError, ValueError):
                ev = float("nan")
            if math.isnan(v) and not math.isnan(ev) and metric in ("pearson", "cosine", "spearman", "r2"):
                # constant input: scipy returns NaN on purpose (exact variance 0); keep NaN.
                const = (np.all(a == a[0]) or np.all(b == b[0])) if metric != "cosine" else (np.all(a == 0) or np.all(b == 0))
                if not const:
                    entry = {"value": enc(ev), "reference": "mpmath (60 digits)", "library": enc(v), "note": f"{ref} gives {v} (overflow/underflow)"}
            elif not math.isnan(v) and not math.isnan(ev) and math.isfinite(ev):
                rel = abs(v - ev) / max(abs(ev), 1e-300)
                if rel > 1e-13:
                    entry = {"value": enc(ev), "reference": "mpmath (60 digits)", "library": enc(v), "note": f"{ref} is off by {rel:.2e} relative"}
            elif math.isinf(v) and not math.isinf(ev) and math.isfinite(ev):
                entry = {"value": enc(ev), "reference": "mpmath (60 digits)", "library": enc(v), "note": f"{ref} overflows"}
        if metric == "cosine" and (not finite or np.all(a == 0) or np.all(b == 0)):
            # scipy 1.10 computes 0/0 = NaN and then np.clip(NaN, 0, 2) hands back distance 0, i.e. similarity 1.
            entry = {"value": "NaN", "reference": "0/0 (IEEE)", "library": enc(v), "note": "scipy's clip turns the NaN distance into 0; the similarity is undefined"}
        res[metric] = entry
    case["expected"] = res
    cases.append(case)


# ---- the cases -------------------------------------------------------------------------------------------
add("basic_5", [1, 2, 3, 4, 5], [2, 4, 5, 4, 5])
add("normal_10", rng.normal(size=10), rng.normal(size=10))
x = rng.normal(size=50)
add("affine_positive", x, 3 * x + 7, note="pearson is 1 up to rounding")
add("affine_negative", x, -2.5 * x + 1)
add("ties_small", [1, 2, 2, 3, 3, 3], [3, 1, 2, 2, 4, 4])
add("ties_heavy", [0, 0, 0, 1, 1, 2, 2, 2, 2, 5], [1, 1, 0, 0, 3, 3, 3, 1, 2, 2])
add("ties_all_equal_but_one", [1, 1, 1, 1, 2], [5, 4, 3, 2, 1])
add("constant_a", [3.0] * 6, [1, 2, 3, 4, 5, 6], note="pearson/spearman NaN (zero variance); r2 of constant y_true with imperfect prediction is 0")
add("constant_both_equal", [2.5] * 5, [2.5] * 5, note="r2 of a perfect prediction of a constant is 1")
add("constant_tenth", [0.1] * 10, [0.1, 0.2, 0.1, 0.3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
add("zero_vector", [0.0] * 5, [1, 2, 3, 4, 5], note="cosine of a zero vector is NaN as scipy (0/0)")
add("nan_in_a", [1, 2, float("nan"), 4, 5], [5, 3, 2, 1, 0], note="scipy metrics propagate NaN; sklearn metrics raise")
add("inf_in_b", [1, 2, 3, 4, 5], [5, 3, float("inf"), 1, 0])
add("length_1", [2.0], [3.5])
add("length_2_up", [1, 2], [10, 30], note="scipy pearsonr is exactly +1 for two points")
add("length_2_down", [1, 2], [30, 10])
add("length_3", [1, 3, 2], [2, 1, 4])
add("huge_1e150", rng.normal(size=40) * 1e150, rng.normal(size=40) * 1e150)
add("huge_1e200", rng.normal(size=40) * 1e200, rng.normal(size=40) * 1e200, note="squares overflow: mse is Infinity (correct), correlations are exact")
add("tiny_1e-150", rng.normal(size=40) * 1e-150, rng.normal(size=40) * 1e-150)
add("tiny_1e-200", rng.normal(size=40) * 1e-200, rng.normal(size=40) * 1e-200, note="squares underflow in scipy")
add("mixed_magnitudes", rng.normal(size=30) * 10.0 ** rng.integers(-10, 10, size=30), rng.normal(size=30) * 10.0 ** rng.integers(-10, 10, size=30))
xo = rng.normal(size=100)
add("offset_1e6", 1e6 + xo, 1e6 + 0.5 * xo + rng.normal(size=100), note="large common offset: centring matters")
add("negative_values", -np.abs(rng.normal(size=20)) * 100, -np.abs(rng.normal(size=20)) * 100)
add("alternating", [(-1) ** i * i for i in range(1, 21)], [(-1) ** (i + 1) * i * 0.5 for i in range(1, 21)])
add("r2_bad_prediction", [1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1], note="r2 below zero")
add("identical", x[:20], x[:20], note="mse 0, pearson 1, r2 1")
u16a = rng.integers(0, 16384, size=64)
u16b = np.clip(u16a + rng.integers(-200, 200, size=64), 0, 16383)
add("uint16_14bit", u16a, u16b, dtype="uint16")
f32a = rng.random(64).astype(np.float32)
f32b = (f32a + 0.05 * rng.normal(size=64)).astype(np.float32)
add("float32", f32a.astype(np.float64), f32b.astype(np.float64), dtype="float32", note="reference computed on the float32 values widened to float64; scikit-learn would average float32 input in float32")
i64a = rng.integers(-(2**40), 2**40, size=32)
i64b = i64a + rng.integers(-(2**20), 2**20, size=32)
add("int64_bigint", i64a.astype(np.float64), i64b.astype(np.float64), dtype="int64", note="fed as BigInt64Array in TS")
add("int8_small", [-128, -5, 0, 7, 127, 3], [-100, -6, 1, 9, 120, 0], dtype="int8")

N = 1_000_000
ua = lcg(12345, 2 * N)
a1, v1 = ua[:N], ua[N:]
add("lcg_1e6_uniform", a1, 0.7 * a1 + 0.3 * v1, recipe={"kind": "uniform", "seed": 12345, "n": N}, note="a = u[0:n], b = 0.7 a + 0.3 u[n:2n]; u from the LCG", exact=False)
ub = lcg(777, 2 * N)
a2 = np.floor(ub[:N] * 100)
b2 = a2 + np.floor(ub[N:] * 50)
add("lcg_1e6_ties", a2, b2, recipe={"kind": "ties", "seed": 777, "n": N}, note="a = floor(100 u[0:n]), b = a + floor(50 u[n:2n]): heavy ties", exact=False)

meta = {
    "generator": "packages/metrics/scripts/make_vector_reference.py",
    "numpy": np.__version__,
    "scipy": scipy.__version__,
    "sklearn": sklearn.__version__,
    "mpmath": mp.__version__,
    "lcg": "s = (1664525 s + 1013904223) mod 2^32, u = s / 2^32",
}
with open(OUT, "w") as f:
    json.dump({"meta": meta, "cases": cases}, f, indent=1)
print(f"wrote {len(cases)} cases to {OUT}")
for c in cases:
    for m, e in c["expected"].items():
        if "library" in e:
            print(c["name"], m, e["note"])

#!/usr/bin/python3
"""Reference values for @hyped/metrics image metrics (Debian numpy 1.24, scipy 1.10, scikit-image 0.19.3).

Writes reference/image/cases.json and the small input pairs as reference/image/<name>_{a,b}.npy. The
2826x3245 pairs are not stored: they are rebuilt by `synthetic_pair` here and `syntheticPair` in
src/internal/lcg.ts (integer arithmetic only, so both sides make identical pixels).

For float32 inputs scikit-image computes in float32; we also record its result on the same pixels widened
to float64 (`value_f64`), which is what our float64 computation should equal to ~1e-9.

Run: /usr/bin/python3 packages/metrics/scripts/make_image_reference.py
"""
import json
import os
import time
import warnings

import numpy as np
import scipy
import skimage
from skimage.metrics import peak_signal_noise_ratio as psnr
from skimage.metrics import structural_similarity as ssim

warnings.simplefilter("ignore")
DIR = os.path.join(os.path.dirname(__file__), "..", "reference", "image")
os.makedirs(DIR, exist_ok=True)
M = np.uint64(0xFFFFFFFF)


def hash32(idx, seed):
    idx = idx.astype(np.uint64)
    h = (idx * np.uint64(0x9E3779B1) + np.uint64((seed * 0x85EBCA77) & 0xFFFFFFFF)) & M
    h ^= h >> np.uint64(15)
    h = (h * np.uint64(0x2C1B3C6D)) & M
    h ^= h >> np.uint64(12)
    h = (h * np.uint64(0x297A2D39)) & M
    h ^= h >> np.uint64(15)
    return h


def tri(i, p):
    return np.abs(i % (2 * p) - p)


def synthetic_pair(rows, cols, seed):
    r = np.arange(rows, dtype=np.int64)[:, None]
    c = np.arange(cols, dtype=np.int64)[None, :]
    clean = 1000 + (12000 * tri(r + seed, 97) * tri(c, 113)) // (97 * 113)
    idx = (r * cols + c).astype(np.uint64)
    noise = (hash32(idx, seed) % np.uint64(1001)).astype(np.int64) - 500
    noisy = np.clip(clean + noise, 0, 16383)
    return clean.astype(np.uint16), noisy.astype(np.uint16)


rng = np.random.default_rng(7)
cases = []


def main():


    def run(fn, a, b, kw):
        try:
            return float(fn(a, b, **kw)), None
        except ValueError as e:
            return None, str(e)


    def add(name, a, b, checks, store=True, recipe=None, note=None):
        case = {"name": name, "dtype": str(a.dtype), "shape": list(a.shape)}
        if store:
            np.save(os.path.join(DIR, f"{name}_a.npy"), a)
            np.save(os.path.join(DIR, f"{name}_b.npy"), b)
            case["files"] = [f"{name}_a.npy", f"{name}_b.npy"]
        if recipe:
            case["recipe"] = recipe
        if note:
            case["note"] = note
        out = []
        for metric, kw in checks:
            fn = psnr if metric == "psnr" else ssim
            sk_kw = {k: v for k, v in kw.items()}
            t = time.perf_counter()
            v, err = run(fn, a, b, sk_kw)
            entry = {"metric": metric, "options": kw}
            if err is not None:
                entry["error"] = "INVALID_ARGUMENT"
                entry["library_error"] = err[:100]
            else:
                entry["value"] = v if np.isfinite(v) else ("Infinity" if v > 0 else "NaN")
                if a.dtype == np.float32:
                    entry["value_f64"] = float(fn(a.astype(np.float64), b.astype(np.float64), **sk_kw))
            entry["seconds"] = round(time.perf_counter() - t, 3)
            out.append(entry)
        case["checks"] = out
        cases.append(case)


    def std_checks(L=None, gauss=True, extra=()):
        kw = {} if L is None else {"data_range": L}
        ch = [("psnr", dict(kw)), ("ssim", dict(kw))]
        if gauss:
            ch.append(("ssim", {**kw, "gaussian_weights": True, "sigma": 1.5, "use_sample_covariance": False}))
            ch.append(("ssim", {**kw, "gaussian_weights": True}))
        return ch + list(extra)


    c16, n16 = synthetic_pair(100, 120, 3)
    add("u16_14bit_100x120", c16, n16, std_checks() + std_checks(16383, gauss=False) + [("ssim", {"data_range": 16383, "win_size": 3}), ("ssim", {"data_range": 16383, "win_size": 15})])
    c16o, n16o = synthetic_pair(33, 47, 11)
    add("u16_odd_33x47", c16o, n16o, std_checks(16383))
    u8a = (synthetic_pair(64, 80, 5)[0] >> 6).astype(np.uint8)
    u8b = np.clip(u8a.astype(np.int32) + rng.integers(-20, 21, size=u8a.shape), 0, 255).astype(np.uint8)
    add("u8_64x80", u8a, u8b, std_checks())
    u8c = rng.integers(0, 256, size=(37, 51)).astype(np.uint8)
    u8d = np.clip(u8c.astype(np.int32) + rng.integers(-40, 41, size=u8c.shape), 0, 255).astype(np.uint8)
    add("u8_odd_37x51", u8c, u8d, std_checks() + [("ssim", {"use_sample_covariance": False}), ("ssim", {"K1": 0.02, "K2": 0.05})])
    f32a = rng.random((96, 128)).astype(np.float32)
    f32b = np.clip(f32a + 0.1 * rng.normal(size=f32a.shape), 0, 1).astype(np.float32)
    add("f32_96x128", f32a, f32b, std_checks(1.0))
    f64a = rng.random((45, 61))
    f64b = f64a + 0.05 * rng.normal(size=f64a.shape)
    add("f64_odd_45x61", f64a, f64b, std_checks(1.0))
    f64c = rng.uniform(-1, 1, size=(50, 50))
    f64d = np.clip(f64c + 0.2 * rng.normal(size=f64c.shape), -1, 1)
    add("f64_signed_50x50", f64c, f64d, std_checks(2.0))
    i16a = rng.integers(-3000, 3000, size=(40, 40)).astype(np.int16)
    i16b = (i16a + rng.integers(-100, 100, size=i16a.shape)).astype(np.int16)
    add("i16_signed_40x40", i16a, i16b, std_checks(), note="psnr default range is 65535 (negative values present); ssim default is 65535")
    add("u8_7x7_exact_window", u8c[:7, :7].copy(), u8d[:7, :7].copy(), [("psnr", {}), ("ssim", {}), ("ssim", {"gaussian_weights": True})], note="box fits exactly; Gaussian's implied 11x11 window does not")
    add("u8_5x9_too_small", u8c[:5, :9].copy(), u8d[:5, :9].copy(), [("psnr", {}), ("ssim", {}), ("ssim", {"win_size": 5}), ("ssim", {"win_size": 3})])
    add("u8_11x13_gauss_min", u8c[:11, :13].copy(), u8d[:11, :13].copy(), [("ssim", {"gaussian_weights": True}), ("ssim", {"gaussian_weights": True, "use_sample_covariance": False})])
    const = np.full((20, 24), 77, dtype=np.uint8)
    add("u8_constant_identical", const, const.copy(), [("psnr", {}), ("ssim", {}), ("ssim", {"gaussian_weights": True})], note="identical: psnr inf, ssim 1")
    f32e = rng.random((30, 30)).astype(np.float32)
    add("f32_same_image", f32e, f32e.copy(), [("ssim", {"data_range": 1.0})])

    # Full map for one small case.
    S = ssim(u8a, u8b, full=True)[1]
    np.save(os.path.join(DIR, "u8_64x80_ssim_map.npy"), S)
    Sg = ssim(u8a, u8b, full=True, gaussian_weights=True)[1]
    np.save(os.path.join(DIR, "u8_64x80_ssim_map_gauss.npy"), Sg)

    # The full-size frames, rebuilt on both sides.
    H, W = 2826, 3245
    big_c, big_n = synthetic_pair(H, W, 42)
    big_checks = [("psnr", {}), ("psnr", {"data_range": 16383}), ("ssim", {"data_range": 16383}), ("ssim", {"data_range": 16383, "gaussian_weights": True, "use_sample_covariance": False})]
    add("u16_2826x3245", big_c, big_n, big_checks, store=False, recipe={"kind": "synthetic", "rows": H, "cols": W, "seed": 42})
    fc = (big_c / 16383.0).astype(np.float32)
    fn = (big_n / 16383.0).astype(np.float32)
    f_checks = [("psnr", {"data_range": 1.0}), ("ssim", {"data_range": 1.0}), ("ssim", {"data_range": 1.0, "gaussian_weights": True, "use_sample_covariance": False})]
    add("f32_2826x3245", fc, fn, f_checks, store=False, recipe={"kind": "synthetic_f32", "rows": H, "cols": W, "seed": 42}, note="pixels = float32(v / 16383)")
    # digests so the TS side can check it rebuilt the same pixels
    digest = {"clean_sum": int(big_c.astype(np.int64).sum()), "noisy_sum": int(big_n.astype(np.int64).sum()), "noisy_first": big_n.ravel()[:8].tolist(), "noisy_last": big_n.ravel()[-8:].tolist()}

    meta = {"generator": "packages/metrics/scripts/make_image_reference.py", "numpy": np.__version__, "scipy": scipy.__version__, "skimage": skimage.__version__, "synthetic_42_digest": digest}
    with open(os.path.join(DIR, "cases.json"), "w") as f:
        json.dump({"meta": meta, "cases": cases}, f, indent=1)
    print(f"wrote {len(cases)} image cases")
    for c in cases:
        print(c["name"], [(k["metric"], k.get("value", k.get("error")), k["seconds"]) for k in c["checks"]])


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Reference outputs for the denoisers, from Debian's scipy 1.10 / scikit-image 0.19.3.

Run: /usr/bin/python3 packages/imaging/scripts/make_denoise_reference.py
Writes packages/imaging/reference/denoise/<case>_input.npy, <case>_<op>.npy and index.json.
"""
import json, os
import numpy as np
from scipy import ndimage as ndi
from skimage import filters, restoration

out = os.path.join(os.path.dirname(__file__), "..", "reference", "denoise")
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(11)


def blobs(shape, peak, noise):
    r, c = np.mgrid[0 : shape[0], 0 : shape[1]]
    img = np.zeros(shape)
    for _ in range(6):
        y, x, s = rng.uniform(0, shape[0]), rng.uniform(0, shape[1]), rng.uniform(3, 8)
        img += np.exp(-((r - y) ** 2 + (c - x) ** 2) / (2 * s * s))
    img = img / img.max() * peak
    return img + rng.normal(0, noise, shape)


cases = {
    "u16": np.clip(blobs((64, 80), 12000, 600), 0, 16383).astype(np.uint16),
    "u8": np.clip(blobs((57, 43), 220, 20), 0, 255).astype(np.uint8),
    "f32": blobs((50, 61), 1.0, 0.08).astype(np.float32),
    "f64": blobs((33, 47), 1.0, 0.1),
}
ops = {
    "median3": lambda a: ndi.median_filter(a, size=3),
    "median5": lambda a: ndi.median_filter(a, size=5),
    "median4_nearest": lambda a: ndi.median_filter(a, size=4, mode="nearest"),
    "median3_constant": lambda a: ndi.median_filter(a, size=3, mode="constant", cval=0),
    "gaussian1": lambda a: filters.gaussian(a, sigma=1),
    "nlm_default": lambda a: restoration.denoise_nl_means(a, fast_mode=True),
    "nlm_small": lambda a: restoration.denoise_nl_means(a, patch_size=5, patch_distance=6, h=0.05, sigma=0.02, fast_mode=True),
}
index = []
for name, img in cases.items():
    np.save(os.path.join(out, f"{name}_input.npy"), img)
    for op, fn in ops.items():
        res = fn(img)
        np.save(os.path.join(out, f"{name}_{op}.npy"), res)
        index.append({"case": name, "op": op, "dtype": str(res.dtype), "shape": list(res.shape)})
with open(os.path.join(out, "index.json"), "w") as f:
    json.dump(index, f, indent=1)
print(len(index), "outputs")

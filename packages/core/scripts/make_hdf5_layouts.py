#!/usr/bin/python3
"""Small HDF5 files, written by h5py, covering the storage layouts, chunk indexes and filters that
`@hyped/core/hdf5` reads directly (and the ones it hands to h5wasm). The test
`packages/core/src/__tests__/hdf5-direct.test.ts` reads every dataset in them both ways and compares.

    /usr/bin/python3 packages/core/scripts/make_hdf5_layouts.py packages/core/reference/hdf5

Deterministic (fixed formulas, no random numbers). Needs Debian's python3-h5py (hdf5plugin is not needed:
LZF ships with h5py).
"""
import os
import sys

import h5py
import numpy as np

out = sys.argv[1] if len(sys.argv) > 1 else "packages/core/reference/hdf5"
os.makedirs(out, exist_ok=True)


def ramp(shape, dtype):
    n = int(np.prod(shape))
    v = (np.arange(n, dtype=np.int64) * 7919) % 10007 - 5000
    if np.dtype(dtype).kind == "u":
        v = np.abs(v)
    if np.dtype(dtype).kind == "f":
        v = v / 7.0
    if np.dtype(dtype).kind == "b":
        v = v % 3 == 0
    return v.astype(dtype).reshape(shape)


def lowlevel(f, name, data, compact=False, chunks=None, early=False):
    """A dataset made through h5py's low-level API: compact layout, or chunked with early allocation
    (with libver latest, that is the implicit chunk index)."""
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    if compact:
        dcpl.set_layout(h5py.h5d.COMPACT)
    if chunks:
        dcpl.set_chunk(chunks)
    if early:
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
    space = h5py.h5s.create_simple(data.shape)
    tid = h5py.h5t.py_create(data.dtype)
    d = h5py.h5d.create(f.id, name.encode(), tid, space, dcpl=dcpl)
    d.write(h5py.h5s.ALL, h5py.h5s.ALL, np.ascontiguousarray(data))


def datasets(f, big_endian=True):
    f.create_dataset("contiguous_1d", data=ramp((1000,), "<f4"))
    f.create_dataset("contiguous_3d", data=ramp((4, 30, 17), "<u2"))
    f.create_dataset("scalar", data=np.float64(3.25))
    lowlevel(f, "compact_2d", ramp((5, 7), "<i4"), compact=True)
    lowlevel(f, "chunked_early_alloc", ramp((45, 30), "<f4"), chunks=(10, 10), early=True)
    f.create_dataset("chunked_1d_none", data=ramp((1000,), "<i8"), chunks=(64,))
    f.create_dataset("chunked_2d_gzip", data=ramp((101, 53), "<f8"), chunks=(16, 10), compression="gzip")
    f.create_dataset("chunked_3d_gzip", data=ramp((4, 61, 47), "<u2"), chunks=(1, 20, 16), compression="gzip", compression_opts=1)
    f.create_dataset("chunked_2d_shuffle_gzip", data=ramp((64, 40), "<i4"), chunks=(10, 40), shuffle=True, compression="gzip")
    f.create_dataset("chunked_1d_lzf", data=ramp((5000,), "<f4"), chunks=(700,), compression="lzf")
    f.create_dataset("chunked_2d_shuffle_lzf", data=ramp((33, 33), "<i2"), chunks=(8, 8), shuffle=True, compression="lzf")
    f.create_dataset("chunked_1d_fletcher32", data=ramp((300,), "<f4"), chunks=(64,), fletcher32=True)
    f.create_dataset("chunked_1d_scaleoffset", data=ramp((300,), "<i4"), chunks=(64,), scaleoffset=0)
    f.create_dataset("chunked_bool", data=ramp((77,), "?"), chunks=(10,), compression="gzip")
    f.create_dataset("chunked_u8", data=ramp((50, 3), "<u1"), chunks=(7, 3))
    sparse = f.create_dataset("chunked_missing", shape=(100,), dtype="<i4", chunks=(10,), fillvalue=7)
    sparse[20:40] = ramp((20,), "<i4")
    if big_endian:
        f.create_dataset("big_endian_chunked", data=ramp((100,), ">f4"), chunks=(16,), compression="gzip")
        f.create_dataset("big_endian_contiguous", data=ramp((100,), ">i4"))
    ds = f.create_dataset("resizable_1d", data=ramp((500,), "<f4"), chunks=(64,), maxshape=(None,), compression="gzip")
    ds2 = f.create_dataset("resizable_2d", data=ramp((40, 30), "<i4"), chunks=(8, 8), maxshape=(None, None))
    f.create_dataset("single_chunk_gzip", data=ramp((30, 20), "<f4"), chunks=(30, 20), compression="gzip")
    f.create_dataset("single_chunk_none", data=ramp((30, 20), "<f4"), chunks=(30, 20))
    f.create_dataset("many_chunks", data=ramp((3000,), "<i2"), chunks=(2,))
    f.create_dataset("empty", shape=(0,), dtype="<f4")
    g = f.create_group("nested/deeper")
    g.create_dataset("x", data=ramp((10, 10), "<f4"), chunks=(3, 3), compression="gzip")


with h5py.File(os.path.join(out, "layouts_earliest.h5"), "w") as f:
    datasets(f)
with h5py.File(os.path.join(out, "layouts_latest.h5"), "w", libver="latest") as f:
    datasets(f, big_endian=False)
with h5py.File(os.path.join(out, "layouts_userblock.h5"), "w", userblock_size=512) as f:
    f.create_dataset("contiguous_1d", data=ramp((1000,), "<f4"))
    f.create_dataset("chunked_2d_gzip", data=ramp((101, 53), "<f8"), chunks=(16, 10), compression="gzip")
with h5py.File(os.path.join(out, "layouts_track_order.h5"), "w", track_order=True) as f:
    datasets(f, big_endian=False)
print("wrote", out)

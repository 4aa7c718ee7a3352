#!/usr/bin/env python3
"""Writes the small seed inputs in seeds/<target>/ (valid files and slightly broken ones).

Run from fuzz/: `python3 make_seeds.py`. Standard library only; every file is under 2 KB.
"""
import os
import struct

def idx(magic, dims, payload):
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + payload

def npy(descr, fortran, shape, data, version=(1, 0), raw_dict=None):
    shape_txt = "(%s,)" % shape[0] if len(shape) == 1 else "(%s)" % ", ".join(map(str, shape))
    d = raw_dict or "{'descr': %s, 'fortran_order': %s, 'shape': %s, }" % (
        descr if descr.startswith("[") else repr(descr), "True" if fortran else "False", shape_txt)
    pre = 10 if version == (1, 0) else 12
    while (pre + len(d) + 1) % 64:
        d += " "
    d += "\n"
    size = struct.pack("<H", len(d)) if version == (1, 0) else struct.pack("<I", len(d))
    return b"\x93NUMPY" + bytes(version) + size + d.encode() + data

def f32(*v): return struct.pack("<%df" % len(v), *v)

seeds = {
    "idx_images": {
        "valid-1x2x2": idx(2051, [1, 2, 2], bytes([0, 64, 128, 255])),
        "valid-2x3x4": idx(2051, [2, 3, 4], bytes(range(24))),
        "valid-empty-0x28x28": idx(2051, [0, 28, 28], b""),
        "valid-zero-rows": idx(2051, [3, 0, 5], b""),
        "truncated-pixels": idx(2051, [2, 3, 4], bytes(range(20))),
        "trailing-byte": idx(2051, [1, 2, 2], bytes(5)),
        "wrong-magic-labels": idx(2049, [3], bytes([1, 2, 3])),
        "short-header": idx(2051, [1], b"\x00\x00"),
        "overflow-dims": idx(2051, [0xFFFFFFFF] * 3, bytes(8)),
        "terabytes-dims": idx(2051, [1 << 20, 1 << 12, 1 << 12], bytes(16)),
    },
    "idx_labels": {
        "valid-5": idx(2049, [5], bytes([7, 2, 1, 0, 4])),
        "valid-empty": idx(2049, [0], b""),
        "truncated": idx(2049, [10], bytes([1, 2, 3])),
        "trailing": idx(2049, [1], bytes([1, 2])),
        "wrong-magic-images": idx(2051, [1, 1, 1], b"\x05"),
        "short-header": b"\x00\x00\x08\x01\x00",
        "huge-count": idx(2049, [0xFFFFFFFF], bytes(4)),
    },
    "npy": {
        "valid-f4-2x3": npy("<f4", False, [2, 3], f32(0, 1, 2, 3, 4, 5)),
        "valid-f8-3": npy("<f8", False, [3], struct.pack("<3d", 1.5, -2.0, 3.25)),
        "valid-u1-2x2": npy("|u1", False, [2, 2], bytes([0, 1, 1, 0])),
        "valid-i8-2": npy("<i8", False, [2], struct.pack("<2q", 5, -3)),
        "valid-be-i4-2": npy(">i4", False, [2], struct.pack(">2i", 1, 256)),
        "valid-i2-3": npy("<i2", False, [3], struct.pack("<3h", -32768, 0, 32767)),
        "valid-u2-big": npy(">u2", False, [2], struct.pack(">2H", 65535, 1)),
        "valid-b1-1x3": npy("|b1", False, [1, 3], bytes([1, 0, 1])),
        "valid-fortran-2x3": npy("<f4", True, [2, 3], f32(0, 3, 1, 4, 2, 5)),
        "valid-scalar": npy("<f4", False, [], f32(2.5)),
        "valid-empty-0x4": npy("<f4", False, [0, 4], b""),
        "valid-v2": npy("<f4", False, [2], f32(1, 2), version=(2, 0)),
        "valid-v3": npy("<u4", False, [1], struct.pack("<I", 4000000000), version=(3, 0)),
        "truncated-data": npy("<f4", False, [2, 3], f32(0, 1)[:6]),
        "trailing-data": npy("<f4", False, [1], f32(1, 2)),
        "bad-bool": npy("|b1", False, [1], b"\x07"),
        "unsupported-unicode": npy("<U3", False, [2], bytes(24)),
        "unsupported-structured": npy("[('a', '<f4'), ('b', '<i4')]", False, [1], bytes(8)),
        "overflow-shape": npy("<f4", False, [1 << 40, 1 << 40], bytes(16)),
        "terabytes-shape": npy("<f8", False, [1 << 20, 1 << 20], bytes(16)),
        "missing-key": npy("", False, [1], f32(1), raw_dict="{'descr': '<f4', 'shape': (1,), }"),
        "header-cut": npy("<f4", False, [2], f32(1, 2))[:20],
        "huge-header-len-v2": b"\x93NUMPY\x02\x00\xff\xff\xff\xff{'descr'",
        "bad-magic": b"PK\x03\x04 this is a zip",
        "bad-version": b"\x93NUMPY\x09\x00\x10\x00{}",
    },
}

for target, files in seeds.items():
    os.makedirs(os.path.join("seeds", target), exist_ok=True)
    for name, data in files.items():
        assert len(data) < 2048, name
        with open(os.path.join("seeds", target, name), "wb") as f:
            f.write(data)

"""grading/wire.py: the plain-data format values cross in, and the frames that carry them."""

from __future__ import annotations

import os
import struct

import numpy as np
import pytest

from rnn_course.grading import wire


def _roundtrip(value, **kw):
    blobs: list = []
    enc = wire.encode(value, blobs, **kw)
    return wire.decode(enc, blobs)


def test_plain_data_round_trips_as_copies():
    rng = np.random.default_rng(0)
    value = {"a": rng.standard_normal((2, 3)), "b": [1, 2.5, None, True, "s"], "c": (np.float32(1.5), np.int64(7)),
             "d": np.arange(6).reshape(2, 3).T, "e": complex(1, 2), "f": float("nan")}
    back = _roundtrip(value)
    assert np.array_equal(back["a"], value["a"]) and back["a"] is not value["a"]
    assert back["b"] == [1, 2.5, None, True, "s"]
    assert back["c"][0].dtype == np.float32 and back["c"][1] == 7 and isinstance(back["c"][1], np.int64)
    assert np.array_equal(back["d"], value["d"]) and back["e"] == complex(1, 2) and np.isnan(back["f"])


@pytest.mark.parametrize("value", [np.array(2.5), np.array(3, dtype=np.int64), np.zeros((0, 3)), np.ones((2, 1, 1))])
def test_every_array_keeps_its_shape_a_0_d_array_included(value):
    """A 0-d array (a loss computed with np.sum and no float()) used to arrive as shape (1,): "forget to sum?"."""
    back = _roundtrip(value)
    assert back.shape == value.shape and back.dtype == value.dtype and np.array_equal(back, value)


def test_objects_that_are_not_plain_data_stay_behind_as_opaque_references():
    class Cache:
        pass

    value = (np.ones(2), Cache(), np.array([object()], dtype=object))
    back = _roundtrip(value, handle=5)
    assert isinstance(back[1], wire.Opaque) and back[1].type_name == "Cache" and back[1].ref == wire.Ref(5, (1,))
    assert isinstance(back[2], wire.Opaque)
    forced = _roundtrip((np.ones(2), np.zeros(3)), handle=1, opaque_paths=[(1,)])
    assert isinstance(forced[1], wire.Opaque)


def test_deeply_nested_or_huge_values_are_cut_short_not_followed():
    deep: list = []
    for _ in range(10_000):
        deep = [deep]
    back = _roundtrip(deep)
    depth = 0
    while isinstance(back, list):
        back, depth = back[0], depth + 1
    assert isinstance(back, wire.Opaque) and depth <= 20


@pytest.mark.parametrize("hostile", [
    {"t": "nd", "dtype": "|O", "shape": [1], "b": 0},
    {"t": "nd", "dtype": "<f8", "shape": [10], "b": 0},
    {"t": "nd", "dtype": "<f8", "shape": [1], "b": 7},
    {"t": "ref", "handle": 1},
    {"t": "rng", "seed": "1"},
    {"t": "pickle", "v": "x"},
    {"t": "int", "v": "9" * 1000},
    {"t": "int", "v": "1", "np": "__import__"},
    "not a dict",
])
def test_the_judge_decodes_only_plain_data(hostile):
    with pytest.raises(wire.ProtocolError):
        wire.decode(hostile, [b"\x00" * 8])


def _reader(data: bytes):
    stream = iter([data])
    buffer = bytearray()

    def read(n):
        while len(buffer) < n:
            try:
                buffer.extend(next(stream))
            except StopIteration:
                raise EOFError from None
        out = bytes(buffer[:n])
        del buffer[:n]
        return out

    return read


def test_a_frame_is_refused_from_its_announced_size_before_it_is_read():
    header = b'{"blobs": 1}'
    announced_blob = struct.pack(">Q", len(header)) + header + struct.pack(">Q", 10**12)  # and no bytes follow
    with pytest.raises(wire.ProtocolError, match="more than 1000 bytes"):
        wire.read_frame(_reader(announced_blob), limit=1000)
    announced_header = struct.pack(">Q", 10**9)  # a 1 GB JSON header, never read
    with pytest.raises(wire.ProtocolError, match="more than"):
        wire.read_frame(_reader(announced_header), header_limit=wire.MAX_HEADER_BYTES)
    ok = wire.frame_bytes({"status": "ok", "blobs": 1}, [b"abc"])
    assert wire.read_frame(_reader(ok), limit=1000) == ({"status": "ok", "blobs": 1}, [b"abc"])


def test_read_exact_reads_across_short_reads_and_stops_at_the_end():
    r, w = os.pipe()
    os.write(w, b"hello world")
    os.close(w)
    assert wire.read_exact(r, 5) == b"hello" and wire.read_exact(r, 6) == b" world"
    with pytest.raises(EOFError):
        wire.read_exact(r, 1)
    os.close(r)

"""What crosses between the judge and the code being graded, and how.

The judge (reference implementations, random inputs, comparisons) and the
student's code run in different processes when the instructor grades, and
exchange only *inputs* and *outputs*. Outputs come from untrusted code, so
they are never unpickled: a value is a JSON structure plus raw array
buffers, and decoding accepts only plain data (numbers, strings, numeric
arrays, tuples, lists, dicts). Anything else the student returns (a cache
object, a generator, ...) stays in the student's process and the judge gets
an ``Opaque`` placeholder it can pass back (the cache a backward pass needs).

The same encoding is used in a notebook (judge and student in one process),
so a check behaves the same way in both places: the judge always works on
copies of what the student returned.

Frames on a pipe: 8-byte big-endian length of the JSON header, the header,
then for each buffer 8 bytes of length and the bytes. The judge reads a
reply with limits (``read_frame``'s ``header_limit`` and ``limit``) and
refuses a frame as soon as its announced size passes them, before reading
it: a submission cannot make the grader hold more than that.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "Ref",
    "Opaque",
    "RngArg",
    "Factory",
    "ProtocolError",
    "encode",
    "decode",
    "frame_bytes",
    "write_frame",
    "read_frame",
    "read_exact",
    "MAX_FRAME_BYTES",
    "MAX_HEADER_BYTES",
]

#: the largest frame either side accepts unless told otherwise (the judge's requests: a notebook's code)
MAX_FRAME_BYTES = 256 * 1024 * 1024
#: the largest JSON header the judge parses from a reply (a reply's arrays travel as buffers, not JSON)
MAX_HEADER_BYTES = 1024 * 1024
_MAX_DEPTH = 16
_MAX_ITEMS = 100_000
_MAX_STR = 10_000
_ARRAY_KINDS = "biufc"


class ProtocolError(Exception):
    """A frame or value that does not follow the format (a crashed or hostile submission)."""


@dataclass(frozen=True)
class Ref:
    """A value kept in the student's process: ``store[handle]`` then indexed along ``path``."""

    handle: int
    path: tuple = ()


@dataclass(frozen=True)
class Opaque:
    """A returned value that did not cross (not plain data); ``ref`` passes it back."""

    type_name: str
    ref: Ref | None = None

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


@dataclass(frozen=True)
class RngArg:
    """An argument that becomes ``np.random.default_rng(seed)`` on the student's side."""

    seed: int


@dataclass(frozen=True)
class Factory:
    """An argument built on the student's side by a whitelisted factory (see ``grading.factories``)."""

    name: str
    kwargs: dict = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash(self.name)


# ---------------------------------------------------------------------------------------------
# encoding


def encode(value, blobs: list, *, handle: int | None = None, opaque_paths=(), _path=(), _depth=0, _count=None):
    """A JSON-able description of ``value``; array buffers are appended to ``blobs``.

    ``handle`` is the store handle under which the whole value is kept (so
    values that cannot cross become ``Opaque`` with a ``Ref``); entries whose
    path is in ``opaque_paths`` are not sent even when they could be.
    """
    if _count is None:
        _count = [0]
    _count[0] += 1
    if _count[0] > _MAX_ITEMS or _depth > _MAX_DEPTH:
        return _opaque(value, handle, _path, why="too large or too deeply nested")
    if _path in {tuple(p) for p in opaque_paths}:
        return _opaque(value, handle, _path)
    if value is None:
        return {"t": "none"}
    if isinstance(value, (bool, np.bool_)):
        return {"t": "bool", "v": bool(value)}
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.timedelta64):
        return {"t": "int", "v": str(int(value)), "np": type(value).__name__ if isinstance(value, np.integer) else ""}
    if isinstance(value, float) and not isinstance(value, np.floating):
        return {"t": "float", "v": repr(value)}
    if isinstance(value, np.generic) and value.dtype.kind in _ARRAY_KINDS:
        blobs.append(np.asarray(value).tobytes())
        return {"t": "scalar", "dtype": value.dtype.str, "b": len(blobs) - 1}
    if isinstance(value, complex):
        return {"t": "complex", "re": repr(value.real), "im": repr(value.imag)}
    if isinstance(value, str):
        return {"t": "str", "v": value[:_MAX_STR]}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in _ARRAY_KINDS or value.dtype.hasobject:
            return _opaque(value, handle, _path, why=f"a numpy array of dtype {value.dtype}")
        # tobytes() is C order whatever the layout; np.ascontiguousarray would turn a 0-d array into shape (1,)
        blobs.append(value.tobytes())
        return {"t": "nd", "dtype": value.dtype.str, "shape": list(value.shape), "b": len(blobs) - 1}
    if isinstance(value, (tuple, list)):
        kind = "tuple" if isinstance(value, tuple) else "list"
        items = [
            encode(v, blobs, handle=handle, opaque_paths=opaque_paths, _path=(*_path, i), _depth=_depth + 1,
                   _count=_count)
            for i, v in enumerate(value)
        ]
        return {"t": kind, "items": items, "type": type(value).__name__}
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                return _opaque(value, handle, _path, why="a dict with keys that are not strings or integers")
            items.append([k, encode(v, blobs, handle=handle, opaque_paths=opaque_paths, _path=(*_path, k),
                                    _depth=_depth + 1, _count=_count)])
        return {"t": "dict", "items": items}
    if isinstance(value, Ref):
        return {"t": "ref", "handle": value.handle, "path": list(value.path)}
    if isinstance(value, RngArg):
        return {"t": "rng", "seed": str(int(value.seed))}
    if isinstance(value, Factory):
        blobs_kw = encode(value.kwargs, blobs, _depth=_depth + 1, _count=_count)
        return {"t": "factory", "name": value.name, "kwargs": blobs_kw}
    return _opaque(value, handle, _path)


def _opaque(value, handle, path, why=""):
    out = {"t": "opaque", "type": _type_name(value)}
    if why:
        out["why"] = why
    if handle is not None:
        out["handle"] = handle
        out["path"] = list(path)
    return out


def _type_name(value) -> str:
    try:
        name = type(value).__name__
    except Exception:  # noqa: BLE001 - hostile objects can break anything
        name = "object"
    return str(name)[:100]


# ---------------------------------------------------------------------------------------------
# decoding


def decode(obj, blobs: list, *, resolve=None, _depth=0):
    """Rebuild a value from ``encode``'s description; raise ProtocolError on anything unexpected.

    ``resolve(obj)`` handles the judge-only kinds (``ref``, ``rng``,
    ``factory``) on the student's side; the judge leaves it None, so a reply
    can never smuggle those in.
    """
    if _depth > _MAX_DEPTH + 2:
        raise ProtocolError("value nested too deeply")
    if not isinstance(obj, dict) or not isinstance(obj.get("t"), str):
        raise ProtocolError("malformed value")
    t = obj["t"]
    try:
        if t == "none":
            return None
        if t == "bool":
            return bool(obj["v"])
        if t == "int":
            text = str(obj["v"])
            if len(text) > 400:
                raise ProtocolError("integer too large")
            value = int(text)
            np_type = obj.get("np") or ""
            if np_type:
                if not (isinstance(np_type, str) and np_type.isidentifier() and np_type.startswith(("int", "uint"))):
                    raise ProtocolError(f"unexpected integer type {np_type!r}")
                return getattr(np, np_type)(value)
            return value
        if t == "float":
            return _float(obj["v"])
        if t == "complex":
            return complex(_float(obj["re"]), _float(obj["im"]))
        if t == "str":
            return str(obj["v"])[:_MAX_STR]
        if t == "scalar":
            dtype = _dtype(obj["dtype"])
            data = _blob(blobs, obj["b"])
            if len(data) != dtype.itemsize:
                raise ProtocolError("scalar size mismatch")
            return np.frombuffer(data, dtype=dtype)[0].copy()
        if t == "nd":
            dtype = _dtype(obj["dtype"])
            shape = tuple(int(s) for s in obj["shape"])
            if any(s < 0 for s in shape) or len(shape) > 32:
                raise ProtocolError("bad array shape")
            data = _blob(blobs, obj["b"])
            if math.prod(shape) * dtype.itemsize != len(data):
                raise ProtocolError("array size mismatch")
            return np.frombuffer(data, dtype=dtype).reshape(shape).copy()
        if t in ("tuple", "list"):
            items = [decode(v, blobs, resolve=resolve, _depth=_depth + 1) for v in obj["items"]]
            return tuple(items) if t == "tuple" else items
        if t == "dict":
            out = {}
            for k, v in obj["items"]:
                if not isinstance(k, (str, int)) or isinstance(k, bool):
                    raise ProtocolError("bad dict key")
                out[k] = decode(v, blobs, resolve=resolve, _depth=_depth + 1)
            return out
        if t == "opaque":
            ref = None
            if "handle" in obj:
                ref = Ref(int(obj["handle"]), tuple(_path_entry(p) for p in obj.get("path", [])))
            return Opaque(str(obj.get("type", "object"))[:100], ref)
        if t in ("ref", "rng", "factory") and resolve is not None:
            return resolve(obj, blobs)
    except ProtocolError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, OverflowError) as err:
        raise ProtocolError(f"malformed {t!r} value: {type(err).__name__}") from None
    raise ProtocolError(f"unexpected value kind {t!r}")


def _path_entry(p):
    if isinstance(p, (int, str)) and not isinstance(p, bool):
        return p
    raise ProtocolError("bad path")


def _float(text) -> float:
    text = str(text)
    if len(text) > 40:
        raise ProtocolError("float text too long")
    return float(text)


def _dtype(spec) -> np.dtype:
    if not isinstance(spec, str) or len(spec) > 8:
        raise ProtocolError("bad dtype")
    dtype = np.dtype(spec)
    if dtype.kind not in _ARRAY_KINDS or dtype.hasobject:
        raise ProtocolError(f"dtype {spec!r} not allowed")
    return dtype


def _blob(blobs, index) -> bytes:
    if not isinstance(index, int) or not 0 <= index < len(blobs):
        raise ProtocolError("bad buffer index")
    return blobs[index]


# ---------------------------------------------------------------------------------------------
# frames on a pipe


def frame_bytes(header: dict, blobs: list) -> bytes:
    """One message as bytes: the JSON header's length and text, then each buffer's length and bytes."""
    head = json.dumps(header, separators=(",", ":")).encode()
    parts = [struct.pack(">Q", len(head)), head]
    for b in blobs:
        parts.append(struct.pack(">Q", len(b)))
        parts.append(b)
    return b"".join(parts)


def write_frame(fd: int, header: dict, blobs: list) -> None:
    """Write one message to a (blocking) file descriptor."""
    import os

    view = memoryview(frame_bytes(header, blobs))
    while view:
        view = view[os.write(fd, view):]


def read_exact(fd: int, n: int) -> bytes:
    """Exactly ``n`` bytes from a (blocking) file descriptor; EOFError if it closes first."""
    import os

    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame(read, *, limit: int = MAX_FRAME_BYTES, header_limit: int | None = None) -> tuple[dict, list]:
    """Read one message with ``read(n) -> bytes`` (raises EOFError at end of stream).

    ``limit`` bounds the whole frame and ``header_limit`` its JSON header
    (default: ``limit``); a frame announcing more is refused (ProtocolError)
    before its bytes are read.
    """
    header_limit = limit if header_limit is None else min(header_limit, limit)
    (n,) = struct.unpack(">Q", read(8))
    if n > header_limit:
        raise ProtocolError(f"a message of more than {header_limit} bytes (its header alone is {n} bytes)")
    try:
        header = json.loads(read(n))
    except (ValueError, RecursionError) as err:
        raise ProtocolError(f"header is not JSON ({type(err).__name__})") from None
    if not isinstance(header, dict):
        raise ProtocolError("header is not an object")
    count = header.get("blobs", 0)
    if not isinstance(count, int) or isinstance(count, bool) or count < 0 or count > _MAX_ITEMS:
        raise ProtocolError("bad buffer count")
    blobs, total = [], n
    for _ in range(count):
        (size,) = struct.unpack(">Q", read(8))
        total += size
        if total > limit:
            raise ProtocolError(f"a message of more than {limit} bytes")
        blobs.append(read(size))
    return header, blobs

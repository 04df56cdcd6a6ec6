"""Turn "your output is not the reference's" into something a student can act on.

Every function here looks at a student's value next to the expected one
and says *what kind* of wrong it is: the wrong type, dtype or shape (and
which common mistake produces that shape), NaN or infinity, or wrong values
and *where* (which time steps, which gate block, which batch rows), plus the
signatures of common slips (all zeros, the wrong sign, off by a constant
factor, transposed, shifted by one time step, gate blocks in the wrong order).

Messages never print expected values: shapes, positions, error sizes and
ratios only.
"""

from __future__ import annotations

import numpy as np

from ..._checks import _fmt_expected
from ...gradcheck import index_ranges as ranges
from ..wire import Opaque

__all__ = [
    "RTOL",
    "FLOAT32_RTOL",
    "FLOAT32_HINT",
    "close_mask",
    "all_close",
    "fmt_shape",
    "type_problem",
    "shape_problem",
    "value_problem",
    "describe_error",
    "ranges",
]

#: relative tolerance of every comparison with the reference (float64 throughout). Two float64 computations of
#: the same formula in a different order agree to about 1e-15; a float32 computation is off by about 1e-7. At
#: 1e-6 a float32 answer passed on some random inputs and failed on others (full marks one run, half the next);
#: at 1e-9 it always fails, and says why (``FLOAT32_RTOL``), while every float64 answer passes.
RTOL = 1e-9
#: how far a float32 computation can be from the float64 one: a wrong value within this is a precision slip
FLOAT32_RTOL = 1e-3
#: absolute tolerance, relative to the largest expected magnitude (entries that should be ~0)
ATOL_SCALE = 1e-9

GATE_NAMES = {"lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}

FLOAT32_HINT = ("the error is the size of float32 rounding: is something computed in float32 (an .astype(np.float32), "
                "a float32 array created with dtype=np.float32)? Compute in float64")


def fmt_shape(spec, dims) -> str:
    """``(N, H) = (3, 5)``: a shape in letters and numbers."""
    return _fmt_expected(tuple(spec), dims)


def close_mask(got: np.ndarray, expected: np.ndarray, rtol: float = RTOL) -> np.ndarray:
    """True where ``got`` matches ``expected`` (NaN never matches a finite value)."""
    expected = np.asarray(expected, dtype=float)
    got = np.asarray(got, dtype=float)
    finite = np.abs(expected[np.isfinite(expected)])
    scale = float(finite.max()) if finite.size else 0.0
    atol = ATOL_SCALE * max(scale, 1.0)
    with np.errstate(invalid="ignore", over="ignore"):
        # an infinite expected value would make the tolerance infinite: it is matched only by the same infinity
        ok = np.isfinite(expected) & (np.abs(got - expected) <= atol + rtol * np.abs(expected))
    both_nan = np.isnan(got) & np.isnan(expected)
    same_inf = np.isinf(got) & np.isinf(expected) & (np.sign(got) == np.sign(expected))
    return ok | both_nan | same_inf


def all_close(got, expected, rtol: float = RTOL) -> bool:
    """Same shape and every entry close."""
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    expected = np.asarray(expected, dtype=float)
    return got.shape == expected.shape and bool(np.all(close_mask(got, expected, rtol)))


def _is_real_number(value) -> bool:
    if isinstance(value, bool | np.bool_):
        return False
    return isinstance(value, int | float | np.integer | np.floating) or (
        isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf")


def type_problem(name: str, got, *, kind: str = "array", spec=(), dims=None) -> str | None:
    """A message when ``got`` is not even the right kind of thing (None, a list, an object, a dtype)."""
    dims = dims or {}
    want = "a single number" if kind == "scalar" else f"a numpy array of shape {fmt_shape(spec, dims)}"
    if got is None:
        return f"{name} is None, expected {want}: does every path through your function end in a `return`?"
    if isinstance(got, Opaque):
        return f"{name} is a {got.type_name} object, expected {want}"
    if kind == "scalar":
        if _is_real_number(got):
            dtype = np.asarray(got).dtype
            if dtype.kind == "f" and dtype != np.float64:
                return f"{name} has dtype {dtype}, expected float64: compute in float64 (no .astype({dtype}))"
            return None
        if isinstance(got, np.ndarray) and got.size == 1 and got.dtype.kind in "iuf":
            return (f"{name} is an array of shape {tuple(got.shape)} holding one number, expected the number itself: "
                    f"return float({name}) (or {name}.item())")
        if isinstance(got, np.ndarray):
            return (f"{name} is an array of shape {tuple(got.shape)}, expected a single number: "
                    "did you forget to sum or average over the batch and time steps?")
        return f"{name} is a {type(got).__name__}, expected {want}"
    if isinstance(got, list | tuple):
        hint = " (np.stack(..., axis=1) turns a list of per-step arrays (N, H) into (N, T, H))" if len(
            spec) == 3 else " (np.array(...) makes one)"
        return f"{name} is a Python {type(got).__name__}, expected {want}{hint}"
    if _is_real_number(got) and not isinstance(got, np.ndarray):
        return f"{name} is a single number, expected {want}"
    if not isinstance(got, np.ndarray):
        return f"{name} is a {type(got).__name__}, expected {want}"
    if got.dtype.kind in "iub":
        return (f"{name} has dtype {got.dtype}, expected float64: an integer or boolean array "
                "(integer division, or an array created with an integer dtype?)")
    if got.dtype.kind == "c":
        return f"{name} has complex dtype {got.dtype}, expected real float64 values"
    if got.dtype != np.float64:
        return f"{name} has dtype {got.dtype}, expected float64: compute in float64 (the course's standard)"
    return None


def shape_problem(name: str, got_shape, expected_shape, spec, dims) -> str | None:
    """None when the shapes agree, else what is wrong and the mistake that usually causes it."""
    got_shape, expected_shape = tuple(got_shape), tuple(expected_shape)
    if got_shape == expected_shape:
        return None
    base = f"{name} has shape {got_shape}, expected {fmt_shape(spec, dims)}"
    hint = _shape_hint(got_shape, expected_shape, spec, dims)
    return f"{base}: {hint}" if hint else base


def _shape_hint(got, exp, spec, dims) -> str | None:
    letters = list(spec)
    if len(got) == len(exp) == 2 and got == exp[::-1]:
        return "it is transposed" + (" (a weight's gradient has the shape of the weight)" if spec and all(
            isinstance(s, str) and s[-1:] in "DHV" for s in spec) and letters[0] != "N" else "")
    if len(got) == len(exp) + 1:
        for axis in range(len(got)):
            rest = got[:axis] + got[axis + 1:]
            if rest == exp:
                size = got[axis]
                what = ""
                if axis == 0 and size == dims.get("N") and "N" not in letters:
                    what = " (the batch): did you forget to sum over the batch, .sum(axis=0)?"
                elif size == 1:
                    what = " of size 1: keepdims=True where it should not be, or a missing squeeze?"
                else:
                    what = f" of size {size}: a missing sum over that axis?"
                return f"it has an extra axis {axis}{what}"
    if len(got) + 1 == len(exp):
        for axis in range(len(exp)):
            if exp[:axis] + exp[axis + 1:] == got:
                letter = letters[axis] if axis < len(letters) else "?"
                return f"the axis {letter} is missing (summed over, indexed or squeezed away?)"
    if len(got) == len(exp) and sorted(got) == sorted(exp):
        if len(exp) == 3 and got == (exp[1], exp[0], exp[2]):
            return "time and batch axes are swapped: the course is batch-first, (N, T, ...), not time-major"
        return "the axes are in the wrong order"
    if len(got) == len(exp):
        wrong = [letters[i] if i < len(letters) else str(i) for i, (g, e) in enumerate(zip(got, exp)) if g != e]
        return f"the size along {', '.join(map(str, wrong))} is wrong"
    return None


def value_problem(name: str, got: np.ndarray, expected: np.ndarray, *, axes=(), dims=None, gates: str | None = None,
                  rtol: float = RTOL, warnings=(), patterns: bool = True) -> str | None:
    """None when ``got`` matches ``expected``; else where it is wrong and any recognisable pattern.

    ``axes`` labels each axis ("N", "T", "H", "D", "G" for a gate-blocked
    axis, "V"); ``gates`` is "lstm" or "gru" when an axis is labelled "G".
    """
    dims = dims or {}
    got = np.asarray(got, dtype=float)
    expected = np.asarray(expected, dtype=float)
    ok = close_mask(got, expected, rtol)
    if ok.all():
        return None
    nonfinite = ~np.isfinite(got) & np.isfinite(expected)
    if nonfinite.any():
        first = tuple(int(i) for i in np.argwhere(nonfinite)[0])
        kinds = sorted({"NaN" if np.isnan(v) else "infinity" for v in got[nonfinite]})
        msg = (f"{name} contains {' and '.join(kinds)} at {int(nonfinite.sum())} of {got.size} entries "
               f"(first at index {first})")
        overflow = sorted((w for w in warnings if "overflow" in w or "invalid value" in w or "divide" in w),
                          key=lambda w: "overflow" not in w)
        if overflow:
            msg += f"; numpy warned '{overflow[0]}'"
        return msg
    where = _locate(~ok, axes, dims, gates)
    pattern = _pattern(got, expected, ok, axes, gates) if patterns else None
    err = _rel_error(got, expected)
    parts = [f"{name} is wrong at {int((~ok).sum())} of {got.size} entries"]
    if where:
        parts.append(where)
    parts.append(f"relative error {err:.1e}")
    msg = ", ".join(parts)
    if pattern:
        msg += f"; {pattern}"
    elif rtol < FLOAT32_RTOL and bool(np.all(close_mask(got, expected, FLOAT32_RTOL))):
        msg += f"; {FLOAT32_HINT}"
    return msg


def _rel_error(a, b) -> float:
    diff = float(np.max(np.abs(a - b))) if a.size else 0.0
    scale = float(np.max(np.abs(a) + np.abs(b))) if a.size else 0.0
    return diff / max(scale, 1e-300)


def _locate(bad: np.ndarray, axes, dims, gates) -> str:
    """Where the wrong entries are, along the axes that say something (time, gate blocks, batch)."""
    if bad.ndim == 0 or len(axes) != bad.ndim or bad.all():
        return ""
    notes = []
    for axis, label in enumerate(axes):
        other = tuple(a for a in range(bad.ndim) if a != axis)
        per = bad.any(axis=other) if other else bad
        size = bad.shape[axis]
        if label == "T" and size > 1:
            wrong = np.flatnonzero(per)
            if len(wrong) < size:
                right = np.flatnonzero(~per)
                notes.append(f"time steps t = {ranges(wrong)} (right at t = {ranges(right)})")
            else:
                notes.append(f"every time step t = 0..{size - 1}")
        elif label == "L" and size > 1:
            wrong = np.flatnonzero(per)
            if len(wrong) < size:
                notes.append(f"lags {ranges(wrong)} (right at lags {ranges(np.flatnonzero(~per))})")
        elif label == "G" and gates in GATE_NAMES:
            names = GATE_NAMES[gates]
            H = size // len(names)
            if H == 0:
                continue
            wrong_blocks = [names[k] for k in range(len(names)) if per[k * H:(k + 1) * H].any()]
            if len(wrong_blocks) < len(names):
                notes.append(f"only in the {', '.join(wrong_blocks)} gate block{'s' if len(wrong_blocks) > 1 else ''} "
                             f"(gate order {', '.join(names)})")
        elif label == "N" and size > 1:
            wrong = np.flatnonzero(per)
            if len(wrong) < size:
                notes.append(f"only for batch row{'s' if len(wrong) > 1 else ''} {ranges(wrong)} of 0..{size - 1}")
    return "; ".join(notes)


def _pattern(got, expected, ok, axes, gates) -> str | None:
    """A recognisable slip: zeros, sign, constant factor, transpose, time shift, gate order."""
    if not np.any(expected):
        return "it should be all zeros here"
    if not np.any(got):
        return "it is all zeros (is it ever computed or accumulated?)"
    if np.allclose(got, -expected, rtol=1e-6, atol=1e-12):
        return "it has the wrong sign everywhere"
    denom = float(np.sum(expected * expected))
    if denom > 0:
        c = float(np.sum(got * expected)) / denom
        if abs(c - 1.0) > 1e-3 and np.allclose(got, c * expected, rtol=1e-6, atol=1e-12):
            return f"it is {c:.4g} times the right value everywhere (a missing or extra factor)"
    if got.ndim == 2 and got.shape[0] == got.shape[1] and got.shape[0] > 1 and all_close(got, expected.T):
        return "it is the transpose of the right matrix"
    if "T" in axes:
        t_axis = list(axes).index("T")
        T = got.shape[t_axis]
        if T > 2:
            later = np.take(got, range(1, T), axis=t_axis)
            earlier = np.take(expected, range(T - 1), axis=t_axis)
            if all_close(later, earlier):
                return "it is shifted one step later in time (step t holds what belongs at t - 1)"
            if all_close(np.take(got, range(T - 1), axis=t_axis), np.take(expected, range(1, T), axis=t_axis)):
                return "it is shifted one step earlier in time (step t holds what belongs at t + 1)"
    if "G" in axes and gates in GATE_NAMES:
        g_axis = list(axes).index("G")
        names = GATE_NAMES[gates]
        k = len(names)
        H = got.shape[g_axis] // k
        if H:
            got_blocks = [np.take(got, range(i * H, (i + 1) * H), axis=g_axis) for i in range(k)]
            exp_blocks = [np.take(expected, range(i * H, (i + 1) * H), axis=g_axis) for i in range(k)]
            order = []
            for gb in got_blocks:
                match = [names[j] for j, eb in enumerate(exp_blocks) if all_close(gb, eb)]
                order.append(match[0] if len(match) == 1 else None)
            if None not in order and order != list(names):
                return (f"its gate blocks are in the order {', '.join(order)}; the course's order is "
                        f"{', '.join(names)}")
    return None


def describe_error(error: dict | None, function: str) -> str:
    """One line for an exception raised by student code, with the line that raised it and a likely cause."""
    if not error:
        return f"{function} raised an exception"
    etype = error.get("type", "Exception")
    message = (error.get("message") or "").strip().splitlines()
    first = message[0][:300] if message else ""
    text = f"{etype}: {first}" if first else etype
    where = error.get("where") or {}
    if where.get("source"):
        fn = where.get("function")
        inside = f" in {fn}" if fn and fn not in ("<module>",) else ""
        text += f" (raised{inside} at line {where.get('line')}: `{where['source']}`)"
    hint = _error_hint(etype, first)
    return f"{function} raised {text}{'; ' + hint if hint else ''}"


def _error_hint(etype: str, message: str) -> str | None:
    m = message.lower()
    if etype == "SystemExit":
        return "a graded function must return its result, not exit the interpreter"
    if etype == "MemoryError":
        return "it ran out of memory (an array far bigger than the inputs?)"
    if etype == "RecursionError":
        return "it calls itself without end"
    if "matmul" in m or "shapes" in m and "not aligned" in m:
        return "the shapes in a matrix product do not line up: a missing or extra transpose (.T)?"
    if "could not be broadcast" in m:
        return "two arrays of incompatible shapes were combined: check each shape against the docstring"
    if "cannot unpack" in m or "not enough values to unpack" in m or "too many values to unpack" in m:
        return "it unpacks a different number of values than it got: does the cache hold what you unpack?"
    if etype == "NameError":
        return "a name used before it is defined (run the cells above first?)"
    if "probabilities do not sum to 1" in m:
        return "renormalise the probabilities after zeroing entries"
    return None

"""Argument checking shared by every public function.

Students meet these messages when they call a function with the wrong
arguments, so they must say which argument is wrong, what shape was expected
(in letters and in numbers) and what shape arrived, instead of a numpy
broadcasting error three frames deep.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["NonFiniteError", "as_array", "check_shape", "check_finite", "check_int_array", "check_choice",
           "check_probability", "check_upstream", "check_cache", "check_truncate", "TRUNCATE_MODES"]


class NonFiniteError(ValueError):
    """A ValueError for NaN/inf values, so a training loop can tell divergence from a bug."""


def _fmt_expected(spec: Sequence, dims: dict[str, int]) -> str:
    letters = "(" + ", ".join(str(s) for s in spec) + ("," if len(spec) == 1 else "") + ")"
    numbers = []
    for s in spec:
        value = _dim_value(s, dims)
        numbers.append(str(s) if value is None else str(value))
    numeric = "(" + ", ".join(numbers) + ("," if len(numbers) == 1 else "") + ")"
    if numeric == letters:
        return letters
    return f"{letters} = {numeric}"


def _dim_value(token: str | int, dims: dict[str, int]) -> int | None:
    """Resolve a spec token: an int, a known letter, or a product like '4H'."""
    if isinstance(token, (int, np.integer)):
        return int(token)
    if token in dims:
        return dims[token]
    head = token.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    letter = token[len(head) :]
    if head and head.isdigit() and letter in dims:
        return int(head) * dims[letter]
    return None


def as_array(name: str, value, *, dtype=np.float64) -> np.ndarray:
    """Return ``value`` as a numpy array (float64 by default), or raise a ValueError naming it."""
    if value is None:
        raise ValueError(f"{name}: expected an array, got None")
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "fiub":
            raise ValueError(f"{name}: expected a numeric array, got dtype {value.dtype}")
        if dtype is not None and value.dtype.kind != "f":
            return value.astype(dtype)
        return value
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name}: expected a numeric array, got {type(value).__name__}") from err
    return arr


def check_shape(name: str, arr: np.ndarray, spec: Sequence, dims: dict[str, int]) -> None:
    """Check ``arr`` against ``spec`` (ints, letters or '4H'-style products).

    Letters not yet in ``dims`` are bound from ``arr`` (so the first argument
    fixes N, T, D, ...); letters already bound must agree. The message names
    the argument, the expected shape in letters and numbers, and the shape
    received.
    """
    if arr.ndim != len(spec):
        raise ValueError(
            f"{name}: expected a {len(spec)}-D array of shape {_fmt_expected(spec, dims)}, "
            f"got a {arr.ndim}-D array of shape {tuple(arr.shape)}"
        )
    # Bind the plain letters first so '4H' in the same spec can refer to them.
    for token, size in zip(spec, arr.shape):
        if isinstance(token, str) and token.isalpha() and token not in dims:
            dims[token] = int(size)
    for token, size in zip(spec, arr.shape):
        want = _dim_value(token, dims)
        if want is None:
            # e.g. '4H' where H is unknown: bind H from it when divisible.
            head = token.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            letter = token[len(head) :]
            k = int(head)
            if size % k:
                raise ValueError(
                    f"{name}: expected shape {_fmt_expected(spec, dims)} with dimension {token} "
                    f"a multiple of {k}, got shape {tuple(arr.shape)}"
                )
            dims[letter] = size // k
            continue
        if want != size:
            raise ValueError(f"{name}: expected shape {_fmt_expected(spec, dims)}, got {tuple(arr.shape)}")


def check_finite(name: str, arr: np.ndarray) -> None:
    """Raise if ``arr`` holds NaN or infinity, saying where the first one is."""
    finite = np.isfinite(arr)
    if not finite.all():
        bad = np.argwhere(~finite)
        first = tuple(int(i) for i in bad[0])
        raise NonFiniteError(
            f"{name}: expected finite values, got {len(bad)} non-finite (first at index {first}: {arr[first]!r})"
        )


def check_int_array(name: str, value, spec: Sequence, dims: dict[str, int], *, high: int | None = None):
    """Check an array of integer indices (class labels, token ids)."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f" and arr.size and np.all(np.mod(arr, 1) == 0):
            arr = arr.astype(np.int64)
        elif arr.dtype.kind == "b" or arr.size:
            raise ValueError(f"{name}: expected integer indices, got dtype {arr.dtype}")
        else:
            arr = arr.astype(np.int64)
    check_shape(name, arr, spec, dims)
    if arr.size and (arr.min() < 0 or (high is not None and arr.max() >= high)):
        lo, hi = int(arr.min()), int(arr.max())
        raise ValueError(f"{name}: expected indices in [0, {high}), got values in [{lo}, {hi}]")
    return arr


def check_choice(name: str, value, choices: Sequence[str]) -> None:
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name}: expected one of {options}, got {value!r}")


def check_probability(name: str, value) -> None:
    """A drop probability: a number in [0, 1) (1 would drop everything)."""
    if not 0.0 <= float(value) < 1.0:
        raise ValueError(f"{name}: expected a drop probability in [0, 1), got {value!r}")


def check_upstream(name: str, value, shape: tuple[int, ...], letters: tuple[str, ...]) -> np.ndarray:
    """Check an upstream gradient (dh, dc, dout) against the shape the forward pass produced."""
    arr = as_array(name, value)
    check_shape(name, arr, letters, dict(zip(letters, shape)))
    check_finite(name, arr)
    return arr


def check_cache(cache, expected_type, producer: str) -> None:
    """A backward function's cache must be the one its forward function returned."""
    if not isinstance(cache, expected_type):
        raise ValueError(
            f"cache: expected the {expected_type.__name__} returned by {producer}, got {type(cache).__name__}"
        )


#: how a sequence backward pass may truncate BPTT (see ``rnn_course.cells.rnn.rnn_backward``)
TRUNCATE_MODES = ("chunk", "window")


def check_truncate(truncate, truncate_mode) -> None:
    """``truncate``: None or an integer >= 1; ``truncate_mode``: "chunk" or "window"."""
    if truncate is not None:
        if isinstance(truncate, bool) or not isinstance(truncate, (int, np.integer)) or truncate < 1:
            raise ValueError(f"truncate: expected None or an integer >= 1, got {truncate!r}")
    check_choice("truncate_mode", truncate_mode, TRUNCATE_MODES)

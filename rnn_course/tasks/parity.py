"""Running parity: after every bit, say whether the number of 1s seen so far is odd.

The target at step t depends on *every* bit up to t, so a model that sees
only a fixed window of the last w bits is at chance (50%) from step w on:
the bits before the window flip the answer with probability 1/2. A
recurrent net needs one bit of memory, carried for ever, to be perfect.
Lesson 01 solves it with a hand-built two-unit RNN (``rnn_course.handbuilt``).

    x, y = parity_batch(N=8, T=20, rng=0)    # x: (N, T, 1) in {0, 1}, y: (N, T) in {0, 1}
    parity_accuracy(predictions, y)         # fraction of steps right

Dimensions: N batch, T time.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_int_array
from ..init import as_rng

__all__ = ["parity_batch", "running_parity", "parity_accuracy", "window_lookup_baseline"]


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name}: expected an integer >= 1, got {value!r}")
    return int(value)


def running_parity(bits) -> np.ndarray:
    """Parity of the prefix at every step: ``(bits[:, :t+1].sum() % 2)`` for each t.

    Inputs:
        bits: (N, T) or (N, T, 1) array of 0/1
    Returns:
        (N, T) int array of 0/1
    """
    arr = np.asarray(bits)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[..., 0]
    dims: dict[str, int] = {}
    arr = check_int_array("bits", arr, ("N", "T"), dims, high=2)
    return np.cumsum(arr, axis=1) % 2


def parity_batch(N: int, T: int, rng=None, p: float = 0.5):
    """A batch of random bit sequences and their running parity.

    Inputs:
        N: batch size; T: sequence length
        rng: numpy Generator, int seed or None
        p: probability of a 1 (in (0, 1))
    Returns:
        x: (N, T, 1) float64 bits (ready for ``rnn_forward``, D = 1)
        y: (N, T) int64 running parity
    """
    N = _positive_int("N", N)
    T = _positive_int("T", T)
    if not 0.0 < float(p) < 1.0:
        raise ValueError(f"p: expected a probability in (0, 1), got {p!r}")
    bits = (as_rng(rng).random((N, T)) < p).astype(np.int64)
    return bits[..., None].astype(np.float64), running_parity(bits)


def parity_accuracy(predictions, y) -> float:
    """Fraction of (sequence, step) positions where ``predictions`` equals ``y``.

    Inputs:
        predictions: (N, T) 0/1 predictions (e.g. ``probability > 0.5``)
        y: (N, T) targets from ``parity_batch``
    """
    dims: dict[str, int] = {}
    y = check_int_array("y", y, ("N", "T"), dims, high=2)
    predictions = check_int_array("predictions", np.asarray(predictions).astype(np.int64), ("N", "T"), dims, high=2)
    return float(np.mean(predictions == y))


def window_lookup_baseline(x_train, y_train, x_test, window: int) -> np.ndarray:
    """The best a model that sees only the last ``window`` bits can do, fitted on data.

    A feed-forward net with a fixed input of ``window`` bits computes some
    function of those bits; the best such function on the training data is
    a lookup table from each of the 2**window patterns to its most frequent
    target. This fits that table on every step of ``x_train`` and predicts
    every step of ``x_test``; steps t < window see their window padded with
    zeros on the left (what such a net would be fed).

    Inputs:
        x_train: (N, T, 1) bits; y_train: (N, T) running parity
        x_test: (M, S, 1) bits
        window: w >= 1 (at most 20: the table has 2**w rows)
    Returns:
        (M, S) int predictions
    """
    window = _positive_int("window", window)
    if window > 20:
        raise ValueError(f"window: expected at most 20 (the table has 2**window rows), got {window}")
    codes_train = _window_codes(x_train, window, "x_train")
    dims: dict[str, int] = {"N": codes_train.shape[0], "T": codes_train.shape[1]}
    y_train = check_int_array("y_train", y_train, ("N", "T"), dims, high=2)
    ones = np.bincount(codes_train.ravel(), weights=y_train.ravel(), minlength=2**window)
    seen = np.bincount(codes_train.ravel(), minlength=2**window)
    table = (ones > seen / 2).astype(np.int64)  # ties and unseen patterns -> 0
    return table[_window_codes(x_test, window, "x_test")]


def _window_codes(x, window: int, name: str) -> np.ndarray:
    """Integer code of the last ``window`` bits at every step, zero-padded on the left."""
    arr = np.asarray(x)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[..., 0]
    dims: dict[str, int] = {}
    bits = check_int_array(name, arr, ("N", "T"), dims, high=2)
    padded = np.concatenate([np.zeros((bits.shape[0], window - 1), dtype=np.int64), bits], axis=1)
    codes = np.zeros(bits.shape, dtype=np.int64)
    for lag in range(window):
        codes = codes * 2 + padded[:, window - 1 - lag : padded.shape[1] - lag]
    return codes

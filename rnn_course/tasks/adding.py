"""The adding problem (Hochreiter & Schmidhuber 1997): add the two marked numbers of a long sequence.

Construction (the form of Le et al. 2015 and Arjovsky et al. 2016). Each of
the N sequences has T steps and D = 2 input channels:

    x[n, t, 0] ~ U(0, 1)                   the values, i.i.d.
    x[n, t, 1] = 1 at exactly two steps:   the markers, one step a drawn
                 uniformly from the first half (0 <= a < T//2) and one step
                 b from the second half (T//2 <= b < T); 0 elsewhere
    y[n] = x[n, a, 0] + x[n, b, 0]         the target, in [0, 2]

The model reads the whole sequence and predicts y at the last step, so it
must carry the first marked value from step a to the end (between T - T//2
and T - 1 steps) while ignoring T - 2 distracting values.

Baselines (exact, since the values are U(0, 1) with variance 1/12):

* constant: predict E[y] = 1 whatever the input. MSE = Var(y) = 2/12 = 1/6.
  This is where a model that has learned nothing about the markers sits.
* one value: add the *second* marked value (the recent one, easy to keep)
  to the mean of the first, 0.5. MSE = 1/12. Models often plateau here
  first: they have learned to read a marker but not to remember across
  half the sequence.

Success criterion: a trained model *solves the task* when its MSE on fresh
test sequences is at most the constant baseline divided by
``SUCCESS_FACTOR`` = 10 (1/60 = 0.0167, five times below the one-value
plateau). Per sequence, a prediction counts as *solved* when its absolute
error is below ``SOLVED_TOLERANCE`` = 0.08: Hochreiter & Schmidhuber's
criterion (0.04 on their target 0.5 + (X1 + X2)/4 with values in [-1, 1])
expressed on this scale. The constant prediction already "solves" a
fraction 1 - (1 - 0.08)^2 = 15.4 % of sequences by luck (``solved_by_chance``).

Dimensions: N batch, T time. Nothing touches numpy's global random state.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import as_array, check_shape
from ..init import as_rng

__all__ = [
    "CONSTANT_BASELINE_MSE",
    "ONE_VALUE_BASELINE_MSE",
    "SUCCESS_FACTOR",
    "SOLVED_TOLERANCE",
    "AddingBatch",
    "AddingScore",
    "adding_batch",
    "adding_data",
    "marker_positions",
    "baseline_predictions",
    "score_adding",
    "evaluate_adding",
    "solved_by_chance",
]

#: MSE of the best constant prediction (1): the variance of a sum of two U(0, 1) values
CONSTANT_BASELINE_MSE = 1.0 / 6.0
#: MSE of "second marked value + 0.5": the variance of one U(0, 1) value
ONE_VALUE_BASELINE_MSE = 1.0 / 12.0
#: a run solves the task when its test MSE is at most CONSTANT_BASELINE_MSE / SUCCESS_FACTOR
SUCCESS_FACTOR = 10.0
#: a single sequence is solved when |prediction - target| < SOLVED_TOLERANCE
SOLVED_TOLERANCE = 0.08


class AddingBatch(NamedTuple):
    """Sequences of the adding problem. Unpacks as ``x, y`` (what ``SequenceRegressor.loss`` takes)."""

    x: np.ndarray  # (N, T, 2): values in channel 0, markers in channel 1
    y: np.ndarray  # (N,) sum of the two marked values

    @property
    def markers(self) -> np.ndarray:
        """(N, 2) the marked steps (first-half marker, second-half marker)."""
        return marker_positions(self.x)


class AddingScore(NamedTuple):
    """How well predictions do on a test batch."""

    mse: float  # mean squared error
    solved: float  # fraction of sequences with |error| < SOLVED_TOLERANCE
    improvement: float  # CONSTANT_BASELINE_MSE / mse: how many times better than the constant prediction
    success: bool  # improvement >= SUCCESS_FACTOR

    def __str__(self) -> str:
        verdict = "solved" if self.success else "not solved"
        return (f"MSE {self.mse:.4f} ({self.improvement:.1f}x below the constant baseline: {verdict}), "
                f"{100 * self.solved:.1f} % of sequences within {SOLVED_TOLERANCE}")


def _check_int(name, value, low):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name}: expected an integer >= {low}, got {value!r}")
    return int(value)


def adding_batch(N: int, T: int, rng=None) -> AddingBatch:
    """N fresh sequences of length T (T >= 2), drawn from ``rng`` (a Generator or a seed).

    Returns an ``AddingBatch`` with x (N, T, 2) and y (N,).
    """
    N, T = _check_int("N", N, 1), _check_int("T", T, 2)
    rng = as_rng(rng)
    values = rng.random((N, T))
    half = T // 2
    first = rng.integers(0, half, size=N)
    second = rng.integers(half, T, size=N)
    x = np.zeros((N, T, 2))
    x[:, :, 0] = values
    rows = np.arange(N)
    x[rows, first, 1] = 1.0
    x[rows, second, 1] = 1.0
    y = values[rows, first] + values[rows, second]
    return AddingBatch(x, y)


def adding_data(T: int, batch_size: int = 32):
    """``data(rng) -> AddingBatch`` drawing ``batch_size`` fresh sequences: the ``data`` argument of ``train.fit``."""
    T, batch_size = _check_int("T", T, 2), _check_int("batch_size", batch_size, 1)

    def data(rng):
        return adding_batch(batch_size, T, rng)

    return data


def _check_x(x):
    x = as_array("x", x)
    check_shape("x", x, ("N", "T", 2), {})
    return x


def marker_positions(x) -> np.ndarray:
    """(N, 2) the steps where channel 1 of x (N, T, 2) is 1, in time order; checks there are exactly two."""
    x = _check_x(x)
    marks = x[:, :, 1] != 0
    counts = marks.sum(axis=1)
    if np.any(counts != 2):
        bad = int(np.argmax(counts != 2))
        raise ValueError(f"x: expected exactly 2 markers per sequence in channel 1, "
                         f"got {int(counts[bad])} in sequence {bad}")
    return np.nonzero(marks)[1].reshape(-1, 2)


def baseline_predictions(x, kind: str = "constant") -> np.ndarray:
    """Predictions (N,) of a baseline that does not need a memory of the first marked value.

    kind:
        "constant": 1.0 for every sequence (the mean target)
        "one value": the second marked value + 0.5 (remembers only the recent number)
    """
    x = _check_x(x)
    if kind == "constant":
        return np.ones(x.shape[0])
    if kind == "one value":
        second = marker_positions(x)[:, 1]
        return x[np.arange(x.shape[0]), second, 0] + 0.5
    raise ValueError(f"kind: expected 'constant' or 'one value', got {kind!r}")


def score_adding(y_hat, y) -> AddingScore:
    """Score predictions y_hat (N,) or (N, 1) against targets y (N,)."""
    y = as_array("y", y)
    check_shape("y", y, ("N",), {})
    y_hat = as_array("y_hat", y_hat)
    if y_hat.ndim == 2 and y_hat.shape[1] == 1:
        y_hat = y_hat[:, 0]
    check_shape("y_hat", y_hat, ("N",), {"N": y.shape[0]})
    err = y_hat - y
    mse = float(np.mean(err * err))
    improvement = CONSTANT_BASELINE_MSE / mse if mse > 0 else float("inf")
    if not np.isfinite(mse):
        improvement = 0.0
    solved = float(np.mean(np.abs(err) < SOLVED_TOLERANCE))
    return AddingScore(mse, solved, improvement, bool(improvement >= SUCCESS_FACTOR))


def evaluate_adding(batch: AddingBatch):
    """``evaluate(model) -> {"mse": ..., "solved": ...}`` on a fixed test batch (the ``evaluate`` of ``train.fit``)."""
    if not isinstance(batch, AddingBatch):
        raise ValueError(f"batch: expected an AddingBatch from adding_batch, got {type(batch).__name__}")

    def evaluate(model):
        score = score_adding(model.predict(batch.x), batch.y)
        return {"mse": score.mse, "solved": score.solved}

    return evaluate


def solved_by_chance(tolerance: float = SOLVED_TOLERANCE) -> float:
    """Fraction of sequences the constant prediction 1 gets within ``tolerance``: P(|U1 + U2 - 1| < tol)."""
    if not (0 <= tolerance <= 1):
        raise ValueError(f"tolerance: expected a number in [0, 1], got {tolerance!r}")
    return 1.0 - (1.0 - tolerance) ** 2

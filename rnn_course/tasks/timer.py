"""The timer: an input pulse starts a clock, and the output must stay on for as long as the pulse said.

After the timer example of Jaeger's tutorial on training recurrent networks
(2002). Here one input channel carries both the start and the duration: at a
start step t0 the input is d / max_duration (a height in (0, 1]), elsewhere 0,
and the target is 1 for the d steps t0 .. t0 + d - 1 and 0 otherwise:

    x:  0  0  0.25  0  0  0  0  0  0  ...      (max_duration 20: d = 5)
    y:  0  0  1     1  1  1  1  0  0  ...

The net must remember the height for up to ``max_duration`` steps *and* count
the steps since the start: a memory and a clock. Pulses never overlap (a gap
of at least ``min_gap`` steps of silence follows every pulse), so at any step
at most one timer runs. Lesson 03 solves it with an echo state network
(``rnn_course.reservoir``: a fixed random recurrent net, only the read-out
fitted) and with a tanh RNN trained by BPTT, and scores both with
``pulse_lengths``: how many steps the output really stayed on for each pulse.

    x, y = timer_batch(N=8, T=200, rng=0)           # x, y: (N, T, 1)
    true, measured = pulse_lengths(y_hat, x)        # one entry per pulse

Dimensions: N batch, T time.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import as_array, check_shape
from ..init import as_rng

__all__ = ["timer_batch", "pulse_lengths", "PulseLengths"]


def _int_at_least(name: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name}: expected an integer >= {low}, got {value!r}")
    return int(value)


def timer_batch(N: int, T: int, max_duration: int = 20, min_gap: int = 5, rng=None):
    """Random pulses and the timer's target output.

    Inputs:
        N: batch size; T: sequence length
        max_duration: the longest pulse (durations are uniform in 1 .. max_duration)
        min_gap: at least this many silent steps after each pulse (the gap is
            uniform in min_gap .. max_duration); the first start is uniform in
            0 .. max_duration - 1
        rng: Generator, seed or None
    Returns:
        x: (N, T, 1) float64, d / max_duration at each start step, 0 elsewhere
        y: (N, T, 1) float64, 1 while a timer runs, 0 otherwise (a pulse that
           starts near the end is cut off by the end of the sequence)
    """
    N = _int_at_least("N", N, 1)
    T = _int_at_least("T", T, 1)
    max_duration = _int_at_least("max_duration", max_duration, 1)
    min_gap = _int_at_least("min_gap", min_gap, 1)
    if min_gap > max_duration:
        raise ValueError(f"min_gap: expected at most max_duration = {max_duration}, got {min_gap}")
    rng = as_rng(rng)
    x = np.zeros((N, T, 1))
    y = np.zeros((N, T, 1))
    for n in range(N):
        t0 = int(rng.integers(0, max_duration))
        while t0 < T:
            d = int(rng.integers(1, max_duration + 1))
            x[n, t0, 0] = d / max_duration
            y[n, t0 : t0 + d, 0] = 1.0
            t0 += d + int(rng.integers(min_gap, max_duration + 1))
    return x, y


class PulseLengths(NamedTuple):
    """One entry per scored pulse: the duration asked for and how long the output stayed above the threshold."""

    true: np.ndarray  # (P,) int
    measured: np.ndarray  # (P,) int

    @property
    def exact(self) -> float:
        """Fraction of pulses whose output stayed on for exactly the right number of steps."""
        return float(np.mean(self.true == self.measured)) if self.true.size else float("nan")

    @property
    def mean_abs_error(self) -> float:
        """Mean |measured - true| in steps."""
        return float(np.mean(np.abs(self.measured - self.true))) if self.true.size else float("nan")


def pulse_lengths(y_hat, x, max_duration: int = 20, threshold: float = 0.5, skip: int = 0) -> PulseLengths:
    """How long the output stayed on after each start pulse, against how long it should have.

    For a pulse starting at t0, the measured length is the number of steps
    t0, t0 + 1, ... for which ``y_hat > threshold`` holds without a break,
    counted up to the next start (or the end). Pulses that start before
    ``skip`` (a washout), or that the sequence cuts off before their gap is
    over, are not scored.

    Inputs:
        y_hat: (N, T, 1) or (N, T) outputs; x: (N, T, 1) inputs from ``timer_batch``
        max_duration: as given to ``timer_batch``; threshold: the output's "on" level
        skip: ignore pulses that start before this step
    Returns:
        PulseLengths(true, measured), with ``.exact`` and ``.mean_abs_error``
    """
    x = as_array("x", x)
    check_shape("x", x, ("N", "T", 1), {})
    N, T, _ = x.shape
    y_hat = as_array("y_hat", y_hat)
    if y_hat.ndim == 3:
        check_shape("y_hat", y_hat, ("N", "T", 1), {"N": N, "T": T})
        y_hat = y_hat[..., 0]
    check_shape("y_hat", y_hat, ("N", "T"), {"N": N, "T": T})
    max_duration = _int_at_least("max_duration", max_duration, 1)
    true, measured = [], []
    for n in range(N):
        starts = np.flatnonzero(x[n, :, 0])
        ends = np.append(starts[1:], T)
        for t0, t_next in zip(starts, ends):
            d = int(round(x[n, t0, 0] * max_duration))
            if t0 < skip or (t_next == T and t0 + max_duration >= T):
                continue
            on = y_hat[n, t0:t_next] > threshold
            true.append(d)
            measured.append(int(np.argmin(on)) if not on.all() else len(on))
    return PulseLengths(np.array(true, dtype=np.int64), np.array(measured, dtype=np.int64))

"""A bounded counter that starts full: the task on which a learned initial state h_0 pays off.

Think of a battery with ``top`` units of charge. Each step it is charged
(x_t = +1) or drained (x_t = -1), and the level cannot leave 0 .. top:

    level_0 = start,   level_t = clip(level_{t-1} + x_t, 0, top),   y_t = level_t / top

The target at every step depends on where the counter *started*, and the
clipping makes that matter for as long as the counter has not hit a bound.
A tanh unit is a natural bounded counter (its state lives in (-1, 1)), and
with h_0 = 0 it starts in the middle of its range: half full. Starting full
(``start = top``, the default) needs a state near one end at t = 0, which an
RNN with h_0 fixed at 0 can only imitate (with weights that make its first
step different from the others); an RNN that learns h_0 can simply start
there. Lesson 02 measures the difference.

    x, y = counter_batch(N=32, T=12, rng=0)    # x, y: (N, T, 1)

Dimensions: N batch, T time.
"""

from __future__ import annotations

import numpy as np

from ..init import as_rng

__all__ = ["counter_batch"]


def counter_batch(N: int, T: int, start: int = 4, top: int = 4, rng=None):
    """Random charge/drain steps and the counter's level after each one.

    Inputs:
        N: batch size; T: sequence length
        start: the level before the first step, 0 .. top; top: the largest level (>= 1)
        rng: Generator, seed or None
    Returns:
        x: (N, T, 1) float64, +1 or -1 with probability 1/2 each
        y: (N, T, 1) float64, level_t / top in [0, 1]
    """
    for name, value, low in (("N", N, 1), ("T", T, 1), ("top", top, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name}: expected an integer >= {low}, got {value!r}")
    if isinstance(start, bool) or not isinstance(start, (int, np.integer)) or not 0 <= start <= top:
        raise ValueError(f"start: expected an integer in 0 .. top = {top}, got {start!r}")
    rng = as_rng(rng)
    x = np.where(rng.random((N, T, 1)) < 0.5, -1.0, 1.0)
    y = np.empty_like(x)
    level = np.full((N, 1), float(start))
    for t in range(T):  # array index t is step t + 1
        level = np.clip(level + x[:, t], 0.0, float(top))
        y[:, t] = level / top
    return x, y

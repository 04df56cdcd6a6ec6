"""Figures of the timer task (lesson 03, echo state networks).

* ``plot_timer_outputs(x, y, outputs)``: the pulses, the target and each model's output over a stretch of one
  sequence.
* ``plot_pulse_lengths(lengths)``: for every duration asked for, how long each model's output stayed on.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from .._checks import as_array, check_shape
from ..tasks.timer import PulseLengths
from .style import OKABE_ITO, get_figure_ax

__all__ = ["plot_timer_outputs", "plot_pulse_lengths"]

#: one colour per model, from the colour-blind-safe palette of plots.style
_COLORS = [OKABE_ITO["vermillion"], OKABE_ITO["blue"], OKABE_ITO["bluish_green"], OKABE_ITO["reddish_purple"]]


def plot_timer_outputs(x, y, outputs: dict, *, n: int = 0, steps=(0, 200), ax=None,
                       title: str = "The timer: each pulse's height says how long the output must stay on"):
    """Input pulses, target and model outputs of sequence ``n`` for steps ``steps[0] .. steps[1] - 1``.

    Inputs:
        x, y: (N, T, 1) from ``tasks.timer.timer_batch``
        outputs: {label: (N, T, 1) outputs}, one line each
        n: which sequence; steps: (first, stop) array indices to show
    """
    x, y = as_array("x", x), as_array("y", y)
    dims: dict[str, int] = {}
    check_shape("x", x, ("N", "T", 1), dims)
    check_shape("y", y, ("N", "T", 1), dims)
    if not outputs:
        raise ValueError("outputs: expected at least one {label: output} entry, got none")
    first, stop = int(steps[0]), int(steps[1])
    if not 0 <= first < stop <= dims["T"]:
        raise ValueError(f"steps: expected (first, stop) with 0 <= first < stop <= T = {dims['T']}, got {steps!r}")
    t = np.arange(first, stop) + 1  # step t of the maths is array index t - 1
    fig, ax = get_figure_ax(ax, figsize=(11, 3.6))
    ax.bar(t, y[n, first:stop, 0], width=1.0, color="#cccccc", label="target (on = 1)")  # step t covers t +- 0.5
    pulses = np.flatnonzero(x[n, first:stop, 0])
    ax.vlines(t[pulses], 0, x[n, first + pulses, 0], color="black", lw=2.5,
              label="input pulse (its height codes the duration)")
    for (label, out), color in zip(outputs.items(), _COLORS):
        out = as_array(f"outputs[{label!r}]", out)
        check_shape(f"outputs[{label!r}]", out, ("N", "T", 1), dict(dims))
        ax.plot(t, out[n, first:stop, 0], color=color, lw=1.6, label=label, drawstyle="steps-mid")
    ax.axhline(0.5, color="#999999", ls=":", lw=1)
    ax.set_xlabel("time step t")
    ax.set_ylabel("input, target, output (unitless)")
    ax.set_ylim(-0.3, 1.75)
    ax.set_title(title)
    ax.legend(loc="upper center", fontsize="small", ncol=2, framealpha=0.9)
    return fig


def plot_pulse_lengths(lengths: dict, *, max_duration: int = 20, ax=None,
                       title: str = "How long the output stayed on, for each duration asked for"):
    """Mean measured length (and its range) against the true duration, one line per model.

    Inputs:
        lengths: {label: PulseLengths} from ``tasks.timer.pulse_lengths``
        max_duration: the task's longest pulse
    """
    if not lengths:
        raise ValueError("lengths: expected at least one {label: PulseLengths} entry, got none")
    fig, ax = get_figure_ax(ax, figsize=(6.4, 4.4))
    durations = np.arange(1, max_duration + 1)
    ax.plot(durations, durations, color="#999999", ls="--", lw=1, label="exact")
    for (label, pl), color in zip(lengths.items(), _COLORS):
        if not isinstance(pl, PulseLengths):
            raise ValueError(f"lengths[{label!r}]: expected a PulseLengths from pulse_lengths, got {type(pl).__name__}")
        mean = np.array([pl.measured[pl.true == d].mean() if np.any(pl.true == d) else np.nan for d in durations])
        low = np.array([pl.measured[pl.true == d].min() if np.any(pl.true == d) else np.nan for d in durations])
        high = np.array([pl.measured[pl.true == d].max() if np.any(pl.true == d) else np.nan for d in durations])
        ax.fill_between(durations, low, high, color=color, alpha=0.15, lw=0)
        ax.plot(durations, mean, "o-", color=color, ms=4, lw=1.6,
                label=f"{label}: {100 * pl.exact:.0f}% exact, mean error {pl.mean_abs_error:.2f} steps")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("duration asked for (steps)")
    ax.set_ylabel("steps the output stayed above 0.5")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize="small")
    ax.grid(True, alpha=0.3)
    return fig

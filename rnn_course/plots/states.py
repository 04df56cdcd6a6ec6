"""Hidden states over time.

* ``plot_hidden_states(h)``: a heatmap, hidden units down, time across, on a
  diverging colour map centred at 0 (tanh states live in [-1, 1]).
* ``plot_memory_task(x, h, prob, target)``: a net doing a task that needs
  memory: its inputs, its hidden states, and its prediction against the
  target, on one time axis.

Time runs 1..T on the axes, as in the lessons' maths (array index t-1).
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from .._checks import as_array, check_finite, check_shape
from .style import DIVERGING, get_figure_ax, new_figure

__all__ = ["plot_hidden_states", "plot_memory_task"]


def _states(h) -> np.ndarray:
    h = as_array("h", h)
    if h.ndim == 3:
        raise ValueError(f"h: expected one sequence of shape (T, H), got a batch of shape {h.shape}; pass h[n]")
    check_shape("h", h, ("T", "H"), {})
    check_finite("h", h)
    return h


def plot_hidden_states(h, *, ax=None, upto: int | None = None, unit_names=None, vmax: float | None = None,
                       colorbar: bool = True, title: str | None = None):
    """Heatmap of one sequence's hidden states.

    Inputs:
        h: (T, H) hidden states h_1..h_T (``rnn_forward(...)[0][n]``)
        ax: axes to draw in (a new figure when None)
        upto: show only steps 1..upto (later steps blank), for stepping through
        unit_names: H labels for the rows (default "1".."H")
        vmax: colour range [-vmax, vmax] (default 1, the range of tanh, or max|h| if larger)
        colorbar: add a colour bar
        title: axes title
    Returns:
        the matplotlib Figure (the image is ``ax.images[0]``)
    """
    h = _states(h)
    T, H = h.shape
    if upto is not None and (isinstance(upto, bool) or not isinstance(upto, (int, np.integer)) or not 0 <= upto <= T):
        raise ValueError(f"upto: expected an integer in [0, T] = [0, {T}], got {upto!r}")
    if vmax is None:
        vmax = max(1.0, float(np.max(np.abs(h))) if h.size else 1.0)
    fig, ax = get_figure_ax(ax, figsize=(min(0.18 * T + 2.5, 12), 0.28 * H + 1.6))
    shown = np.ma.masked_array(h.T, mask=np.zeros_like(h.T, dtype=bool))
    if upto is not None:
        shown.mask[:, upto:] = True
    im = ax.imshow(shown, cmap=DIVERGING, vmin=-vmax, vmax=vmax, aspect="auto", interpolation="nearest",
                   extent=(0.5, T + 0.5, H + 0.5, 0.5))
    ax.set_xlabel("time step t")
    ax.set_ylabel("hidden unit")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if unit_names is not None:
        names = list(unit_names)
        if len(names) != H:
            raise ValueError(f"unit_names: expected {H} names (one per hidden unit), got {len(names)}")
        ax.set_yticks(np.arange(1, H + 1), names)
    elif H <= 12:
        ax.set_yticks(np.arange(1, H + 1))
    if colorbar:
        fig.colorbar(im, ax=ax, label="$h_t$ (unitless)", fraction=0.05, pad=0.02)
    ax.set_title(title if title is not None else f"hidden states $h_t$ ({H} units, {T} steps)")
    return fig


def plot_memory_task(x, h, prob, target, *, axes=None, unit_names=None, input_label="input bit $x_t$",
                     target_label="target", prob_label="P(class 1)", title: str | None = None):
    """Inputs, hidden states and prediction of a net on a task that needs memory.

    Inputs:
        x: (T,) one input value per step (e.g. the bits of a parity task)
        h: (T, H) hidden states
        prob: (T,) the net's probability of class 1 at each step
        target: (T,) the right answer (0/1) at each step
        axes: three axes, top to bottom (a new figure when None)
        unit_names: H labels for the hidden units
        input_label, target_label, prob_label: names in the figure
    Returns:
        the matplotlib Figure; accuracy (prob > 0.5 vs target) is in the title
    """
    h = _states(h)
    T, H = h.shape
    dims = {"T": T}
    x = as_array("x", x)
    check_shape("x", x, ("T",), dims)
    prob = as_array("prob", prob)
    check_shape("prob", prob, ("T",), dims)
    target = as_array("target", target)
    check_shape("target", target, ("T",), dims)
    if axes is None:
        fig, axes = new_figure(figsize=(min(0.16 * T + 3, 12), 5.2), nrows=3, sharex=True,
                               gridspec_kw={"height_ratios": [1, 1.4, 1.4]})
    else:
        axes = list(axes)
        if len(axes) != 3:
            raise ValueError(f"axes: expected 3 axes (inputs, states, prediction), got {len(axes)}")
        fig = axes[0].figure
    t = np.arange(1, T + 1)
    axes[0].step(t, x, where="mid", color="#1f77b4", lw=1.8)
    axes[0].set_ylabel(input_label)
    axes[0].set_ylim(-0.2, 1.2)
    plot_hidden_states(h, ax=axes[1], unit_names=unit_names, colorbar=True, title="")
    axes[1].set_xlabel("")
    axes[2].step(t, target, where="mid", color="#555555", lw=3, alpha=0.35, label=target_label)
    axes[2].plot(t, prob, "o-", color="#e6550d", ms=3, lw=1.2, label=prob_label)
    axes[2].axhline(0.5, color="#999999", ls=":", lw=1)
    axes[2].set_ylim(-0.1, 1.45)
    axes[2].set_ylabel("probability")
    axes[2].set_xlabel("time step t")
    axes[2].legend(loc="upper center", fontsize=8, ncols=2, frameon=False)
    acc = float(np.mean((prob > 0.5) == (target > 0.5)))
    fig.suptitle(title if title is not None else f"a net with memory at work: {100 * acc:.0f}% of steps right")
    return fig

"""Training curves of the ``History`` that ``rnn_course.train.fit`` returns."""

from __future__ import annotations

import numpy as np

from .style import get_figure_ax

__all__ = ["plot_history"]


def plot_history(history, ax=None, *, label: str | None = None, color=None, window: int = 50, logy: bool = True):
    """Training loss (raw, faint; running mean, bold) against the step. Returns the Figure."""
    fig, ax = get_figure_ax(ax)
    steps = np.asarray(history.steps)
    line = ax.plot(steps, history.loss, alpha=0.25, lw=0.8, color=color)[0]
    ax.plot(steps, history.smoothed_loss(window), lw=2, color=line.get_color(), label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("training loss")
    ax.set_title("training curve")
    if label:
        ax.legend()
    return fig

"""Figures for the latch task (lesson 03): success against T, the fate of w, training runs of the remedies."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import NullLocator

from ..tasks.latch import LatchRNNRun, LatchRun, LatchSweep
from .style import RIGHT, WRONG, get_figure_ax

__all__ = ["plot_latch_sweep", "plot_latch_weights", "plot_latch_runs"]

_SUCCESS, _FAILURE = RIGHT, WRONG


def plot_latch_sweep(sweeps, *, ax=None, title: str = "Latch task: how often gradient descent learns to hold the bit"):
    """Success rate against the sequence length T (log axis).

    Inputs:
        sweeps: a ``LatchSweep`` or {label: LatchSweep} (e.g. full vs truncated BPTT)
    """
    if isinstance(sweeps, LatchSweep):
        sweeps = {"full BPTT": sweeps}
    if not sweeps or not all(isinstance(s, LatchSweep) for s in sweeps.values()):
        raise ValueError("sweeps: expected a LatchSweep or a non-empty dict {label: LatchSweep}")
    fig, ax = get_figure_ax(ax, figsize=(6.0, 4.0))
    markers = "osD^v"
    for i, (label, sweep) in enumerate(sweeps.items()):
        seeds = len(sweep.runs[0].success)
        ax.plot(sweep.Ts, 100 * sweep.success_rate, marker=markers[i % len(markers)], lw=2,
                label=f"{label} ({seeds} seeds per T)")
    ax.set_xscale("log")
    Ts = sorted({int(T) for sweep in sweeps.values() for T in sweep.Ts})
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticks(Ts, [str(T) for T in Ts])
    ax.set_ylim(-5, 105)
    ax.set_xlabel("sequence length T (steps between the bit and the read-out)")
    ax.set_ylabel("runs that learned the latch (%)")
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize="small")
    ax.grid(True, alpha=0.3)
    return fig


def plot_latch_weights(run: LatchRun, *, ax=None, title: str | None = None):
    """The recurrent weight w during training, one line per seed, green if the run learned the latch.

    w = 1 is drawn: above it a tanh unit with no input has two stable states
    (it can latch), below it every state decays to 0 (it forgets).
    """
    if not isinstance(run, LatchRun):
        raise ValueError(f"run: expected a LatchRun from train_latch, got {type(run).__name__}")
    fig, ax = get_figure_ax(ax, figsize=(6.0, 4.0))
    steps = np.arange(run.w.shape[0])
    for s in range(run.w.shape[1]):
        ok = bool(run.success[s])
        ax.plot(steps, run.w[:, s], color=_SUCCESS if ok else _FAILURE, lw=1.3, alpha=0.8)
    ax.axhline(1.0, color="black", ls="--", lw=1)
    ax.plot([], [], color=_SUCCESS, label=f"learned ({int(run.success.sum())})")
    ax.plot([], [], color=_FAILURE, label=f"failed ({int((~run.success).sum())})")
    ax.set_xlabel("update")
    ax.set_ylabel("recurrent weight w")
    ax.set_title(title or f"What w does during training (T = {run.T})")
    ax.legend(loc="best", fontsize="small")
    return fig


def plot_latch_runs(runs, *, ax=None, title: str = "Training an RNN layer on the latch task"):
    """Loss curves of ``LatchRNNRun``s (one per setting); a cross marks a run stopped by an overflow."""
    runs = list(runs)
    if not runs or not all(isinstance(r, LatchRNNRun) for r in runs):
        raise ValueError("runs: expected a non-empty list of LatchRNNRun from train_latch_rnn")
    fig, ax = get_figure_ax(ax, figsize=(6.8, 4.2))
    for r in runs:
        outcome = f"overflowed after {len(r.loss)} updates" if r.stopped else f"test accuracy {100 * r.accuracy:.0f}%"
        (line,) = ax.plot(np.arange(len(r.loss)), np.maximum(r.loss, 1e-6), lw=1.6,
                          label=f"{r.label or r.T}: {outcome}")
        if r.stopped:
            ax.plot([len(r.loss)], [min(max(r.loss[-1], 1e-6), 1e3) if len(r.loss) else 1.0], "x",
                    color=line.get_color(), ms=10, mew=2.5)
    ax.set_yscale("log")
    ax.set_ylim(1e-6, 1e3)
    ax.set_xlabel("update")
    ax.set_ylabel("training loss (MSE)")
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize="x-small")
    return fig

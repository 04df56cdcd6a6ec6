"""Figures for the adding problem (lesson 04): one sequence, learning curves against the baselines, final scores,
and what training does to a cell's memory path (``plot_gate_tracks``).

Each function returns the matplotlib Figure and takes an optional ``ax``.
Colours: pass ``colors={label: colour}``; labels that start with a cell
name ("tanh RNN", "IRNN", "LSTM", "GRU") get the course's colour for that
cell (``CELL_COLORS``) by default.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .._checks import check_choice
from ..tasks.adding import (
    CONSTANT_BASELINE_MSE,
    ONE_VALUE_BASELINE_MSE,
    SOLVED_TOLERANCE,
    SUCCESS_FACTOR,
    AddingBatch,
    AddingScore,
    solved_by_chance,
)
from ..train import History
from .style import CELL_COLORS, get_figure_ax, new_figure

__all__ = ["plot_adding_example", "plot_adding_curves", "plot_adding_scores", "plot_gate_tracks"]

_BASELINES = (
    (CONSTANT_BASELINE_MSE, "constant prediction (MSE 1/6)", "black", "--"),
    (ONE_VALUE_BASELINE_MSE, "remembers only the 2nd value (MSE 1/12)", "#7f7f7f", ":"),
    (CONSTANT_BASELINE_MSE / SUCCESS_FACTOR, f"solved: {SUCCESS_FACTOR:g}x below constant (MSE 1/60)",
     "#1a7f37", "-."),
)


def _color(label, colors, index):
    if colors and label in colors:
        return colors[label]
    low = str(label).lower()
    for prefix, key in (("lstm", "lstm"), ("gru", "gru"), ("irnn", "irnn"), ("tanh", "rnn"), ("rnn", "rnn")):
        if low.startswith(prefix):
            return CELL_COLORS[key]
    return f"C{index % 10}"


def plot_adding_example(batch: AddingBatch, n: int = 0, *, ax=None, title: str | None = None):
    """Sequence n of a batch: the values as bars, the two marked ones in red, and the target.

    Inputs:
        batch: an ``AddingBatch`` (``tasks.adding.adding_batch``); n: which sequence
    """
    if not isinstance(batch, AddingBatch):
        raise ValueError(f"batch: expected an AddingBatch from adding_batch, got {type(batch).__name__}")
    N, T, _ = batch.x.shape
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 0 <= n < N:
        raise ValueError(f"n: expected a sequence index in [0, N) = [0, {N}), got {n!r}")
    fig, ax = get_figure_ax(ax, figsize=(min(0.16 * T + 3.0, 13), 3.2))
    t = np.arange(1, T + 1)
    values, marks = batch.x[n, :, 0], batch.x[n, :, 1] > 0
    ax.bar(t[~marks], values[~marks], width=0.75, color="#bdbdbd", label="values (ignore)")
    ax.bar(t[marks], values[marks], width=0.75, color="#cf222e", label="marked values (add)")
    for step, v in zip(t[marks], values[marks]):
        ax.annotate(f"{v:.2f}", (step, v), xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                    fontsize=9, color="#cf222e")
    ax.axvline(T // 2 + 0.5, color="black", lw=0.8, ls=":")
    ax.text(T // 2 + 0.5, 1.18, " second half", fontsize=8, va="top", ha="left", color="#555555")
    ax.text(T // 2 + 0.5, 1.18, "first half ", fontsize=8, va="top", ha="right", color="#555555")
    a, b = values[marks]
    ax.set_title(title or f"One sequence of the adding problem (T = {T}): target y = {a:.2f} + {b:.2f} = "
                          f"{batch.y[n]:.2f}")
    ax.set_xlim(0.3, T + 0.7)
    ax.set_ylim(0, 1.22)
    ax.set_xlabel("time step t")
    ax.set_ylabel("value x_t (channel 0)")
    ax.legend(loc="upper right", fontsize="x-small", ncols=2, framealpha=0.9)
    return fig


def plot_adding_curves(histories: Mapping, *, metric: str = "mse", colors: Mapping | None = None, ax=None,
                       baselines: bool = True, title: str = "Adding problem: held-out MSE during training",
                       legend: str = "auto"):
    """Held-out MSE (log scale) at every evaluation, one line per model, with the baselines drawn across.

    Inputs:
        histories: {label: History from train.fit with an ``evaluate_adding`` metric}
        metric: the History metric to draw ("mse")
        baselines: draw the constant (1/6), one-value (1/12) and success (1/60) levels
        legend: "inside" (lower left), "outside" (right of the axes, where it hides no curve) or "auto"
            (outside when there are more than 6 curves)
    Lines carry gid "curve-<label>".
    """
    if not isinstance(histories, Mapping) or not histories:
        raise ValueError(f"histories: expected a non-empty dict {{label: History}}, got {type(histories).__name__}")
    check_choice("legend", legend, ("auto", "inside", "outside"))
    outside = legend == "outside" or (legend == "auto" and len(histories) > 6)
    fig, ax = get_figure_ax(ax, figsize=(9.6 if outside else 7.0, 4.4))
    top = 0.6
    for i, (label, history) in enumerate(histories.items()):
        if not isinstance(history, History):
            raise ValueError(f"histories[{label!r}]: expected a History from train.fit, got {type(history).__name__}")
        if metric not in history.metrics:
            raise ValueError(f"histories[{label!r}]: has no metric {metric!r} (metrics: {sorted(history.metrics)}); "
                             "pass evaluate=evaluate_adding(test) and eval_every= to fit")
        values = np.maximum(np.asarray(history.metrics[metric], dtype=float), 1e-6)
        finite = values[np.isfinite(values)]
        top = max(top, 1.3 * float(finite.max())) if finite.size else top
        ax.plot(history.eval_steps, values, "-o", ms=3, lw=2, color=_color(label, colors, i), label=str(label),
                gid=f"curve-{label}")
    if baselines:
        for level, text, color, ls in _BASELINES:
            ax.axhline(level, color=color, ls=ls, lw=1.2, label=text)
    ax.set_yscale("log")
    ax.set_ylim(3e-4, top)
    ax.set_xlabel("training step")
    ax.set_ylabel("MSE on held-out sequences")
    ax.set_title(title)
    if outside:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="x-small", framealpha=0.9)
    else:
        ax.legend(loc="lower left", fontsize="x-small", framealpha=0.9)
    ax.grid(True, which="major", alpha=0.3)
    return fig


def plot_adding_scores(scores: Mapping, *, colors: Mapping | None = None, ax=None,
                       title: str = "Adding problem: test sequences solved"):
    """Fraction of test sequences within ``SOLVED_TOLERANCE`` per model (bars), with the chance level.

    Inputs:
        scores: {label: AddingScore from tasks.adding.score_adding}
    Each bar is annotated with the model's test MSE and how many times below
    the constant baseline it is.
    """
    if not isinstance(scores, Mapping) or not scores:
        raise ValueError(f"scores: expected a non-empty dict {{label: AddingScore}}, got {type(scores).__name__}")
    for label, score in scores.items():
        if not isinstance(score, AddingScore):
            raise ValueError(f"scores[{label!r}]: expected an AddingScore from score_adding, got "
                             f"{type(score).__name__}")
    fig, ax = get_figure_ax(ax, figsize=(6.0, 0.55 * len(scores) + 1.8))
    labels = list(scores)
    y = np.arange(len(labels))[::-1]
    solved = [100 * scores[k].solved for k in labels]
    ax.barh(y, solved, color=[_color(k, colors, i) for i, k in enumerate(labels)], height=0.6)
    for yi, k in zip(y, labels):
        s = scores[k]
        ax.text(min(100 * s.solved, 100) + 1.5, yi, f"MSE {s.mse:.4f} ({s.improvement:.0f}x)", va="center",
                fontsize="x-small")
    chance = 100 * solved_by_chance()
    ax.axvline(chance, color="black", ls="--", lw=1.2, label=f"constant prediction ({chance:.1f} %)")
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 135)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.set_xlabel(f"test sequences with |error| < {SOLVED_TOLERANCE:g} (%)")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize="x-small")
    return fig


def plot_gate_tracks(tracks: Mapping, *, first_success: Mapping | None = None, colors: Mapping | None = None,
                     axes=None, title: str | None = "What training does to the memory path"):
    """Two panels against the training step: the mean *keep* gate, and the gradient from the last step to the first.

    Inputs:
        tracks: {label: {"steps": (E,), "keep": (E,), "flow": (E,) (optional)}}, where keep is the mean over
            held-out sequences of the gate that keeps the old state (f for an LSTM, z for a GRU, 1 - i for a
            CIFG) and flow is ||ds_T/ds_1|| (``carousel.state_jacobian_norms``) on one held-out sequence
        first_success: {label: step or None}: the step at which the model first reached the success level,
            drawn as a dotted vertical line in its colour
        axes: two axes to draw on (default: a new figure)
    Lines carry gid "keep-<label>" and "flow-<label>".
    """
    if not isinstance(tracks, Mapping) or not tracks:
        raise ValueError(f"tracks: expected a non-empty dict {{label: {{'steps', 'keep', 'flow'}}}}, got "
                         f"{type(tracks).__name__}")
    if axes is None:
        fig, axes = new_figure(figsize=(12.5, 4.0), ncols=2)
    else:
        if len(axes) != 2:
            raise ValueError(f"axes: expected 2 axes, got {len(axes)}")
        fig = axes[0].figure
    ax_keep, ax_flow = axes
    for i, (label, track) in enumerate(tracks.items()):
        if not isinstance(track, Mapping) or "steps" not in track or "keep" not in track:
            raise ValueError(f"tracks[{label!r}]: expected a dict with 'steps' and 'keep' (and optionally 'flow')")
        steps = np.asarray(track["steps"], dtype=float)
        keep = np.asarray(track["keep"], dtype=float)
        if keep.shape != steps.shape:
            raise ValueError(f"tracks[{label!r}]['keep']: expected shape {steps.shape} like 'steps', got {keep.shape}")
        color = _color(label, colors, i)
        ax_keep.plot(steps, keep, "-o", ms=3, lw=2, color=color, label=str(label), gid=f"keep-{label}")
        if track.get("flow") is not None:
            flow = np.asarray(track["flow"], dtype=float)
            if flow.shape != steps.shape:
                raise ValueError(f"tracks[{label!r}]['flow']: expected shape {steps.shape} like 'steps', got "
                                 f"{flow.shape}")
            ax_flow.plot(steps, np.maximum(flow, 1e-30), "-o", ms=3, lw=2, color=color, label=str(label),
                         gid=f"flow-{label}")
        reached = (first_success or {}).get(label)
        if reached is not None:
            for ax in axes:
                ax.axvline(reached, color=color, ls=":", lw=1.5)
    ax_keep.set_ylim(0, 1)
    ax_keep.set_ylabel("mean keep gate")
    ax_keep.set_title("Keep gate: f, z or 1 - i")
    ax_flow.set_yscale("log")
    ax_flow.set_ylabel("||ds_T / ds_1||")
    ax_flow.set_title("Gradient, last step to first (s = c in an LSTM)")
    for ax in axes:
        ax.set_xlabel("training step (dotted: success)")
        ax.grid(True, alpha=0.3)
        if ax.get_lines():
            ax.legend(loc="best", fontsize="x-small")
    if title:
        fig.suptitle(title)
    return fig

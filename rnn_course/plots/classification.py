"""Figures of lessons 06-07: accuracy by kind of input, accuracy curves, accuracy by position or length, tags.

    plot_accuracy_by_group({"bag of words": {...}, "GRU": {...}}, chance=0.5)
    plot_metric_curves({"last": history, "mean": history2}, metric="accuracy")
    plot_position_accuracy({"no dropout": acc, "naive recurrent": acc2}, chance=0.25)
    plot_tagged_sentence(words, true_tags, {"unidirectional": pred}, tag_names)
"""

from __future__ import annotations

import numpy as np

from .style import get_figure_ax

__all__ = ["plot_accuracy_by_group", "plot_metric_curves", "plot_position_accuracy", "plot_tagged_sentence",
           "TAG_COLORS"]

#: one colour per tag in tagged-sentence figures
TAG_COLORS = {"O": "#f0f0f0", "PER": "#fdd0a2", "LOC": "#c6dbef"}


def plot_accuracy_by_group(results: dict, *, chance: float | None = None, ax=None, title: str | None = None,
                           xlabel: str = "kind of sentence"):
    """Grouped bars: results {model label: {group: accuracy in [0, 1]}}, one group of bars per group key.

    ``chance`` draws the accuracy of guessing as a dashed line. Returns the Figure.
    """
    if not isinstance(results, dict) or not results:
        raise ValueError("results: expected a non-empty dict {model label: {group: accuracy}}")
    groups = list(next(iter(results.values())))
    fig, ax = get_figure_ax(ax, figsize=(7.0, 4.0))
    width = 0.8 / len(results)
    for i, (label, accs) in enumerate(results.items()):
        missing = [g for g in groups if g not in accs]
        if missing:
            raise ValueError(f"results[{label!r}]: no accuracy for groups {missing}")
        xs = np.arange(len(groups)) + (i - (len(results) - 1) / 2) * width
        values = [100 * accs[g] for g in groups]
        bars = ax.bar(xs, values, width=width * 0.95, label=label, color=f"C{i}")
        ax.bar_label(bars, fmt="%.0f", fontsize="small", padding=2)
    if chance is not None:
        ax.axhline(100 * chance, color="0.3", ls="--", lw=1.2, label=f"chance ({100 * chance:.0f}%)")
    ax.set_xticks(np.arange(len(groups)), groups)
    ax.set_ylim(0, 112)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("test accuracy (%)")
    ax.set_title(title or "Accuracy by kind of input")
    ax.legend(loc="lower right", fontsize="small", framealpha=0.9)
    ax.grid(True, axis="y", alpha=0.3)
    return fig


def plot_metric_curves(runs: dict, metric: str = "accuracy", *, ax=None, percent: bool = True,
                       title: str | None = None, ylabel: str | None = None):
    """A metric recorded by ``fit(evaluate=...)`` against the training step, one line per run {label: History}."""
    if not isinstance(runs, dict) or not runs:
        raise ValueError("runs: expected a non-empty dict {label: History}")
    fig, ax = get_figure_ax(ax, figsize=(6.5, 4.0))
    for i, (label, history) in enumerate(runs.items()):
        if metric not in history.metrics:
            raise ValueError(f"metric: run {label!r} recorded {sorted(history.metrics)}, not {metric!r}")
        values = np.asarray(history.metrics[metric]) * (100 if percent else 1)
        ax.plot(history.eval_steps, values, "o-", ms=4, lw=2, color=f"C{i}", label=label)
    ax.set_xlabel("training step")
    ax.set_ylabel(ylabel or (f"{metric} (%)" if percent else metric))
    ax.set_title(title or f"{metric} during training")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return fig


def plot_position_accuracy(curves: dict, *, chance: float | None = None, ax=None, title: str | None = None,
                           xlabel: str = "position t in the sequence", styles: dict | None = None):
    """Accuracy (%) against position or length: curves {label: (T,) accuracies}, or {label: (xs, accuracies)}."""
    if not isinstance(curves, dict) or not curves:
        raise ValueError("curves: expected a non-empty dict {label: accuracies}")
    fig, ax = get_figure_ax(ax, figsize=(6.5, 4.0))
    for i, (label, values) in enumerate(curves.items()):
        if isinstance(values, tuple):
            xs, acc = np.asarray(values[0]), np.asarray(values[1], dtype=float)
        else:
            acc = np.asarray(values, dtype=float)
            xs = np.arange(len(acc))
        style = {"color": f"C{i}", "lw": 2} | (styles or {}).get(label, {})
        ax.plot(xs, 100 * acc, label=label, **style)
    if chance is not None:
        ax.axhline(100 * chance, color="0.3", ls="--", lw=1.2, label=f"chance ({100 * chance:.0f}%)")
    ax.set_ylim(0, 105)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("accuracy (%)")
    ax.set_title(title or "Accuracy by position")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", loc="lower left")
    return fig


def plot_tagged_sentence(words, true_tags, predictions: dict, tag_names, *, ax=None, title: str | None = None):
    """A sentence with its true tags and each model's predicted tags; wrong predictions outlined in red.

    Inputs: words (L,) strings; true_tags (L,) ints; predictions {label: (L,) ints}; tag_names (names of the ints)
    """
    words = list(words)
    L = len(words)
    rows = {"true tags": np.asarray(true_tags)[:L], **{k: np.asarray(v)[:L] for k, v in predictions.items()}}
    fig, ax = get_figure_ax(ax, figsize=(max(6.0, 0.95 * L + 1.8), 0.55 * (len(rows) + 1) + 0.8))
    ax.set_xlim(-2.2, L)
    ax.set_ylim(-len(rows) - 0.6, 0.6)
    ax.set_axis_off()
    for t, w in enumerate(words):
        ax.text(t + 0.45, 0, w, ha="center", va="center", fontsize="small", family="monospace", weight="bold")
    for r, (label, tags) in enumerate(rows.items(), start=1):
        ax.text(-0.1, -r, label, ha="right", va="center", fontsize="small")
        for t, tag in enumerate(tags):
            name = tag_names[int(tag)]
            wrong = label != "true tags" and tag != rows["true tags"][t]
            ax.add_patch(__import__("matplotlib").patches.FancyBboxPatch(
                (t + 0.05, -r - 0.3), 0.8, 0.6, boxstyle="round,pad=0.02", fc=TAG_COLORS.get(name, "#eeeeee"),
                ec="#cf222e" if wrong else "0.6", lw=2.2 if wrong else 0.8))
            ax.text(t + 0.45, -r, name, ha="center", va="center", fontsize="x-small")
    ax.set_title(title or "Tags: true and predicted (red outline: wrong)")
    return fig

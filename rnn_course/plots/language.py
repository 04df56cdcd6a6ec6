"""Figures of lesson 05: language-model learning curves against baselines, and what temperature does.

    plot_lm_curves({"LSTM": history}, baselines)                 # nats per character
    plot_lm_curves({"LSTM": history}, baselines, unit="perplexity")
    plot_temperature(logits, chars, temperatures=(0.5, 1.0, 2.0))
"""

from __future__ import annotations

import numpy as np

from .style import CELL_COLORS, get_figure_ax

__all__ = ["plot_lm_curves", "plot_temperature", "char_label", "BASELINE_STYLES"]

#: line style of each n-gram baseline
BASELINE_STYLES = {"uniform": ":", "unigram": "-.", "bigram": "--"}
_UNITS = {"nats": "cross-entropy (nats per character)", "bits": "cross-entropy (bits per character)",
          "perplexity": "perplexity (per character)"}


def char_label(c: str) -> str:
    """A printable label for a character: newline as '\\n', space as '␣'."""
    return {"\n": "\\n", " ": "␣", "\t": "\\t"}.get(c, c)


def _convert(values, unit):
    values = np.asarray(values, dtype=float)
    if unit == "bits":
        return values / np.log(2.0)
    if unit == "perplexity":
        return np.exp(values)
    return values


def _run_color(label, index):
    key = label.lower().split()[0] if label else ""
    key = {"vanilla": "rnn", "irnn": "irnn"}.get(key, key)
    return CELL_COLORS.get(key, f"C{index}")


def plot_lm_curves(runs: dict, baselines: dict | None = None, *, ax=None, unit: str = "nats",
                   metric: str = "val_loss", window: int = 25, title: str | None = None):
    """Training (faint, running mean) and validation (markers) loss of each run, with n-gram baselines.

    Inputs:
        runs: {label: History}; the history's ``metrics[metric]`` is the
            validation cross-entropy in nats/char at ``eval_steps``
        baselines: {name: nats/char}, e.g. from ``text.ngram_baselines``; drawn as horizontal lines
        unit: "nats", "bits" or "perplexity" (exp of the nats; a log axis)
        window: running-mean window of the training loss
    Returns: the Figure
    """
    if unit not in _UNITS:
        raise ValueError(f"unit: expected one of {', '.join(map(repr, _UNITS))}, got {unit!r}")
    if not isinstance(runs, dict) or not runs:
        raise ValueError("runs: expected a non-empty dict {label: History}")
    fig, ax = get_figure_ax(ax, figsize=(7.0, 4.2))
    for i, (label, history) in enumerate(runs.items()):
        color = _run_color(label, i)
        steps = np.asarray(history.steps)
        if steps.size:
            ax.plot(steps, _convert(history.smoothed_loss(window), unit), color=color, lw=1.2, alpha=0.45)
        if metric in history.metrics:
            ax.plot(history.eval_steps, _convert(history.metrics[metric], unit), "o-", color=color, lw=2.2,
                    ms=5, label=f"{label} (validation)")
    xmax = max((h.steps[-1] for h in runs.values() if h.steps), default=1)
    for name, value in (baselines or {}).items():
        y = float(_convert([value], unit)[0])
        ax.axhline(y, color="0.35", lw=1.3, ls=BASELINE_STYLES.get(name, "--"))
        ax.text(xmax, y, f" {name} {y:.3g}", color="0.25", va="top" if name == "uniform" else "bottom", ha="right",
                fontsize="small")
    ax.plot([], [], color="0.4", lw=1.2, alpha=0.6, label="training (running mean)")
    if unit == "perplexity":
        from matplotlib.ticker import FormatStrFormatter

        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(FormatStrFormatter("%g"))
    ax.set_xlabel("training step (one batch of characters)")
    ax.set_ylabel(_UNITS[unit])
    ax.set_title(title or ("Perplexity: how many characters the model hesitates between" if unit == "perplexity"
                           else "Language-model loss against n-gram baselines"))
    ax.grid(True, alpha=0.3)
    ax.legend(loc="center right", fontsize="small")
    return fig


def plot_temperature(logits, chars: str, temperatures=(0.5, 1.0, 2.0), *, top: int = 12, ax=None,
                     context: str | None = None):
    """The next-character distribution at several temperatures: bars for the ``top`` likeliest characters.

    Inputs:
        logits: (V,) scores for the next character
        chars: the V characters (labels)
        temperatures: values of the temperature tau to compare (0 means greedy)
        top: how many characters to show (ranked at tau = 1)
        context: the text the model has read (shown in the title)
    Returns: the Figure. The legend gives each distribution's entropy in nats.
    """
    from ..sampling import entropy, temperature_probs

    logits = np.asarray(logits, dtype=float)
    if logits.ndim != 1 or len(chars) != logits.shape[0]:
        raise ValueError(f"logits: expected shape (V,) = ({len(chars)},) to match chars, got {logits.shape}")
    if not temperatures:
        raise ValueError("temperatures: expected at least one temperature")
    top = max(1, min(int(top), logits.shape[0]))
    order = np.argsort(-logits, kind="stable")[:top]
    fig, ax = get_figure_ax(ax, figsize=(8.0, 4.0))
    width = 0.8 / len(temperatures)
    cmap = __import__("matplotlib").colormaps["viridis"]
    for i, tau in enumerate(temperatures):
        probs = temperature_probs(logits, tau)
        color = cmap(0.1 + 0.8 * i / max(len(temperatures) - 1, 1))
        ax.bar(np.arange(top) + (i - (len(temperatures) - 1) / 2) * width, probs[order], width=width, color=color,
               label=f"$\\tau = {tau:g}$   (entropy {entropy(probs):.2f} nats)")
    ax.set_xticks(np.arange(top), [char_label(chars[j]) for j in order], family="monospace")
    ax.set_xlabel(f"next character (the {top} most likely at $\\tau = 1$)")
    ax.set_ylabel("probability")
    ax.set_ylim(0, 1.0)
    shown = "" if context is None else f" after {context[-20:]!r}"
    ax.set_title(f"Temperature reshapes the distribution{shown}")
    ax.legend(loc="upper right", fontsize="small")
    ax.grid(True, axis="y", alpha=0.3)
    return fig

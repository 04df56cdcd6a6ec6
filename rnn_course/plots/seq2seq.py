"""Figures of lesson 07: the encoder-decoder unrolled, with the single state that joins them.

    plot_encoder_decoder(list("3 may 1999"), list("1999-05-03"))
    plot_sequence_accuracy_gap(history, token="token accuracy", sequence="exact match", length=11)
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from .style import get_figure_ax
from .unrolled import NODE_COLORS, WEIGHT_COLORS

__all__ = ["plot_encoder_decoder", "plot_sequence_accuracy_gap"]

_W, _H = 0.7, 0.55


def _box(ax, x, y, text, color, *, ec="0.35", lw=1.0, fontsize="small"):
    ax.add_patch(FancyBboxPatch((x - _W / 2, y - _H / 2), _W, _H, boxstyle="round,pad=0.03", fc=color, ec=ec, lw=lw))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, family="monospace")


def _arrow(ax, start, end, color, lw=1.4, ls="-"):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10, color=color, lw=lw, ls=ls,
                                 shrinkA=0, shrinkB=0))


def _show(token: str) -> str:
    return {" ": "␣", "<s>": "<s>", "</s>": "</s>"}.get(token, token)


def plot_encoder_decoder(source, target, *, ax=None, max_tokens: int = 12, title: str | None = None):
    """The encoder reading ``source`` and the decoder writing ``target`` from the encoder's final state.

    Inputs: source, target: sequences of tokens (strings); long sequences are
    cut to ``max_tokens`` with an ellipsis. The decoder's inputs are "<s>"
    and the previous target tokens (teacher forcing, dashed arrows).
    Returns the Figure.
    """
    source, target = list(source), list(target)
    if not source or not target:
        raise ValueError("source, target: expected non-empty token sequences")

    def cut(tokens):
        return tokens if len(tokens) <= max_tokens else tokens[: max_tokens - 1] + ["…"]

    src = cut(source)
    out = cut(target + ["</s>"])
    dec_in = ["<s>"] + out[:-1]
    n_src, n_out = len(src), len(out)
    gap = 1.6
    width = n_src + n_out + gap
    fig, ax = get_figure_ax(ax, figsize=(max(7.0, 0.62 * width + 1.0), 3.6))
    y_in, y_h, y_out = 0.0, 1.3, 2.6
    for i, tok in enumerate(src):
        _box(ax, i, y_in, _show(tok), NODE_COLORS["x"])
        _box(ax, i, y_h, "", NODE_COLORS["h"])
        _arrow(ax, (i, y_in + _H / 2), (i, y_h - _H / 2), WEIGHT_COLORS["Wx"])
        if i:
            _arrow(ax, (i - 1 + _W / 2, y_h), (i - _W / 2, y_h), WEIGHT_COLORS["Wh"])
    s_x = n_src - 1
    _box(ax, s_x, y_h, "s", NODE_COLORS["h"], ec="#cf222e", lw=2.5)
    offset = n_src + gap - 1
    for j in range(n_out):
        x = offset + j + 1
        _box(ax, x, y_in, _show(dec_in[j]), NODE_COLORS["x"])
        _box(ax, x, y_h, "", NODE_COLORS["h"])
        _box(ax, x, y_out, _show(out[j]), NODE_COLORS["y"])
        _arrow(ax, (x, y_in + _H / 2), (x, y_h - _H / 2), WEIGHT_COLORS["Wx"])
        _arrow(ax, (x, y_h + _H / 2), (x, y_out - _H / 2), WEIGHT_COLORS["Wy"])
        if j:
            _arrow(ax, (x - 1 + _W / 2, y_h), (x - _W / 2, y_h), WEIGHT_COLORS["Wh"])
            _arrow(ax, (x - 1 + 0.15, y_out - _H / 2), (x - 0.15, y_in + _H / 2), "0.55", lw=1.0, ls="--")
    _arrow(ax, (s_x + _W / 2, y_h), (offset + 1 - _W / 2, y_h), "#cf222e", lw=2.5)
    ax.text((s_x + offset + 1) / 2, y_h + 0.42, "fixed-size state", ha="center", fontsize="small", color="#cf222e")
    ax.text((n_src - 1) / 2, y_out, "encoder\n(outputs ignored)", ha="center", va="center", fontsize="small",
            color="0.35")
    ax.text(offset + 1 + (n_out - 1) / 2, y_out + 0.62, "decoder", ha="center", fontsize="small", color="0.35")
    ax.set_xlim(-0.7, offset + n_out + 0.7)
    ax.set_ylim(-0.6, y_out + 0.95)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title or "Encoder-decoder: everything about the source passes through one state s")
    return fig


def plot_sequence_accuracy_gap(history, *, token: str, sequence: str, length: int, ax=None,
                               title: str | None = None):
    """Token accuracy and whole-sequence accuracy during training, with token accuracy ** length for reference.

    Inputs: history (``fit`` with both metrics in ``history.metrics``); the
    two metric names; ``length``: tokens per output (the reference curve is
    what independent token errors would give).
    Returns the Figure.
    """
    for name in (token, sequence):
        if name not in history.metrics:
            raise ValueError(f"history: no metric {name!r}; it has {sorted(history.metrics)}")
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 1:
        raise ValueError(f"length: expected an integer >= 1, got {length!r}")
    fig, ax = get_figure_ax(ax, figsize=(7.5, 4.2))
    steps = history.eval_steps
    token_acc = np.asarray(history.metrics[token])
    ax.plot(steps, 100 * token_acc, "o-", lw=2, color="C0", label=token)
    ax.plot(steps, 100 * np.asarray(history.metrics[sequence]), "s-", lw=2, color="C1", label=sequence)
    ax.plot(steps, 100 * token_acc**length, ":", lw=2, color="C0",
            label=f"({token.split(' (')[0]})$^{{{length}}}$: independent errors")
    ax.set_xlabel("training step")
    ax.set_ylabel("accuracy on the test set (%)")
    ax.set_ylim(0, 103)
    ax.set_title(title or "Right tokens are not right sequences")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    return fig

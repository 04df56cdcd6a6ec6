"""Figures of lesson 08: attention weights as a heat map, the decoder reading every encoder state, beam search.

    plot_attention(weights, list("3 may 1999"), list("1999-05-03") + ["</s>"])
    plot_attention_decoder(list("3 may 1999"), list("1999-05-03"), weights, step=6)
    plot_beam_search(results)
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle

from .seq2seq import _arrow, _box, _show
from .style import SEQUENTIAL, get_figure_ax, new_figure
from .unrolled import NODE_COLORS, WEIGHT_COLORS

__all__ = ["plot_attention", "plot_attention_decoder", "plot_beam_search"]


def _check_weights(weights, source, output):
    weights = np.asarray(weights, dtype=float)
    if weights.ndim != 2 or weights.shape != (len(output), len(source)):
        raise ValueError(f"weights: expected shape (output steps, source positions) = ({len(output)}, "
                         f"{len(source)}), got {weights.shape}")
    return weights


def plot_attention(weights, source, output, *, ax=None, title: str | None = None, highlight: int | None = None,
                   annotate: bool = False):
    """Where each output step looked: weights (U, S) as a heat map, output tokens down, source tokens across.

    Inputs: weights (U, S), row u = the attention weights of output step u (each row sums to 1);
    source: the S source tokens; output: the U output tokens (what step u wrote);
    highlight: an output step to outline; annotate: write the weights >= 0.1 in the cells.
    Returns the Figure.
    """
    source, output = [str(s) for s in source], [str(o) for o in output]
    weights = _check_weights(weights, source, output)
    fig, ax = get_figure_ax(ax, figsize=(max(4.5, 0.34 * len(source) + 2.2), max(3.0, 0.3 * len(output) + 1.6)))
    image = ax.imshow(weights, cmap=SEQUENTIAL, vmin=0, vmax=1, aspect="auto", interpolation="nearest")
    ax.set_xticks(np.arange(len(source)), [_show(s) for s in source], family="monospace")
    ax.set_yticks(np.arange(len(output)), [_show(o) for o in output], family="monospace")
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_xlabel("source character t (what the encoder read)")
    ax.set_ylabel("output step u (what the decoder wrote)")
    ax.tick_params(length=0)
    if annotate:
        for u, t in zip(*np.nonzero(weights >= 0.1)):
            ax.text(t, u, f"{weights[u, t]:.1f}", ha="center", va="center", fontsize="x-small",
                    color="black" if weights[u, t] > 0.6 else "white")
    if highlight is not None:
        ax.add_patch(Rectangle((-0.5, highlight - 0.5), len(source), 1, fill=False, ec="#ff7f0e", lw=2.5))
    fig.colorbar(image, ax=ax, label="attention weight", fraction=0.04, pad=0.02)
    ax.set_title(title or "Attention weights: each row sums to 1", pad=10)
    return fig


def plot_attention_decoder(source, target, weights=None, *, step: int = 1, ax=None, title: str | None = None,
                           max_tokens: int = 14):
    """The encoder-decoder of lesson 07 with attention: output step ``step`` reads every encoder state.

    Inputs: source, target: token sequences; weights: optional (U, S) attention weights (the lines from the
    encoder states to the decoder's step are drawn as thick as the weight; without weights, all the same);
    step: the output step u (1-based) whose reading is drawn. Returns the Figure.
    """
    source, target = list(source)[:max_tokens], list(target)[:max_tokens]
    if not source or not target:
        raise ValueError("source, target: expected non-empty token sequences")
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 1 <= step <= len(target):
        raise ValueError(f"step: expected an output step in [1, {len(target)}], got {step!r}")
    S, U = len(source), len(target)
    row = np.full(S, 1.0 / S) if weights is None else np.asarray(weights, dtype=float)[step - 1, :S]
    fig, ax = get_figure_ax(ax, figsize=(max(7.0, 0.62 * (S + U + 2) + 1.0), 4.6))
    y_in, y_h, y_out, y_ctx = 0.0, 1.3, 2.6, 3.9
    dec_in = ["<s>"] + target[:-1]
    gap = 2.0
    for t, token in enumerate(source):
        _box(ax, t, y_in, _show(token), NODE_COLORS["x"])
        _box(ax, t, y_h, "", NODE_COLORS["h"])
        _arrow(ax, (t, y_in + 0.275), (t, y_h - 0.275), WEIGHT_COLORS["Wx"])
        if t:
            _arrow(ax, (t - 0.65, y_h), (t - 0.35, y_h), WEIGHT_COLORS["Wh"])
    x0 = S - 1 + gap
    for u in range(U):
        x = x0 + u
        _box(ax, x, y_in, _show(dec_in[u]), NODE_COLORS["x"])
        chosen = u == step - 1
        _box(ax, x, y_h, "", NODE_COLORS["h"], ec="#ff7f0e" if chosen else "0.35", lw=2.5 if chosen else 1)
        _box(ax, x, y_out, _show(target[u]), NODE_COLORS["y"])
        _arrow(ax, (x, y_in + 0.275), (x, y_h - 0.275), WEIGHT_COLORS["Wx"])
        _arrow(ax, (x, y_h + 0.275), (x, y_out - 0.275), WEIGHT_COLORS["Wy"])
        if u:
            _arrow(ax, (x - 0.65, y_h), (x - 0.35, y_h), WEIGHT_COLORS["Wh"])
    _arrow(ax, (S - 1 + 0.35, y_h), (x0 - 0.35, y_h), "0.55", lw=1.2, ls="--")
    x_dec = x0 + step - 1
    x_ctx = x_dec - 0.5  # the context node sits in the gap left of step u's column
    for t in range(S):  # every encoder state feeds the context of step u, as much as its weight
        ax.plot([t, t, x_ctx], [y_h + 0.28, y_out + 0.45, y_ctx - 0.2], color="#ff7f0e", lw=0.4 + 6 * row[t],
                alpha=0.35 + 0.65 * row[t], solid_capstyle="round", solid_joinstyle="round")
        ax.text(t, y_out + 0.05, f"{row[t]:.2f}", ha="center", fontsize="x-small", color="#b85c00")
    ax.add_patch(Rectangle((x_ctx - 0.45, y_ctx - 0.2), 0.9, 0.45, fc="#fff2e0", ec="#ff7f0e", lw=1.5))
    ax.text(x_ctx, y_ctx + 0.02, "ctx", ha="center", va="center", fontsize="small", family="monospace")
    _arrow(ax, (x_ctx + 0.1, y_ctx - 0.2), (x_dec - 0.36, y_h + 0.2), "#ff7f0e")  # into the cell, through the gap
    _arrow(ax, (x_ctx + 0.2, y_ctx - 0.2), (x_dec - 0.36, y_out + 0.05), "#ff7f0e")  # and into the read-out
    ax.text(x_ctx, y_ctx + 0.4, f"context of step u = {step}: every encoder state, weighted (numbers: the weights)",
            ha="center", fontsize="small", color="#b85c00")
    ax.text((S - 1) / 2, y_in - 0.6, "encoder", ha="center", fontsize="small", color="0.35")
    ax.text(x0 + (U - 1) / 2, y_in - 0.6, "decoder", ha="center", fontsize="small", color="0.35")
    ax.set_xlim(-0.7, x0 + U - 0.3)
    ax.set_ylim(-0.9, y_ctx + 0.75)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title or "Attention: the decoder reads all the encoder's states at every step")
    return fig


def plot_beam_search(results: dict, *, title: str | None = None):
    """Beam search against its cost: results {label: {"beam": [k...], "accuracy": [...], "steps": [...]}}.

    Left: whole-output accuracy (%) against the beam size k (k = 1 is greedy search). Right: decoder steps per
    output (the cost, which grows about k times). Returns the Figure.
    """
    if not isinstance(results, dict) or not results:
        raise ValueError("results: expected a non-empty dict {label: {'beam', 'accuracy', 'steps'}}")
    fig, (ax_acc, ax_cost) = new_figure(figsize=(10, 3.8), ncols=2)
    for i, (label, r) in enumerate(results.items()):
        for key in ("beam", "accuracy", "steps"):
            if key not in r:
                raise ValueError(f"results[{label!r}]: missing {key!r}")
        ax_acc.plot(r["beam"], 100 * np.asarray(r["accuracy"], dtype=float), "o-", lw=2, color=f"C{i}", label=label)
        ax_cost.plot(r["beam"], r["steps"], "s-", lw=2, color=f"C{i}", label=label)
    for ax in (ax_acc, ax_cost):
        ax.set_xlabel("beam size k (1 = greedy)")
        ax.set_xticks(sorted({k for r in results.values() for k in r["beam"]}))
        ax.grid(True, alpha=0.3)
    ax_acc.set_ylabel("whole outputs right (%)")
    ax_acc.set_title("What a wider beam buys")
    ax_acc.legend(fontsize="small")
    ax_cost.set_ylabel("decoder steps per output")
    ax_cost.set_title("What it costs")
    if title:
        fig.suptitle(title)
    return fig

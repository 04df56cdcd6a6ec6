"""Diagrams of recurrent nets: the unrolled computation graph and the input/output patterns.

* ``plot_unrolled(T)``: the folded net (a loop) next to the same net unrolled
  over T steps, with the shared weights drawn in one colour each; optional
  per-step losses and the backward (BPTT) arrows.
* ``plot_io_pattern(kind)`` / ``plot_io_patterns()``: one-to-one,
  one-to-many, many-to-one, synced and delayed many-to-many.

Time runs 1..T in the diagrams, as in the lessons' maths; h_0 is the
initial state.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from .style import get_figure_ax, new_figure

__all__ = ["plot_unrolled", "plot_io_pattern", "plot_io_patterns", "IO_PATTERNS", "WEIGHT_COLORS", "NODE_COLORS"]

#: one colour per shared weight matrix, the same in every diagram
#: Okabe-Ito colours (style.OKABE_ITO): W_y and the gradient were green and red, alike to colour-blind eyes
WEIGHT_COLORS = {"Wx": "#0072B2", "Wh": "#E69F00", "Wy": "#009E73", "grad": "#D55E00"}
#: fill colours of the node kinds
NODE_COLORS = {"x": "#deebf7", "h": "#fee6ce", "y": "#e5f5e0", "L": "#f0f0f0"}

_R = 0.36  # node radius in data units
_DX = 1.55  # distance between time steps
_ROWS = {"x": 0.0, "h": 1.45, "y": 2.9, "L": 4.05}


def _check_T(T, name="T"):
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 1:
        raise ValueError(f"{name}: expected an integer >= 1, got {T!r}")
    return int(T)


def _node(ax, xy, label, kind, *, fontsize=None, dashed=False):
    ax.add_patch(Circle(xy, _R, facecolor=NODE_COLORS[kind], edgecolor="#333333", lw=1.3,
                        ls="--" if dashed else "-", zorder=3))
    ax.text(*xy, label, ha="center", va="center", fontsize=fontsize, zorder=4)


def _arrow(ax, start, end, color, *, rad=0.0, ls="-", lw=1.6, shrink=(_R, _R), label=None, label_offset=(0, 0),
           fontsize=None, zorder=2):
    """An arrow between two points, stopping ``shrink`` (at start, at end) short of them."""
    (x0, y0), (x1, y1) = start, end
    d = np.hypot(x1 - x0, y1 - y0)
    ux, uy = (x1 - x0) / d, (y1 - y0) / d
    a = (x0 + ux * shrink[0], y0 + uy * shrink[0])
    b = (x1 - ux * shrink[1], y1 - uy * shrink[1])
    ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=13, color=color, lw=lw, ls=ls,
                                 connectionstyle=f"arc3,rad={rad}", zorder=zorder))
    if label:
        mx, my = (a[0] + b[0]) / 2 + label_offset[0], (a[1] + b[1]) / 2 + label_offset[1]
        ax.text(mx, my, label, color=color, ha="center", va="center", fontsize=fontsize, zorder=5,
                bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.85})


def _columns(T: int, max_steps: int):
    """Time indices to draw (1-based), with None marking an ellipsis column."""
    if T <= max_steps:
        return list(range(1, T + 1))
    head = max(1, max_steps - 2)
    return [*range(1, head + 1), None, T - 1, T] if T - 1 > head else [*range(1, head + 1), None, T]


def plot_unrolled(T: int = 4, *, ax=None, folded: bool = True, outputs: str | None = "every", loss: bool = False,
                  backward: bool = False, max_steps: int = 7, title: str | None = None):
    """The folded RNN and its unrolled computation graph over T steps.

    Inputs:
        T: number of time steps (any T >= 1; beyond ``max_steps`` the middle
            steps are drawn as an ellipsis)
        ax: axes to draw in (a new figure when None)
        folded: also draw the folded net (one cell with a loop) on the left
        outputs: "every" (an output at every step), "last" (only at T) or None
        loss: draw a loss term L_t above every output (and L = sum_t L_t)
        backward: draw the backward pass of BPTT as red dashed arrows
        max_steps: most time steps drawn before eliding the middle (>= 3)
        title: the axes title (a sensible default when None)
    Returns:
        the matplotlib Figure
    """
    T = _check_T(T)
    max_steps = _check_T(max_steps, "max_steps")
    if max_steps < 3:
        raise ValueError(f"max_steps: expected an integer >= 3, got {max_steps}")
    if outputs not in ("every", "last", None):
        raise ValueError(f"outputs: expected one of 'every', 'last', None, got {outputs!r}")
    if loss and outputs is None:
        raise ValueError("loss: a loss needs outputs; pass outputs='every' or 'last'")
    cols = _columns(T, max_steps)
    n_cols = len(cols)
    x_start = 3.7 if folded else 0.0
    width = x_start + _DX * (n_cols + 1)
    top = _ROWS["L"] if loss else (_ROWS["y"] if outputs else _ROWS["h"])
    fig, ax = get_figure_ax(ax, figsize=(min(1.05 * width + 0.6, 16), 1.0 * (top + 1.6) + 0.4))
    fs = 11

    if folded:
        cx = 0.7
        _node(ax, (cx, _ROWS["x"]), r"$x_t$", "x", fontsize=fs)
        _node(ax, (cx, _ROWS["h"]), r"$h_t$", "h", fontsize=fs)
        _arrow(ax, (cx, _ROWS["x"]), (cx, _ROWS["h"]), WEIGHT_COLORS["Wx"], label=r"$W_x$", label_offset=(-0.38, 0),
               fontsize=fs - 1)
        # the loop: leave h_t on its right side and come back into it lower down
        ax.add_patch(FancyArrowPatch((cx + _R * 0.75, _ROWS["h"] + _R * 0.66), (cx + _R * 0.75, _ROWS["h"] - _R * 0.66),
                                     connectionstyle="arc3,rad=-1.9", arrowstyle="-|>", mutation_scale=13,
                                     color=WEIGHT_COLORS["Wh"], lw=1.6, zorder=2))
        ax.text(cx + 1.05, _ROWS["h"], r"$W_h$", color=WEIGHT_COLORS["Wh"], fontsize=fs - 1, ha="left", va="center")
        if outputs:
            _node(ax, (cx, _ROWS["y"]), r"$\hat y_t$", "y", fontsize=fs)
            _arrow(ax, (cx, _ROWS["h"]), (cx, _ROWS["y"]), WEIGHT_COLORS["Wy"], label=r"$W_y$",
                   label_offset=(-0.38, 0), fontsize=fs - 1)
        ax.text(cx, _ROWS["x"] - 0.75, "folded", ha="center", va="center", fontsize=fs, style="italic")
        ax.annotate("", xy=(3.0, _ROWS["h"]), xytext=(2.3, _ROWS["h"]),
                    arrowprops={"arrowstyle": "simple", "fc": "#999999", "ec": "none"})
        ax.text(2.65, _ROWS["h"] + 0.35, "unroll", ha="center", fontsize=fs - 1, color="#555555")

    # initial state
    h0_x = x_start
    _node(ax, (h0_x, _ROWS["h"]), r"$h_0$", "h", fontsize=fs, dashed=True)
    ax.text(h0_x, _ROWS["h"] - 0.62, "(zeros)", ha="center", va="top", fontsize=fs - 2, color="#555555")

    prev = (h0_x, _ROWS["h"])  # centre of the previous hidden node (or of the ellipsis)
    prev_is_dots = False
    for i, t in enumerate(cols):
        cx = x_start + _DX * (i + 1)
        start_gap = 0.3 if prev_is_dots else _R
        if t is None:
            ax.text(cx, _ROWS["h"], r"$\cdots$", ha="center", va="center", fontsize=fs + 8)
            _arrow(ax, prev, (cx, _ROWS["h"]), WEIGHT_COLORS["Wh"], shrink=(start_gap, 0.3))
            if backward:
                _arrow(ax, (cx, _ROWS["h"]), prev, WEIGHT_COLORS["grad"], rad=-0.35, ls="--", lw=1.4,
                       shrink=(0.3, start_gap), zorder=1)
            prev, prev_is_dots = (cx, _ROWS["h"]), True
            continue
        _node(ax, (cx, _ROWS["x"]), rf"$x_{{{t}}}$", "x", fontsize=fs)
        _node(ax, (cx, _ROWS["h"]), rf"$h_{{{t}}}$", "h", fontsize=fs)
        _arrow(ax, (cx, _ROWS["x"]), (cx, _ROWS["h"]), WEIGHT_COLORS["Wx"],
               label=r"$W_x$" if i == 0 else None, label_offset=(-0.36, 0), fontsize=fs - 1)
        _arrow(ax, prev, (cx, _ROWS["h"]), WEIGHT_COLORS["Wh"], shrink=(start_gap, _R),
               label=r"$W_h$" if i == 0 else None, label_offset=(0, 0.25), fontsize=fs - 1)
        has_out = outputs == "every" or (outputs == "last" and t == T)
        if has_out:
            _node(ax, (cx, _ROWS["y"]), rf"$\hat y_{{{t}}}$", "y", fontsize=fs)
            _arrow(ax, (cx, _ROWS["h"]), (cx, _ROWS["y"]), WEIGHT_COLORS["Wy"],
                   label=r"$W_y$" if (i == 0 or outputs == "last") else None, label_offset=(-0.36, 0),
                   fontsize=fs - 1)
            if loss:
                _node(ax, (cx, _ROWS["L"]), rf"$L_{{{t}}}$", "L", fontsize=fs)
                _arrow(ax, (cx, _ROWS["y"]), (cx, _ROWS["L"]), "#777777")
        if backward:
            g = WEIGHT_COLORS["grad"]
            if has_out:
                _arrow(ax, (cx, _ROWS["y"]), (cx, _ROWS["h"]), g, rad=-0.35, ls="--", lw=1.4, zorder=1)
                if loss:
                    _arrow(ax, (cx, _ROWS["L"]), (cx, _ROWS["y"]), g, rad=-0.35, ls="--", lw=1.4, zorder=1)
            _arrow(ax, (cx, _ROWS["h"]), prev, g, rad=-0.35, ls="--", lw=1.4, shrink=(_R, start_gap), zorder=1)
        prev, prev_is_dots = (cx, _ROWS["h"]), False

    if loss:
        last_x = x_start + _DX * n_cols
        first_x = x_start + _DX
        ax.text((first_x + last_x) / 2, _ROWS["L"] + 0.75,
                r"$L = L_1 + L_2 + \cdots + L_T$" if outputs == "every" else r"$L = L_T$", ha="center", fontsize=fs + 1)
    note = "the same $W_x$, $W_h$, $W_y$ at every step (shared weights)"
    if backward:
        note += ";  red dashed: gradients flowing back (BPTT)"
    ax.text(x_start + _DX * (n_cols + 1) / 2, _ROWS["x"] - 0.8, note, ha="center", va="top", fontsize=fs - 1,
            color="#333333")
    ax.set_xlim(-0.2, width)
    ax.set_ylim(_ROWS["x"] - 1.3, top + (1.3 if loss else 0.7))
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title if title is not None else f"An RNN unrolled over T = {T} steps", fontsize=fs + 2)
    return fig


#: kind -> (title, example, input steps, output steps, total steps)
IO_PATTERNS = {
    "one-to-one": ("one-to-one", "image classification\n(no recurrence needed)", [0], [0], 1),
    "one-to-many": ("one-to-many", "image captioning,\nmusic generation", [0], [0, 1, 2, 3], 4),
    "many-to-one": ("many-to-one", "sentiment of a review", [0, 1, 2, 3], [3], 4),
    "many-to-many-synced": ("many-to-many, synced", "tagging words,\nlabelling video frames", [0, 1, 2, 3],
                            [0, 1, 2, 3], 4),
    "many-to-many-delayed": ("many-to-many, delayed", "translation\n(encoder-decoder)", [0, 1, 2], [3, 4, 5], 6),
}


def _box(ax, xy, kind, w=0.62, h=0.5):
    ax.add_patch(FancyBboxPatch((xy[0] - w / 2, xy[1] - h / 2), w, h, boxstyle="round,pad=0.04",
                                facecolor=NODE_COLORS[kind], edgecolor="#333333", lw=1.2, zorder=3))


def plot_io_pattern(kind: str, *, ax=None, title: str | None = None):
    """One input/output pattern as boxes: inputs (bottom), hidden states (middle), outputs (top).

    Inputs:
        kind: one of ``IO_PATTERNS`` ("one-to-one", "one-to-many",
            "many-to-one", "many-to-many-synced", "many-to-many-delayed")
        ax: axes to draw in (a new figure when None)
        title: the axes title (the pattern's name and an example when None)
    Returns:
        the matplotlib Figure
    """
    if kind not in IO_PATTERNS:
        raise ValueError(f"kind: expected one of {', '.join(map(repr, IO_PATTERNS))}, got {kind!r}")
    name, example, ins, outs, steps = IO_PATTERNS[kind]
    fig, ax = get_figure_ax(ax, figsize=(0.8 * steps + 1.2, 3.2))
    dx, rows = 0.9, {"x": 0.0, "h": 1.0, "y": 2.0}
    for t in range(steps):
        cx = t * dx
        _box(ax, (cx, rows["h"]), "h")
        if t in ins:
            _box(ax, (cx, rows["x"]), "x")
            ax.annotate("", xy=(cx, rows["h"] - 0.27), xytext=(cx, rows["x"] + 0.27),
                        arrowprops={"arrowstyle": "-|>", "color": WEIGHT_COLORS["Wx"], "lw": 1.5})
        if t in outs:
            _box(ax, (cx, rows["y"]), "y")
            ax.annotate("", xy=(cx, rows["y"] - 0.27), xytext=(cx, rows["h"] + 0.27),
                        arrowprops={"arrowstyle": "-|>", "color": WEIGHT_COLORS["Wy"], "lw": 1.5})
        if t > 0:
            ax.annotate("", xy=(cx - 0.33, rows["h"]), xytext=(cx - dx + 0.33, rows["h"]),
                        arrowprops={"arrowstyle": "-|>", "color": WEIGHT_COLORS["Wh"], "lw": 1.5})
    if kind == "many-to-many-delayed":
        ax.plot([(ins[-1] + 0.5) * dx] * 2, [-0.45, 2.3], color="#999999", ls=":", lw=1)
        ax.text(ins[-1] * dx / 2, -0.55, "encoder", ha="center", fontsize=9, color="#555555")
        ax.text((outs[0] + outs[-1]) * dx / 2, -0.55, "decoder", ha="center", fontsize=9, color="#555555")
    ax.text((steps - 1) * dx / 2, -0.95, example, ha="center", va="top", fontsize=9)
    ax.set_xlim(-0.6, max(steps - 1, 1) * dx + 0.6)
    ax.set_ylim(-1.75, 2.5)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title if title is not None else name, fontsize=11)
    return fig


def plot_io_patterns(kinds=None, *, axes=None):
    """Every input/output pattern side by side (``plot_io_pattern`` for each ``kind``).

    Inputs:
        kinds: list of ``IO_PATTERNS`` keys (all five when None)
        axes: one axes per kind (a new figure when None)
    Returns:
        the matplotlib Figure, with a legend for the box colours
    """
    kinds = list(IO_PATTERNS) if kinds is None else list(kinds)
    if not kinds:
        raise ValueError("kinds: expected at least one pattern, got an empty list")
    if axes is None:
        widths = [max(IO_PATTERNS[k][4], 2) if k in IO_PATTERNS else 2 for k in kinds]
        fig, axes = new_figure(figsize=(1.5 + 0.6 * sum(widths), 3.2), ncols=len(kinds),
                               gridspec_kw={"width_ratios": widths})
        axes = np.atleast_1d(axes)
    else:
        axes = list(axes)
        if len(axes) != len(kinds):
            raise ValueError(f"axes: expected {len(kinds)} axes (one per kind), got {len(axes)}")
        fig = axes[0].figure
    for kind, a in zip(kinds, axes, strict=True):
        plot_io_pattern(kind, ax=a)
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=NODE_COLORS[k], edgecolor="#333333", label=label)
               for k, label in (("x", "input $x_t$"), ("h", "hidden state $h_t$"), ("y", "output $\\hat y_t$"))]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False, fontsize=9)
    fig.suptitle("Input/output patterns of recurrent nets (time runs left to right)")
    return fig

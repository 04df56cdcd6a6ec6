"""Figures of gated cells (lesson 04): the LSTM and GRU diagrams, the carousel, gate heatmaps, gradient flow.

* ``plot_lstm_cell()`` / ``plot_gru_cell()``: the cells drawn as a data-flow
  diagram (gates as boxes, pointwise operations as circles), with the path
  that carries the memory drawn thick.
* ``plot_carousel(run)``: the hand-set LSTM cell of ``rnn_course.carousel``
  storing a number: inputs, gates, cell state and the gradient back to the
  write step, on one time axis (the lecture demo updates these artists).
* ``plot_gate_activations(gates)``: every gate of a trained cell as a heatmap,
  units down, time across.
* ``plot_cell_trace(c)``: one unit's cell state over time for a few
  sequences, with the steps where something should be stored marked.
* ``plot_state_gradients(norms)``: ||ds_T/ds_k|| against the lag in lesson
  03's style (it calls ``plot_jacobian_norms``), one colour per cell kind.

Time runs 1..T on the axes, as in the lessons' maths (array index t - 1).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib import patheffects
from matplotlib.cm import ScalarMappable
from matplotlib.patches import Circle, Ellipse, FancyArrowPatch, FancyBboxPatch, Rectangle

from .._checks import as_array, check_finite, check_shape
from ..carousel import CarouselRun, tanh_hold_slope
from .gradients import FLOOR, plot_jacobian_norms
from .style import CELL_COLORS, DIVERGING, GATE_COLORS, SEQUENTIAL, WRONG, get_figure_ax, new_figure

__all__ = [
    "GATE_COLORS",
    "GATE_NAMES",
    "plot_lstm_cell",
    "plot_gru_cell",
    "plot_carousel",
    "plot_gate_activations",
    "plot_state_gradients",
    "plot_cell_trace",
]

# GATE_COLORS (one colour per gate, the same in every figure of the lesson) is in style: colour-blind safe
#: what each gate is called, by cell
GATE_NAMES = {
    "lstm": {"i": "input gate", "f": "forget gate", "g": "candidate", "o": "output gate"},
    "gru": {"r": "reset gate", "z": "update gate", "n": "candidate"},
}
_MEMORY = CELL_COLORS["lstm"]  # the carousel / the GRU's state line
_WIRE = "#444444"
_HIGHLIGHT = "#e7298a"  # outlines a unit on the heatmaps: visible on both colour maps
_OP_R = 0.3  # radius of a pointwise-operation circle (data units)
_BOX_W, _BOX_H = 1.0, 0.7  # gate boxes


# --------------------------------------------------------------------------- diagram helpers
def _wire(ax, points, *, color=_WIRE, lw=1.6, arrow=False, bridge=False, zorder=2):
    """A polyline through ``points``; ``arrow`` puts an arrow head at the end; ``bridge`` draws a white halo
    so that it visibly passes over the wires it crosses."""
    xs, ys = zip(*points)
    effects = [patheffects.withStroke(linewidth=lw + 5, foreground="white")] if bridge else None
    if arrow and len(points) >= 2:
        ax.plot(xs[:-1] + (xs[-1],), ys[:-1] + (ys[-1],), color=color, lw=lw, zorder=zorder + (1 if bridge else 0),
                solid_capstyle="round", path_effects=effects)
        ax.add_patch(FancyArrowPatch(points[-2], points[-1], arrowstyle="-|>", mutation_scale=13, color=color, lw=0,
                                     shrinkA=0, shrinkB=0, zorder=zorder + 1))
    else:
        ax.plot(xs, ys, color=color, lw=lw, zorder=zorder + (1 if bridge else 0), solid_capstyle="round",
                path_effects=effects)


def _op(ax, xy, symbol, *, color=_WIRE):
    """A pointwise operation: a circle with x, + or 1- in it."""
    ax.add_patch(Circle(xy, _OP_R, facecolor="white", edgecolor=color, lw=1.5, zorder=5))
    ax.text(*xy, symbol, ha="center", va="center", fontsize=13 if symbol != "1-" else 10, zorder=6, color=color)


def _gate(ax, xy, gate, func, label):
    """A gate box (a layer with weights): the activation inside, the gate's name beside it."""
    color = GATE_COLORS[gate]
    x, y = xy
    ax.add_patch(FancyBboxPatch((x - _BOX_W / 2, y - _BOX_H / 2), _BOX_W, _BOX_H, boxstyle="round,pad=0.04",
                                facecolor=color, edgecolor="black", lw=1.0, alpha=0.9, zorder=5))
    ax.text(x, y, func, ha="center", va="center", fontsize=11, color="white", weight="bold", zorder=6)
    ax.text(x, y - _BOX_H / 2 - 0.12, label, ha="center", va="top", fontsize=9, color=color, zorder=6,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.9})


def _pointwise_tanh(ax, xy):
    ax.add_patch(Ellipse(xy, 0.95, 0.55, facecolor="#fff3d6", edgecolor=_WIRE, lw=1.3, zorder=5))
    ax.text(*xy, "tanh", ha="center", va="center", fontsize=10, zorder=6)


def _label(ax, xy, text, **kw):
    kw.setdefault("fontsize", 13)
    ax.text(*xy, text, ha=kw.pop("ha", "center"), va=kw.pop("va", "center"), zorder=6, **kw)


def _diagram_axes(ax, figsize, xlim, ylim):
    fig, ax = get_figure_ax(ax, figsize=figsize)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


# --------------------------------------------------------------------------- LSTM diagram
def plot_lstm_cell(*, ax=None, title: str | None = "An LSTM cell: gates, cell state and the constant error carousel"):
    """The LSTM cell as a data-flow diagram (gate order i, f, g, o as in ``cells.lstm``).

    Boxes are layers with weights (a gate reads [h_(t-1), x_t] through its block
    of Wx and Wh), circles are pointwise operations. The thick line along the
    top is the cell state c: it is only ever multiplied by f and added to, so
    with f = 1 and i = 0 a value (and its gradient) passes through unchanged.
    Returns the Figure.
    """
    fig, ax = _diagram_axes(ax, (8.6, 5.8), (-1.3, 13.0), (-1.2, 8.1))
    Y_C, Y_BUS, Y_GATE = 6.0, 1.0, 2.7
    ax.add_patch(FancyBboxPatch((0.6, 0.3), 10.8, 6.6, boxstyle="round,pad=0.1", facecolor="#f7f7f7",
                                edgecolor="#999999", lw=1.2, zorder=0))
    # the carousel
    _wire(ax, [(-0.4, Y_C), (2.7, Y_C)], color=_MEMORY, lw=4)
    _wire(ax, [(3.3, Y_C), (5.7, Y_C)], color=_MEMORY, lw=4)
    _wire(ax, [(6.3, Y_C), (12.2, Y_C)], color=_MEMORY, lw=4, arrow=True)
    _op(ax, (3.0, Y_C), "×", color=_MEMORY)
    _op(ax, (6.0, Y_C), "+", color=_MEMORY)
    ax.text(7.65, Y_C + 0.3, "cell state c:\nthe constant error carousel", color=_MEMORY, fontsize=9.5,
            ha="center", va="bottom", style="italic", linespacing=1.1)
    _label(ax, (-0.85, Y_C), r"$c_{t-1}$")
    _label(ax, (12.6, Y_C), r"$c_t$")
    # inputs: h_(t-1) and x_t merge into one bus that feeds every gate
    _wire(ax, [(-0.4, Y_BUS), (7.6, Y_BUS)])
    _wire(ax, [(1.5, -0.7), (1.5, Y_BUS)])
    ax.add_patch(Circle((1.5, Y_BUS), 0.07, color=_WIRE, zorder=4))
    _label(ax, (-0.85, Y_BUS), r"$h_{t-1}$")
    _label(ax, (1.5, -0.95), r"$x_t$")
    gates = [("f", 3.0, r"$\sigma$"), ("i", 4.6, r"$\sigma$"), ("g", 6.0, "tanh"), ("o", 7.6, r"$\sigma$")]
    for gate, gx, func in gates:
        _wire(ax, [(gx, Y_BUS), (gx, Y_GATE - _BOX_H / 2)], arrow=True)
        _gate(ax, (gx, Y_GATE), gate, func, f"{gate}: {GATE_NAMES['lstm'][gate]}")
    # f scales the old memory
    _wire(ax, [(3.0, Y_GATE + _BOX_H / 2), (3.0, Y_C - _OP_R)], color=GATE_COLORS["f"], arrow=True)
    # i * g is written into the memory
    Y_IG = 4.4
    _wire(ax, [(4.6, Y_GATE + _BOX_H / 2), (4.6, Y_IG), (6.0 - _OP_R, Y_IG)], color=GATE_COLORS["i"], arrow=True)
    _wire(ax, [(6.0, Y_GATE + _BOX_H / 2), (6.0, Y_IG - _OP_R)], color=GATE_COLORS["g"], arrow=True)
    _op(ax, (6.0, Y_IG), "×")
    _wire(ax, [(6.0, Y_IG + _OP_R), (6.0, Y_C - _OP_R)], arrow=True)
    # read out: h = o * tanh(c)
    X_O = 9.3
    _wire(ax, [(X_O, Y_C), (X_O, 4.6 + 0.28)], arrow=True)
    ax.add_patch(Circle((X_O, Y_C), 0.07, color=_MEMORY, zorder=4))
    _pointwise_tanh(ax, (X_O, 4.6))
    _wire(ax, [(X_O, 4.6 - 0.28), (X_O, Y_GATE + _OP_R)], arrow=True)
    _wire(ax, [(7.6 + _BOX_W / 2, Y_GATE), (X_O - _OP_R, Y_GATE)], color=GATE_COLORS["o"], arrow=True)
    _op(ax, (X_O, Y_GATE), "×")
    _wire(ax, [(X_O, Y_GATE - _OP_R), (X_O, Y_BUS - 0.35), (12.2, Y_BUS - 0.35)], arrow=True)
    _wire(ax, [(10.6, Y_BUS - 0.35), (10.6, 7.6)], arrow=True, bridge=True)
    ax.add_patch(Circle((10.6, Y_BUS - 0.35), 0.07, color=_WIRE, zorder=4))
    _label(ax, (12.6, Y_BUS - 0.35), r"$h_t$")
    _label(ax, (10.6, 7.9), r"$h_t$ (output)", fontsize=11)
    ax.text(0.75, 7.15, r"$c_t = f_t \odot c_{t-1} + i_t \odot g_t, \quad h_t = o_t \odot \tanh(c_t)$",
            fontsize=11, ha="left", va="bottom")
    if title:
        ax.set_title(title)
    return fig


# --------------------------------------------------------------------------- GRU diagram
def plot_gru_cell(*, ax=None, title: str | None = "A GRU cell (Cho et al. 2014: reset applied before the product)"):
    """The GRU cell as a data-flow diagram (gate order r, z, n as in ``cells.gru``).

    The state line along the top is h itself: h_t = z * h_(t-1) + (1 - z) * n,
    a convex combination, so with z = 1 the state (and its gradient) passes
    through unchanged. The reset gate multiplies h_(t-1) before it enters the
    candidate's matrix product, as in Cho et al. (PyTorch applies it after).
    Returns the Figure.
    """
    fig, ax = _diagram_axes(ax, (8.6, 5.8), (-1.3, 13.0), (-1.2, 8.1))
    Y_H, Y_BUS, Y_GATE, Y_RH, Y_MIX = 6.0, 1.0, 2.2, 3.6, 4.8
    X_R, X_Z, X_N = 2.4, 4.6, 8.2
    ax.add_patch(FancyBboxPatch((0.6, 0.3), 10.8, 6.6, boxstyle="round,pad=0.1", facecolor="#f7f7f7",
                                edgecolor="#999999", lw=1.2, zorder=0))
    _wire(ax, [(-0.4, Y_H), (X_Z - _OP_R, Y_H)], color=CELL_COLORS["gru"], lw=4)
    _wire(ax, [(X_Z + _OP_R, Y_H), (X_N - _OP_R, Y_H)], color=CELL_COLORS["gru"], lw=4)
    _wire(ax, [(X_N + _OP_R, Y_H), (12.2, Y_H)], color=CELL_COLORS["gru"], lw=4, arrow=True)
    _op(ax, (X_Z, Y_H), "×", color=CELL_COLORS["gru"])
    _op(ax, (X_N, Y_H), "+", color=CELL_COLORS["gru"])
    ax.text(6.4, Y_H + 0.35, "the state h: kept where z = 1", color=CELL_COLORS["gru"], fontsize=10,
            ha="center", va="bottom", style="italic")
    _label(ax, (-0.85, Y_H), r"$h_{t-1}$")
    _label(ax, (12.6, Y_H), r"$h_t$")
    # h_(t-1) goes down into the bus that feeds r and z, and into r * h_(t-1)
    _wire(ax, [(1.0, Y_H), (1.0, Y_BUS), (X_Z, Y_BUS)])
    ax.add_patch(Circle((1.0, Y_H), 0.07, color=_WIRE, zorder=4))
    _wire(ax, [(1.7, -0.7), (1.7, Y_BUS)])
    ax.add_patch(Circle((1.7, Y_BUS), 0.07, color=_WIRE, zorder=4))
    _label(ax, (1.7, -0.95), r"$x_t$")
    # x_t alone also reaches the candidate
    _wire(ax, [(1.7, 0.45), (X_N, 0.45), (X_N, Y_RH - _BOX_H / 2)], arrow=True)
    ax.add_patch(Circle((1.7, 0.45), 0.07, color=_WIRE, zorder=4))
    for gate, gx in (("r", X_R), ("z", X_Z)):
        _wire(ax, [(gx, Y_BUS), (gx, Y_GATE - _BOX_H / 2)], arrow=True)
        _gate(ax, (gx, Y_GATE), gate, r"$\sigma$", f"{gate}: {GATE_NAMES['gru'][gate]}")
    # reset: r * h_(t-1), then into the candidate's product
    _wire(ax, [(X_R, Y_GATE + _BOX_H / 2), (X_R, Y_RH - _OP_R)], color=GATE_COLORS["r"], arrow=True)
    _wire(ax, [(3.1, Y_H), (3.1, Y_RH + 0.75), (X_R, Y_RH + 0.75), (X_R, Y_RH + _OP_R)], arrow=True)
    ax.add_patch(Circle((3.1, Y_H), 0.07, color=_WIRE, zorder=4))
    _op(ax, (X_R, Y_RH), "×")
    _wire(ax, [(X_R + _OP_R, Y_RH), (X_N - _BOX_W / 2, Y_RH)], arrow=True, bridge=False)
    _gate(ax, (X_N, Y_RH), "n", "tanh", "n: candidate")
    # update: z keeps the old state, 1 - z lets the candidate in
    _wire(ax, [(X_Z, Y_GATE + _BOX_H / 2), (X_Z, Y_H - _OP_R)], color=GATE_COLORS["z"], arrow=True, bridge=True)
    _wire(ax, [(X_Z, Y_MIX), (6.4 - _OP_R, Y_MIX)], color=GATE_COLORS["z"], arrow=True)
    ax.add_patch(Circle((X_Z, Y_MIX), 0.07, color=GATE_COLORS["z"], zorder=4))
    _op(ax, (6.4, Y_MIX), "1-", color=GATE_COLORS["z"])
    _wire(ax, [(6.4 + _OP_R, Y_MIX), (X_N - _OP_R, Y_MIX)], color=GATE_COLORS["z"], arrow=True)
    _wire(ax, [(X_N, Y_RH + _BOX_H / 2 + 0.05), (X_N, Y_MIX - _OP_R)], color=GATE_COLORS["n"], arrow=True)
    _op(ax, (X_N, Y_MIX), "×")
    _wire(ax, [(X_N, Y_MIX + _OP_R), (X_N, Y_H - _OP_R)], arrow=True)
    _wire(ax, [(10.6, Y_H), (10.6, 7.6)], arrow=True)
    ax.add_patch(Circle((10.6, Y_H), 0.07, color=CELL_COLORS["gru"], zorder=4))
    _label(ax, (10.6, 7.9), r"$h_t$ (output)", fontsize=11)
    ax.text(0.75, 7.15, r"$n_t = \tanh(x_t W_{xn} + (r_t \odot h_{t-1}) W_{hn} + b_n), \quad "
                        r"h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}$", fontsize=10, ha="left", va="bottom")
    if title:
        ax.set_title(title)
    return fig


# --------------------------------------------------------------------------- the carousel
def _check_axes(axes, n):
    axes = list(np.ravel(axes))
    if len(axes) != n:
        raise ValueError(f"axes: expected {n} axes, got {len(axes)}")
    return axes[0].figure, axes


def plot_carousel(run: CarouselRun, *, axes=None, title: str | None = None):
    """The hand-set carousel cell over time: inputs, gates, memory, and the gradient back to each step.

    Inputs:
        run: a ``CarouselRun`` from ``carousel.run_carousel``
        axes: 4 axes (inputs, gates, memory, gradient); a new 2 x 2 figure when None
    Artists carry gids ("values", "written", "gate-i", "gate-f", "gate-o",
    "c", "h", "grad-lstm", "grad-tanh", "write-<k>", "read-<k>", "caption")
    so a demo can update them in place.
    Returns the Figure.
    """
    if not isinstance(run, CarouselRun):
        raise ValueError(f"run: expected a CarouselRun from run_carousel, got {type(run).__name__}")
    if axes is None:
        fig, grid = new_figure(figsize=(10.5, 5.8), nrows=2, ncols=2)
        ax_in, ax_g, ax_c, ax_d = grid[0, 0], grid[1, 0], grid[0, 1], grid[1, 1]
    else:
        fig, (ax_in, ax_g, ax_c, ax_d) = _check_axes(axes, 4)
    T = len(run.c)
    t = np.arange(1, T + 1)
    value_span = max(5.5, 1.1 * float(np.max(np.abs(run.x[:, 0]))))

    lines = ax_in.vlines(t, 0, run.x[:, 0], color="#9e9e9e", lw=1.6, gid="values")
    lines.set_label("distractors (kept out by i)")
    ax_in.plot([run.t_write], [run.value], "o", color=GATE_COLORS["i"], ms=8, gid="written",
               label="value to store")
    ax_in.axhline(0, color="black", lw=0.6)
    ax_in.set_ylim(-value_span, 1.7 * value_span)  # room above for the legend: the stems are redrawn over it
    ax_in.set_ylabel("input value v_t")
    ax_in.set_title("Inputs: one value among distractors")
    ax_in.legend(loc="upper center", fontsize="x-small", framealpha=0.9, ncols=2)

    for gate, arr in (("i", run.i), ("f", run.f), ("o", run.o)):
        offset = {"i": 0.0, "f": 0.02, "o": -0.02}[gate]  # so that overlapping 0s and 1s stay visible
        ax_g.plot(t, arr + offset, drawstyle="steps-mid", color=GATE_COLORS[gate], lw=2, gid=f"gate-{gate}",
                  label=f"{gate}: {GATE_NAMES['lstm'][gate]}")
    ax_g.set_ylim(-0.1, 1.4)
    ax_g.set_ylabel("gate value")
    ax_g.set_xlabel("time step t")
    ax_g.set_title("Gates: i opens to write, o to read")
    ax_g.legend(loc="upper center", fontsize="x-small", framealpha=0.9, ncols=3)

    ax_c.plot(t, run.c, color=_MEMORY, lw=2.5, drawstyle="steps-mid", gid="c", label="cell state c_t")
    ax_c.plot(t, run.h, color="black", lw=1.5, drawstyle="steps-mid", gid="h", label="output h_t = o_t tanh(c_t)")
    ax_c.axhline(0, color="black", lw=0.6)
    ax_c.set_ylim(-1.1, 2.5)
    ax_c.set_ylabel("state value")
    ax_c.set_title("Memory: the cell state c")
    ax_c.legend(loc="upper left", fontsize="x-small", framealpha=0.9, ncols=2)
    ax_c.text(0.99, 0.84, _carousel_caption(run), transform=ax_c.transAxes, ha="right", va="top",
                        fontsize="x-small", gid="caption",
                        bbox={"fc": "white", "ec": "0.7", "alpha": 0.9})

    k, lstm_grad, tanh_grad = _carousel_gradients(run)
    ax_d.plot(k, lstm_grad, color=CELL_COLORS["lstm"], lw=2.5, gid="grad-lstm",
              label="LSTM carousel: dc_read/dc_k = f^(read-k)")
    ax_d.plot(k, tanh_grad, color=CELL_COLORS["rnn"], lw=2, ls="--", gid="grad-tanh",
              label="tanh unit holding the same value: slope^(read-k)")
    ax_d.axhline(1.0, color="black", lw=0.8, alpha=0.5)
    ax_d.set_yscale("log")
    ax_d.set_ylim(1e-12, 10)
    ax_d.set_xlim(0.5, T + 0.5)
    ax_d.set_xlabel("time step k")
    ax_d.set_ylabel("gradient reaching step k")
    ax_d.set_title("Gradient from the read step to step k")
    ax_d.legend(loc="lower right", fontsize="x-small", framealpha=0.9)
    ax_d.grid(True, alpha=0.3)

    for j, ax in enumerate((ax_in, ax_g, ax_c, ax_d)):
        ax.axvline(run.t_write, color=GATE_COLORS["i"], lw=1.2, ls=":", gid=f"write-{j}")
        ax.axvline(run.t_read, color=GATE_COLORS["o"], lw=1.2, ls=":", gid=f"read-{j}")
        ax.set_xlim(0.5, T + 0.5)
    ax_in.set_xlabel("time step t")
    ax_c.set_xlabel("time step t")
    if title:
        fig.suptitle(title)
    return fig


def _carousel_gradients(run: CarouselRun):
    """Steps k = 1..read, dc_read/dc_k of the cell, and the same for a tanh unit holding the stored value."""
    k = np.arange(1, run.t_read + 1)
    lstm = np.maximum(run.carousel_gradient, FLOOR)
    slope = float(tanh_hold_slope(run.stored))
    with np.errstate(under="ignore"):
        tanh = np.maximum(slope ** (run.t_read - k).astype(float), FLOOR)
    return k, lstm, tanh


def _carousel_caption(run: CarouselRun) -> str:
    # short on purpose: the caption is redrawn on every demo update and glyph rendering dominates its cost
    if run.t_read < run.t_write:
        return f"read at t = {run.t_read}, before the write:\nnothing stored yet"
    return (f"write t = {run.t_write}: c = {run.stored:.4f}\n"
            f"read t = {run.t_read}: c = {run.c[run.t_read - 1]:.4f}, v = {run.recalled:.4f}")


# --------------------------------------------------------------------------- gate heatmaps
def plot_gate_activations(gates, *, cell: str = "lstm", x=None, c=None, markers=None, highlight=None, axes=None,
                          title: str | None = None):
    """Every gate of one sequence as a heatmap (units down, time across).

    Inputs:
        gates: (T, 4H) activated LSTM gates [i, f, g, o] or (T, 3H) GRU gates
            [r, z, n] of one sequence (``cache.gates[n]`` of ``lstm_forward``
            or ``gru_forward``: the caches are time-major)
        cell: "lstm" or "gru"
        x: optional (T, D) inputs, drawn on top (channel 0 as bars)
        c: optional (T, H) LSTM cell states, drawn last
        markers: optional steps (1..T) to mark with vertical lines on every panel
        highlight: optional unit numbers (1..H, as the rows are labelled) to outline on every heatmap
        axes: one axes per panel (a new figure when None)
    Gates in [0, 1] use the sequential colour map, the candidates and c the
    diverging one. Returns the Figure.
    """
    if cell not in GATE_NAMES:
        raise ValueError(f"cell: expected 'lstm' or 'gru', got {cell!r}")
    names = list(GATE_NAMES[cell])
    gates = as_array("gates", gates)
    if gates.ndim == 3:
        raise ValueError(f"gates: expected one sequence of shape (T, {len(names)}H), got a batch of shape "
                         f"{gates.shape}; pass cache.gates[n]")
    dims: dict = {}
    check_shape("gates", gates, ("T", f"{len(names)}H"), dims)
    check_finite("gates", gates)
    T, H = dims["T"], dims["H"]
    if x is not None:
        x = as_array("x", x)
        check_shape("x", x, ("T", "D"), {"T": T})
    if c is not None:
        c = as_array("c", c)
        check_shape("c", c, ("T", "H"), {"T": T, "H": H})
    panels = (["x"] if x is not None else []) + names + (["c"] if c is not None else [])
    if axes is None:
        heights = [0.7 if p == "x" else max(0.9, 0.11 * H + 0.4) for p in panels]
        fig, axes = new_figure(figsize=(min(0.14 * T + 3.0, 13), sum(heights) + 0.9), nrows=len(panels),
                               sharex=True, gridspec_kw={"height_ratios": heights})
        axes = list(np.atleast_1d(axes))
    else:
        fig, axes = _check_axes(axes, len(panels))
    extent = (0.5, T + 0.5, H + 0.5, 0.5)
    t = np.arange(1, T + 1)
    marks = [] if markers is None else [int(m) for m in np.ravel(markers)]
    rows = [] if highlight is None else [int(u) for u in np.ravel(highlight)]
    if any(not 1 <= u <= H for u in rows):
        raise ValueError(f"highlight: expected unit numbers in 1..H = 1..{H}, got {rows}")
    for ax, panel in zip(axes, panels):
        if panel == "x":
            colors = ["#9e9e9e"] * T
            for m in marks:
                if 1 <= m <= T:
                    colors[m - 1] = WRONG
            ax.bar(t, x[:, 0], width=0.8, color=colors)
            top = max(float(np.max(x[:, 0])), 1e-12)
            for m in marks:
                ax.plot([m], [1.12 * top], "v", color=WRONG, ms=6)
            ax.set_ylim(min(0.0, float(np.min(x[:, 0]))), 1.25 * top)
            ax.set_ylabel("input", rotation=0, ha="right", va="center")
            ax.set_yticks([])
            ax.set_title(title or f"{cell.upper()} gates over one sequence")
            # an invisible colour bar keeps this panel as wide as the heatmaps below it
            spacer = fig.colorbar(ScalarMappable(cmap=SEQUENTIAL), ax=ax, pad=0.01, aspect=8, fraction=0.03)
            spacer.ax.set_visible(False)
            continue
        if panel == "c":
            vmax = max(float(np.max(np.abs(c))), 1e-12)
            im = ax.imshow(c.T, cmap=DIVERGING, vmin=-vmax, vmax=vmax, aspect="auto", interpolation="nearest",
                           extent=extent)
            label = "c: cell state"
        else:
            j = names.index(panel)
            block = gates[:, j * H : (j + 1) * H].T
            candidate = panel in ("g", "n")
            im = ax.imshow(block, cmap=DIVERGING if candidate else SEQUENTIAL, vmin=-1 if candidate else 0, vmax=1,
                           aspect="auto", interpolation="nearest", extent=extent)
            label = f"{panel}: {GATE_NAMES[cell][panel]}"
        ax.set_ylabel(label, rotation=0, ha="right", va="center")
        ax.set_yticks([1, H] if H > 1 else [1])
        fig.colorbar(im, ax=ax, pad=0.01, aspect=8, fraction=0.03)
        for m in marks:
            ax.axvline(m, color="white", lw=1.0, ls="--")
        for u in rows:
            ax.add_patch(Rectangle((0.5, u - 0.5), T, 1.0, fill=False, edgecolor=_HIGHLIGHT, lw=1.6))
    if rows:
        axes[-1].text(1.0, -0.25 if len(panels) > 3 else -0.4, f"outlined: unit {', '.join(map(str, rows))}",
                      transform=axes[-1].transAxes, ha="right", va="top", fontsize="x-small", color=_HIGHLIGHT)
    if x is None and axes:
        axes[0].set_title(title or f"{cell.upper()} gates over one sequence")
    axes[-1].set_xlabel("time step t")
    axes[-1].text(0.0, -0.25 if len(panels) > 3 else -0.4, f"rows: hidden units 1..{H}", transform=axes[-1].transAxes,
                  ha="left", va="top", fontsize="x-small", color="#555555")
    return fig


# --------------------------------------------------------------------------- gradient flow
def plot_state_gradients(norms: Mapping, *, colors: Mapping | None = None, ax=None, ylim=(1e-12, 1e3),
                         title: str = "How much gradient survives the trip back through the state"):
    """||ds_T/ds_(T-lag)|| against the lag (log scale) in lesson 03's style, one line per network.

    Inputs:
        norms: {label: (L,) norms for lag = 0 .. L-1} (``carousel.state_jacobian_norms``)
        colors: optional {label: colour}; labels starting with a cell name
            ("LSTM", "GRU", "tanh RNN", "IRNN") get that cell's colour by default
    Returns the Figure (lines carry gid "norm-<label>").
    """
    fig = plot_jacobian_norms(norms, ax=ax, ylim=ylim, title=title)
    ax = fig.axes[0] if ax is None else ax
    for label in norms:
        color = (colors or {}).get(label) or _cell_color(str(label))
        if color is None:
            continue
        for line in ax.get_lines():
            if line.get_gid() == f"norm-{label}":
                line.set_color(color)
    ax.set_ylabel("||ds_T / ds_k||  (s = c for the LSTM, h otherwise)")
    ax.legend(loc="best", fontsize="small")
    return fig


def _cell_color(label: str):
    low = label.lower()
    for prefix, key in (("lstm", "lstm"), ("gru", "gru"), ("irnn", "irnn"), ("tanh", "rnn"), ("rnn", "rnn")):
        if low.startswith(prefix):
            return CELL_COLORS[key]
    return None


# --------------------------------------------------------------------------- one unit's memory
def plot_cell_trace(c, *, markers=None, ax=None, unit: int | None = None, title: str | None = None):
    """One unit's cell state over time for a few sequences, with the marked steps as dots.

    Inputs:
        c: (N, T) the unit's cell state c_t for N sequences (``cache.c[:n, :, u]``)
        markers: optional (N, M) marked steps per sequence (0-based array indices,
            as ``AddingBatch.markers`` gives them), drawn as dots on each line
        unit: the unit's index, for the title
    Returns the Figure.
    """
    c = as_array("c", c)
    check_shape("c", c, ("N", "T"), {})
    check_finite("c", c)
    N, T = c.shape
    if markers is not None:
        markers = np.asarray(markers)
        if markers.ndim != 2 or markers.shape[0] != N or markers.dtype.kind not in "iu":
            raise ValueError(f"markers: expected integer steps of shape (N, M) with N = {N}, "
                             f"got shape {markers.shape} and dtype {markers.dtype}")
        if markers.size and (markers.min() < 0 or markers.max() >= T):
            raise ValueError(f"markers: expected steps in [0, T) = [0, {T}), got values in "
                             f"[{markers.min()}, {markers.max()}]")
    fig, ax = get_figure_ax(ax, figsize=(7.0, 3.8))
    t = np.arange(1, T + 1)
    for n in range(N):
        line = ax.plot(t, c[n], lw=1.8, drawstyle="steps-mid", label=f"sequence {n + 1}")[0]
        if markers is not None:
            ax.plot(markers[n] + 1, c[n, markers[n]], "o", color=line.get_color(), ms=6, mec="black", mew=0.6)
    if markers is not None:
        ax.plot([], [], "o", color="white", mec="black", label="marked steps")
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xlim(0.5, T + 0.5)
    ax.set_xlabel("time step t")
    ax.set_ylabel("cell state c_t")
    ax.set_title(title or (f"Cell state of unit {unit} over time" if unit is not None else "Cell state over time"))
    ax.legend(loc="best", fontsize="x-small", ncols=2)
    ax.grid(True, alpha=0.3)
    return fig

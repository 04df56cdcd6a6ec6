"""Lesson 04 demo: the constant error carousel, one hand-set LSTM unit storing a number.

    from rnn_course.demos import carousel_demo
    carousel_demo()                       # f = 1: the value is kept exactly, the gradient is exactly 1
    carousel_demo(forget=0.9)             # a leaky memory: c and its gradient shrink like 0.9^k

Sliders: the value to store, the step at which the input gate opens (write),
the step at which the output gate opens (read) and the forget-gate value f.
An update reruns ``lstm_forward`` on T = 60 steps with H = 1 (well under a
millisecond) and moves the existing artists; nothing is re-created.
"""

from __future__ import annotations

import numpy as np

from ..carousel import run_carousel
from ..plots.gates import _carousel_caption, _carousel_gradients, plot_carousel
from ..plots.style import presenter as presenter_style
from ._base import Demo, float_slider, int_slider

__all__ = ["carousel_demo", "CAROUSEL_PRESETS"]

CAROUSEL_PRESETS = {
    "perfect memory (f = 1)": {"forget": 1.0, "t_write": 10, "t_read": 50},
    "leaky (f = 0.98)": {"forget": 0.98, "t_write": 10, "t_read": 50},
    "forgetful (f = 0.8)": {"forget": 0.8, "t_write": 10, "t_read": 50},
    "long hold (55 steps)": {"forget": 1.0, "t_write": 3, "t_read": 58},
    "read before write": {"forget": 1.0, "t_write": 40, "t_read": 20},
}


def _compact(ax_in, ax_g, ax_c, ax_d) -> None:
    """Presenter mode: short titles and legends in the course's notation, so that four panels keep
    readable text on a 1280 x 800 projector."""
    labels = {"values": "distractors", "written": "value to store", "gate-i": "$i$", "gate-f": "$f$",
              "gate-o": "$o$", "c": "$c_t$", "h": "$h_t$",
              "grad-lstm": "LSTM: $f^{\\,read-k}$", "grad-tanh": "tanh unit"}
    for ax in (ax_in, ax_g, ax_c, ax_d):
        for artist in [*ax.get_lines(), *ax.collections]:
            if artist.get_gid() in labels:
                artist.set_label(labels[artist.get_gid()])
    ax_in.set_title("Input $x_t$: a value among distractors")
    ax_g.set_title("Gates: $i$ writes, $o$ reads")
    ax_c.set_title("Cell state $c_t$")
    ax_d.set_title("Gradient back to step $k$")
    ax_in.legend(loc="upper center", ncols=2, framealpha=0.9, fontsize="small")
    ax_g.legend(loc="center", ncols=3, framealpha=0.9, fontsize="small")
    ax_c.legend(loc="upper left", ncols=2, framealpha=0.9, fontsize="small")
    ax_d.legend(loc="lower right", framealpha=0.9, fontsize="small")


def carousel_demo(*, presenter: bool = False, value: float = 4.2, t_write: int = 10, t_read: int = 50,
                  forget: float = 1.0, T: int = 60, distractors: float = 5.0, seed: int = 0) -> Demo:
    """The hand-set LSTM cell of ``rnn_course.carousel`` with sliders for what it stores, when, and for how long.

    Controls: ``value`` (-5 .. 5), ``t_write`` and ``t_read`` (steps 1 .. T at
    which the input and the output gate open), ``forget`` (the forget gate,
    0.5 .. 1). ``distractors`` sets the range of the other input values and
    ``seed`` draws them. Returns a Demo.
    """
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or not 5 <= T <= 500:
        raise ValueError(f"T: expected an integer in 5..500, got {T!r}")
    run = run_carousel(T, value, t_write, t_read, forget, distractors, seed)  # checks the other arguments
    with presenter_style(presenter):
        fig = plot_carousel(run)
        if presenter:
            fig.set_size_inches(15, 8.5)
    ax_in, ax_g, ax_c, ax_d = (fig.axes[j] for j in (0, 2, 1, 3))  # the 2 x 2 grid is stored row by row
    if presenter:
        _compact(ax_in, ax_g, ax_c, ax_d)

    def find(ax, gid):
        for artist in [*ax.get_lines(), *ax.collections, *ax.texts]:
            if artist.get_gid() == gid:
                return artist
        raise LookupError(gid)  # pragma: no cover - plot_carousel always draws them

    values = find(ax_in, "values")
    written = find(ax_in, "written")
    gate_lines = {g: find(ax_g, f"gate-{g}") for g in "ifo"}
    c_line, h_line = find(ax_c, "c"), find(ax_c, "h")
    caption = find(ax_c, "caption")
    grad_lstm, grad_tanh = find(ax_d, "grad-lstm"), find(ax_d, "grad-tanh")
    axes = (ax_in, ax_g, ax_c, ax_d)
    write_lines = [find(ax, f"write-{j}") for j, ax in enumerate(axes)]
    read_lines = [find(ax, f"read-{j}") for j, ax in enumerate(axes)]
    t = np.arange(1, T + 1)
    offsets = {"i": 0.0, "f": 0.02, "o": -0.02}

    def update(value, t_write, t_read, forget):
        run = run_carousel(T, value, t_write, t_read, forget, distractors, seed)
        values.set_segments([np.array([[s, 0.0], [s, v]]) for s, v in zip(t, run.x[:, 0])])
        written.set_data([t_write], [value])
        for gate, arr in (("i", run.i), ("f", run.f), ("o", run.o)):
            gate_lines[gate].set_ydata(arr + offsets[gate])
        c_line.set_ydata(run.c)
        h_line.set_ydata(run.h)
        caption.set_text(_carousel_caption(run))
        k, lstm_grad, tanh_grad = _carousel_gradients(run)
        grad_lstm.set_data(k, lstm_grad)
        grad_tanh.set_data(k, tanh_grad)
        for line in write_lines:
            line.set_xdata([t_write, t_write])
        for line in read_lines:
            line.set_xdata([t_read, t_read])
        return False

    controls = {
        "value": float_slider("value to store", float(value), -5.0, 5.0, 0.1, presenter=presenter),
        "t_write": int_slider("write at step (input gate opens)", int(t_write), 1, T, presenter=presenter),
        "t_read": int_slider("read at step (output gate opens)", int(t_read), 1, T, presenter=presenter),
        "forget": float_slider("forget gate f", float(forget), 0.5, 1.0, 0.005, presenter=presenter,
                               readout_format=".3f"),
    }
    animated = [values, written, *gate_lines.values(), c_line, h_line, grad_lstm, grad_tanh,
                *write_lines, *read_lines, caption]  # drawn in this order: the caption's box on top
    return Demo("The constant error carousel", fig, update, controls, animated=animated,
                presets=CAROUSEL_PRESETS, layout="top",
                description="With f = 1 the cell keeps the value exactly and the gradient back to the write "
                            "step is exactly 1; any f < 1 makes both shrink like f^k.",
                presenter=presenter)

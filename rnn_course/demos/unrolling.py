"""Lesson 01 demos: watch the hidden state evolve, and watch a hand-built net remember.

    from rnn_course.demos import hidden_state_demo, parity_demo
    hidden_state_demo()            # step through a sequence; slider for the scale of W_h
    parity_demo(gain=2.2)          # the two-unit parity RNN losing its memory

Both return a ``Demo``: sliders above the figure in a widget front end, a
PNG of the figure anywhere else. Heavy work (the forward passes) is cached
per setting; moving the time slider only redraws a few artists.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from ..cells import rnn_forward
from ..handbuilt import parity_rnn
from ..init import as_rng, orthogonal
from ..plots.style import DIVERGING, new_figure
from ..plots.style import presenter as presenter_style
from ..tasks.parity import parity_batch
from ._base import Demo, dropdown, float_slider, int_slider

__all__ = ["hidden_state_demo", "parity_demo", "HIDDEN_STATE_INPUTS"]

#: input sequences for ``hidden_state_demo``
HIDDEN_STATE_INPUTS = ("pulse", "noise", "sine")
_FLOOR = 1e-6  # smallest norm shown on the log axis


def _inputs(kind: str, T: int, rng) -> np.ndarray:
    t = np.arange(T)
    if kind == "pulse":
        x = np.zeros(T)
        x[0] = 1.0
    elif kind == "noise":
        x = rng.standard_normal(T)
    else:
        x = np.sin(2 * np.pi * t / 12.0)
    return x


def hidden_state_demo(*, presenter: bool = False, t: int = 40, scale: float = 0.9, inputs: str = "pulse",
                      T: int = 40, H: int = 16, seed: int = 0) -> Demo:
    """Step through a sequence and watch an RNN's hidden state evolve.

    A tanh RNN with H units reads a one-dimensional input; its recurrent
    matrix is ``scale`` times a random orthogonal matrix, so every singular
    value of W_h equals ``scale``. Below 1 the trace of an input fades
    geometrically; above 1 it is amplified until tanh saturates.

    Controls: ``t`` (the step shown, 1..T), ``scale`` (of W_h, 0..2),
    ``inputs`` ("pulse": a single 1 at t = 1; "noise"; "sine").
    Returns a Demo.
    """
    if inputs not in HIDDEN_STATE_INPUTS:
        raise ValueError(f"inputs: expected one of {', '.join(map(repr, HIDDEN_STATE_INPUTS))}, got {inputs!r}")
    for name, value in (("T", T), ("H", H)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 2:
            raise ValueError(f"{name}: expected an integer >= 2, got {value!r}")
    rng = as_rng(seed)
    Q = orthogonal((H, H), rng=rng)
    Wx = rng.standard_normal((1, H))
    b = np.zeros(H)
    sequences = {kind: _inputs(kind, T, np.random.default_rng(seed + 1)) for kind in HIDDEN_STATE_INPUTS}
    cache: dict = {}

    def run(scale_value: float, kind: str):
        key = (round(float(scale_value), 6), kind)
        if key not in cache:
            h, _ = rnn_forward(sequences[kind][None, :, None], None, Wx, scale_value * Q, b)
            cache[key] = (h[0], np.linalg.norm(h[0], axis=1))
        return cache[key]

    steps = np.arange(1, T + 1)
    with presenter_style(presenter):
        fig, (ax_x, ax_h, ax_n) = new_figure(figsize=(10, 6.4) if presenter else (8.6, 5.6), nrows=3, sharex=True,
                                             gridspec_kw={"height_ratios": [1, 2.2, 1.5]})
        (x_line,) = ax_x.plot([], [], "o-", color="#1f77b4", ms=3, lw=1.5)
        ax_x.set_ylim(-3, 3)
        ax_x.set_ylabel("input $x_t$")
        ax_x.axhline(0, color="#bbbbbb", lw=0.8)
        image = ax_h.imshow(np.zeros((H, T)), cmap=DIVERGING, vmin=-1, vmax=1, aspect="auto",
                            interpolation="nearest", extent=(0.5, T + 0.5, H + 0.5, 0.5))
        fig.colorbar(image, ax=ax_h, label="$h_t$", fraction=0.04, pad=0.01)
        ax_h.set_ylabel("hidden unit")
        marker_h = ax_h.axvline(1, color="k", lw=1.5)
        (norm_line,) = ax_n.plot([], [], "-", color="#e6550d", lw=2)
        (norm_point,) = ax_n.plot([], [], "o", color="#e6550d", ms=7)
        ax_n.set_yscale("log")
        ax_n.set_ylim(_FLOOR, 20)
        ax_n.set_xlim(0.5, T + 0.5)
        ax_n.set_ylabel(r"$\|h_t\|$")
        ax_n.set_xlabel("time step t")
        ax_n.grid(alpha=0.3, which="major")
        label = ax_n.text(0.01, 0.06, "", transform=ax_n.transAxes, fontsize="small",
                          bbox={"fc": "white", "ec": "none", "alpha": 0.85})
        ax_h.yaxis.set_major_locator(MaxNLocator(integer=True))
        fig.suptitle("hidden state of a tanh RNN reading one input per step")

    def update(t, scale, inputs):
        h, norms = run(scale, inputs)
        t = int(min(max(t, 1), T))
        x_line.set_data(steps[:t], sequences[inputs][:t])
        image.set_data(np.ma.masked_array(h.T, mask=np.arange(T)[None, :].repeat(H, 0) >= t))
        marker_h.set_xdata([t, t])
        shown = np.maximum(norms[:t], _FLOOR)
        norm_line.set_data(steps[:t], shown)
        norm_point.set_data([t], [shown[-1]])
        # short: the text is re-rendered glyph by glyph on every update
        label.set_text(f"scale {scale:.2f}, t = {t}: ‖h\u209c‖ = {norms[t - 1]:.3g}")
        return False

    controls = {
        "t": int_slider("step t", int(t), 1, T, presenter=presenter),
        "scale": float_slider("scale of W_h", float(scale), 0.0, 2.0, 0.05, presenter=presenter),
        "inputs": dropdown("input", HIDDEN_STATE_INPUTS, inputs, presenter=presenter),
    }
    presets = {
        "fades (0.6)": {"scale": 0.6, "inputs": "pulse", "t": T},
        "edge (1.0)": {"scale": 1.0, "inputs": "pulse", "t": T},
        "saturates (1.6)": {"scale": 1.6, "inputs": "pulse", "t": T},
        "noise, 0.9": {"scale": 0.9, "inputs": "noise", "t": T},
    }
    return Demo("Watch the hidden state evolve", fig, update, controls,
                animated=[x_line, image, marker_h, norm_line, norm_point, label], presets=presets,
                description="Drag the step to run the RNN forward; change the scale of W_h to make memory "
                            "fade (< 1) or persist and saturate (> 1).",
                presenter=presenter)


def parity_demo(*, presenter: bool = False, gain: float = 10.0, t: int = 60, sequence: int = 0,
                T: int = 60) -> Demo:
    """The hand-built two-unit RNN computing running parity (``rnn_course.handbuilt.parity_rnn``).

    Controls: ``gain`` (how sharply the units switch; below about 2.2 the
    memory leaks and the net drops to chance), ``t`` (the step shown) and
    ``sequence`` (which random bit sequence, 0..9).
    Returns a Demo.
    """
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 2:
        raise ValueError(f"T: expected an integer >= 2, got {T!r}")
    n_sequences = 10
    x, y = parity_batch(n_sequences, T, rng=2024)
    cache: dict = {}

    def run(gain_value: float):
        key = round(float(gain_value), 6)
        if key not in cache:
            h, probs = parity_rnn(gain=gain_value).run(x)
            cache[key] = (h, probs[..., 1])
        return cache[key]

    steps = np.arange(1, T + 1)
    with presenter_style(presenter):
        fig, (ax_x, ax_h, ax_p) = new_figure(figsize=(10, 6.4) if presenter else (8.6, 5.4), nrows=3, sharex=True,
                                             gridspec_kw={"height_ratios": [1, 1.2, 1.6]})
        (bits_line,) = ax_x.step([], [], where="mid", color="#1f77b4", lw=1.8)
        ax_x.set_ylim(-0.2, 1.2)
        ax_x.set_yticks([0, 1])
        ax_x.set_ylabel("bit $x_t$")
        image = ax_h.imshow(np.zeros((2, T)), cmap=DIVERGING, vmin=-1, vmax=1, aspect="auto",
                            interpolation="nearest", extent=(0.5, T + 0.5, 2.5, 0.5))
        ax_h.set_yticks([1, 2], ["OR", "AND"])
        ax_h.set_ylabel("unit")
        fig.colorbar(image, ax=ax_h, label="$h_t$", fraction=0.04, pad=0.01)
        (target_line,) = ax_p.step([], [], where="mid", color="#555555", lw=4, alpha=0.3, label="true parity")
        (prob_line,) = ax_p.plot([], [], "o-", color="#e6550d", ms=3, lw=1.2, label="P(odd)")
        wrong_points = ax_p.scatter([], [], marker="x", color="#cf222e", s=40, zorder=5, label="wrong")
        ax_p.axhline(0.5, color="#999999", ls=":", lw=1)
        ax_p.set_ylim(-0.1, 1.5)
        ax_p.set_xlim(0.5, T + 0.5)
        ax_p.set_ylabel("probability")
        ax_p.set_xlabel("time step t")
        ax_p.legend(loc="upper center", ncols=3, fontsize="small", frameon=False)
        fig.suptitle("a hand-built RNN computing running parity")
        title = ax_x.set_title(" ", fontsize="medium")

    def update(gain, t, sequence):
        h, prob = run(gain)
        n = int(sequence) % n_sequences
        t = int(min(max(t, 1), T))
        bits_line.set_data(steps[:t], x[n, :t, 0])
        image.set_data(np.ma.masked_array(h[n].T, mask=np.arange(T)[None, :].repeat(2, 0) >= t))
        target_line.set_data(steps[:t], y[n, :t])
        prob_line.set_data(steps[:t], prob[n, :t])
        wrong = np.flatnonzero((prob[n, :t] > 0.5) != (y[n, :t] == 1))
        wrong_points.set_offsets(np.c_[wrong + 1, prob[n, wrong]] if wrong.size else np.empty((0, 2)))
        acc_all = float(np.mean((prob > 0.5) == (y == 1)))
        title.set_text(f"gain {gain:.1f}: {t - wrong.size}/{t} right, all sequences {100 * acc_all:.0f}%")
        return False

    controls = {
        "gain": float_slider("gain", float(gain), 0.5, 12.0, 0.1, presenter=presenter, readout_format=".1f"),
        "t": int_slider("step t", int(t), 1, T, presenter=presenter),
        "sequence": int_slider("sequence", int(sequence), 0, n_sequences - 1, presenter=presenter),
    }
    presets = {"sharp (gain 10)": {"gain": 10.0, "t": T}, "leaking (gain 2.0)": {"gain": 2.0, "sequence": 3, "t": T},
               "no memory (gain 1)": {"gain": 1.0, "t": T}}
    return Demo("A hand-built RNN that remembers: running parity", fig, update, controls,
                animated=[bits_line, image, target_line, prob_line, wrong_points, title], presets=presets,
                description="Two tanh units hold one bit of memory (odd or even so far). Lower the gain and the "
                            "units stop acting as switches: the bit leaks away.",
                presenter=presenter)

"""Lesson 02 demo (and lecture demo): how the gradient flows back in BPTT, and what truncation drops.

    from rnn_course.demos import bptt_demo
    bptt_demo()                            # scale of W_h, truncation length, chunk or window

A tanh RNN reads a random sequence and is scored by softmax cross-entropy at
every step. Three panels, all computed by the package (``rnn_backward`` and
``rnn_course.gradient_flow``):

1. how much every loss term L_t sends to every copy k of W_h (grey: the
   pairs that truncated BPTT drops);
2. how much of the last loss's gradient reaches each state h_k;
3. each copy's share of dL/dW_h, with and without truncation, and the
   relative error truncation makes.

Everything is normalised by its largest value so the axes never move; the
forward and backward passes are cached per scale.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap, LogNorm
from matplotlib.ticker import MaxNLocator

from ..cells import rnn_backward, rnn_forward
from ..gradcheck import rel_error
from ..gradient_flow import count_backward_steps, dWh_contributions, truncation_mask
from ..init import as_rng, orthogonal, xavier_normal
from ..layers import temporal_affine_backward, temporal_affine_forward
from ..losses import softmax_cross_entropy
from ..plots.bptt import MODE_COLORS
from ..plots.style import SEQUENTIAL, new_figure
from ..plots.style import presenter as presenter_style
from ._base import Demo, dropdown, float_slider, int_slider

__all__ = ["bptt_demo"]

_DECADES = 10  # the colour and log axes span this many powers of ten


def bptt_demo(*, presenter: bool = False, scale: float = 1.0, truncate: int = 6, mode: str = "window",
              T: int = 24, H: int = 8, seed: int = 0) -> Demo:
    """Gradient flow in backpropagation through time, and what truncated BPTT keeps.

    Controls: ``scale`` (every singular value of W_h: below 1 gradients
    vanish with distance, above 1 they can grow), ``truncate`` (k; T means
    full BPTT) and ``mode`` ("chunk" or "window", as in ``rnn_backward``).
    Returns a Demo.
    """
    if mode not in ("chunk", "window"):
        raise ValueError(f"mode: expected one of 'chunk', 'window', got {mode!r}")
    for name, value in (("T", T), ("H", H)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 2:
            raise ValueError(f"{name}: expected an integer >= 2, got {value!r}")
    N, D, V = 4, 4, 5
    rng = as_rng(seed)
    x = rng.standard_normal((N, T, D))
    Wx = xavier_normal((D, H), rng=rng)
    Q = orthogonal((H, H), rng=rng)
    b = np.zeros(H)
    Wy = xavier_normal((H, V), rng=rng)
    by = np.zeros(V)
    y = rng.integers(0, V, size=(N, T))
    cache: dict = {}

    def analyse(scale_value: float):
        key = round(float(scale_value), 6)
        if key not in cache:
            h, fwd = rnn_forward(x, None, Wx, scale_value * Q, b)
            logits, aff = temporal_affine_forward(h, Wy, by)
            _, dlogits = softmax_cross_entropy(logits, y, reduction="sum")
            dh = temporal_affine_backward(dlogits, aff)[0]
            G = dWh_contributions(dh, fwd)
            last = np.zeros_like(dh)
            last[:, -1] = dh[:, -1]
            reach = np.linalg.norm(rnn_backward(last, fwd).dh_all, axis=(0, 2))
            cache[key] = {
                "norms": np.sqrt(np.einsum("tkij,tkij->tk", G, G)),
                "G": G,
                "full": G.sum(axis=(0, 1)),
                "reach": reach,
                "fwd": fwd,
                "dh": dh,
            }
        return cache[key]

    steps = np.arange(1, T + 1)
    floor = 10.0 ** -_DECADES
    causal = np.tril(np.ones((T, T), dtype=bool))
    with presenter_style(presenter):
        fig, (ax_m, ax_r, ax_c) = new_figure(figsize=(15, 5.2) if presenter else (12, 4.1), ncols=3,
                                             gridspec_kw={"width_ratios": [1.15, 1, 1]})
        image = ax_m.imshow(np.ma.masked_array(np.ones((T, T)), mask=~causal), cmap=SEQUENTIAL,
                            norm=LogNorm(vmin=floor, vmax=1.0), extent=(0.5, T + 0.5, T + 0.5, 0.5),
                            interpolation="nearest")
        dropped = ax_m.imshow(np.zeros((T, T)), cmap=ListedColormap(["#d9d9d9"]), vmin=0, vmax=1, alpha=0.92,
                              extent=(0.5, T + 0.5, T + 0.5, 0.5), interpolation="nearest")
        fig.colorbar(image, ax=ax_m, label="size relative to the largest (log)", fraction=0.046, pad=0.02)
        ax_m.set_xlabel("copy $k$ of $W_h$ (step where it is used)")
        ax_m.set_ylabel("loss term $L_t$ (step $t$)")
        # three panels side by side: presenter titles at the body font size, or they overrun the figure
        title = {"fontsize": "medium"} if presenter else {}
        ax_m.set_title("what each loss sends to each copy\n(grey: dropped by truncation)", **title)
        for ax in (ax_m, ax_r, ax_c):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax_m.yaxis.set_major_locator(MaxNLocator(integer=True))

        (reach_full,) = ax_r.plot([], [], "o-", color=MODE_COLORS["full"], ms=3, lw=1.5, label="full BPTT")
        (reach_kept,) = ax_r.plot([], [], "o", color=MODE_COLORS["window"], ms=6, mfc="none", mew=1.5,
                                  label="kept by truncation")
        ax_r.set_yscale("log")
        ax_r.set_ylim(floor, 3.0)
        ax_r.set_xlim(0.5, T + 0.5)
        ax_r.set_xlabel("step $k$")
        ax_r.set_ylabel(r"$\|\partial L_T / \partial h_k\|$, relative")
        ax_r.set_title("gradient of the last loss $L_T$\nreaching each state $h_k$", **title)
        ax_r.grid(alpha=0.3)
        ax_r.legend(loc="lower right", fontsize="small")

        (copy_full,) = ax_c.plot([], [], "s-", color="#9ecae1", ms=4, lw=1.5, label="full BPTT")
        (copy_kept,) = ax_c.plot([], [], "o", color=MODE_COLORS["window"], ms=5, label="truncated")
        ax_c.set_yscale("log")
        ax_c.set_ylim(floor, 3.0)
        ax_c.set_xlim(0.5, T + 0.5)
        ax_c.set_xlabel("copy $k$ of $W_h$")
        ax_c.set_ylabel(r"$\|\sum_t \partial L_t / \partial W_h^{(k)}\|$, relative")
        ax_c.set_title("each copy's share\nof $\\partial L / \\partial W_h$", **title)
        ax_c.grid(alpha=0.3)
        ax_c.legend(loc="lower right", fontsize="small")
        # Static labels are drawn once; only the short values next to them are re-rendered on an update.
        # Both start inside the axes (flush left): a label ending at the middle ran over the tick labels.
        labels = ax_c.text(0.03, 0.3, "truncation:\nerror:\nsteps back:",
                           transform=ax_c.transAxes, fontsize="small", va="bottom", ha="left", linespacing=1.4,
                           color="#444444")
        # the values sit just right of their labels, wherever the layout puts them
        summary = ax_c.annotate(" ", xy=(1, 0), xycoords=labels, xytext=(4, 0), textcoords="offset points",
                                fontsize="small", va="bottom", ha="left", linespacing=1.4, color="#b3400a",
                                fontweight="bold")

    def update(scale, truncate, mode):
        a = analyse(scale)
        k = int(min(max(truncate, 1), T))
        mask = truncation_mask(T, k if k < T else None, mode)
        norms = a["norms"]
        top = max(float(norms.max()), 1e-300)
        # exact zeros (copy 1 when h_0 = 0: it multiplies h_0) are left blank, like k > t
        image.set_data(np.ma.masked_array(np.maximum(norms / top, floor), mask=~causal | (norms == 0)))
        drop = (causal & ~mask).astype(float)
        dropped.set_data(np.ma.masked_array(drop, mask=drop == 0))

        reach = a["reach"] / max(float(a["reach"].max()), 1e-300)
        reach_full.set_data(steps, np.maximum(reach, floor))
        kept_steps = np.flatnonzero(mask[T - 1])
        reach_kept.set_data(kept_steps + 1, np.maximum(reach[kept_steps], floor))

        per_copy = np.linalg.norm(a["G"].sum(axis=0), axis=(1, 2))
        kept = np.linalg.norm((a["G"] * mask[..., None, None]).sum(axis=0), axis=(1, 2))
        top_copy = max(float(per_copy.max()), 1e-300)
        copy_full.set_data(steps, np.where(per_copy > 0, np.maximum(per_copy / top_copy, floor), np.nan))
        copy_kept.set_data(steps, np.where(kept > 0, np.maximum(kept / top_copy, floor), np.nan))

        truncated = (a["G"] * mask[..., None, None]).sum(axis=(0, 1))
        err = rel_error(truncated, a["full"])
        cost = count_backward_steps(T, k if k < T else None, mode)
        what = "none" if k >= T else f"{mode} {k}"
        summary.set_text(f"{what}\n{err:.1e}\n{cost} (full {T})")
        return False

    controls = {
        "scale": float_slider("scale of W_h", float(scale), 0.2, 2.0, 0.05, presenter=presenter),
        "truncate": int_slider("truncate k", int(truncate), 1, T, presenter=presenter),
        "mode": dropdown("mode", ("chunk", "window"), mode, presenter=presenter),
    }
    presets = {
        "vanishing (0.5)": {"scale": 0.5, "truncate": T},
        "edge (1.0)": {"scale": 1.0, "truncate": T},
        "window k=6": {"truncate": 6, "mode": "window"},
        "chunk k=6": {"truncate": 6, "mode": "chunk"},
    }
    return Demo("Gradient flow in backpropagation through time", fig, update, controls,
                animated=[image, dropped, reach_full, reach_kept, copy_full, copy_kept, summary], presets=presets,
                description="Each loss term sends gradient back through every earlier copy of W_h; how far it "
                            "gets depends on the scale of W_h. Truncation drops the grey pairs.",
                presenter=presenter)

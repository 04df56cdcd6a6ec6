"""Lesson 03 lecture demo: gradient descent meets the cliff of the one-unit RNN, with and without clipping.

    from rnn_course.demos import cliff_demo
    cliff_demo()                          # start on the plateau above the wall
    cliff_demo(presenter=True, lr=1.0)    # big fonts for a projector

Three paths start from the same point: plain gradient descent, descent with
norm clipping (Pascanu et al. 2013) and with element-wise clipping. The loss
surface is computed once; an update recomputes the three paths (plain
Python floats, a few milliseconds) and redraws only the paths, their loss
and gradient-norm curves and the threshold line.
"""

from __future__ import annotations

import numpy as np

from ..plots.style import new_figure
from ..plots.style import presenter as presenter_style
from ..plots.surfaces import PATH_COLORS, PATH_LABELS, plot_descent_paths
from ..surfaces import CLIP_METHODS, descent_path, one_unit_surface
from ._base import Demo, float_slider, log_slider

__all__ = ["cliff_demo", "CLIFF_PRESETS"]

_LOSS_FLOOR = 1e-8

#: lecture shortcuts: {label: control values}
CLIFF_PRESETS = {
    "thrown off the cliff": {"w0": 4.5, "b0": -3.0, "lr": 0.3, "threshold": 1.0},
    "big steps": {"w0": 4.25, "b0": -2.5, "lr": 1.0, "threshold": 1.0},
    "tiny threshold": {"w0": 4.5, "b0": -3.0, "lr": 0.3, "threshold": 0.05},
    "far from the wall": {"w0": 2.0, "b0": 0.5, "lr": 0.3, "threshold": 1.0},
}


def cliff_demo(*, presenter: bool = False, w0: float = 4.5, b0: float = -3.0, lr: float = 0.3,
               threshold: float = 1.0, steps: int = 100, n: int = 200) -> Demo:
    """Gradient descent on Pascanu et al.'s one-unit loss from (w0, b0): no clipping, norm, element-wise.

    Controls: ``w0`` in [0, 8], ``b0`` in [-5, 1] (the start), ``lr``
    (0.01 .. 3, log scale) and ``threshold`` (0.01 .. 10, log scale; used by
    both clipping rules). ``steps`` updates per path; the loss surface is an
    ``n`` x ``n`` grid computed once.
    Returns a Demo.
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= 2000:
        raise ValueError(f"steps: expected an integer in [1, 2000], got {steps!r}")
    surface = one_unit_surface(n=n)
    first = [descent_path(w0, b0, lr=lr, steps=steps, clip=m, threshold=threshold) for m in CLIP_METHODS]

    with presenter_style(presenter):
        fig, axes = new_figure(figsize=(12, 5.6) if presenter else (9.6, 4.4), nrows=2, ncols=2,
                               gridspec_kw={"width_ratios": [1.25, 1]})
        grid = axes[0, 0].get_gridspec()
        for ax in axes[:, 0]:
            ax.remove()
        ax_s = fig.add_subplot(grid[:, 0])
        ax_l, ax_g = axes[0, 1], axes[1, 1]
        plot_descent_paths(surface, first, ax=ax_s, legend=False, title="Loss surface and three paths")
        path_lines = {m: next(line for line in ax_s.get_lines() if line.get_gid() == f"path-{m}")
                      for m in CLIP_METHODS}
        start = next(line for line in ax_s.get_lines() if line.get_gid() == "start")
        for m, line in path_lines.items():
            line.set_label(PATH_LABELS[m])
            line.set_marker("")  # markers under a path effect are drawn one by one: too slow to redraw live
        ax_s.legend(loc="lower right", fontsize="small", framealpha=0.85)
        loss_lines, norm_lines = {}, {}
        for m in CLIP_METHODS:
            style = {"color": PATH_COLORS[m], "ls": "--" if m == "value" else "-"}
            (loss_lines[m],) = ax_l.plot([], [], lw=2.0, label=PATH_LABELS[m], **style)
            (norm_lines[m],) = ax_g.plot([], [], lw=1.4, **style)
        threshold_line = ax_g.axhline(threshold, color="black", lw=1.0, ls=":", label="clip threshold")
        for ax in (ax_l, ax_g):
            ax.set_yscale("log")
            ax.set_xlim(0, steps)
            ax.grid(True, alpha=0.3)
        ax_l.set_ylim(_LOSS_FLOOR, 1.0)
        ax_l.set_ylabel("loss E")
        ax_l.set_title("Loss along each path", fontsize="medium")
        ax_l.tick_params(labelbottom=False)
        ax_g.set_ylim(1e-8, 1e4)
        ax_g.set_ylabel("||g||")
        ax_g.set_xlabel("update")
        ax_g.set_title("Gradient norm, before clipping", fontsize="medium")
        ax_g.legend(loc="upper right", fontsize="x-small")

    def update(w0, b0, lr, threshold):
        # No text is redrawn here on purpose: matplotlib renders text glyph by glyph (~0.1 ms each).
        for m in CLIP_METHODS:
            path = descent_path(w0, b0, lr=lr, steps=steps, clip=m, threshold=threshold)
            path_lines[m].set_data(path.w, path.b)
            loss_lines[m].set_data(np.arange(len(path.loss)), np.maximum(path.loss, _LOSS_FLOOR))
            norm_lines[m].set_data(np.arange(path.steps), np.maximum(path.grad_norm, 1e-12))
        start.set_data([w0], [b0])
        threshold_line.set_ydata([threshold, threshold])
        return False

    controls = {
        "w0": float_slider("start w", float(w0), 0.0, 8.0, 0.05, presenter=presenter),
        "b0": float_slider("start b", float(b0), -5.0, 1.0, 0.05, presenter=presenter),
        "lr": log_slider("learning rate", float(lr), 0.01, 3.0, presenter=presenter),
        "threshold": log_slider("clip threshold", float(threshold), 0.01, 10.0, presenter=presenter),
    }
    artists = [*path_lines.values(), start, *loss_lines.values(), *norm_lines.values(), threshold_line]
    return Demo("The cliff: gradient descent with and without clipping", fig, update, controls,
                animated=artists, presets=CLIFF_PRESETS,
                description="Start on the plateau above the wall: without clipping one step on the wall throws "
                            "the parameters out of the window; norm clipping walks down it.",
                presenter=presenter)

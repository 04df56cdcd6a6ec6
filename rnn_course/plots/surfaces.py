"""Loss-surface figures for the one-unit RNN (lesson 03): the cliff, its gradient, descent paths.

Each function takes a ``surfaces.Surface`` (from ``one_unit_surface``) and
returns the matplotlib Figure; pass ``ax`` to draw into an existing axes.
Artists that demos update carry a ``gid`` ("path-none", "path-norm",
"path-value", "start"), so a demo can find them without knowing the layout.
"""

from __future__ import annotations

import numpy as np
from matplotlib import patheffects
from matplotlib.colors import LogNorm

from ..surfaces import CLIP_METHODS, Surface, one_unit_grad, one_unit_states
from .style import OKABE_ITO, SEQUENTIAL, get_figure_ax, new_figure

__all__ = [
    "PATH_COLORS",
    "PATH_LABELS",
    "plot_loss_surface",
    "plot_loss_surface_3d",
    "plot_gradient_norm",
    "plot_descent_paths",
    "plot_cliff_slice",
    "plot_one_unit_states",
]

#: one colour per clipping method, readable on the viridis background (with the black outline) and on white
PATH_COLORS = {"none": OKABE_ITO["vermillion"], "norm": OKABE_ITO["sky_blue"], "value": OKABE_ITO["orange"]}
PATH_LABELS = {"none": "no clipping", "norm": "norm clipping", "value": "element-wise clipping"}
_OUTLINE = [patheffects.withStroke(linewidth=3.5, foreground="black")]


def _check_surface(surface):
    if not isinstance(surface, Surface):
        raise ValueError(f"surface: expected the Surface returned by one_unit_surface, got {type(surface).__name__}")


def _extent(surface):
    return (surface.w[0], surface.w[-1], surface.b[0], surface.b[-1])


def _axes_labels(ax):
    ax.set_xlabel("recurrent weight w")
    ax.set_ylabel("bias b")


def plot_loss_surface(surface: Surface, *, ax=None, colorbar: bool = True, levels: int = 12,
                      title: str = "Loss L(w, b) of the one-unit RNN (T = 50): the cliff"):
    """The loss as an image with contour lines; the cliff is where the contour lines pile up."""
    _check_surface(surface)
    fig, ax = get_figure_ax(ax, figsize=(6.4, 4.6))
    image = ax.imshow(surface.loss, origin="lower", extent=_extent(surface), aspect="auto", cmap=SEQUENTIAL,
                      interpolation="nearest", vmin=0.0, vmax=max(float(surface.loss.max()), 1e-12))
    ax.contour(surface.w, surface.b, surface.loss, levels=levels, colors="k", linewidths=0.6, alpha=0.6)
    if colorbar:
        fig.colorbar(image, ax=ax, label="loss L = (sigmoid(h_50) - 0.7)^2")
    _axes_labels(ax)
    ax.set_title(title)
    return fig


def plot_loss_surface_3d(surface: Surface, *, ax=None, stride: int = 2, elev: float = 30.0, azim: float = 60.0,
                         title: str = "The cliff in 3-D (Pascanu et al. 2013, fig. 6)"):
    """The loss as a 3-D surface: a plateau, a wall, a valley. ``ax`` must be a 3-D axes if given."""
    _check_surface(surface)
    if ax is None:
        fig, ax = new_figure((6.8, 5.0), subplot_kw={"projection": "3d"})
    else:
        fig = ax.figure
        if getattr(ax, "name", "") != "3d":
            raise ValueError("ax: expected a 3-D axes (projection='3d'), got a 2-D one")
    W, B = np.meshgrid(surface.w[::stride], surface.b[::stride])
    ax.plot_surface(W, B, surface.loss[::stride, ::stride], cmap=SEQUENTIAL, linewidth=0, antialiased=False,
                    rcount=W.shape[0], ccount=W.shape[1])
    ax.view_init(elev=elev, azim=azim)
    ax.set_xlabel("w")
    ax.set_ylabel("b")
    ax.set_zlabel("loss L")
    ax.set_title(title)
    return fig


def plot_gradient_norm(surface: Surface, *, ax=None, colorbar: bool = True, floor: float = 1e-6,
                       title: str = "Gradient norm ||(dL/dw, dL/db)|| (log colour scale)"):
    """The gradient norm on a log colour scale: tiny on the plateaus, huge on the thin wall."""
    _check_surface(surface)
    fig, ax = get_figure_ax(ax, figsize=(6.4, 4.6))
    norm = np.maximum(surface.grad_norm, floor)
    image = ax.imshow(norm, origin="lower", extent=_extent(surface), aspect="auto", cmap="magma",
                      interpolation="nearest", norm=LogNorm(vmin=floor, vmax=max(float(norm.max()), floor * 10)))
    if colorbar:
        fig.colorbar(image, ax=ax, label="||gradient|| (log scale)")
    _axes_labels(ax)
    ax.set_title(title)
    return fig


def plot_descent_paths(surface: Surface, paths, *, ax=None, colorbar: bool = False, legend: bool = True,
                       title: str = "Gradient descent near the cliff, with and without clipping"):
    """Descent paths (``surfaces.DescentPath``) drawn over the loss image, one colour per clipping method.

    Parts of a path outside the window are not drawn; the legend says when a
    path left it (a step thrown off the cliff).
    """
    _check_surface(surface)
    fig, ax = get_figure_ax(ax, figsize=(6.8, 4.8))
    plot_loss_surface(surface, ax=ax, colorbar=colorbar, title=title)
    paths = list(paths)
    methods = [p.method for p in paths]
    for method in CLIP_METHODS:
        if method not in methods:
            continue
        path = paths[methods.index(method)]
        ax.plot(path.w, path.b, "-o", color=PATH_COLORS[method], markersize=2.5, linewidth=1.8,
                label=_path_label(path, surface), gid=f"path-{method}", path_effects=_OUTLINE)
    if paths:
        ax.plot([paths[0].w[0]], [paths[0].b[0]], marker="*", markersize=16, color="#ffe000",
                markeredgecolor="black", linestyle="none", gid="start", label="start")
    ax.set_xlim(surface.w[0], surface.w[-1])
    ax.set_ylim(surface.b[0], surface.b[-1])
    if legend and paths:
        ax.legend(loc="lower right", fontsize="small", framealpha=0.85)
    return fig


def _path_label(path, surface) -> str:
    """'norm clipping: loss 0.47 -> 0.0003' or '... thrown out of the window at step 12'."""
    outside = (path.w < surface.w[0]) | (path.w > surface.w[-1]) | (path.b < surface.b[0]) | (path.b > surface.b[-1])
    label = f"{PATH_LABELS[path.method]}: loss {path.loss[0]:.2g} -> {path.loss[-1]:.2g}"
    if outside.any():
        label += f", left the window at step {int(np.argmax(outside))}"
    if path.stopped:
        label += f" ({path.stopped})"
    return label


def plot_cliff_slice(w: float = 4.5, b_lim=(-3.0, -1.5), *, n: int = 3001, ax=None, T: int = 50,
                     title: str | None = None):
    """A cut through the surface at fixed w: the loss (left axis) and the gradient norm (right, log).

    The wall is a step in the loss and a spike of the gradient norm, a few
    hundredths wide: a grid coarser than that (like a 200 x 200 image) steps
    right over it.
    """
    if len(b_lim) != 2 or not b_lim[0] < b_lim[1]:
        raise ValueError(f"b_lim: expected (low, high) with low < high, got {tuple(b_lim)!r}")
    b = np.linspace(float(b_lim[0]), float(b_lim[1]), int(n))
    loss, dw, db = one_unit_grad(float(w), b, T=T)
    fig, ax = get_figure_ax(ax, figsize=(6.8, 4.0))
    ax.plot(b, loss, color="#1f77b4", lw=2.2, label="loss L")
    ax.set_xlabel("bias b")
    ax.set_ylabel("loss L", color="#1f77b4")
    twin = ax.twinx()
    twin.plot(b, np.maximum(np.hypot(dw, db), 1e-12), color="#d62728", lw=1.4, label="||gradient||")
    twin.set_yscale("log")
    twin.set_ylabel("||gradient|| (log scale)", color="#d62728")
    ax.set_title(title or f"A cut through the cliff at w = {w:g}")
    ax.grid(True, alpha=0.3)
    return fig


def plot_one_unit_states(w: float, bs, *, T: int = 50, h0: float = 0.5, ax=None, title: str | None = None):
    """h_t of the one-unit RNN for a few biases: either side of the cliff they end at different fixed points."""
    bs = [float(b) for b in np.atleast_1d(bs)]
    if not bs:
        raise ValueError("bs: expected at least one bias, got none")
    h = one_unit_states(float(w), np.array(bs), T=T, h0=h0)  # (T + 1, len(bs))
    fig, ax = get_figure_ax(ax, figsize=(6.4, 3.8))
    colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b"]
    for i, b in enumerate(bs):
        ax.plot(np.arange(T + 1), h[:, i], color=colors[i % len(colors)], lw=1.8, label=f"b = {b:.4f}")
    ax.set_xlabel("step t")
    ax.set_ylabel("state h_t")
    ax.set_title(title or f"The one-unit RNN's state, w = {w:g}")
    ax.legend(loc="best", fontsize="small")
    ax.grid(True, alpha=0.3)
    return fig

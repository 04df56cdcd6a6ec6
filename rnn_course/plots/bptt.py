"""Figures for backpropagation through time (lesson 02).

* ``plot_contribution_matrix(G)``: how much each loss term L_t contributes
  to dL/dWh through each unrolled copy k of Wh (a lower-triangular table).
* ``plot_copy_contributions(G)``: each copy's total contribution to dL/dWh.
* ``plot_gradient_reaching(norms)``: ||dL_T/dh_k|| against k, one line per
  setting (e.g. per scale of Wh), on a log scale.
* ``plot_truncation_masks(T, k)``: which (t, k) pairs chunked and windowed
  truncation keep.
* ``plot_truncation(ks, errors, costs)``: error of truncated BPTT against
  the truncation length, next to its cost.

``G`` is what ``rnn_course.gradient_flow.dWh_contributions`` returns.
Time runs 1..T on the axes, as in the lessons' maths.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap, LogNorm
from matplotlib.ticker import LogLocator, MaxNLocator, NullFormatter, ScalarFormatter

from .._checks import as_array, check_finite, check_shape
from ..gradient_flow import truncation_mask
from .style import OKABE_ITO, SEQUENTIAL, get_figure_ax, new_figure

__all__ = [
    "plot_contribution_matrix",
    "plot_copy_contributions",
    "plot_gradient_reaching",
    "plot_truncation_masks",
    "plot_truncation",
    "MODE_COLORS",
]

#: colours of the BPTT variants, the same in every figure
MODE_COLORS = {"full": "#333333", "chunk": OKABE_ITO["blue"], "window": OKABE_ITO["orange"],
               "full-history": OKABE_ITO["reddish_purple"]}
_FLOOR = 1e-300


def _contribution_norms(G) -> np.ndarray:
    """(T, T) Frobenius norms from G of shape (T, T) (already norms) or (T, T, H, H)."""
    G = as_array("G", G)
    if G.ndim == 4:
        check_shape("G", G, ("T", "T", "H", "H"), {})
        check_finite("G", G)
        return np.sqrt(np.einsum("tkij,tkij->tk", G, G))
    check_shape("G", G, ("T", "T"), {})
    check_finite("G", G)
    return np.abs(G)


def _integer_ticks(ax, x=True, y=True):
    if x:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if y:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def _check_mask(mask, T):
    if mask is None:
        return None
    m = np.asarray(mask)
    if m.dtype != bool:
        raise ValueError(f"mask: expected a boolean array, got dtype {m.dtype}")
    check_shape("mask", m, ("T", "T"), {"T": T})
    return m


def plot_contribution_matrix(G, *, mask=None, ax=None, decades: float = 8.0, colorbar: bool = True,
                             title: str | None = None):
    """Table of ||dL_t/dWh through copy k||, loss step t down, copy k across.

    Inputs:
        G: (T, T, H, H) contributions (``dWh_contributions``) or (T, T) norms
        mask: optional (T, T) booleans (``truncation_mask``): pairs that
            truncated BPTT drops are greyed out
        ax: axes to draw in (a new figure when None)
        decades: the colour scale spans this many powers of ten below the largest entry
        colorbar: add a colour bar
    Returns:
        the matplotlib Figure (the image is ``ax.images[0]``, the mask ``ax.images[1]``)
    """
    norms = _contribution_norms(G)
    T = norms.shape[0]
    mask = _check_mask(mask, T)
    fig, ax = get_figure_ax(ax, figsize=(5.2, 4.4))
    top = max(float(norms.max()), _FLOOR)
    causal = np.tril(np.ones((T, T), dtype=bool))
    # k > t is structurally zero, and so is copy 1 when h_0 = 0 (it multiplies h_0): both left blank
    shown = np.ma.masked_array(np.maximum(norms, top * 10.0 ** -decades), mask=~causal | (norms == 0))
    im = ax.imshow(shown, norm=LogNorm(vmin=top * 10.0 ** -decades, vmax=top), cmap=SEQUENTIAL,
                   extent=(0.5, T + 0.5, T + 0.5, 0.5), interpolation="nearest")
    dropped = np.zeros((T, T)) if mask is None else (causal & ~mask).astype(float)
    ax.imshow(np.ma.masked_array(dropped, mask=dropped == 0), cmap=ListedColormap(["#d9d9d9"]), vmin=0, vmax=1,
              extent=(0.5, T + 0.5, T + 0.5, 0.5), interpolation="nearest", alpha=0.92)
    ax.set_xlabel("copy $k$ of $W_h$ (the step where it is used)")
    ax.set_ylabel("loss term $L_t$ (step $t$)")
    _integer_ticks(ax)
    if colorbar:
        fig.colorbar(im, ax=ax, label=r"$\|\partial L_t / \partial W_h^{(k)}\|$ (log scale)", fraction=0.05)
    if title is None:
        title = "contribution of each loss term through each copy"
        if mask is not None:
            title += "\n(grey: dropped by truncation)"
    ax.set_title(title)
    return fig


def plot_copy_contributions(G, *, mask=None, ax=None, title: str | None = None):
    """Each copy's contribution to dL/dWh: ||sum_t G[t, k]|| for every k.

    Inputs:
        G: (T, T, H, H) contributions from ``dWh_contributions``
        mask: optional (T, T) booleans; adds what truncated BPTT keeps of each copy's contribution
        ax: axes to draw in (a new figure when None)
    Returns:
        the matplotlib Figure
    """
    G = as_array("G", G)
    check_shape("G", G, ("T", "T", "H", "H"), {})
    check_finite("G", G)
    T = G.shape[0]
    mask = _check_mask(mask, T)
    fig, ax = get_figure_ax(ax, figsize=(6.0, 3.6))
    k = np.arange(1, T + 1)
    full = np.linalg.norm(G.sum(axis=0), axis=(1, 2))
    # A zero contribution (copy 1 when h_0 = 0) has no place on a log axis: leave it out.
    ax.bar(k, np.where(full > 0, full, np.nan), color="#c6dbef", edgecolor="#6baed6", label="full BPTT")
    if mask is not None:
        kept = np.linalg.norm((G * mask[..., None, None]).sum(axis=0), axis=(1, 2))
        ax.plot(k, np.where(kept > 0, kept, np.nan), "o", color=MODE_COLORS["chunk"], ms=5, label="truncated")
    positive = full[full > 0]
    if positive.size and positive.max() > 100 * positive.min():
        ax.set_yscale("log")  # contributions spanning decades (vanishing or exploding gradients)
    ax.set_xlabel("copy $k$ of $W_h$ (time step)")
    ax.set_ylabel(r"$\|\sum_t \partial L_t/\partial W_h^{(k)}\|$")
    _integer_ticks(ax, y=False)
    ax.legend(loc="best", fontsize="small")
    ax.set_title(title if title is not None else r"each step's contribution to $\partial L/\partial W_h$")
    return fig


def plot_gradient_reaching(norms, *, ax=None, title: str | None = None):
    """||dL_T/dh_k|| against k for one or several settings, on a log scale.

    Inputs:
        norms: {label: (T,) array}, the norm of the gradient of the last
            loss term at h_1..h_T (``rnn_backward(dh_last, cache).dh_all``)
        ax: axes to draw in (a new figure when None)
    Returns:
        the matplotlib Figure
    """
    if not isinstance(norms, dict) or not norms:
        raise ValueError(f"norms: expected a non-empty dict {{label: (T,) array}}, got {type(norms).__name__}")
    fig, ax = get_figure_ax(ax, figsize=(6.0, 3.8))
    import matplotlib as mpl

    cmap = mpl.colormaps[SEQUENTIAL]
    dims: dict[str, int] = {}
    for i, (label, values) in enumerate(norms.items()):
        v = as_array(f"norms[{label!r}]", values)
        check_shape(f"norms[{label!r}]", v, ("T",), dims)
        color = cmap(0.1 + 0.75 * i / max(len(norms) - 1, 1))
        ax.plot(np.arange(1, v.size + 1), np.where(v > 0, v, np.nan), "o-", ms=3, lw=1.8, color=color,
                label=str(label))
    ax.set_yscale("log")
    ax.set_xlabel("step $k$")
    ax.set_ylabel(r"$\|\partial L_T / \partial h_k\|$")
    _integer_ticks(ax, y=False)
    ax.legend(loc="best", fontsize="small")
    ax.grid(alpha=0.25, which="both")
    ax.set_title(title if title is not None else "how much of the last loss's gradient reaches each step")
    return fig


def plot_truncation_masks(T: int, k: int, *, axes=None):
    """Which (loss step t, copy k) pairs chunked and windowed truncation keep, side by side.

    Inputs:
        T: sequence length; k: truncation length
        axes: two axes (a new figure when None)
    Returns:
        the matplotlib Figure
    """
    masks = {mode: truncation_mask(T, k, mode) for mode in ("chunk", "window")}
    if axes is None:
        fig, axes = new_figure(figsize=(8.4, 4.0), ncols=2)
    else:
        axes = list(axes)
        if len(axes) != 2:
            raise ValueError(f"axes: expected 2 axes, got {len(axes)}")
        fig = axes[0].figure
    causal = np.tril(np.ones((T, T), dtype=bool))
    cmap = ListedColormap(["#ffffff", "#d9d9d9", "#1f77b4"])
    for ax, (mode, m) in zip(axes, masks.items(), strict=True):
        code = np.where(m, 2, np.where(causal, 1, 0))
        ax.imshow(code, cmap=cmap, vmin=0, vmax=2, extent=(0.5, T + 0.5, T + 0.5, 0.5), interpolation="nearest")
        ax.set_xlabel("copy $k$ of $W_h$ (step)")
        ax.set_ylabel("loss term $L_t$ (step $t$)")
        _integer_ticks(ax)
        kept = int(m.sum())
        ax.set_title(f'truncate={k}, mode="{mode}"\nkeeps {kept} of {int(causal.sum())} (t, k) pairs')
    from matplotlib.patches import Patch

    fig.legend(handles=[Patch(color="#1f77b4", label="kept"), Patch(color="#d9d9d9", label="dropped"),
                        Patch(facecolor="white", edgecolor="#999999", label="k > t: always 0")],
               loc="outside lower center", ncols=3, frameon=False, fontsize=9)
    return fig


def plot_truncation(ks, errors, *, costs=None, axes=None, T: int | None = None, title: str | None = None):
    """Error of truncated BPTT against the truncation length, and (optionally) what it costs.

    Inputs:
        ks: (K,) truncation lengths
        errors: {mode: (K,) relative error of dWh against full BPTT}
        costs: optional {label: (K,) step-backward operations}; adds a second panel
        axes: one axes, or two when costs are given (a new figure when None)
        T: the sequence length (marked on the axes when given)
    Returns:
        the matplotlib Figure
    """
    ks = as_array("ks", ks)
    dims: dict[str, int] = {}
    check_shape("ks", ks, ("K",), dims)
    if not isinstance(errors, dict) or not errors:
        raise ValueError(f"errors: expected a non-empty dict {{mode: (K,) array}}, got {type(errors).__name__}")
    panels = 2 if costs else 1
    if axes is None:
        fig, axes = new_figure(figsize=(5.4 * panels, 3.8), ncols=panels)
        axes = np.atleast_1d(axes)
    else:
        axes = list(np.atleast_1d(axes))
        if len(axes) != panels:
            raise ValueError(f"axes: expected {panels} axes, got {len(axes)}")
        fig = axes[0].figure
    ax = axes[0]
    for mode, values in errors.items():
        v = as_array(f"errors[{mode!r}]", values)
        check_shape(f"errors[{mode!r}]", v, ("K",), dims)
        ax.plot(ks, np.where(v > 0, v, np.nan), "o-", color=MODE_COLORS.get(mode), label=f'mode="{mode}"', lw=2)
    ax.set_yscale("log")
    ax.set_xlabel("truncation length k (steps)")
    ax.set_ylabel(r"relative error of $\partial L/\partial W_h$")
    _integer_ticks(ax, y=False)
    ax.grid(alpha=0.25, which="both")
    if T is not None:
        ax.axvline(T, color="#999999", ls=":", lw=1)
    ax.legend(loc="best", fontsize="small")
    ax.set_title("how wrong the truncated gradient is")
    if costs:
        ax = axes[1]
        for label, values in costs.items():
            v = as_array(f"costs[{label!r}]", values)
            check_shape(f"costs[{label!r}]", v, ("K",), dims)
            ax.plot(ks, v, "s-", color=MODE_COLORS.get(label), label=label, lw=2)
        ax.set_yscale("log")
        ax.set_xlabel("truncation length k (steps)")
        ax.set_ylabel("step-backward operations (count)")
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(ScalarFormatter())
        ax.yaxis.set_minor_formatter(NullFormatter())
        _integer_ticks(ax, y=False)
        ax.grid(alpha=0.25, which="both")
        ax.legend(loc="best", fontsize="small")
        ax.set_title("what it costs")
    if title is not None:
        fig.suptitle(title)
    return fig

"""Gradient-flow figures (lesson 03): Jacobian norms against the time lag, eigen- and singular values.

Each function returns the matplotlib Figure and takes an optional ``ax``.
Lines that demos update carry a ``gid`` ("norm-<label>", "bound-<label>",
"eigenvalues") so a demo can find them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib import colormaps

from ..jacobians import GAMMA, Spectrum, spectrum
from .style import SEQUENTIAL, get_figure_ax

__all__ = ["plot_jacobian_norms", "plot_eigenvalues", "plot_singular_values"]

#: values below this are drawn at it: a log axis cannot show 0 (a gradient that underflowed)
FLOOR = 1e-30


def _colors(n):
    cmap = colormaps[SEQUENTIAL]
    return [cmap(0.8 * i / max(n - 1, 1)) for i in range(n)]  # stop before the pale yellow end


def plot_jacobian_norms(norms: Mapping, bounds: Mapping | None = None, *, ax=None, ylim=(1e-20, 1e20),
                        title: str = "How much gradient survives the trip back: ||dh_T / dh_(T-lag)||"):
    """||dh_T/dh_(T-lag)|| against the lag on a log scale, one line per setting.

    Inputs:
        norms: {label: (L,) norms for lag = 0 .. L-1} (``jacobians.jacobian_norms``)
        bounds: optional {label: (L,) bound (gamma lambda_1)^lag}, drawn dashed
        ylim: fixed limits (values outside are clipped to the frame) so that
            lines can be compared across figures and updated in a demo
    """
    if not isinstance(norms, Mapping) or not norms:
        raise ValueError(f"norms: expected a non-empty dict {{label: array of norms}}, got {type(norms).__name__}")
    fig, ax = get_figure_ax(ax, figsize=(6.8, 4.4))
    colors = _colors(len(norms))
    for color, (label, values) in zip(colors, norms.items()):
        values = np.asarray(values, dtype=float)
        if values.ndim != 1:
            raise ValueError(f"norms[{label!r}]: expected a 1-D array (one norm per lag), got shape {values.shape}")
        lags = np.arange(len(values))
        ax.plot(lags, np.clip(values, FLOOR, None), color=color, lw=2.2, label=str(label), gid=f"norm-{label}")
        if bounds is not None and label in bounds:
            bound = np.clip(np.asarray(bounds[label], dtype=float), FLOOR, 1e300)
            ax.plot(np.arange(len(bound)), bound, color=color, lw=1.2, ls="--", gid=f"bound-{label}")
    if bounds:
        ax.plot([], [], color="gray", ls="--", lw=1.2, label="bound (gamma lambda_1)^lag")
    ax.axhline(1.0, color="black", lw=0.8, alpha=0.5)
    ax.set_yscale("log")
    ax.set_ylim(*ylim)
    ax.set_xlabel("time lag T - k (steps)")
    ax.set_ylabel("||dh_T / dh_k||  (spectral norm)")
    ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    ax.grid(True, which="major", alpha=0.3)
    return fig


def _spectrum(Wh):
    return Wh if isinstance(Wh, Spectrum) else spectrum(Wh)


def plot_eigenvalues(Wh, *, activation: str = "tanh", ax=None, lim: float | None = None,
                     title: str = "Eigenvalues of W_h in the complex plane"):
    """Eigenvalues of Wh with the circle |z| = 1/gamma and the spectral radius marked.

    Inputs:
        Wh: (H, H) recurrent matrix, or a ``jacobians.Spectrum``
        activation: sets gamma (1 for tanh/ReLU/linear, 1/4 for the sigmoid)
        lim: half-width of the square view (default: fits the eigenvalues and the circle)
    """
    spec = _spectrum(Wh)
    gamma = GAMMA[activation] if activation in GAMMA else None
    if gamma is None:
        raise ValueError(f"activation: expected one of {', '.join(map(repr, GAMMA))}, got {activation!r}")
    fig, ax = get_figure_ax(ax, figsize=(4.8, 4.6))
    theta = np.linspace(0, 2 * np.pi, 256)
    radius = 1.0 / gamma
    ax.plot(radius * np.cos(theta), radius * np.sin(theta), color="black", lw=1.2, ls="--",
            label=f"|z| = 1/gamma = {radius:g}")
    rho = spec.spectral_radius
    ax.plot(rho * np.cos(theta), rho * np.sin(theta), color="#d62728", lw=1.0, alpha=0.7, gid="radius",
            label=f"spectral radius {rho:.2f}")
    ax.scatter(spec.eigenvalues.real, spec.eigenvalues.imag, s=18, color="#1f77b4", zorder=3, gid="eigenvalues",
               label="eigenvalues")
    if lim is None:
        lim = 1.15 * max(radius, rho, 1e-12)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("real part")
    ax.set_ylabel("imaginary part")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize="x-small", framealpha=0.85)
    return fig


def plot_singular_values(matrices: Mapping, *, activation: str = "tanh", ax=None,
                         title: str = "Singular values of W_h (largest = lambda_1)"):
    """Sorted singular values of each matrix, with the line 1/gamma: lambda_1 below it guarantees vanishing.

    Inputs:
        matrices: {label: (H, H) matrix or ``jacobians.Spectrum``}
    """
    if not isinstance(matrices, Mapping) or not matrices:
        raise ValueError(f"matrices: expected a non-empty dict {{label: matrix}}, got {type(matrices).__name__}")
    if activation not in GAMMA:
        raise ValueError(f"activation: expected one of {', '.join(map(repr, GAMMA))}, got {activation!r}")
    fig, ax = get_figure_ax(ax, figsize=(6.0, 4.0))
    for color, (label, W) in zip(_colors(len(matrices)), matrices.items()):
        s = _spectrum(W).singular_values
        ax.plot(np.arange(1, len(s) + 1), s, "o-", color=color, ms=3, lw=1.5,
                label=f"{label}: lambda_1 = {s[0]:.2f}")
    ax.axhline(1.0 / GAMMA[activation], color="black", ls="--", lw=1.2,
               label=f"1/gamma = {1.0 / GAMMA[activation]:g} ({activation})")
    ax.set_xlabel("index i (sorted, largest first)")
    ax.set_ylabel("singular value lambda_i")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize="small")
    ax.grid(True, alpha=0.3)
    return fig

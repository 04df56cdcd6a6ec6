"""Activation functions and softmax, plotted.

* ``plot_activations()``: sigmoid, tanh and ReLU with their derivatives, one
  panel each, on the same axes ranges so their slopes can be compared (the
  largest slope of sigmoid is 1/4, of tanh 1: lesson 03 comes back to this).
* ``plot_softmax(logits)``: scores next to the probabilities softmax makes
  of them.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_array, check_finite
from ..activations import relu, relu_grad, sigmoid, sigmoid_grad_from_output, softmax, tanh, tanh_grad_from_output
from .style import new_figure

__all__ = ["plot_activations", "plot_softmax", "ACTIVATION_FORMULAS"]

#: name -> (function, derivative of the input, formula, derivative formula)
ACTIVATION_FORMULAS = {
    "sigmoid": (sigmoid, lambda a: sigmoid_grad_from_output(sigmoid(a)),
                r"$\sigma(a) = 1 / (1 + e^{-a})$", r"$\sigma'(a) = \sigma(a)\,(1 - \sigma(a))$"),
    "tanh": (tanh, lambda a: tanh_grad_from_output(tanh(a)),
             r"$\tanh(a)$", r"$\tanh'(a) = 1 - \tanh^2(a)$"),
    "relu": (relu, relu_grad, r"$\mathrm{relu}(a) = \max(a, 0)$", r"$\mathrm{relu}'(a) = [a > 0]$"),
}


def plot_activations(names=("sigmoid", "tanh", "relu"), *, derivatives: bool = True, a_range=(-5.0, 5.0),
                     axes=None):
    """Each activation (solid) and its derivative (dashed) in its own panel.

    Inputs:
        names: which of "sigmoid", "tanh", "relu" to draw, in order
        derivatives: also draw the derivatives
        a_range: (low, high) range of the pre-activation a
        axes: one axes per name (a new figure when None)
    Returns:
        the matplotlib Figure
    """
    names = list(names)
    unknown = [n for n in names if n not in ACTIVATION_FORMULAS]
    if unknown or not names:
        raise ValueError(f"names: expected a non-empty list from {', '.join(map(repr, ACTIVATION_FORMULAS))}, "
                         f"got {names!r}")
    lo, hi = (float(v) for v in a_range)
    if not lo < hi:
        raise ValueError(f"a_range: expected (low, high) with low < high, got {tuple(a_range)!r}")
    if axes is None:
        fig, axes = new_figure(figsize=(3.6 * len(names), 3.3), ncols=len(names), sharey=True)
        axes = np.atleast_1d(axes)
    else:
        axes = list(axes)
        if len(axes) != len(names):
            raise ValueError(f"axes: expected {len(names)} axes (one per name), got {len(axes)}")
        fig = axes[0].figure
    a = np.linspace(lo, hi, 801)
    for name, ax in zip(names, axes, strict=True):
        f, df, formula, dformula = ACTIVATION_FORMULAS[name]
        ax.axhline(0, color="#bbbbbb", lw=0.8)
        ax.axvline(0, color="#bbbbbb", lw=0.8)
        ax.plot(a, f(a), color="#1f77b4", lw=2.2, label=formula)
        if derivatives:
            ax.plot(a, df(a), color="#e6550d", lw=2.0, ls="--", label=dformula)
            peak = float(np.max(df(a)))
            ax.text(0.03, 0.97, f"max slope {peak:.2g}", transform=ax.transAxes, va="top", fontsize="small",
                    color="#e6550d")
        ax.set_ylim(-1.3, 2.3)
        ax.set_xlabel("pre-activation $a$ (unitless)")
        ax.set_title(name)
        ax.legend(loc="lower right", fontsize="small", frameon=True)
        ax.grid(alpha=0.25)
    axes[0].set_ylabel("value")
    return fig


def plot_softmax(logits, *, labels=None, axes=None, title: str | None = None):
    """Scores (logits) on the left, softmax probabilities on the right.

    Inputs:
        logits: (V,) scores for V classes
        labels: V class names (default "0", "1", ...)
        axes: two axes (a new figure when None)
        title: figure title (default says the probabilities sum to 1)
    Returns:
        the matplotlib Figure
    """
    z = as_array("logits", logits)
    if z.ndim != 1 or z.size < 1:
        raise ValueError(f"logits: expected a 1-D array of shape (V,), got shape {z.shape}")
    check_finite("logits", z)
    V = z.size
    labels = [str(i) for i in range(V)] if labels is None else [str(lab) for lab in labels]
    if len(labels) != V:
        raise ValueError(f"labels: expected {V} names (one per logit), got {len(labels)}")
    if axes is None:
        fig, axes = new_figure(figsize=(max(6.0, 0.7 * V + 3.5), 3.0), ncols=2)
    else:
        axes = list(axes)
        if len(axes) != 2:
            raise ValueError(f"axes: expected 2 axes, got {len(axes)}")
        fig = axes[0].figure
    p = softmax(z)
    pos = np.arange(V)
    colors = ["#2ca02c" if z_ >= 0 else "#9467bd" for z_ in z]
    axes[0].bar(pos, z, color=colors)
    axes[0].axhline(0, color="#555555", lw=0.8)
    axes[0].set_title("scores $z$ (logits)")
    axes[0].set_ylabel("score (unitless)")
    axes[1].bar(pos, p, color="#1f77b4")
    for i, v in enumerate(p):
        axes[1].text(i, v + 0.02, f"{v:.2f}", ha="center", fontsize=8)
    axes[1].set_ylim(0, 1.1)
    axes[1].set_title(r"softmax$(z)_i = e^{z_i} / \sum_j e^{z_j}$")
    axes[1].set_ylabel("probability")
    for ax in axes:
        ax.set_xticks(pos, labels)
        ax.set_xlabel("class")
    fig.suptitle(title if title is not None else f"softmax turns scores into probabilities (sum = {p.sum():.3f})")
    return fig

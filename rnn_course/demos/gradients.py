"""Lesson 03 demo: a slider for the spectral radius of W_h, and the gradient that survives T steps back.

    from rnn_course.demos import spectral_radius_demo
    spectral_radius_demo()                              # linear RNN: ||dh_T/dh_k|| ~ rho^(T-k)
    spectral_radius_demo(activation="tanh", rho=1.5)    # lambda_1 > 1, yet the gradient vanishes

The random matrices and input sequence are drawn once; an update rescales
the matrix, reruns the forward pass (T x H = 100 x 32) and the Jacobian
product, and redraws two lines, the eigenvalues and a caption.
"""

from __future__ import annotations

import numpy as np

from ..cells import rnn_forward
from ..init import as_rng, orthogonal
from ..jacobians import GAMMA, jacobian_norms
from ..plots.gradients import FLOOR
from ..plots.style import new_figure
from ..plots.style import presenter as presenter_style
from ._base import Demo, dropdown, float_slider

__all__ = ["spectral_radius_demo", "SPECTRAL_ACTIVATIONS", "SPECTRAL_PRESETS"]

SPECTRAL_ACTIVATIONS = ("linear", "tanh", "relu")
SPECTRAL_PRESETS = {
    "vanishing (0.8)": {"rho": 0.8, "activation": "linear"},
    "edge (1.0)": {"rho": 1.0, "activation": "linear"},
    "exploding (1.2)": {"rho": 1.2, "activation": "linear"},
    "tanh saturates (1.5)": {"rho": 1.5, "activation": "tanh", "input_scale": 2.0},
    "tanh, weak input (1.5)": {"rho": 1.5, "activation": "tanh", "input_scale": 0.05},
}


def spectral_radius_demo(*, presenter: bool = False, rho: float = 0.9, activation: str = "linear",
                         input_scale: float = 1.0, kind: str = "normal", T: int = 100, H: int = 32,
                         seed: int = 0) -> Demo:
    """||dh_T/dh_(T-lag)|| against the lag for W_h = rho * W / spectral_radius(W), with the eigenvalues.

    Controls: ``rho`` (the spectral radius, 0.5 .. 1.5), ``activation``
    ("linear", "tanh", "relu") and ``input_scale`` (0 .. 3: how hard random
    inputs drive the units; strong inputs saturate tanh). ``kind``
    ("normal" or "orthogonal") picks the random matrix W.
    Returns a Demo.
    """
    if activation not in SPECTRAL_ACTIVATIONS:
        raise ValueError(f"activation: expected one of {', '.join(map(repr, SPECTRAL_ACTIVATIONS))}, "
                         f"got {activation!r}")
    if kind not in ("normal", "orthogonal"):
        raise ValueError(f"kind: expected 'normal' or 'orthogonal', got {kind!r}")
    for name, value in (("T", T), ("H", H)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 2:
            raise ValueError(f"{name}: expected an integer >= 2, got {value!r}")
    rng = as_rng(seed)
    if kind == "orthogonal":
        W1 = orthogonal((H, H), rng=rng)
    else:
        W1 = rng.standard_normal((H, H))
        W1 /= np.max(np.abs(np.linalg.eigvals(W1)))
    eig1 = np.linalg.eigvals(W1)  # eigenvalues and singular values scale with rho: computed once
    sv1 = float(np.linalg.norm(W1, 2))
    x = rng.standard_normal((1, T, H))
    eye, zeros_h, zeros_b = np.eye(H), np.zeros((1, H)), np.zeros(H)
    lags = np.arange(T)
    theta = np.linspace(0, 2 * np.pi, 200)

    with presenter_style(presenter):
        fig, (ax_n, ax_e) = new_figure(figsize=(13, 5.4) if presenter else (9.6, 4.0), ncols=2,
                                       gridspec_kw={"width_ratios": [1.6, 1]})
        (norm_line,) = ax_n.plot([], [], color="#1f77b4", lw=2.5,
                                 label=r"$\|\partial h_T / \partial h_{T-\mathrm{lag}}\|$")
        (bound_line,) = ax_n.plot([], [], color="#d62728", lw=1.5, ls="--",
                                  label=r"bound $(\gamma\,\lambda_1)^{\mathrm{lag}}$")
        (rate_line,) = ax_n.plot([], [], color="#7f7f7f", lw=1.2, ls=":", label=r"$\rho^{\mathrm{lag}}$")
        ax_n.axhline(1.0, color="black", lw=0.8, alpha=0.5)
        ax_n.set_yscale("log")
        ax_n.set_ylim(1e-20, 1e20)
        ax_n.set_xlim(0, T - 1)
        ax_n.set_xlabel("time lag $T - k$ (steps)")
        ax_n.set_ylabel(r"$\|\partial h_T / \partial h_k\|$ (spectral norm)")
        ax_n.set_title(f"Gradient surviving the trip back ({H} units)")
        ax_n.grid(True, alpha=0.3)
        ax_n.legend(loc="upper left", fontsize="small" if not presenter else "medium")
        caption = ax_n.text(0.02, 0.03, "", transform=ax_n.transAxes, fontsize="small", va="bottom",
                            bbox={"fc": "white", "ec": "0.7", "alpha": 0.9})
        ax_e.plot(np.cos(theta), np.sin(theta), color="black", lw=1.2, ls="--", label="|z| = 1")
        (radius_line,) = ax_e.plot([], [], color="#d62728", lw=1.0, label="spectral radius")
        points = ax_e.scatter(eig1.real, eig1.imag, s=16, color="#1f77b4", zorder=3, label="eigenvalues")
        ax_e.set_xlim(-1.7, 1.7)
        ax_e.set_ylim(-1.7, 1.7)
        ax_e.set_aspect("equal")
        ax_e.set_xlabel("real part")
        ax_e.set_ylabel("imaginary part")
        ax_e.set_title("Eigenvalues of $W_h$")
        ax_e.legend(loc="upper right", fontsize="x-small" if not presenter else "small")

    def update(rho, activation, input_scale):
        Wh = rho * W1
        if activation == "linear":
            norms = jacobian_norms(Wh, activation="linear", T=T)
        else:
            h, _ = rnn_forward(input_scale * x, zeros_h, eye, Wh, zeros_b, activation=activation)
            norms = jacobian_norms(Wh, h[0], activation)
        lam1 = rho * sv1
        gamma = GAMMA[activation]
        with np.errstate(over="ignore", under="ignore"):
            bound = (gamma * lam1) ** lags
            rate = rho**lags
        norm_line.set_data(lags, np.maximum(norms, FLOOR))
        bound_line.set_data(lags, np.clip(bound, FLOOR, 1e300))
        rate_line.set_data(lags, np.clip(rate, FLOOR, 1e300))
        points.set_offsets(np.c_[rho * eig1.real, rho * eig1.imag])
        radius_line.set_data(rho * np.cos(theta), rho * np.sin(theta))
        # Short on purpose: matplotlib renders text glyph by glyph, ~0.1 ms each, on every update.
        verdict = "< 1: must vanish" if gamma * lam1 < 1 else "> 1: may explode"
        caption.set_text(f"γλ\u2081 = {gamma * lam1:.2f} {verdict}\nat lag {T - 1}: {norms[-1]:.2g}")
        return False

    controls = {
        "rho": float_slider("spectral radius", float(rho), 0.5, 1.5, 0.01, presenter=presenter),
        "activation": dropdown("activation", SPECTRAL_ACTIVATIONS, activation, presenter=presenter),
        "input_scale": float_slider("input scale", float(input_scale), 0.0, 3.0, 0.05, presenter=presenter),
    }
    return Demo("Spectral radius and the gradient through time", fig, update, controls,
                animated=[norm_line, bound_line, rate_line, points, radius_line, caption],
                presets=SPECTRAL_PRESETS,
                description="Below 1 the gradient vanishes geometrically, above 1 a linear RNN's explodes; "
                            "with tanh, saturation can make it vanish anyway.",
                presenter=presenter)

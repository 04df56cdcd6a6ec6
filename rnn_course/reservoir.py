"""Echo state networks: a fixed random recurrent net, and a linear read-out fitted by least squares.

Jaeger (2001) sidestepped the trouble with training recurrent weights by not
training them. The reservoir is the course's ordinary tanh RNN,

    h_t = tanh(x_t Wx + h_{t-1} Wh + b),    h_0 = 0,  t = 1 .. T

with Wx, Wh, b drawn at random once and never changed. Wh is rescaled to a
spectral radius below 1, so the state is an "echo" of the recent inputs that
fades (the echo state property: after a while h_t no longer depends on h_0).
Only the read-out y_hat_t = h_t Wy + by is learned, and that is linear
regression: stack the states of every step, solve the regularised normal
equations (ridge regression) once. No gradient flows through time, so
nothing can vanish or explode.

    reservoir = random_reservoir(D=1, H=200, spectral_radius=0.8, rng=0)
    h = reservoir_states(x, reservoir)                  # (N, T, H)
    readout = fit_readout(h, y, ridge=1e-6, washout=50)
    y_hat = readout_forward(h, readout)                 # (N, T, K)

Dimensions: N batch, T time, D input, H reservoir units, K outputs.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import as_array, check_finite, check_shape
from .cells import rnn_forward
from .init import as_rng

__all__ = ["Reservoir", "Readout", "random_reservoir", "reservoir_states", "fit_readout", "readout_forward"]


class Reservoir(NamedTuple):
    """The fixed weights of an echo state network: Wx (D, H), Wh (H, H), b (H,)."""

    Wx: np.ndarray
    Wh: np.ndarray
    b: np.ndarray


class Readout(NamedTuple):
    """The fitted linear read-out: Wy (H, K), by (K,)."""

    Wy: np.ndarray
    by: np.ndarray


def _positive(name: str, value, *, integer: bool = False, allow_zero: bool = False):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name}: expected a number, got {value!r}")
    if integer and int(value) != value:
        raise ValueError(f"{name}: expected an integer, got {value!r}")
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name}: expected a {'non-negative' if allow_zero else 'positive'} number, got {value!r}")
    return int(value) if integer else float(value)


def random_reservoir(D: int, H: int, *, spectral_radius: float = 0.9, input_scale: float = 1.0,
                     bias_scale: float = 0.2, rng=None) -> Reservoir:
    """Draw a reservoir: Gaussian Wh rescaled to ``spectral_radius``, uniform Wx and b.

    Inputs:
        D: input size; H: number of reservoir units
        spectral_radius: max |eigenvalue| of Wh (below 1 for fading memory)
        input_scale: Wx ~ U(-input_scale, input_scale)
        bias_scale: b ~ U(-bias_scale, bias_scale)
        rng: Generator, seed or None
    Returns:
        Reservoir(Wx (D, H), Wh (H, H), b (H,))
    """
    D = _positive("D", D, integer=True)
    H = _positive("H", H, integer=True)
    spectral_radius = _positive("spectral_radius", spectral_radius)
    input_scale = _positive("input_scale", input_scale, allow_zero=True)
    bias_scale = _positive("bias_scale", bias_scale, allow_zero=True)
    rng = as_rng(rng)
    Wh = rng.standard_normal((H, H))
    Wh *= spectral_radius / np.max(np.abs(np.linalg.eigvals(Wh)))
    Wx = rng.uniform(-input_scale, input_scale, size=(D, H))
    b = rng.uniform(-bias_scale, bias_scale, size=H)
    return Reservoir(Wx, Wh, b)


def _check_reservoir(reservoir) -> Reservoir:
    if not isinstance(reservoir, Reservoir):
        raise ValueError(f"reservoir: expected a Reservoir from random_reservoir, got {type(reservoir).__name__}")
    return reservoir


def reservoir_states(x, reservoir: Reservoir, h0=None) -> np.ndarray:
    """The reservoir's states h_1 .. h_T: an ordinary tanh RNN forward pass with fixed weights.

    Inputs:
        x: (N, T, D) inputs; reservoir: from ``random_reservoir``
        h0: (N, H) initial state, or None for zeros
    Returns:
        h: (N, T, H)
    """
    reservoir = _check_reservoir(reservoir)
    x = as_array("x", x)
    check_shape("x", x, ("N", "T", "D"), {"D": reservoir.Wx.shape[0]})
    h, _ = rnn_forward(x, h0, reservoir.Wx, reservoir.Wh, reservoir.b)
    return h


def fit_readout(h, y, *, ridge: float = 1e-6, washout: int = 0) -> Readout:
    """Least-squares read-out from states to targets (ridge regression), fitted in one solve.

    Minimises sum over sequences n and steps t > washout of
    ||h_t Wy + by - y_t||^2 + ridge ||Wy||^2 (the bias is not penalised).
    The first ``washout`` steps are left out: there the state still remembers
    h_0 rather than the inputs.

    Inputs:
        h: (N, T, H) reservoir states; y: (N, T, K) targets
        ridge: the regularisation strength (>= 0)
        washout: number of initial steps to ignore (< T)
    Returns:
        Readout(Wy (H, K), by (K,))
    """
    h = as_array("h", h)
    dims: dict[str, int] = {}
    check_shape("h", h, ("N", "T", "H"), dims)
    y = as_array("y", y)
    check_shape("y", y, ("N", "T", "K"), dims)
    check_finite("h", h)
    check_finite("y", y)
    ridge = _positive("ridge", ridge, allow_zero=True)
    washout = _positive("washout", washout, integer=True, allow_zero=True)
    if washout >= dims["T"]:
        raise ValueError(f"washout: expected fewer steps than T = {dims['T']}, got {washout}")
    H, K = dims["H"], dims["K"]
    states = h[:, washout:].reshape(-1, H)
    targets = y[:, washout:].reshape(-1, K)
    design = np.concatenate([states, np.ones((len(states), 1))], axis=1)  # [h_t, 1]: the last row of W is by
    penalty = ridge * np.eye(H + 1)
    penalty[H, H] = 0.0
    W = np.linalg.solve(design.T @ design + penalty, design.T @ targets)  # (H + 1, K)
    return Readout(W[:H], W[H])


def readout_forward(h, readout: Readout) -> np.ndarray:
    """y_hat_t = h_t Wy + by at every step. h: (N, T, H) -> (N, T, K)."""
    if not isinstance(readout, Readout):
        raise ValueError(f"readout: expected a Readout from fit_readout, got {type(readout).__name__}")
    h = as_array("h", h)
    check_shape("h", h, ("N", "T", "H"), {"H": readout.Wy.shape[0]})
    return h @ readout.Wy + readout.by

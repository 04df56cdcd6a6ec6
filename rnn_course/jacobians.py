"""Jacobian products through time: how a gradient shrinks or grows as it flows back, and its bound.

For h_t = f(a_t), a_t = x_t Wx + h_{t-1} Wh + b (row vectors, as in ``cells``;
t = 1 .. T, h_0 given), the Jacobian of one step is

    J_t = dh_t / dh_{t-1} = diag(f'(a_t)) Wh^T          (H, H), J_t[i, j] = dh_t[i] / dh_{t-1}[j]

and the chain rule multiplies them from the last step back:

    dh_T / dh_k = J_T J_{T-1} ... J_{k+1}               (T - k factors)

A gradient (a row, like h) arriving at h_T reaches h_k as g J_T ... J_{k+1};
one factor is the line ``dh_prev = (dh * f'(a_t)) @ Wh.T`` of BPTT. With gamma
a bound on |f'| (1 for tanh and ReLU, 1/4 for the sigmoid) and lambda_1 the
largest singular value of Wh,

    || dh_T / dh_k ||  <=  (gamma * lambda_1) ** (T - k).

Pascanu, Mikolov & Bengio (2013): lambda_1 < 1/gamma is *sufficient* for
the gradient to vanish exponentially; lambda_1 > 1/gamma is *necessary* for it
to explode, but not sufficient (the bound is only an upper bound: saturated
units make f' small and the product can still vanish).

Dimensions: N batch, T time, D input, H hidden.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import as_array, check_choice, check_finite, check_shape
from .init import as_rng, orthogonal

__all__ = [
    "GAMMA",
    "FLOW_ACTIVATIONS",
    "recurrent_matrix",
    "spectrum",
    "Spectrum",
    "simulate_states",
    "jacobian_products",
    "jacobian_norms",
    "norm_bound",
]

#: sup |f'|: the gamma of Pascanu et al.'s bound, per activation
GAMMA = {"linear": 1.0, "tanh": 1.0, "relu": 1.0, "sigmoid": 0.25}
FLOW_ACTIVATIONS = tuple(GAMMA)


class Spectrum(NamedTuple):
    """Eigenvalues (complex, (H,)) and singular values (descending, (H,)) of a square matrix."""

    eigenvalues: np.ndarray
    singular_values: np.ndarray

    @property
    def spectral_radius(self) -> float:
        """max |eigenvalue|: the growth rate of ||Wh^k|| as k grows."""
        return float(np.max(np.abs(self.eigenvalues)))

    @property
    def largest_singular_value(self) -> float:
        """lambda_1 = ||Wh||_2: the most one multiplication can stretch a vector."""
        return float(self.singular_values[0])


def _check_square(name, W):
    W = as_array(name, W)
    dims: dict[str, int] = {}
    check_shape(name, W, ("H", "H"), dims if W.ndim != 2 else {"H": W.shape[0]})
    check_finite(name, W)
    return W


def recurrent_matrix(H: int, spectral_radius: float = 1.0, kind: str = "normal", rng=0) -> np.ndarray:
    """An (H, H) recurrent matrix rescaled so its spectral radius is exactly ``spectral_radius``.

    kind:
        "normal": Gaussian entries (eigenvalues fill a disc; the largest
            singular value is about twice the spectral radius for large H)
        "orthogonal": a random orthogonal matrix (every |eigenvalue| and every
            singular value equals ``spectral_radius``)
    """
    check_choice("kind", kind, ("normal", "orthogonal"))
    if isinstance(H, bool) or not isinstance(H, (int, np.integer)) or H < 1:
        raise ValueError(f"H: expected an integer >= 1, got {H!r}")
    if not (np.isfinite(spectral_radius) and spectral_radius >= 0):
        raise ValueError(f"spectral_radius: expected a number >= 0, got {spectral_radius!r}")
    rng = as_rng(rng)
    if kind == "orthogonal":
        return spectral_radius * orthogonal((H, H), rng=rng)
    W = rng.standard_normal((H, H))
    return W * (spectral_radius / np.max(np.abs(np.linalg.eigvals(W))))


def spectrum(Wh) -> Spectrum:
    """Eigenvalues and singular values of the recurrent matrix Wh (H, H)."""
    Wh = _check_square("Wh", Wh)
    return Spectrum(np.linalg.eigvals(Wh), np.linalg.svd(Wh, compute_uv=False))


def simulate_states(Wh, T: int, activation: str = "tanh", input_scale: float = 1.0, rng=0) -> np.ndarray:
    """Hidden states h_1 .. h_T, (T, H), of an RNN with recurrent matrix Wh driven by Gaussian inputs.

    h_t = f(h_{t-1} Wh + input_scale * x_t), x_t ~ N(0, I_H), h_0 = 0, t = 1 .. T, using
    ``rnn_forward`` for tanh and ReLU. For "linear" and "sigmoid" the states
    are computed here (the cells have no such activation).
    """
    from .activations import sigmoid
    from .cells import rnn_forward

    Wh = _check_square("Wh", Wh)
    check_choice("activation", activation, FLOW_ACTIVATIONS)
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 1:
        raise ValueError(f"T: expected an integer >= 1, got {T!r}")
    H = Wh.shape[0]
    x = input_scale * as_rng(rng).standard_normal((1, T, H))
    if activation in ("tanh", "relu"):
        h, _ = rnn_forward(x, np.zeros((1, H)), np.eye(H), Wh, np.zeros(H), activation=activation)
        return h[0]
    h = np.empty((T, H))
    prev = np.zeros(H)
    for t in range(T):
        a = prev @ Wh + x[0, t]
        prev = h[t] = a if activation == "linear" else sigmoid(a)
    return h


def _derivatives(h, activation):
    if activation == "linear":
        return np.ones_like(h)
    if activation == "tanh":
        return 1.0 - h * h
    if activation == "relu":
        return (h > 0).astype(float)
    return h * (1.0 - h)  # sigmoid, from its output


def jacobian_products(Wh, h, activation: str = "tanh") -> np.ndarray:
    """P[lag] = dh_T / dh_{T-lag} = J_T J_{T-1} ... J_{T-lag+1} for lag = 0 .. T-1 (P[0] is the identity).

    Inputs:
        Wh: (H, H) recurrent matrix
        h: (T, H) hidden states h_1 .. h_T of one sequence (``rnn_forward``'s
            h[n]; f'(a_t) is read off h_t)
        activation: "linear", "tanh", "relu" or "sigmoid"
    Returns:
        P: (T, H, H) with J_t = diag(f'(a_t)) Wh^T: backpropagation sends a
        gradient g at h_T back to h_{T-lag} as g @ P[lag] (what
        ``rnn_backward``'s dh_all holds when only the last step has a loss).
    """
    Wh = _check_square("Wh", Wh)
    check_choice("activation", activation, FLOW_ACTIVATIONS)
    h = as_array("h", h)
    check_shape("h", h, ("T", "H"), {"H": Wh.shape[0]})
    T, H = h.shape
    fprime = _derivatives(h, activation)  # fprime[t - 1] is f'(a_t)
    P = np.empty((T, H, H))
    P[0] = np.eye(H)
    for lag in range(1, T):
        t = T - lag + 1  # the step whose Jacobian joins the product: J_t = diag(f'(a_t)) Wh^T
        J_t = fprime[t - 1][:, None] * Wh.T
        np.matmul(P[lag - 1], J_t, out=P[lag])
    return P


def jacobian_norms(Wh, h=None, activation: str = "tanh", T: int | None = None) -> np.ndarray:
    """||dh_T / dh_{T-lag}||_2 (largest singular value) for lag = 0 .. T-1.

    Inputs:
        Wh: (H, H); h: (T, H) states, or None with activation "linear" and T
            given (a linear RNN's Jacobian product is Wh^lag, whatever the input)
    Returns:
        norms: (T,), norms[0] = 1
    """
    check_choice("activation", activation, FLOW_ACTIVATIONS)
    if h is None:
        if activation != "linear" or T is None:
            raise ValueError("h: expected the (T, H) hidden states (h may be None only for "
                             f"activation='linear' with T given), got None with activation={activation!r}")
        Wh = _check_square("Wh", Wh)
        h = np.zeros((int(T), Wh.shape[0]))
    P = jacobian_products(Wh, h, activation)
    # lambda_max(P P^T) by a symmetric eigensolver: twice as fast as a batched SVD (it matters in
    # the demos); each P is first divided by its largest entry so the square cannot overflow.
    scale = np.abs(P).max(axis=(1, 2))
    scale[scale == 0] = 1.0
    Q = P / scale[:, None, None]
    top = np.linalg.eigvalsh(Q @ Q.transpose(0, 2, 1))[:, -1]
    return scale * np.sqrt(np.maximum(top, 0.0))


def norm_bound(Wh, lags, activation: str = "tanh") -> np.ndarray:
    """Pascanu et al.'s bound (gamma * lambda_1) ** lag on ||dh_T / dh_{T-lag}||, per lag."""
    check_choice("activation", activation, FLOW_ACTIVATIONS)
    lam1 = spectrum(Wh).largest_singular_value
    return (GAMMA[activation] * lam1) ** np.asarray(lags, dtype=float)

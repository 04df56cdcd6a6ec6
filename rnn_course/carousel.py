"""The constant error carousel (lesson 04): a hand-set LSTM cell that stores a number, and gradient flow in gated cells.

**The hand-set cell.** One LSTM unit (H = 1) reads three input channels per
step, x_t = (v_t, write_t, read_t): a value and two 0/1 flags. Its weights
are set by hand, not learned:

    i_t = sigmoid(GAIN (write_t - 1/2))       input gate: open only when write_t = 1
    f_t = sigmoid(b_f)                        forget gate: a constant, set by ``forget``
    g_t = tanh(SCALE v_t)                     candidate: the value, squashed
    o_t = sigmoid(GAIN (read_t - 1/2))        output gate: open only when read_t = 1
    c_t = f_t c_{t-1} + i_t g_t               the carousel
    h_t = o_t tanh(c_t)

With GAIN = 40 a gate is 1 - 2e-9 when open and 2e-9 when shut. With
``forget`` = 1 the bias is 40 and f = sigmoid(40) = 1.0 exactly in float64:
c holds tanh(SCALE v) from the write step on, untouched by the values that
arrive while the input gate is shut, and shows it in h only at the read
step. Since W_h = 0 here, dc_T/dc_k = f^(T-k): exactly 1 for f = 1.

**Gradient flow.** ``state_jacobian_norms`` measures ||ds_T/ds_k|| for any
cell along one input sequence: s = c for an LSTM (the carousel), s = h for
the GRU and the vanilla RNN. For the gated cells it sends the identity
matrix back through the package's own step backward functions (each row of
the result is one row of the Jacobian product); for the vanilla RNN it uses
``jacobians.jacobian_norms`` (lesson 03).

Dimensions: T time, D input, H hidden. Time runs 1..T in the arguments that
name a step (``t_write``, ``t_read``), as in the lessons' maths.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import as_array, check_choice, check_finite, check_shape
from .cells import get_cell, gru_step_backward, gru_step_forward, lstm_forward, lstm_step_backward, lstm_step_forward
from .init import as_rng
from .jacobians import jacobian_norms

__all__ = [
    "CAROUSEL_GAIN",
    "CAROUSEL_SCALE",
    "FORGET_OPEN_BIAS",
    "CarouselRun",
    "carousel_params",
    "carousel_inputs",
    "run_carousel",
    "tanh_hold_slope",
    "state_jacobian_norms",
]

#: gate pre-activation GAIN * (flag - 1/2): sigmoid(+-20) = 1 - 2e-9 or 2e-9
CAROUSEL_GAIN = 40.0
#: the candidate is tanh(SCALE v): values up to about +-5 stay in tanh's invertible, unsaturated range
CAROUSEL_SCALE = 0.2
#: the forget-gate bias used for forget = 1: sigmoid(40) rounds to exactly 1.0 in float64
FORGET_OPEN_BIAS = 40.0


class CarouselRun(NamedTuple):
    """One run of the hand-set carousel cell over T steps (arrays indexed by step t - 1)."""

    x: np.ndarray  # (T, 3) inputs: value, write flag, read flag
    i: np.ndarray  # (T,) input gate
    f: np.ndarray  # (T,) forget gate
    g: np.ndarray  # (T,) candidate
    o: np.ndarray  # (T,) output gate
    c: np.ndarray  # (T,) cell state
    h: np.ndarray  # (T,) hidden state (the cell's output)
    t_write: int  # step (1..T) at which the input gate opens
    t_read: int  # step (1..T) at which the output gate opens
    value: float  # the value presented at t_write

    @property
    def stored(self) -> float:
        """What the cell writes into c at t_write: tanh(SCALE * value)."""
        return float(np.tanh(CAROUSEL_SCALE * self.value))

    @property
    def recalled(self) -> float:
        """The value recovered from the cell state at the read step: atanh(c) / SCALE."""
        c = float(np.clip(self.c[self.t_read - 1], -1 + 1e-15, 1 - 1e-15))
        return float(np.arctanh(c) / CAROUSEL_SCALE)

    @property
    def carousel_gradient(self) -> np.ndarray:
        """(t_read,) dc_read / dc_k for k = 1 .. t_read: the product of the forget gates f_(k+1) .. f_read."""
        f = self.f[: self.t_read]
        out = np.ones(self.t_read)
        out[:-1] = np.cumprod(f[:0:-1])[::-1]
        return out


def _forget_bias(forget: float) -> float:
    if not (0.0 <= forget <= 1.0):
        raise ValueError(f"forget: expected a forget-gate value in [0, 1], got {forget!r}")
    if forget >= 1.0:
        return FORGET_OPEN_BIAS
    if forget <= 0.0:
        return -FORGET_OPEN_BIAS
    return float(np.log(forget) - np.log1p(-forget))  # logit: sigmoid(b) = forget


def carousel_params(forget: float = 1.0) -> dict:
    """The hand-set weights ``{"Wx": (3, 4), "Wh": (1, 4), "b": (4,)}`` (gate blocks i, f, g, o).

    forget: the constant forget-gate value f in [0, 1] (1: keep c forever).
    """
    k = CAROUSEL_GAIN
    Wx = np.zeros((3, 4))
    b = np.zeros(4)
    Wx[1, 0], b[0] = k, -k / 2  # i: write flag
    b[1] = _forget_bias(forget)  # f: constant
    Wx[0, 2] = CAROUSEL_SCALE  # g: the value
    Wx[2, 3], b[3] = k, -k / 2  # o: read flag
    return {"Wx": Wx, "Wh": np.zeros((1, 4)), "b": b}


def _check_step(name, t, T):
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or not 1 <= t <= T:
        raise ValueError(f"{name}: expected a step in 1..T = 1..{T}, got {t!r}")
    return int(t)


def carousel_inputs(T: int = 60, value: float = 4.2, t_write: int = 10, t_read: int = 50,
                    distractors: float = 5.0, rng=0) -> np.ndarray:
    """Inputs (T, 3) for the carousel cell: value v_t, write flag, read flag.

    The value channel holds ``value`` at t_write and, at every other step,
    a distractor drawn uniformly from [-distractors, distractors] (0: none)
    that the shut input gate must keep out.
    """
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 2:
        raise ValueError(f"T: expected an integer >= 2, got {T!r}")
    t_write, t_read = _check_step("t_write", t_write, T), _check_step("t_read", t_read, T)
    if not np.isfinite(value):
        raise ValueError(f"value: expected a finite number, got {value!r}")
    if not (distractors >= 0):
        raise ValueError(f"distractors: expected a number >= 0, got {distractors!r}")
    x = np.zeros((int(T), 3))
    x[:, 0] = as_rng(rng).uniform(-distractors, distractors, size=T)
    x[t_write - 1, 0] = value
    x[t_write - 1, 1] = 1.0
    x[t_read - 1, 2] = 1.0
    return x


def run_carousel(T: int = 60, value: float = 4.2, t_write: int = 10, t_read: int = 50, forget: float = 1.0,
                 distractors: float = 5.0, rng=0) -> CarouselRun:
    """Run the hand-set cell (``carousel_params``) on ``carousel_inputs`` with ``lstm_forward``."""
    x = carousel_inputs(T, value, t_write, t_read, distractors, rng)
    p = carousel_params(forget)
    h, cache = lstm_forward(x[None], None, p["Wx"], p["Wh"], p["b"])
    gates = cache.gates[0]  # (T, 4): i, f, g, o
    return CarouselRun(x, gates[:, 0].copy(), gates[:, 1].copy(), gates[:, 2].copy(), gates[:, 3].copy(),
                       cache.c[0, :, 0].copy(), h[0, :, 0].copy(), int(t_write), int(t_read), float(value))


def tanh_hold_slope(stored) -> np.ndarray:
    """dh_t/dh_(t-1) of a one-unit tanh RNN, h_t = tanh(w h_(t-1)), that holds ``stored`` as a fixed point.

    Holding h* = stored needs w = atanh(h*)/h*; the slope there is
    w (1 - h*^2) < 1 for every h* != 0 (the fixed point attracts), so the
    gradient over k steps shrinks like slope^k: a tanh unit can only keep
    a value by forgetting where it came from. Returns 1 at h* = 0.
    """
    s = np.abs(as_array("stored", stored))
    if np.any(s >= 1):
        raise ValueError("stored: expected values in (-1, 1) (a tanh unit's range), got "
                         f"{float(np.max(s))!r}")
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.where(s > 1e-8, np.arctanh(s) / np.where(s > 1e-8, s, 1.0) * (1 - s * s), 1.0)
    return slope


def _one_sequence(x, D):
    x = as_array("x", x)
    if x.ndim == 3:
        if x.shape[0] != 1:
            raise ValueError(f"x: expected one sequence of shape (T, D) or (1, T, D), got a batch of shape {x.shape}")
        x = x[0]
    check_shape("x", x, ("T", "D"), {"D": D})
    check_finite("x", x)
    return x


def state_jacobian_norms(cell: str, x, Wx, Wh, b, *, state: str | None = None) -> np.ndarray:
    """||ds_T / ds_(T-lag)||_2 (spectral norm) for lag = 0 .. T-1 along one input sequence.

    Inputs:
        cell: "rnn", "rnn_relu", "lstm" or "gru"
        x: (T, D) one input sequence (or (1, T, D)); the initial state is zero
        Wx, Wh, b: the cell's parameters
        state: "c" (LSTM only, the default there: the carousel) or "h"
    Returns:
        norms: (T,), norms[0] = 1. For the LSTM, ds_T/ds_k is the partial
        derivative with the other state (h_k for s = c) held fixed, which is
        what the backward pass carries from step to step.
    """
    spec = get_cell(cell)
    Wx, Wh, b = as_array("Wx", Wx), as_array("Wh", Wh), as_array("b", b)
    if Wh.ndim != 2:
        raise ValueError(f"Wh: expected a 2-D array of shape (H, {spec.gates}H), got shape {Wh.shape}")
    H = Wh.shape[0]
    check_shape("Wh", Wh, ("H", f"{spec.gates}H"), {"H": H})
    check_shape("Wx", Wx, ("D", f"{spec.gates}H"), {"H": H})
    check_shape("b", b, (f"{spec.gates}H",), {"H": H})
    x = _one_sequence(x, Wx.shape[0])
    T = x.shape[0]
    if state is None:
        state = "c" if spec.name == "lstm" else "h"
    check_choice("state", state, ("c", "h") if spec.name == "lstm" else ("h",))
    if spec.name in ("rnn", "rnn_relu"):
        h, _ = spec.forward(x[None], None, Wx, Wh, b)
        return jacobian_norms(Wh, h[0], "tanh" if spec.name == "rnn" else "relu")

    # H identical copies of the sequence: row j of the upstream gradient is e_j, so
    # after stepping back to step k, row j holds d s_T[j] / d s_k (one row of the product).
    xs = np.repeat(x[:, None, :], H, axis=1)  # (T, H, D)
    h_prev, c_prev = np.zeros((H, H)), np.zeros((H, H))
    caches = []
    for t in range(T):
        if spec.name == "lstm":
            h_prev, c_prev, cache = lstm_step_forward(xs[t], h_prev, c_prev, Wx, Wh, b)
        else:
            h_prev, cache = gru_step_forward(xs[t], h_prev, Wx, Wh, b)
        caches.append(cache)
    products = np.empty((T, H, H))
    products[0] = np.eye(H)
    dh = np.eye(H) if state == "h" else np.zeros((H, H))
    dc = np.eye(H) if state == "c" else np.zeros((H, H))
    for t in range(T - 1, 0, -1):
        if spec.name == "lstm":
            grads = lstm_step_backward(dh, dc, caches[t])
            dh, dc = grads.dh_prev, grads.dc_prev
        else:
            dh = gru_step_backward(dh, caches[t]).dh_prev
        products[T - t] = dc if state == "c" else dh
    return np.linalg.norm(products, ord=2, axis=(1, 2))

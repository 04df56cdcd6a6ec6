"""LSTM cell: forward and hand-written backward, one step and a whole sequence.

Dimensions: N batch, T time, D input, H hidden. Gate blocks are ordered
i, f, g, o (input, forget, candidate, output), as in PyTorch:

    a = x Wx + h_prev Wh + b                      (N, 4H)
    i = sigmoid(a[:, 0:H])      f = sigmoid(a[:, H:2H])
    g = tanh(a[:, 2H:3H])       o = sigmoid(a[:, 3H:4H])
    c = f * c_prev + i * g
    h = o * tanh(c)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import as_array, check_finite, check_shape
from ._common import (
    Grads,
    bptt,
    check_cache,
    check_cell_args,
    check_truncate,
    check_upstream,
    input_grads,
    project_inputs,
    recurrent_grad,
)

__all__ = [
    "LSTMStepCache",
    "LSTMCache",
    "lstm_step_forward",
    "lstm_step_backward",
    "lstm_forward",
    "lstm_backward",
]


class LSTMStepCache(NamedTuple):
    """What ``lstm_step_backward`` needs from ``lstm_step_forward``."""

    x: np.ndarray  # (N, D)
    h_prev: np.ndarray  # (N, H)
    c_prev: np.ndarray  # (N, H)
    gates: np.ndarray  # (N, 4H) activated gates [i, f, g, o]
    tanh_c: np.ndarray  # (N, H)
    Wx: np.ndarray  # (D, 4H)
    Wh: np.ndarray  # (H, 4H)


class LSTMCache(NamedTuple):
    """What ``lstm_backward`` needs from ``lstm_forward``. Arrays are time-major."""

    x: np.ndarray  # (T, N, D)
    h0: np.ndarray  # (N, H)
    c0: np.ndarray  # (N, H)
    h: np.ndarray  # (T, N, H)
    c: np.ndarray  # (T, N, H)
    gates: np.ndarray  # (T, N, 4H) activated gates [i, f, g, o]
    tanh_c: np.ndarray  # (T, N, H)
    Wx: np.ndarray  # (D, 4H)
    Wh: np.ndarray  # (H, 4H)


def _gate_scales(H, dtype):
    """Per-column scale and offset that turn tanh of the halved pre-activations into the gates.

    sigmoid(a) = 1/2 + tanh(a/2)/2. The sigmoid blocks (i, f, o) are fed a/2,
    which costs nothing when the halving is folded into the weights (a power
    of two, so it is exact); then one tanh over the whole (N, 4H) array and a
    multiply-add by these vectors give all four gates: (1/2, 1/2) on i, f, o
    and (1, 0) on g.
    """
    half = np.full(4 * H, 0.5, dtype=dtype)
    half[2 * H : 3 * H] = 1.0
    offset = np.full(4 * H, 0.5, dtype=dtype)
    offset[2 * H : 3 * H] = 0.0
    return half, offset


def _activate(a, half, offset):
    """Gates from halved pre-activations (a * half), in place."""
    np.tanh(a, out=a)
    a *= half
    a += offset
    return a


def _check_c(name, c, N, H):
    if c is None:
        return np.zeros((N, H))
    c = as_array(name, c)
    check_shape(name, c, ("N", "H"), {"N": N, "H": H})
    check_finite(name, c)
    return c


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """One step of an LSTM.

    Inputs:
        x: (N, D), h_prev: (N, H), c_prev: (N, H)
        Wx: (D, 4H), Wh: (H, 4H), b: (4H,), gate blocks i, f, g, o
    Returns:
        h: (N, H), c: (N, H), cache: LSTMStepCache
    """
    x, h_prev, Wx, Wh, b, dims = check_cell_args(
        x, h_prev, Wx, Wh, b, gates=4, sequence=False, h_name="h_prev", cell="lstm"
    )
    N, H = dims["N"], dims["H"]
    c_prev = _check_c("c_prev", c_prev, N, H)
    half, offset = _gate_scales(H, np.result_type(x, Wx))
    gates = _activate((x @ Wx + h_prev @ Wh + b) * half, half, offset)
    i, f, g, o = gates[:, :H], gates[:, H : 2 * H], gates[:, 2 * H : 3 * H], gates[:, 3 * H :]
    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    h = o * tanh_c
    return h, c, LSTMStepCache(x, h_prev, c_prev, gates, tanh_c, Wx, Wh)


def _local_backward(gates, c_prev, tanh_c, Wh):
    """Backward through LSTM steps, for one step (idx an int or ...) or a slice of steps.

    With s(1 - s) the derivative of a sigmoid gate s:

        dc    = dc_next + dh * o (1 - tanh(c)^2)
        da_i  = dc * g i (1 - i)          da_f = dc * c_prev f (1 - f)
        da_g  = dc * i (1 - g^2)          da_o = dh * tanh(c) o (1 - o)

    Each step's gate derivatives are formed inside the loop, from the step's
    slice of the cache: precomputing them for the whole sequence costs more
    than it saves, because the (T, N, 4H) result no longer fits in cache when
    the loop reads it back.
    """
    H = Wh.shape[0]
    WhT = np.ascontiguousarray(Wh.T)  # a copy: da @ Wh.T straight from the flag runs ~1.5x slower here
    dc_from_h = tanh_c * tanh_c
    np.subtract(1.0, dc_from_h, out=dc_from_h)
    dc_from_h *= gates[..., 3 * H :]

    def local(dstate, idx, out=None):
        dh, dc_next = dstate
        dc = dh * dc_from_h[idx]
        dc += dc_next
        a = gates[idx]
        i, f, g = a[..., :H], a[..., H : 2 * H], a[..., 2 * H : 3 * H]
        da = np.subtract(1.0, a, out=out)
        da *= a  # s (1 - s) in every block; the g block is overwritten below
        da_i, da_f, da_g, da_o = da[..., :H], da[..., H : 2 * H], da[..., 2 * H : 3 * H], da[..., 3 * H :]
        da_i *= g
        da_i *= dc
        da_f *= c_prev[idx]
        da_f *= dc
        np.multiply(g, g, out=da_g)
        np.subtract(1.0, da_g, out=da_g)
        da_g *= i
        da_g *= dc
        da_o *= tanh_c[idx]
        da_o *= dh
        return da, (da @ WhT, dc * f), (dh, dc)

    return local


def lstm_step_backward(dh, dc, cache):
    """Backward pass for one LSTM step.

    Inputs:
        dh: (N, H) gradient with respect to the step's h
        dc: (N, H) gradient with respect to the step's c (from the next step)
        cache: LSTMStepCache from ``lstm_step_forward``
    Returns (a ``Grads`` tuple):
        dx: (N, D), dh_prev: (N, H), dc_prev: (N, H), dWx: (D, 4H), dWh: (H, 4H), db: (4H,)
    """
    check_cache(cache, LSTMStepCache, "lstm_step_forward")
    dh = check_upstream("dh", dh, cache.h_prev.shape, ("N", "H"))
    dc = check_upstream("dc", dc, cache.c_prev.shape, ("N", "H"))
    local = _local_backward(cache.gates, cache.c_prev, cache.tanh_c, cache.Wh)
    da, (dh_prev, dc_prev), _ = local((dh, dc), Ellipsis)
    return Grads(
        ("dx", "dh_prev", "dc_prev", "dWx", "dWh", "db"),
        (da @ cache.Wx.T, dh_prev, dc_prev, cache.x.T @ da, cache.h_prev.T @ da, da.sum(axis=0)),
    )


def lstm_forward(x, h0, Wx, Wh, b, c0=None):
    """Run an LSTM over a whole sequence.

    Inputs:
        x: (N, T, D), h0: (N, H) (None means zeros)
        Wx: (D, 4H), Wh: (H, 4H), b: (4H,), gate blocks i, f, g, o
        c0: (N, H) initial cell state, zeros when None
    Returns:
        h: (N, T, H) hidden states, cache: LSTMCache
    The cell states are in ``cache.c`` (time-major, (T, N, H)).
    """
    x, h0, Wx, Wh, b, dims = check_cell_args(x, h0, Wx, Wh, b, gates=4, sequence=True, h_name="h0", cell="lstm")
    N, T, H = dims["N"], dims["T"], dims["H"]
    c0 = _check_c("c0", c0, N, H)
    half, offset = _gate_scales(H, np.result_type(x, Wx))
    Wh_half = Wh * half
    # gates hold (x_t Wx + b) * half until step t activates them
    x_tm, gates = project_inputs(x, Wx * half, b * half)
    h = np.empty((T, N, H), dtype=gates.dtype)
    c = np.empty((T, N, H), dtype=gates.dtype)
    tanh_c = np.empty((T, N, H), dtype=gates.dtype)
    ig = np.empty((N, H), dtype=gates.dtype)
    h_prev, c_prev = h0, c0
    for t in range(T):
        a = gates[t]
        a += h_prev @ Wh_half
        _activate(a, half, offset)
        np.multiply(a[:, H : 2 * H], c_prev, out=c[t])
        np.multiply(a[:, :H], a[:, 2 * H : 3 * H], out=ig)
        c[t] += ig
        np.tanh(c[t], out=tanh_c[t])
        np.multiply(a[:, 3 * H :], tanh_c[t], out=h[t])
        h_prev, c_prev = h[t], c[t]
    return h.transpose(1, 0, 2), LSTMCache(x_tm, h0, c0, h, c, gates, tanh_c, Wx, Wh)


def lstm_backward(dh, cache, truncate=None, truncate_mode="chunk", *, dc=None):
    """Backpropagation through time for an LSTM.

    Inputs:
        dh: (N, T, H) gradient of the loss with respect to every hidden state
        cache: LSTMCache from ``lstm_forward``
        truncate, truncate_mode: as in ``rnn_backward``
        dc: (N, T, H) gradient of the loss with respect to the cell states
            that reaches them from outside the LSTM, e.g. an encoder's final
            c passed to a decoder (None: zeros, the usual case)
    Returns (a ``Grads`` tuple):
        dx: (N, T, D), dh0: (N, H), dWx: (D, 4H), dWh: (H, 4H), db: (4H,)
    and, as attributes only:
        dc0: (N, H) gradient with respect to c0
        dh_all: (N, T, H) total gradient arriving at each h_t
        dc_all: (N, T, H) total gradient arriving at each c_t
    """
    check_cache(cache, LSTMCache, "lstm_forward")
    check_truncate(truncate, truncate_mode)
    T, N, H = cache.h.shape
    dh = check_upstream("dh", dh, (N, T, H), ("N", "T", "H"))
    c_prev = np.concatenate([cache.c0[None], cache.c[:-1]], axis=0)
    local = _local_backward(cache.gates, c_prev, cache.tanh_c, cache.Wh)
    dc = np.zeros((N, T, H), dtype=cache.h.dtype) if dc is None else check_upstream("dc", dc, (N, T, H),
                                                                                     ("N", "T", "H"))
    upstream = (dh.transpose(1, 0, 2), dc.transpose(1, 0, 2))
    da, (dh0, dc0), (dh_all, dc_all) = bptt(local, upstream, 4 * H, truncate, truncate_mode)
    dx, dWx = input_grads(da, cache.x, cache.Wx)
    return Grads(
        ("dx", "dh0", "dWx", "dWh", "db"),
        (dx, dh0, dWx, recurrent_grad(cache.h0, cache.h, da), da.sum(axis=(0, 1))),
        dc0=dc0,
        dh_all=dh_all.transpose(1, 0, 2),
        dc_all=dc_all.transpose(1, 0, 2),
    )

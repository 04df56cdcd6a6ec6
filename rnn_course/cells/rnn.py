"""Vanilla (Elman) RNN cell: forward and hand-written backward, one step and a whole sequence.

Dimensions: N batch, T time, D input, H hidden.

    a_t = x_t Wx + h_{t-1} Wh + b
    h_t = tanh(a_t)            (or relu(a_t))

Weights multiply from the right, so ``Wx`` is (D, H) and ``Wh`` is (H, H).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import check_choice
from ..activations import ACTIVATIONS
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
    "RNNStepCache",
    "RNNCache",
    "rnn_step_forward",
    "rnn_step_backward",
    "rnn_forward",
    "rnn_backward",
]

_ACTIVATIONS = ("tanh", "relu")


class RNNStepCache(NamedTuple):
    """What ``rnn_step_backward`` needs from ``rnn_step_forward``."""

    x: np.ndarray  # (N, D)
    h_prev: np.ndarray  # (N, H)
    h: np.ndarray  # (N, H)   output of the step
    Wx: np.ndarray  # (D, H)
    Wh: np.ndarray  # (H, H)
    activation: str


class RNNCache(NamedTuple):
    """What ``rnn_backward`` needs from ``rnn_forward``. Arrays are time-major."""

    x: np.ndarray  # (T, N, D)
    h0: np.ndarray  # (N, H)
    h: np.ndarray  # (T, N, H)
    Wx: np.ndarray  # (D, H)
    Wh: np.ndarray  # (H, H)
    activation: str


def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    """One step of a vanilla RNN.

    Inputs:
        x: (N, D) input at this step
        h_prev: (N, H) previous hidden state
        Wx: (D, H) input-to-hidden weights
        Wh: (H, H) hidden-to-hidden weights
        b: (H,) bias
        activation: "tanh" (default) or "relu"
    Returns:
        h: (N, H) next hidden state
        cache: RNNStepCache for ``rnn_step_backward``
    """
    check_choice("activation", activation, _ACTIVATIONS)
    x, h_prev, Wx, Wh, b, _ = check_cell_args(
        x, h_prev, Wx, Wh, b, gates=1, sequence=False, h_name="h_prev", cell="rnn"
    )
    f, _ = ACTIVATIONS[activation]
    h = f(x @ Wx + h_prev @ Wh + b)
    return h, RNNStepCache(x, h_prev, h, Wx, Wh, activation)


def _local_backward(h_all, Wh, activation):
    """Backward through the nonlinearity and the recurrence at the given steps."""
    _, grad = ACTIVATIONS[activation]
    slope = grad(h_all)  # relu'(a) = [a > 0] = [h > 0], so h suffices; formed once for all steps
    WhT = np.ascontiguousarray(Wh.T)

    def local(dstate, idx, out=None):
        (dh,) = dstate
        da = np.multiply(dh, slope[idx], out=out)
        return da, (da @ WhT,), (dh,)

    return local


def rnn_step_backward(dh, cache):
    """Backward pass for one step of a vanilla RNN.

    Inputs:
        dh: (N, H) gradient of the loss with respect to the step's output h
        cache: RNNStepCache from ``rnn_step_forward``
    Returns (a ``Grads`` tuple, also readable by name):
        dx: (N, D), dh_prev: (N, H), dWx: (D, H), dWh: (H, H), db: (H,)
    """
    check_cache(cache, RNNStepCache, "rnn_step_forward")
    dh = check_upstream("dh", dh, cache.h.shape, ("N", "H"))
    da, (dh_prev,), _ = _local_backward(cache.h, cache.Wh, cache.activation)((dh,), Ellipsis)
    return Grads(
        ("dx", "dh_prev", "dWx", "dWh", "db"),
        (da @ cache.Wx.T, dh_prev, cache.x.T @ da, cache.h_prev.T @ da, da.sum(axis=0)),
    )


def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    """Run a vanilla RNN over a whole sequence.

    Inputs:
        x: (N, T, D) input sequence
        h0: (N, H) initial hidden state (None means zeros)
        Wx: (D, H), Wh: (H, H), b: (H,)
        activation: "tanh" (default) or "relu"
    Returns:
        h: (N, T, H) hidden states for every step
        cache: RNNCache for ``rnn_backward``
    """
    check_choice("activation", activation, _ACTIVATIONS)
    x, h0, Wx, Wh, b, dims = check_cell_args(x, h0, Wx, Wh, b, gates=1, sequence=True, h_name="h0", cell="rnn")
    T = dims["T"]
    x_tm, h = project_inputs(x, Wx, b)  # h holds x_t Wx + b until step t overwrites it
    prev = h0
    if activation == "tanh":
        for t in range(T):
            a = h[t]
            a += prev @ Wh
            prev = np.tanh(a, out=a)
    else:
        for t in range(T):
            a = h[t]
            a += prev @ Wh
            prev = np.maximum(a, 0.0, out=a)
    return h.transpose(1, 0, 2), RNNCache(x_tm, h0, h, Wx, Wh, activation)


def rnn_backward(dh, cache, truncate=None, truncate_mode="chunk"):
    """Backpropagation through time for a vanilla RNN.

    Inputs:
        dh: (N, T, H) gradient of the loss with respect to every hidden state
            (the gradient the loss sends directly, not through later steps)
        cache: RNNCache from ``rnn_forward``
        truncate: None for full BPTT, or k >= 1 to truncate (see below)
        truncate_mode: "chunk" (blocks of k steps, no gradient across blocks;
            like detaching the state every k steps) or "window" (each step's
            loss sends its gradient back at most k steps)
    Returns (a ``Grads`` tuple, also readable by name):
        dx: (N, T, D), dh0: (N, H), dWx: (D, H), dWh: (H, H), db: (H,)
    and, as attributes only:
        dh_all: (N, T, H) total gradient arriving at each h_t (the local dh
            plus everything flowing back from later steps)
    """
    check_cache(cache, RNNCache, "rnn_forward")
    check_truncate(truncate, truncate_mode)
    T, N, H = cache.h.shape
    dh = check_upstream("dh", dh, (N, T, H), ("N", "T", "H"))
    local = _local_backward(cache.h, cache.Wh, cache.activation)
    da, (dh0,), (dh_all,) = bptt(local, (dh.transpose(1, 0, 2),), H, truncate, truncate_mode)
    return _param_grads(da, cache, dh0, dh_all)


def _param_grads(da, cache, dh0, dh_all):
    dx, dWx = input_grads(da, cache.x, cache.Wx)
    return Grads(
        ("dx", "dh0", "dWx", "dWh", "db"),
        (dx, dh0, dWx, recurrent_grad(cache.h0, cache.h, da), da.sum(axis=(0, 1))),
        dh_all=dh_all.transpose(1, 0, 2),
    )

"""LSTM cell: forward and hand-written backward, one step and a whole sequence.

Dimensions: N batch, T time, D input, H hidden. The weights hold four
H-wide blocks, one per gate, in the order i, f, g, o (as in PyTorch):
``Wx`` (D, 4H), ``Wh`` (H, 4H), ``b`` (4H,). One step:

    a = x_t Wx + h_{t-1} Wh + b                   (N, 4H): every gate's pre-activation
    i = sigmoid(a_i)      input gate: how much of the candidate to write
    f = sigmoid(a_f)      forget gate: how much of the old cell state to keep
    g = tanh(a_g)         candidate values
    o = sigmoid(a_o)      output gate: how much of the cell state to show
    c_t = f * c_{t-1} + i * g
    h_t = o * tanh(c_t)

Arrays are batch-first (x (N, T, D), h and c (N, T, H)); code counts steps
from 0, so ``c[:, t]`` is c_{t+1}. ``lstm_forward`` is the step in a loop over
time (checked once, then ``_lstm_step_forward``, the equations, at every
step). ``lstm_backward`` walks back from the last step to the first, through
each step's gates (``_gates_backward``, shared with ``lstm_step_backward``);
the weights' gradients are sums over the steps, computed after the loop.
Two gradients flow back in time: into h_{t-1} (through the gates) and into
c_{t-1} (through ``c_t = f * c_{t-1} + ...``: multiplied by f alone, the
constant error carousel of lesson 04).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import check_cache, check_truncate, check_upstream
from ..activations import sigmoid, tanh
from ..grads import Grads
from ._common import check_cell_args, check_cell_state, previous_states, sum_over_steps

__all__ = [
    "LSTMStepCache",
    "LSTMCache",
    "lstm_step_forward",
    "lstm_step_backward",
    "lstm_forward",
    "lstm_backward",
    "lstm_backward_window",
]


class LSTMStepCache(NamedTuple):
    """What ``lstm_step_backward`` needs from ``lstm_step_forward``."""

    x: np.ndarray  # (N, D)
    h_prev: np.ndarray  # (N, H)
    c_prev: np.ndarray  # (N, H)
    i: np.ndarray  # (N, H) input gate
    f: np.ndarray  # (N, H) forget gate
    g: np.ndarray  # (N, H) candidate
    o: np.ndarray  # (N, H) output gate
    c: np.ndarray  # (N, H) the new cell state
    Wx: np.ndarray  # (D, 4H)
    Wh: np.ndarray  # (H, 4H)


class LSTMCache(NamedTuple):
    """What ``lstm_backward`` needs from ``lstm_forward``.

    The arrays are batch-first, like the forward's inputs and output; ``steps``
    holds each step's own cache, which the backward pass walks through. The
    gates of every step, (N, T, H) each, are ``cache.i``, ``cache.f``,
    ``cache.g``, ``cache.o``; ``cache.gates`` is all four side by side.
    """

    x: np.ndarray  # (N, T, D)
    h0: np.ndarray  # (N, H)
    c0: np.ndarray  # (N, H)
    h: np.ndarray  # (N, T, H) h[:, t] is h_{t+1}
    c: np.ndarray  # (N, T, H) c[:, t] is c_{t+1}
    Wx: np.ndarray  # (D, 4H)
    Wh: np.ndarray  # (H, 4H)
    steps: list  # T LSTMStepCache: steps[t] is what lstm_step_forward returned at step t

    def _stacked(self, name: str) -> np.ndarray:
        return np.stack([getattr(step, name) for step in self.steps], axis=1)

    i = property(lambda self: self._stacked("i"), doc="(N, T, H) the input gate at every step")
    f = property(lambda self: self._stacked("f"), doc="(N, T, H) the forget gate at every step")
    g = property(lambda self: self._stacked("g"), doc="(N, T, H) the candidate at every step")
    o = property(lambda self: self._stacked("o"), doc="(N, T, H) the output gate at every step")

    @property
    def gates(self) -> np.ndarray:
        """(N, T, 4H): the four gates side by side in the weights' order i, f, g, o."""
        return np.concatenate([self.i, self.f, self.g, self.o], axis=-1)


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """One step of an LSTM.

    Inputs:
        x: (N, D), h_prev: (N, H), c_prev: (N, H) (None means zeros)
        Wx: (D, 4H), Wh: (H, 4H), b: (4H,), gate blocks i, f, g, o
    Returns:
        h: (N, H), c: (N, H), cache: LSTMStepCache
    """
    x, h_prev, Wx, Wh, b, dims = check_cell_args(x, h_prev, Wx, Wh, b, gates=4, sequence=False, h_name="h_prev")
    c_prev = check_cell_state("c_prev", c_prev, dims["N"], dims["H"])
    return _lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)


def _lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """``lstm_step_forward`` after its argument checks: the equations (``lstm_forward`` calls it at every step)."""
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b  # (N, 4H): the four gates' pre-activations, side by side
    i = sigmoid(a[:, 0 * H : 1 * H])  # input gate
    f = sigmoid(a[:, 1 * H : 2 * H])  # forget gate
    g = tanh(a[:, 2 * H : 3 * H])  # candidate
    o = sigmoid(a[:, 3 * H : 4 * H])  # output gate
    c = f * c_prev + i * g
    h = o * tanh(c)
    return h, c, LSTMStepCache(x, h_prev, c_prev, i, f, g, o, c, Wx, Wh)


def lstm_step_backward(dh, dc, cache):
    """Backward pass for one LSTM step.

    Inputs:
        dh: (N, H) gradient with respect to the step's h
        dc: (N, H) gradient with respect to the step's c that does not come
            through h (from the next step's c, or from outside)
        cache: LSTMStepCache from ``lstm_step_forward``
    Returns (a ``Grads`` tuple):
        dx: (N, D), dh_prev: (N, H), dc_prev: (N, H), dWx: (D, 4H), dWh: (H, 4H), db: (4H,)
    """
    check_cache(cache, LSTMStepCache, "lstm_step_forward")
    dh = check_upstream("dh", dh, cache.c.shape, ("N", "H"))
    dc = check_upstream("dc", dc, cache.c.shape, ("N", "H"))
    da, dc_prev, _ = _gates_backward(dh, dc, cache)
    # a = x Wx + h_prev Wh + b
    dx = da @ cache.Wx.T
    dh_prev = da @ cache.Wh.T
    dWx = cache.x.T @ da
    dWh = cache.h_prev.T @ da
    db = da.sum(axis=0)
    return Grads(("dx", "dh_prev", "dc_prev", "dWx", "dWh", "db"), (dx, dh_prev, dc_prev, dWx, dWh, db))


def _gates_backward(dh, dc, cache):
    """Back through one step's gates, from (dh, dc) to the pre-activations.

    Returns:
        da: (N, 4H) dL/da, blocks i, f, g, o like the weights
        dc_prev: (N, H) gradient reaching c_{t-1}
        dc_total: (N, H) the whole gradient at c_t: dc plus the path through h = o * tanh(c)
    """
    i, f, g, o, c, c_prev = cache.i, cache.f, cache.g, cache.o, cache.c, cache.c_prev
    tanh_c = tanh(c)
    # h = o * tanh(c)
    do = dh * tanh_c
    dc_total = dc + dh * o * (1 - tanh_c * tanh_c)
    # c = f * c_prev + i * g
    di = dc_total * g
    df = dc_total * c_prev
    dg = dc_total * i
    dc_prev = dc_total * f  # the carousel: back to c_{t-1} through f alone
    # through the gate nonlinearities: sigmoid'(a) = s (1 - s), tanh'(a) = 1 - g^2
    da = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g * g), do * o * (1 - o)], axis=1)
    return da, dc_prev, dc_total


def lstm_forward(x, h0, Wx, Wh, b, c0=None):
    """Run an LSTM over a whole sequence: ``lstm_step_forward`` for t = 1..T.

    Inputs:
        x: (N, T, D), h0: (N, H) (None means zeros)
        Wx: (D, 4H), Wh: (H, 4H), b: (4H,), gate blocks i, f, g, o
        c0: (N, H) initial cell state, zeros when None
    Returns:
        h: (N, T, H) hidden states, cache: LSTMCache
    The cell states are ``cache.c`` and the gates ``cache.i``, ``cache.f``,
    ``cache.g``, ``cache.o`` (each (N, T, H)); ``cache.gates`` is all four, (N, T, 4H).
    """
    x, h0, Wx, Wh, b, dims = check_cell_args(x, h0, Wx, Wh, b, gates=4, sequence=True, h_name="h0")
    N, T, H = dims["N"], dims["T"], dims["H"]
    c0 = check_cell_state("c0", c0, N, H)
    h, c = np.empty((N, T, H)), np.empty((N, T, H))
    steps = []
    h_prev, c_prev = h0, c0
    for t in range(T):
        h_prev, c_prev, step = _lstm_step_forward(x[:, t], h_prev, c_prev, Wx, Wh, b)
        h[:, t], c[:, t] = h_prev, c_prev
        steps.append(step)
    return h, LSTMCache(x, h0, c0, h, c, Wx, Wh, steps)


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
        dc_all: (N, T, H) total gradient at each c_t (through h_t and through c_{t+1})
    """
    check_cache(cache, LSTMCache, "lstm_forward")
    check_truncate(truncate, truncate_mode)
    N, T, H = cache.h.shape
    dh = check_upstream("dh", dh, (N, T, H), ("N", "T", "H"))
    dc = np.zeros((N, T, H)) if dc is None else check_upstream("dc", dc, (N, T, H), ("N", "T", "H"))
    if truncate_mode == "window" and truncate is not None and truncate < T:  # (a window of T or more is full BPTT)
        return lstm_backward_window(dh, cache, truncate, dc=dc)

    da = np.empty((N, T, 4 * H))  # dL/da_t at every step, blocks i, f, g, o
    dh_all, dc_all = np.empty((N, T, H)), np.empty((N, T, H))
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))  # what step t+1 sends back to step t
    for t in reversed(range(T)):
        dh_t = dh[:, t] + dh_next  # the loss's own gradient at h_t, plus every later step's
        da_t, dc_next, dc_t = _gates_backward(dh_t, dc[:, t] + dc_next, cache.steps[t])
        dh_next = da_t @ cache.Wh.T  # back through a_t = x_t Wx + h_{t-1} Wh + b, to h_{t-1}
        dh_all[:, t], dc_all[:, t], da[:, t] = dh_t, dc_t, da_t
        if truncate is not None and t > 0 and t % truncate == 0:
            # step t starts a chunk: no gradient crosses into the chunk before
            dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))
    return _with_weight_grads(da, cache, dh0=dh_next, dc0=dc_next, dh_all=dh_all, dc_all=dc_all)


def _with_weight_grads(da, cache, *, dh0, dc0, dh_all, dc_all):
    """The Grads of a sequence, given dL/da_t at every step (N, T, 4H).

    Every step used the same Wx, Wh and b, so each one's gradient is a sum
    over the steps: dWh = sum_t h_{t-1}^T da_t, and so on. Only the loop over
    time is sequential; each sum is one matrix product over all N*T rows.
    """
    dx = da @ cache.Wx.T
    dWx = sum_over_steps(cache.x, da)
    dWh = sum_over_steps(previous_states(cache.h0, cache.h), da)
    db = da.sum(axis=(0, 1))
    return Grads(("dx", "dh0", "dWx", "dWh", "db"), (dx, dh0, dWx, dWh, db), dc0=dc0, dh_all=dh_all, dc_all=dc_all)


def lstm_backward_window(dh, cache, k, *, dc=None):
    """Truncated BPTT(k) for an LSTM: each step's loss sends its gradient back k steps at most.

    As ``rnn_backward_window``: the loss at step t reaches h_t, ..., h_{t-k+1}
    (and the same cell states), costing about T k step backward passes.
    ``dc`` (N, T, H), gradient reaching the cell states from outside, is
    treated like ``dh``: each step's share travels back through its own window.
    Returns: as ``lstm_backward``.
    """
    check_cache(cache, LSTMCache, "lstm_forward")
    check_truncate(k, "window")
    N, T, H = cache.h.shape
    dh = check_upstream("dh", dh, (N, T, H), ("N", "T", "H"))
    dc = np.zeros((N, T, H)) if dc is None else check_upstream("dc", dc, (N, T, H), ("N", "T", "H"))
    da = np.zeros((N, T, 4 * H))  # summed over the losses whose window covers step t
    dh_all, dc_all = np.zeros((N, T, H)), np.zeros((N, T, H))
    dh0, dc0 = np.zeros((N, H)), np.zeros((N, H))
    for t_loss in range(T):
        d_h, d_c = dh[:, t_loss], dc[:, t_loss]  # this loss's gradients, carried back through its window
        for t in range(t_loss, max(t_loss - k, -1), -1):
            dh_all[:, t] += d_h
            da_t, d_c, dc_total = _gates_backward(d_h, d_c, cache.steps[t])
            dc_all[:, t] += dc_total
            da[:, t] += da_t
            d_h = da_t @ cache.Wh.T
        if t_loss < k:  # the window reached back to the start
            dh0 += d_h
            dc0 += d_c
    return _with_weight_grads(da, cache, dh0=dh0, dc0=dc0, dh_all=dh_all, dc_all=dc_all)

"""Vanilla (Elman) RNN cell: forward and hand-written backward, one step and a whole sequence.

Dimensions: N batch, T time, D input, H hidden. Weights multiply from the
right, so ``Wx`` is (D, H) and ``Wh`` is (H, H):

    a_t = x_t Wx + h_{t-1} Wh + b
    h_t = tanh(a_t)            (or relu(a_t))

Arrays are batch-first: a sequence x is (N, T, D) and its states h are
(N, T, H). The maths counts steps t = 1..T from a given h_0; code counts
from 0, so ``h[:, t]`` is h_{t+1} and ``h[:, t - 1]`` is h_t.

``rnn_forward`` is the step in a loop over t = 1..T (it checks its
arguments once, then runs ``_rnn_step_forward``, the step's equations).
``rnn_backward`` (backpropagation through time) walks back from the last
step to the first: at each step it adds the gradient flowing back from
h_{t+1} to the gradient the loss sends to h_t directly, goes back through
the nonlinearity, and sends the result on to h_{t-1}. That recursion is the
only sequential part; the weights' gradients are sums over the steps,
computed after the loop.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import check_cache, check_choice, check_truncate, check_upstream
from ..activations import relu, tanh
from ..grads import Grads
from ._common import check_cell_args, previous_states, sum_over_steps

__all__ = [
    "RNNStepCache",
    "RNNCache",
    "rnn_step_forward",
    "rnn_step_backward",
    "rnn_forward",
    "rnn_backward",
    "rnn_backward_window",
]

_ACTIVATIONS = ("tanh", "relu")


class RNNStepCache(NamedTuple):
    """What ``rnn_step_backward`` needs from ``rnn_step_forward``."""

    x: np.ndarray  # (N, D) input of the step
    h_prev: np.ndarray  # (N, H) state before the step
    h: np.ndarray  # (N, H) state after the step
    Wx: np.ndarray  # (D, H)
    Wh: np.ndarray  # (H, H)
    activation: str  # "tanh" or "relu"


class RNNCache(NamedTuple):
    """What ``rnn_backward`` needs from ``rnn_forward``.

    The arrays are batch-first, like the forward's inputs and output; ``steps``
    holds each step's own cache, which the backward pass walks through.
    """

    x: np.ndarray  # (N, T, D) the input sequence
    h0: np.ndarray  # (N, H) the initial state
    h: np.ndarray  # (N, T, H) every state: h[:, t] is h_{t+1}
    Wx: np.ndarray  # (D, H)
    Wh: np.ndarray  # (H, H)
    activation: str
    steps: list  # T RNNStepCache: steps[t] is what rnn_step_forward returned at step t


def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    """One step of a vanilla RNN: h = tanh(x Wx + h_prev Wh + b).

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
    x, h_prev, Wx, Wh, b, _ = check_cell_args(x, h_prev, Wx, Wh, b, gates=1, sequence=False, h_name="h_prev")
    return _rnn_step_forward(x, h_prev, Wx, Wh, b, activation)


def _rnn_step_forward(x, h_prev, Wx, Wh, b, activation):
    """``rnn_step_forward`` after its argument checks: the equations (``rnn_forward`` checks once, then calls this)."""
    a = x @ Wx + h_prev @ Wh + b
    h = tanh(a) if activation == "tanh" else relu(a)
    return h, RNNStepCache(x, h_prev, h, Wx, Wh, activation)


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
    x, h_prev, h, Wx, Wh = cache.x, cache.h_prev, cache.h, cache.Wx, cache.Wh
    da = _activation_backward(dh, h, cache.activation)
    # a = x Wx + h_prev Wh + b: each factor gets the gradient times the other, transposed.
    dx = da @ Wx.T
    dh_prev = da @ Wh.T
    dWx = x.T @ da
    dWh = h_prev.T @ da
    db = da.sum(axis=0)  # b was added to every row of the batch
    return Grads(("dx", "dh_prev", "dWx", "dWh", "db"), (dx, dh_prev, dWx, dWh, db))


def _activation_backward(dh, h, activation):
    """From dL/dh to dL/da through h = tanh(a) or relu(a); both derivatives can be read off h."""
    if activation == "tanh":
        return dh * (1 - h * h)  # tanh'(a) = 1 - tanh(a)^2 = 1 - h^2
    return dh * (h > 0)  # relu'(a) = 1 where a > 0, which is where h > 0


def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    """Run a vanilla RNN over a whole sequence: ``rnn_step_forward`` for t = 1..T.

    Inputs:
        x: (N, T, D) input sequence
        h0: (N, H) initial hidden state (None means zeros)
        Wx: (D, H), Wh: (H, H), b: (H,)
        activation: "tanh" (default) or "relu"
    Returns:
        h: (N, T, H) hidden states for every step (h[:, t] is h_{t+1})
        cache: RNNCache for ``rnn_backward``
    """
    check_choice("activation", activation, _ACTIVATIONS)
    x, h0, Wx, Wh, b, dims = check_cell_args(x, h0, Wx, Wh, b, gates=1, sequence=True, h_name="h0")
    N, T, H = dims["N"], dims["T"], dims["H"]
    h = np.empty((N, T, H))
    steps = []
    h_prev = h0
    for t in range(T):
        h_prev, step = _rnn_step_forward(x[:, t], h_prev, Wx, Wh, b, activation)
        h[:, t] = h_prev
        steps.append(step)
    return h, RNNCache(x, h0, h, Wx, Wh, activation, steps)


def rnn_backward(dh, cache, truncate=None, truncate_mode="chunk"):
    """Backpropagation through time for a vanilla RNN.

    Inputs:
        dh: (N, T, H) gradient of the loss with respect to every hidden state
            (the gradient the loss sends directly, not through later steps)
        cache: RNNCache from ``rnn_forward``
        truncate: None for full BPTT, or k >= 1 to truncate (see below)
        truncate_mode: "chunk" (blocks of k steps from the start, no gradient
            across blocks; like detaching the state every k steps) or
            "window" (each step's loss sends its gradient back through at
            most k steps: ``rnn_backward_window``)
    Returns (a ``Grads`` tuple, also readable by name):
        dx: (N, T, D), dh0: (N, H), dWx: (D, H), dWh: (H, H), db: (H,)
    and, as an attribute only:
        dh_all: (N, T, H) total gradient arriving at each h_t (the loss's own
            dh plus everything flowing back from later steps)
    """
    check_cache(cache, RNNCache, "rnn_forward")
    check_truncate(truncate, truncate_mode)
    N, T, H = cache.h.shape
    dh = check_upstream("dh", dh, (N, T, H), ("N", "T", "H"))
    if truncate_mode == "window" and truncate is not None and truncate < T:  # (a window of T or more is full BPTT)
        return rnn_backward_window(dh, cache, truncate)

    da = np.empty((N, T, H))  # dL/da_t at every step
    dh_all = np.empty((N, T, H))
    dh_next = np.zeros((N, H))  # what step t+1 sends back to h_t (nothing after the last step)
    for t in reversed(range(T)):
        dh_t = dh[:, t] + dh_next  # the loss's own gradient at h_t, plus every later step's
        da_t = _activation_backward(dh_t, cache.steps[t].h, cache.activation)
        dh_next = da_t @ cache.Wh.T  # back through a_t = x_t Wx + h_{t-1} Wh + b, to h_{t-1}
        dh_all[:, t], da[:, t] = dh_t, da_t
        if truncate is not None and t > 0 and t % truncate == 0:
            dh_next = np.zeros((N, H))  # step t starts a chunk: no gradient crosses into the chunk before
    return _with_weight_grads(da, cache, dh0=dh_next, dh_all=dh_all)


def _with_weight_grads(da, cache, *, dh0, dh_all):
    """The Grads of a sequence, given dL/da_t at every step (N, T, H).

    Every step used the same Wx, Wh and b, so each one's gradient is a sum
    over the steps: dWh = sum_t h_{t-1}^T da_t, and so on. Only the loop over
    time is sequential; each sum is one matrix product over all N*T rows.
    """
    dx = da @ cache.Wx.T
    dWx = sum_over_steps(cache.x, da)
    dWh = sum_over_steps(previous_states(cache.h0, cache.h), da)
    db = da.sum(axis=(0, 1))
    return Grads(("dx", "dh0", "dWx", "dWh", "db"), (dx, dh0, dWx, dWh, db), dh_all=dh_all)


def rnn_backward_window(dh, cache, k):
    """Truncated BPTT(k) (Williams & Peng 1990): each step's loss sends its gradient back k steps at most.

    The loss at step t reaches the states h_t, h_{t-1}, ..., h_{t-k+1}, so it
    passes through k - 1 Jacobians dh_s/dh_{s-1}, and the weights of those k
    steps. Every loss has its own window, so this costs about T k step
    backward passes, where full BPTT and chunk truncation cost T.

    Inputs:
        dh: (N, T, H) gradient of the loss with respect to every hidden state
        cache: RNNCache from ``rnn_forward``
        k: window length, an integer >= 1
    Returns: as ``rnn_backward`` (``dh_all`` sums, over the losses, what
        each one sends to h_t within its window).
    """
    check_cache(cache, RNNCache, "rnn_forward")
    check_truncate(k, "window")
    N, T, H = cache.h.shape
    dh = check_upstream("dh", dh, (N, T, H), ("N", "T", "H"))
    da = np.zeros((N, T, H))  # summed over the losses whose window covers step t
    dh_all = np.zeros((N, T, H))
    dh0 = np.zeros((N, H))
    for t_loss in range(T):
        d = dh[:, t_loss]  # this loss's gradient, carried back through its window
        for t in range(t_loss, max(t_loss - k, -1), -1):
            dh_all[:, t] += d
            da_t = _activation_backward(d, cache.steps[t].h, cache.activation)
            da[:, t] += da_t
            d = da_t @ cache.Wh.T
        if t_loss < k:  # the window reached back to the start: d is this loss's gradient at h_0
            dh0 += d
    return _with_weight_grads(da, cache, dh0=dh0, dh_all=dh_all)

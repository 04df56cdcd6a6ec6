"""GRU cell (Cho et al., 2014): forward and hand-written backward, one step and a whole sequence.

Dimensions: N batch, T time, D input, H hidden. The weights hold three
H-wide blocks in the order r, z, n: ``Wx`` (D, 3H), ``Wh`` (H, 3H), ``b`` (3H,).
One step, with Wx_r = Wx[:, 0:H] and so on:

    r = sigmoid(x_t Wx_r + h_{t-1} Wh_r + b_r)          reset gate
    z = sigmoid(x_t Wx_z + h_{t-1} Wh_z + b_z)          update gate
    n = tanh(x_t Wx_n + (r * h_{t-1}) Wh_n + b_n)       candidate
    h_t = (1 - z) * n + z * h_{t-1}

The reset gate multiplies h_{t-1} *before* the matrix product, as in Cho et
al.; PyTorch applies it after (``r * (h_{t-1} Wh_n + b_hn)``), which lets it
do the three recurrent products as one. z near 1 keeps the old state (the
GRU's way of remembering), z near 0 replaces it with the candidate.

Arrays are batch-first. ``gru_forward`` is the step in a loop over time
(checked once, then ``_gru_step_forward``, the equations, at every step).
``gru_backward`` walks back from the last step to the first, through each
step's gates (``_gates_backward``, shared with ``gru_step_backward``); the
weights' gradients are sums over the steps, computed after the loop.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import check_cache, check_truncate, check_upstream
from ..activations import sigmoid, tanh
from ..grads import Grads
from ._common import check_cell_args, previous_states, sum_over_steps

__all__ = [
    "GRUStepCache",
    "GRUCache",
    "gru_step_forward",
    "gru_step_backward",
    "gru_forward",
    "gru_backward",
    "gru_backward_window",
]


class GRUStepCache(NamedTuple):
    """What ``gru_step_backward`` needs from ``gru_step_forward``."""

    x: np.ndarray  # (N, D)
    h_prev: np.ndarray  # (N, H)
    r: np.ndarray  # (N, H) reset gate
    z: np.ndarray  # (N, H) update gate
    n: np.ndarray  # (N, H) candidate
    Wx: np.ndarray  # (D, 3H)
    Wh: np.ndarray  # (H, 3H)


class GRUCache(NamedTuple):
    """What ``gru_backward`` needs from ``gru_forward``.

    The arrays are batch-first, like the forward's inputs and output; ``steps``
    holds each step's own cache, which the backward pass walks through. The
    gates of every step, (N, T, H) each, are ``cache.r``, ``cache.z``,
    ``cache.n``; ``cache.gates`` is all three side by side.
    """

    x: np.ndarray  # (N, T, D)
    h0: np.ndarray  # (N, H)
    h: np.ndarray  # (N, T, H) h[:, t] is h_{t+1}
    Wx: np.ndarray  # (D, 3H)
    Wh: np.ndarray  # (H, 3H)
    steps: list  # T GRUStepCache: steps[t] is what gru_step_forward returned at step t

    def _stacked(self, name: str) -> np.ndarray:
        return np.stack([getattr(step, name) for step in self.steps], axis=1)

    r = property(lambda self: self._stacked("r"), doc="(N, T, H) the reset gate at every step")
    z = property(lambda self: self._stacked("z"), doc="(N, T, H) the update gate at every step")
    n = property(lambda self: self._stacked("n"), doc="(N, T, H) the candidate at every step")

    @property
    def gates(self) -> np.ndarray:
        """(N, T, 3H): the gates side by side in the weights' order r, z, n."""
        return np.concatenate([self.r, self.z, self.n], axis=-1)


def _blocks(H: int):
    """The column ranges of the r, z and n blocks in Wx, Wh and b."""
    return slice(0, H), slice(H, 2 * H), slice(2 * H, 3 * H)


def gru_step_forward(x, h_prev, Wx, Wh, b):
    """One step of a GRU.

    Inputs:
        x: (N, D), h_prev: (N, H)
        Wx: (D, 3H), Wh: (H, 3H), b: (3H,), gate blocks r, z, n
    Returns:
        h: (N, H), cache: GRUStepCache
    """
    x, h_prev, Wx, Wh, b, _ = check_cell_args(x, h_prev, Wx, Wh, b, gates=3, sequence=False, h_name="h_prev")
    return _gru_step_forward(x, h_prev, Wx, Wh, b)


def _gru_step_forward(x, h_prev, Wx, Wh, b):
    """``gru_step_forward`` after its argument checks: the equations (``gru_forward`` calls it at every step)."""
    r_cols, z_cols, n_cols = _blocks(h_prev.shape[1])
    r = sigmoid(x @ Wx[:, r_cols] + h_prev @ Wh[:, r_cols] + b[r_cols])  # reset gate
    z = sigmoid(x @ Wx[:, z_cols] + h_prev @ Wh[:, z_cols] + b[z_cols])  # update gate
    n = tanh(x @ Wx[:, n_cols] + (r * h_prev) @ Wh[:, n_cols] + b[n_cols])  # candidate, from the reset state
    h = (1 - z) * n + z * h_prev
    return h, GRUStepCache(x, h_prev, r, z, n, Wx, Wh)


def gru_step_backward(dh, cache):
    """Backward pass for one GRU step.

    Inputs:
        dh: (N, H) gradient with respect to the step's output h
        cache: GRUStepCache from ``gru_step_forward``
    Returns (a ``Grads`` tuple):
        dx: (N, D), dh_prev: (N, H), dWx: (D, 3H), dWh: (H, 3H), db: (3H,)
    """
    check_cache(cache, GRUStepCache, "gru_step_forward")
    dh = check_upstream("dh", dh, cache.h_prev.shape, ("N", "H"))
    da, dh_prev = _gates_backward(dh, cache)
    r_cols, z_cols, n_cols = _blocks(cache.h_prev.shape[1])
    dx = da @ cache.Wx.T
    dWx = cache.x.T @ da
    # the n block of Wh multiplies r * h_prev, the r and z blocks h_prev itself
    dWh = np.concatenate([cache.h_prev.T @ da[:, r_cols], cache.h_prev.T @ da[:, z_cols],
                          (cache.r * cache.h_prev).T @ da[:, n_cols]], axis=1)
    db = da.sum(axis=0)
    return Grads(("dx", "dh_prev", "dWx", "dWh", "db"), (dx, dh_prev, dWx, dWh, db))


def _gates_backward(dh, cache):
    """Back through one step's gates, from dh to the pre-activations and to h_prev.

    Returns:
        da: (N, 3H) dL/da, blocks r, z, n like the weights (a_n is x Wx_n + (r * h_prev) Wh_n + b_n)
        dh_prev: (N, H) the whole gradient reaching h_{t-1}: directly through z * h_{t-1},
            through r * h_{t-1} in the candidate, and through the gates' recurrent products
    """
    h_prev, r, z, n, Wh = cache.h_prev, cache.r, cache.z, cache.n, cache.Wh
    r_cols, z_cols, n_cols = _blocks(h_prev.shape[1])
    # h = (1 - z) * n + z * h_prev
    dn = dh * (1 - z)
    dz = dh * (h_prev - n)
    dh_prev = dh * z  # the direct path: z near 1 passes the gradient straight back
    # n = tanh(a_n), a_n = x Wx_n + (r * h_prev) Wh_n + b_n
    da_n = dn * (1 - n * n)
    d_rh = da_n @ Wh[:, n_cols].T  # gradient of r * h_prev
    dr = d_rh * h_prev
    dh_prev += d_rh * r
    # r and z are sigmoids: s' = s (1 - s)
    da_r = dr * r * (1 - r)
    da_z = dz * z * (1 - z)
    dh_prev += da_r @ Wh[:, r_cols].T + da_z @ Wh[:, z_cols].T
    return np.concatenate([da_r, da_z, da_n], axis=1), dh_prev


def gru_forward(x, h0, Wx, Wh, b):
    """Run a GRU over a whole sequence: ``gru_step_forward`` for t = 1..T.

    Inputs:
        x: (N, T, D), h0: (N, H) (None means zeros)
        Wx: (D, 3H), Wh: (H, 3H), b: (3H,), gate blocks r, z, n
    Returns:
        h: (N, T, H) hidden states, cache: GRUCache (the gates in ``cache.r``,
        ``cache.z``, ``cache.n``, each (N, T, H); ``cache.gates`` is all three)
    """
    x, h0, Wx, Wh, b, dims = check_cell_args(x, h0, Wx, Wh, b, gates=3, sequence=True, h_name="h0")
    N, T, H = dims["N"], dims["T"], dims["H"]
    h = np.empty((N, T, H))
    steps = []
    h_prev = h0
    for t in range(T):
        h_prev, step = _gru_step_forward(x[:, t], h_prev, Wx, Wh, b)
        h[:, t] = h_prev
        steps.append(step)
    return h, GRUCache(x, h0, h, Wx, Wh, steps)


def gru_backward(dh, cache, truncate=None, truncate_mode="chunk"):
    """Backpropagation through time for a GRU.

    Inputs:
        dh: (N, T, H) gradient of the loss with respect to every hidden state
        cache: GRUCache from ``gru_forward``
        truncate, truncate_mode: as in ``rnn_backward``
    Returns (a ``Grads`` tuple):
        dx: (N, T, D), dh0: (N, H), dWx: (D, 3H), dWh: (H, 3H), db: (3H,)
    and, as an attribute only:
        dh_all: (N, T, H) total gradient arriving at each h_t
    """
    check_cache(cache, GRUCache, "gru_forward")
    check_truncate(truncate, truncate_mode)
    N, T, H = cache.h.shape
    dh = check_upstream("dh", dh, (N, T, H), ("N", "T", "H"))
    if truncate_mode == "window" and truncate is not None and truncate < T:  # (a window of T or more is full BPTT)
        return gru_backward_window(dh, cache, truncate)

    da = np.empty((N, T, 3 * H))  # dL/da_t at every step, blocks r, z, n
    dh_all = np.empty((N, T, H))
    dh_next = np.zeros((N, H))  # what step t+1 sends back to h_t (nothing after the last step)
    for t in reversed(range(T)):
        dh_t = dh[:, t] + dh_next  # the loss's own gradient at h_t, plus every later step's
        da_t, dh_next = _gates_backward(dh_t, cache.steps[t])
        dh_all[:, t], da[:, t] = dh_t, da_t
        if truncate is not None and t > 0 and t % truncate == 0:
            dh_next = np.zeros((N, H))  # step t starts a chunk: no gradient crosses into the chunk before
    return _with_weight_grads(da, cache, dh0=dh_next, dh_all=dh_all)


def _with_weight_grads(da, cache, *, dh0, dh_all):
    """The Grads of a sequence, given dL/da_t at every step (N, T, 3H).

    Every step used the same Wx, Wh and b, so each one's gradient is a sum
    over the steps: one matrix product over all N*T rows for each. The n
    block of Wh multiplies r_t * h_{t-1}, the r and z blocks h_{t-1}.
    """
    H = cache.h.shape[2]
    r_cols, z_cols, n_cols = _blocks(H)
    h_prev = previous_states(cache.h0, cache.h)
    dx = da @ cache.Wx.T
    dWx = sum_over_steps(cache.x, da)
    dWh = np.concatenate([sum_over_steps(h_prev, da[..., r_cols]), sum_over_steps(h_prev, da[..., z_cols]),
                          sum_over_steps(cache.r * h_prev, da[..., n_cols])], axis=1)  # r: (N, T, H)
    db = da.sum(axis=(0, 1))
    return Grads(("dx", "dh0", "dWx", "dWh", "db"), (dx, dh0, dWx, dWh, db), dh_all=dh_all)


def gru_backward_window(dh, cache, k):
    """Truncated BPTT(k) for a GRU: each step's loss sends its gradient back k steps at most.

    As ``rnn_backward_window``. Returns: as ``gru_backward``.
    """
    check_cache(cache, GRUCache, "gru_forward")
    check_truncate(k, "window")
    N, T, H = cache.h.shape
    dh = check_upstream("dh", dh, (N, T, H), ("N", "T", "H"))
    da = np.zeros((N, T, 3 * H))  # summed over the losses whose window covers step t
    dh_all = np.zeros((N, T, H))
    dh0 = np.zeros((N, H))
    for t_loss in range(T):
        d = dh[:, t_loss]  # this loss's gradient, carried back through its window
        for t in range(t_loss, max(t_loss - k, -1), -1):
            dh_all[:, t] += d
            da_t, d = _gates_backward(d, cache.steps[t])
            da[:, t] += da_t
        if t_loss < k:  # the window reached back to the start
            dh0 += d
    return _with_weight_grads(da, cache, dh0=dh0, dh_all=dh_all)

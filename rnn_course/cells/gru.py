"""GRU cell (Cho et al., 2014): forward and hand-written backward, step and sequence.

Dimensions: N batch, T time, D input, H hidden. Gate blocks r, z, n:

    r = sigmoid(x Wx_r + h_prev Wh_r + b_r)            reset gate
    z = sigmoid(x Wx_z + h_prev Wh_z + b_z)            update gate
    n = tanh(x Wx_n + (r * h_prev) Wh_n + b_n)          candidate
    h = (1 - z) * n + z * h_prev

The reset gate multiplies h_prev *before* the matrix product, as in Cho et
al.; PyTorch applies it after (``r * (h_prev Wh_n + b_hn)``), which lets it
do all three products with one matrix multiply.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._common import (
    Grads,
    bptt,
    check_cache,
    check_cell_args,
    check_truncate,
    check_upstream,
    project_inputs,
)

__all__ = [
    "GRUStepCache",
    "GRUCache",
    "gru_step_forward",
    "gru_step_backward",
    "gru_forward",
    "gru_backward",
]


class GRUStepCache(NamedTuple):
    """What ``gru_step_backward`` needs from ``gru_step_forward``."""

    x: np.ndarray  # (N, D)
    h_prev: np.ndarray  # (N, H)
    gates: np.ndarray  # (N, 3H) activated [r, z, n]
    Wx: np.ndarray  # (D, 3H)
    Wh: np.ndarray  # (H, 3H)


class GRUCache(NamedTuple):
    """What ``gru_backward`` needs from ``gru_forward``. Arrays are time-major."""

    x: np.ndarray  # (T, N, D)
    h0: np.ndarray  # (N, H)
    h: np.ndarray  # (T, N, H)
    gates: np.ndarray  # (T, N, 3H) activated [r, z, n]
    Wx: np.ndarray  # (D, 3H)
    Wh: np.ndarray  # (H, 3H)


def _halves(H, dtype):
    """Column scale that halves the r and z pre-activations.

    sigmoid(a) = 1/2 + tanh(a/2)/2: with the halving folded into the weights
    and bias (a power of two, so exact), a step needs one tanh and a
    multiply-add for its two sigmoid gates.
    """
    scale = np.full(3 * H, 0.5, dtype=dtype)
    scale[2 * H :] = 1.0
    return scale


def _step(gates, h_prev, Wh_rz, Wh_n, H, out=None):
    """One GRU step, in place on gates = x Wx + b whose r, z columns are halved.

    Wh_rz is Wh[:, :2H] halved, Wh_n is Wh[:, 2H:]. Returns h (into ``out``
    when given).
    """
    rz = gates[:, : 2 * H]
    rz += h_prev @ Wh_rz
    np.tanh(rz, out=rz)
    rz *= 0.5
    rz += 0.5
    r, z = gates[:, :H], gates[:, H : 2 * H]
    n = gates[:, 2 * H :]
    n += (r * h_prev) @ Wh_n
    np.tanh(n, out=n)
    h = np.subtract(h_prev, n, out=out)
    h *= z
    h += n  # = (1 - z) n + z h_prev
    return h


def gru_step_forward(x, h_prev, Wx, Wh, b):
    """One step of a GRU.

    Inputs:
        x: (N, D), h_prev: (N, H)
        Wx: (D, 3H), Wh: (H, 3H), b: (3H,), gate blocks r, z, n
    Returns:
        h: (N, H), cache: GRUStepCache
    """
    x, h_prev, Wx, Wh, b, dims = check_cell_args(
        x, h_prev, Wx, Wh, b, gates=3, sequence=False, h_name="h_prev", cell="gru"
    )
    H = dims["H"]
    half = _halves(H, np.result_type(x, Wx))
    gates = x @ (Wx * half) + b * half
    h = _step(gates, h_prev, Wh[:, : 2 * H] * 0.5, Wh[:, 2 * H :], H)
    return h, GRUStepCache(x, h_prev, gates, Wx, Wh)


def _local_backward(gates, h_prev, Wh):
    """Backward through GRU steps (one step, or a slice of steps at once).

    With h = n + z (h_prev - n), the factors the backward pass multiplies by
    are formed once for the whole sequence:

        da_n  = dh * (1 - z)(1 - n^2)
        d(r h_prev) = da_n Wh_n^T
        da_r  = d(r h_prev) * h_prev r (1 - r)
        da_z  = dh * (h_prev - n) z (1 - z)
        dh_prev = dh * z + d(r h_prev) * r + [da_r, da_z] Wh_rz^T
    """
    H = Wh.shape[0]
    Wh_rz_T = np.ascontiguousarray(Wh[:, : 2 * H].T)
    Wh_n_T = np.ascontiguousarray(Wh[:, 2 * H :].T)
    r, z, n = gates[..., :H], gates[..., H : 2 * H], gates[..., 2 * H :]
    fac_n = (1.0 - z) * (1.0 - n * n)
    fac_r = h_prev * r * (1.0 - r)
    fac_z = (h_prev - n) * z * (1.0 - z)

    def local(dstate, idx, out=None):
        (dh,) = dstate
        shape = dh.shape[:-1] + (3 * H,)
        da = np.empty(shape, dtype=dh.dtype) if out is None else out
        da_n = np.multiply(dh, fac_n[idx], out=da[..., 2 * H :])
        d_rh = da_n @ Wh_n_T  # gradient of (r * h_prev)
        np.multiply(d_rh, fac_r[idx], out=da[..., :H])
        np.multiply(dh, fac_z[idx], out=da[..., H : 2 * H])
        dh_prev = dh * z[idx]
        dh_prev += d_rh * r[idx]
        dh_prev += da[..., : 2 * H] @ Wh_rz_T
        return da, (dh_prev,), (dh,)

    return local


def _weight_grads(da, x, h_prev, r, Wx, Wh):
    """dx, dWx, dWh, db from the pre-activation gradients (any leading shape)."""
    H = Wh.shape[0]
    D = x.shape[-1]
    da2 = da.reshape(-1, 3 * H)
    hp2 = h_prev.reshape(-1, H)
    dWh = np.empty_like(Wh)
    dWh[:, : 2 * H] = hp2.T @ da2[:, : 2 * H]
    dWh[:, 2 * H :] = (r.reshape(-1, H) * hp2).T @ da2[:, 2 * H :]
    dWx = x.reshape(-1, D).T @ da2
    return (da2 @ Wx.T).reshape(da.shape[:-1] + (D,)), dWx, dWh, da2.sum(axis=0)


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
    H = cache.Wh.shape[0]
    da, (dh_prev,), _ = _local_backward(cache.gates, cache.h_prev, cache.Wh)((dh,), Ellipsis)
    dx, dWx, dWh, db = _weight_grads(da, cache.x, cache.h_prev, cache.gates[:, :H], cache.Wx, cache.Wh)
    return Grads(("dx", "dh_prev", "dWx", "dWh", "db"), (dx, dh_prev, dWx, dWh, db))


def gru_forward(x, h0, Wx, Wh, b):
    """Run a GRU over a whole sequence.

    Inputs:
        x: (N, T, D), h0: (N, H) (None means zeros)
        Wx: (D, 3H), Wh: (H, 3H), b: (3H,), gate blocks r, z, n
    Returns:
        h: (N, T, H) hidden states, cache: GRUCache
    """
    x, h0, Wx, Wh, b, dims = check_cell_args(x, h0, Wx, Wh, b, gates=3, sequence=True, h_name="h0", cell="gru")
    T, N, H = dims["T"], dims["N"], dims["H"]
    half = _halves(H, np.result_type(x, Wx))
    x_tm, gates = project_inputs(x, Wx * half, b * half)
    Wh_rz, Wh_n = Wh[:, : 2 * H] * 0.5, np.ascontiguousarray(Wh[:, 2 * H :])
    h = np.empty((T, N, H), dtype=gates.dtype)
    prev = h0
    for t in range(T):
        prev = _step(gates[t], prev, Wh_rz, Wh_n, H, out=h[t])
    return h.transpose(1, 0, 2), GRUCache(x_tm, h0, h, gates, Wx, Wh)


def gru_backward(dh, cache, truncate=None, truncate_mode="chunk"):
    """Backpropagation through time for a GRU.

    Inputs:
        dh: (N, T, H) gradient of the loss with respect to every hidden state
        cache: GRUCache from ``gru_forward``
        truncate, truncate_mode: as in ``rnn_backward``
    Returns (a ``Grads`` tuple):
        dx: (N, T, D), dh0: (N, H), dWx: (D, 3H), dWh: (H, 3H), db: (3H,)
    and, as attributes only:
        dh_all: (N, T, H) total gradient arriving at each h_t
    """
    check_cache(cache, GRUCache, "gru_forward")
    check_truncate(truncate, truncate_mode)
    T, N, H = cache.h.shape
    dh = check_upstream("dh", dh, (N, T, H), ("N", "T", "H"))
    h_prev = np.concatenate([cache.h0[None], cache.h[:-1]], axis=0)
    local = _local_backward(cache.gates, h_prev, cache.Wh)
    da, (dh0,), (dh_all,) = bptt(local, (dh.transpose(1, 0, 2),), 3 * H, truncate, truncate_mode)
    dx, dWx, dWh, db = _weight_grads(da, cache.x, h_prev, cache.gates[..., :H], cache.Wx, cache.Wh)
    return Grads(
        ("dx", "dh0", "dWx", "dWh", "db"),
        (dx.transpose(1, 0, 2), dh0, dWx, dWh, db),
        dh_all=dh_all.transpose(1, 0, 2),
    )
